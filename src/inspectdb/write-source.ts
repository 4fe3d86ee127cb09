/** The TypeScript module inspectdb prints: its header, imports and one class per plan. */
import type { MemberPlan, ModelPlan } from './model-plan.js';
import { objectLiteral, quote } from './source-text.js';

export interface SourceOptions {
  /** The module the models import Terrapin from. */
  readonly importFrom: string;
  /** For the header: which backend the tables came from. */
  readonly backend: string;
}

const INDENT = '  ';

function comments(lines: readonly string[], indent: string): string[] {
  return lines.map((line) => `${indent}// ${line}`);
}

function member(plan: MemberPlan): string[] {
  const head = `${INDENT}${plan.name} = ${plan.call}`;
  const relation = plan.call.includes('(');
  const options = objectLiteral(plan.options, INDENT, head.length + 3);
  const call = relation ? `${head}, ${options});` : `${head}(${plan.options.length === 0 ? '' : options});`;
  const lines = [...comments(plan.comments, INDENT), call];
  if (plan.declare !== undefined) lines.push(`${INDENT}declare ${plan.declare};`);
  return lines;
}

function model(plan: ModelPlan): string[] {
  const meta = `${INDENT}static override meta = `;
  return [
    ...comments(plan.comments, ''),
    `export class ${plan.className} extends Model {`,
    ...plan.members.flatMap(member),
    ...plan.reverse.map((line) => `${INDENT}declare ${line};`),
    `${meta}${objectLiteral(plan.meta, INDENT, meta.length + 1)};`,
    '}',
  ];
}

export function writeSource(plans: readonly ModelPlan[], options: SourceOptions): string {
  const reverse = plans.flatMap((p) => p.reverse).join('\n');
  const types = ['ManyToManyRelation', 'ReverseOneToOne', 'ReverseRelation'].filter((t) => reverse.includes(`: ${t}<`));
  const imports = ['Model', 'fields', ...types.map((t) => `type ${t}`)].join(', ');
  const fixmes = plans.reduce((n, p) => n + [...p.comments, ...p.members.flatMap((m) => m.comments)].filter((c) => c.startsWith('FIXME')).length, 0);
  const header = [
    '/**',
    ` * Models for ${plans.length} table${plans.length === 1 ? '' : 's'} of a ${options.backend} database, written by inspectdb.`,
    ' * Review before use: FIXME marks what needs a decision' + (fixmes === 0 ? ' (none here)' : ` (${fixmes} here)`) + ', a note where a field',
    " * would not recreate its column exactly. Constraint and index names become Terrapin's own.",
    ' */',
    `import { ${imports} } from ${quote(options.importFrom)};`,
  ];
  return `${[...header, ...plans.flatMap((p) => ['', ...model(p)])].join('\n')}\n`;
}
