/**
 * Writes a migration as a TypeScript module: readable, formatted, and the same text for the same
 * operations (no dates, keys in a fixed order). Values are literals, never SQL.
 */
import type { Operation } from './operations/index.js';

const KEY_ORDER = [
  'name', 'model', 'from', 'to', 'table', 'fieldType', 'type', 'length', 'digits', 'places', 'column', 'pk', 'generated',
  'null', 'unique', 'index', 'default', 'dbDefault', 'description', 'relation', 'kind', 'field', 'onDelete', 'dbConstraint',
  'references', 'backwardKey', 'forwardKey', 'through', 'fields', 'uniqueTogether', 'indexes', 'manyToMany', 'fill',
  'sql', 'reverseSql',
];
const WIDTH = 110;
const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

function keyRank(key: string): number {
  const rank = KEY_ORDER.indexOf(key);
  return rank === -1 ? KEY_ORDER.length : rank;
}

function quote(text: string): string {
  return `'${text.replace(/\\/g, '\\\\').replace(/'/g, "\\'").replace(/\n/g, '\\n').replace(/\r/g, '\\r').replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029')}'`;
}

function entries(value: Record<string, unknown>): [string, unknown][] {
  return Object.entries(value)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => keyRank(a) - keyRank(b) || (a < b ? -1 : a > b ? 1 : 0));
}

/** `value` as TypeScript source, on one line when it fits in the width from `indent`, else one item per line. */
export function render(value: unknown, indent = ''): string {
  if (value === null) return 'null';
  if (typeof value === 'string') return quote(value);
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (typeof value === 'function') throw new TypeError('a function cannot be written into a migration file; write runCode by hand');
  const inner = `${indent}  `;
  if (Array.isArray(value)) {
    if (value.length === 0) return '[]';
    const items = value.map((v) => render(v, inner));
    const line = `[${items.join(', ')}]`;
    if (!line.includes('\n') && indent.length + line.length <= WIDTH) return line;
    return `[\n${items.map((i) => `${inner}${i},`).join('\n')}\n${indent}]`;
  }
  const fields = entries(value as Record<string, unknown>).map(([k, v]) => `${IDENTIFIER.test(k) ? k : quote(k)}: ${render(v, inner)}`);
  if (fields.length === 0) return '{}';
  const line = `{ ${fields.join(', ')} }`;
  if (!line.includes('\n') && indent.length + line.length <= WIDTH) return line;
  return `{\n${fields.map((f) => `${inner}${f},`).join('\n')}\n${indent}}`;
}

function renderOperation(op: Operation, indent: string): string {
  const { op: name, ...args } = op as unknown as Record<string, unknown> & { op: string };
  return `${name}(${render(args, indent)})`;
}

export interface WriteOptions {
  readonly id: string;
  readonly dependencies: readonly string[];
  readonly operations: readonly Operation[];
  /** Where the file imports the operations from (default 'terrapin/migrations'). */
  readonly importFrom?: string;
  /** An empty migration: the file shows how to write operations by hand. */
  readonly empty?: boolean;
}

/** The source text of a migration file. */
export function writeMigration(options: WriteOptions): string {
  const names = [...new Set(options.operations.map((o) => o.op))].sort();
  const imports = [...names, 'migration'].sort();
  const body = options.operations.map((op) => `    ${renderOperation(op, '    ')},`).join('\n');
  const hint = options.empty === true
    ? `    // Operations written by hand, e.g.\n    //   runSql({ sql: "UPDATE auth_user SET name = TRIM(name)", reverseSql: [] }),\n    //   runCode({ code: async (ctx) => { await ctx.execute('…'); }, reverse: async () => {} }),\n`
    : '';
  return [
    `/** Migration ${options.id}, written by \`terrapin makemigrations\`. */`,
    `import { ${imports.join(', ')} } from '${options.importFrom ?? 'terrapin/migrations'}';`,
    '',
    'export default migration({',
    `  dependencies: ${render(options.dependencies, '  ')},`,
    options.operations.length === 0 ? `  operations: [\n${hint}  ],` : `  operations: [\n${body}\n  ],`,
    '});',
    '',
  ].join('\n');
}

function snake(text: string): string {
  return text
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .replace(/[^A-Za-z0-9]+/g, '_')
    .toLowerCase()
    .replace(/^_+|_+$/g, '');
}

function fragment(op: Operation): string {
  switch (op.op) {
    case 'createModel':
      return `create_${snake(op.name)}`;
    case 'deleteModel':
      return `delete_${snake(op.name)}`;
    case 'renameModel':
      return `rename_${snake(op.from)}_${snake(op.to)}`;
    case 'alterModel':
      return `alter_${snake(op.name)}`;
    case 'addField':
      return `add_${snake(op.model)}_${snake(op.field.name)}`;
    case 'removeField':
      return `remove_${snake(op.model)}_${snake(op.name)}`;
    case 'alterField':
      return `alter_${snake(op.model)}_${snake(op.name)}`;
    case 'renameField':
      return `rename_${snake(op.model)}_${snake(op.from)}_${snake(op.to)}`;
    case 'addManyToMany':
      return `add_${snake(op.model)}_${snake(op.field.name)}`;
    case 'removeManyToMany':
      return `remove_${snake(op.model)}_${snake(op.name)}`;
    case 'alterManyToMany':
      return `alter_${snake(op.model)}_${snake(op.name)}`;
    case 'addIndex':
    case 'addUnique':
      return `${op.op === 'addIndex' ? 'index' : 'unique'}_${snake(op.model)}_${op.fields.map(snake).join('_')}`;
    case 'removeIndex':
    case 'removeUnique':
      return `remove_${op.op === 'removeIndex' ? 'index' : 'unique'}_${snake(op.model)}`;
    case 'runSql':
    case 'runCode':
      return 'data';
  }
}

/** A name from the operations: 'initial' for the first migration, else what the first ones do. */
export function suggestName(operations: readonly Operation[], first: boolean): string {
  if (first) return 'initial';
  if (operations.length === 0) return 'empty';
  const parts = [...new Set(operations.map(fragment))];
  let name = parts[0]!;
  for (const part of parts.slice(1)) {
    if (`${name}_${part}`.length > 40) return `${name}_and_more`.slice(0, 50);
    name = `${name}_${part}`;
  }
  return name.slice(0, 50);
}

/** A name given on the command line, as a file name part. */
export function cleanName(name: string): string {
  const cleaned = snake(name);
  return cleaned === '' ? 'migration' : cleaned.slice(0, 60);
}
