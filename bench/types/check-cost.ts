/**
 * What type-checking an application costs: generates projects of N models (a parent key, the
 * reverse children, every fourth model a many-to-many) with 500 typical typed queries spread over
 * them, type-checks each with `tsc --extendedDiagnostics` (TypeScript 5, this package's) and, when
 * bench/types has its own install (`npm install --prefix bench/types`), with TypeScript 7's `tsgo
 * --singleThreaded`, and prints instantiations, check time and memory.
 *
 *   node dist/bench/types/check-cost.js [100] [200] [500] [--queries=500] [--keep]
 *
 * The projects import Terrapin's declaration files (dist/src), as an application would, so build
 * first (`npm run build`). A project with the models and no query is measured too: the difference
 * is what the queries cost. The CPU time (user + system, from /usr/bin/time) is the figure to
 * compare on a shared machine; check and total time are the compiler's own wall-clock figures.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const root = process.env['TERRAPIN_ROOT'] ?? resolve(here, '../../..');
const library = join(root, 'dist/src/index.js');

function model(i: number, n: number): string {
  const lines = [
    `export class M${i} extends Model {`,
    `  id = fields.IntField({ pk: true });`,
    `  name = fields.CharField({ maxLength: 50 });`,
    `  title = fields.CharField({ maxLength: 100, null: true });`,
    `  body = fields.TextField({ null: true });`,
    `  qty = fields.IntField({ default: 0 });`,
    `  price = fields.DecimalField({ maxDigits: 10, decimalPlaces: 2 });`,
    `  active = fields.BooleanField({ default: true });`,
    `  createdAt = fields.DatetimeField({ autoNowAdd: true });`,
  ];
  if (i > 0) lines.push(`  parent = fields.ForeignKeyField(() => M${i - 1}, { relatedName: 'children', null: true });`);
  if (i < n - 1) lines.push(`  declare children: ReverseRelation<M${i + 1}>;`);
  if (i % 4 === 2) lines.push(`  tags = fields.ManyToManyField(() => M${i - 2}, { relatedName: 'tagged' });`);
  if (i % 4 === 0 && i + 2 < n) lines.push(`  declare tagged: ManyToManyRelation<M${i + 2}>;`);
  lines.push(`  static override meta = { table: 'm${i}' };`, `}`);
  return lines.join('\n');
}

/** Ten shapes of query, as an application writes them; `m` has a parent, `p` a grandparent. */
function query(j: number, i: number): string {
  const m = `M${i}`;
  const hasParent = i > 0;
  const hasGrandparent = i > 1;
  const hasChildren = i < lastModel;
  switch (j % 10) {
    case 0:
      return `await ${m}.filter({ name__icontains: 'x', qty__gte: 1 }).orderBy('-createdAt').limit(10);`;
    case 1:
      return `const a${j} = await ${m}.get({ id: 1 }); a${j}.name.toUpperCase();`;
    case 2:
      return hasParent ? `await ${m}.filter({ parent__name: 'x', active: true });` : `await ${m}.filter({ active: true });`;
    case 3:
      return hasGrandparent
        ? `await ${m}.filter({ parent__parent__name__startswith: 'a', price__lt: '9.99' }).exclude({ title: null });`
        : `await ${m}.filter({ price__lt: '9.99' }).exclude({ title: null });`;
    case 4:
      return hasChildren && hasParent
        ? `const v${j} = await ${m}.filter({ children__qty__lt: 3 }).values('id', 'name', 'parent__name'); v${j}[0]?.name;`
        : `const v${j} = await ${m}.all().values('id', 'name'); v${j}[0]?.name;`;
    case 5:
      return `await ${m}.create({ name: 'x', price: '1.00' });`;
    case 6:
      return `const n${j}: string[] = await ${m}.all().valuesList('name', { flat: true });`;
    case 7:
      return `await ${m}.filter({ pk__in: [1, 2], createdAt__year: 2024 }).update({ qty: 2 });`;
    case 8:
      return hasChildren
        ? `await ${m}.all().annotate({ n: Count('children') }).filter({ n__gte: 1 }).orderBy('-n');`
        : `await ${m}.filter({ body__contains: 'x' }).count();`;
    default:
      return `const s${j} = await ${m}.filter({ active: false }).aggregate({ total: Sum('qty') }); s${j}.total;`;
  }
}

let lastModel = 0;

function project(dir: string, n: number, queries: number): void {
  lastModel = n - 1;
  mkdirSync(dir, { recursive: true });
  const imports = `import { Model, fields, Count, Sum, type ReverseRelation, type ManyToManyRelation } from '${library}';`;
  const models = Array.from({ length: n }, (_, i) => model(i, n));
  writeFileSync(join(dir, 'models.ts'), [imports, ...models].join('\n\n') + '\n');
  const body = Array.from({ length: queries }, (_, j) => `  ${query(shape === undefined ? j : shape + 10 * j, j % n)}`);
  const names = [...new Set(Array.from({ length: queries }, (_, j) => `M${j % n}`))];
  writeFileSync(
    join(dir, 'queries.ts'),
    [
      `import { Count, Sum } from '${library}';`,
      names.length === 0 ? '' : `import { ${names.join(', ')} } from './models.js';`,
      `export async function run(): Promise<void> {`,
      ...body,
      `}`,
      '',
    ].join('\n'),
  );
  writeFileSync(
    join(dir, 'tsconfig.json'),
    JSON.stringify({
      compilerOptions: {
        target: 'ES2022',
        module: 'NodeNext',
        moduleResolution: 'NodeNext',
        lib: ['ES2023'],
        types: ['node'],
        typeRoots: [join(root, 'node_modules/@types')],
        strict: true,
        noEmit: true,
        skipLibCheck: true,
        noUnusedLocals: false,
      },
      files: ['models.ts', 'queries.ts'],
    }),
  );
  writeFileSync(join(dir, 'package.json'), '{ "type": "module" }\n');
}

interface Figures {
  readonly instantiations: number;
  readonly checkSeconds: number;
  readonly totalSeconds: number;
  readonly memoryMb: number;
  readonly errors: number;
}

function figures(output: string): Figures {
  const number = (label: string): number => {
    const match = new RegExp(`^${label}:\\s+([\\d.]+)`, 'm').exec(output);
    return match === null ? Number.NaN : Number(match[1]);
  };
  return {
    instantiations: number('Instantiations'),
    checkSeconds: number('Check time'),
    totalSeconds: number('Total time'),
    memoryMb: number('Memory used') / 1024,
    errors: (output.match(/error TS\d+/g) ?? []).length,
  };
}

/**
 * Runs the compiler under /usr/bin/time when there is one: on a loaded machine the CPU seconds the
 * compiler used say more than its own (wall-clock) check time.
 */
function check(compiler: string[], dir: string): Figures & { readonly cpuSeconds: number } {
  const timed = existsSync('/usr/bin/time');
  const command = timed ? ['/usr/bin/time', '-f', 'cpu %U %S', ...compiler] : compiler;
  const result = spawnSync(command[0]!, [...command.slice(1), '-p', dir, '--extendedDiagnostics'], { encoding: 'utf8', maxBuffer: 1 << 26 });
  const cpu = /cpu ([\d.]+) ([\d.]+)/.exec(result.stderr ?? '');
  return { ...figures(result.stdout ?? ''), cpuSeconds: cpu === null ? Number.NaN : Number(cpu[1]) + Number(cpu[2]) };
}

const args = process.argv.slice(2);
const sizes = args.filter((a) => /^\d+$/.test(a)).map(Number);
const queryCount = Number(args.find((a) => a.startsWith('--queries='))?.slice(10) ?? 500);
const keep = args.includes('--keep');
/** --shape=k: every query of the k-th shape (0–9), to see what one shape costs. */
const shapeArg = args.find((a) => a.startsWith('--shape='));
const shape = shapeArg === undefined ? undefined : Number(shapeArg.slice(8));
if (!existsSync(join(root, 'dist/src/index.d.ts'))) throw new Error('build first: npm run build');

const compilers: [string, string[]][] = [['TS 5 tsc', [process.execPath, join(root, 'node_modules/typescript/bin/tsc')]]];
const tsgo = join(root, 'bench/types/node_modules/.bin/tsgo');
if (existsSync(tsgo)) compilers.push(['TS 7 tsgo --singleThreaded', [tsgo, '--singleThreaded']]);
else console.log('(TypeScript 7 not installed: npm install --prefix bench/types)');

const work = mkdtempSync(join(tmpdir(), 'terrapin-types-'));
console.log(`| models | queries | compiler | instantiations | check time | total time | CPU time | memory | errors |`);
console.log(`|---|---|---|---|---|---|---|---|---|`);
for (const n of sizes.length === 0 ? [100, 200, 500] : sizes) {
  for (const q of [0, queryCount]) {
    const dir = join(work, `m${n}-q${q}`);
    project(dir, n, q);
    for (const [label, command] of compilers) {
      const f = check(command, dir);
      console.log(
        `| ${n} | ${q} | ${label} | ${(f.instantiations / 1e6).toFixed(3)} M | ${f.checkSeconds.toFixed(2)} s | ${f.totalSeconds.toFixed(2)} s | ${f.cpuSeconds.toFixed(2)} s | ${Math.round(f.memoryMb)} MB | ${f.errors} |`,
      );
    }
  }
}
if (keep) console.log(`projects kept in ${work}`);
else rmSync(work, { recursive: true, force: true });
