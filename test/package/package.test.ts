/**
 * Terrapin as a dependency: `npm pack` once, one fresh consumer project (`npm init -y`, the
 * README's install steps, `tsc --init`) that installs the tarball, and then
 * - the tarball: a LICENSE, no scripts, source maps whose sources ship with it;
 * - every dependency allows the lowest Node of `engines`;
 * - types: TypeScript 5.9 and 7 × `module: nodenext` and `bundler` × with and without @types/node,
 *   all with strict, exactOptionalPropertyTypes, declaration, verbatimModuleSyntax, over every
 *   subpath in `exports`;
 * - the README's "Twenty lines" compiled with `tsc --init`'s settings and run;
 * - CommonJS: a `.cts` consumer compiled and run, `require()` of every subpath;
 * - docs/web.md's Fastify, Hono and Express examples, run as written, answering HTTP;
 * - what an editor shows for a field and for query results.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import Database from 'better-sqlite3';
import semver from 'semver';
import ts from 'typescript';
import { codeBlockAfter, copySqliteBuild, installedVersion, npm, root, run } from './support.js';

interface Manifest {
  name: string;
  engines: { node: string };
  exports: Record<string, unknown>;
  scripts?: Record<string, string>;
  dependencies: Record<string, string>;
}

/** Subpaths whose frameworks are Node-only; every other subpath must type-check without @types/node. */
const NEEDS_NODE_TYPES = new Set(['./fastify', './express']);
const TS7 = join(root, 'node_modules', 'typescript-7', 'bin', 'tsc');
const TS5 = join(root, 'node_modules', 'typescript', 'bin', 'tsc');
const NODE_TYPES = join(root, 'node_modules', '@types');

let work: string;
let tarball: string;
let project: string;
let manifest: Manifest;
let subpaths: string[];

function write(path: string, text: string): void {
  writeFileSync(join(project, path), text);
}

/** `import * as …` of each subpath, and a use of each, so that declaration emit has to name them. */
function subpathModule(specifiers: readonly string[], cjs: boolean): string {
  const lines = specifiers.map((s, i) => (cjs ? `import m${i} = require('${s}');` : `import * as m${i} from '${s}';`));
  lines.push(`${cjs ? '' : 'export '}const modules = { ${specifiers.map((_, i) => `m${i}`).join(', ')} };`);
  if (cjs) lines.push(`console.log(JSON.stringify(Object.fromEntries(Object.entries(modules).map(([k, m]) => [k, Object.keys(m).length]))));`);
  return `${lines.join('\n')}\n`;
}

before(async () => {
  work = mkdtempSync(join(tmpdir(), 'terrapin-package-'));
  const packed = JSON.parse((await npm(['pack', '--json', '--pack-destination', work], root)).stdout) as { filename: string }[];
  tarball = join(work, packed[0]!.filename);
  project = join(work, 'consumer');
  mkdirSync(project);
  // The README's install steps, with the frameworks of the subpaths, at the repository's versions.
  await npm(['init', '-y'], project);
  await npm(['pkg', 'set', 'type=module'], project);
  const pinned = ['better-sqlite3', 'zod', 'fastify', '@fastify/swagger', '@fastify/swagger-ui', 'hono', '@hono/node-server', 'express', '@types/express', '@types/node'];
  await npm(['install', '--ignore-scripts', tarball, ...pinned.map((name) => `${name}@${installedVersion(name)}`)], project);
  copySqliteBuild(project);
  await run(process.execPath, [TS5, '--init'], project);
  manifest = JSON.parse(readFileSync(join(project, 'node_modules', 'terrapin', 'package.json'), 'utf8')) as Manifest;
  subpaths = Object.keys(manifest.exports).filter((key) => key !== './package.json');
  const specifier = (key: string): string => (key === '.' ? 'terrapin' : `terrapin/${key.slice(2)}`);
  for (const file of readdirSync(join(root, 'test', 'package', 'consumer'))) {
    writeFileSync(join(project, file), readFileSync(join(root, 'test', 'package', 'consumer', file)));
  }
  write('portable.ts', subpathModule(subpaths.filter((s) => !NEEDS_NODE_TYPES.has(s)).map(specifier), false));
  write('node-only.ts', subpathModule(subpaths.filter((s) => NEEDS_NODE_TYPES.has(s)).map(specifier), false));
  write('require-all.cts', subpathModule(subpaths.map(specifier), true));
});

after(() => {
  rmSync(work, { recursive: true, force: true });
});

type LockPackages = Record<string, { engines?: { node?: string }; dependencies?: Record<string, string> }>;

/** The consumer's lock entries of terrapin's own dependencies, transitively (not the frameworks it chose). */
function dependencyClosure(): LockPackages {
  const { packages } = JSON.parse(readFileSync(join(project, 'package-lock.json'), 'utf8')) as { packages: LockPackages };
  const found: LockPackages = {};
  const visit = (at: string): void => {
    for (const name of Object.keys(packages[at]?.dependencies ?? {})) {
      // Node's lookup: the nearest node_modules folder up from the dependent package.
      let base = at;
      let path = `${base}/node_modules/${name}`;
      while (packages[path] === undefined && base.includes('/node_modules/')) {
        base = base.slice(0, base.lastIndexOf('/node_modules/'));
        path = `${base}/node_modules/${name}`;
      }
      if (packages[path] === undefined) path = `node_modules/${name}`;
      if (found[path] !== undefined || packages[path] === undefined) continue;
      found[path] = packages[path]!;
      visit(path);
    }
  };
  visit('node_modules/terrapin');
  return found;
}

describe('the tarball', () => {
  it('ships a LICENSE (MIT), the README and no package scripts', async () => {
    const files = (await run('tar', ['tzf', tarball], work)).stdout.split('\n');
    assert.ok(files.includes('package/LICENSE'), 'LICENSE is in the tarball');
    assert.ok(files.includes('package/README.md'));
    assert.match(readFileSync(join(project, 'node_modules', 'terrapin', 'LICENSE'), 'utf8'), /^MIT License/);
    // npm warns consumers about install-time scripts (prepare), and the others need unshipped files.
    assert.equal(manifest.scripts, undefined);
  });

  it('ships the sources every source map names', () => {
    const installed = join(project, 'node_modules', 'terrapin');
    const maps: string[] = [];
    const walk = (dir: string): void => {
      for (const entry of readdirSync(join(installed, dir), { withFileTypes: true })) {
        const path = join(dir, entry.name);
        if (entry.isDirectory()) walk(path);
        else if (entry.name.endsWith('.map')) maps.push(path);
      }
    };
    walk('dist');
    assert.ok(maps.length > 100, `${maps.length} maps`);
    const missing: string[] = [];
    for (const map of maps) {
      const { sources } = JSON.parse(readFileSync(join(installed, map), 'utf8')) as { sources: string[] };
      for (const source of sources) {
        try {
          readFileSync(join(installed, map, '..', source));
        } catch {
          missing.push(`${map} → ${source}`);
        }
      }
    }
    assert.deepEqual(missing, []);
  });

  it('every installed package, ours and the development ones, allows the lowest Node of engines', () => {
    const lowest = semver.minVersion(manifest.engines.node)!.version;
    const lock = JSON.parse(readFileSync(join(root, 'package-lock.json'), 'utf8')) as { packages: Record<string, { engines?: { node?: string } }> };
    const refusing = Object.entries({ ...lock.packages, ...dependencyClosure() })
      .filter(([, entry]) => typeof entry.engines?.node === 'string' && !semver.satisfies(lowest, entry.engines.node))
      .map(([name, entry]) => `${name}: ${entry.engines!.node}`);
    assert.deepEqual(refusing, [], `engines says ${manifest.engines.node}`);
  });
});

const STRICT = {
  strict: true,
  exactOptionalPropertyTypes: true,
  noUncheckedIndexedAccess: true,
  declaration: true,
  emitDeclarationOnly: true,
  verbatimModuleSyntax: true,
  isolatedModules: true,
  skipLibCheck: false,
  target: 'es2022',
  lib: ['es2023', 'dom'],
};

for (const [compiler, tsc] of [
  ['TypeScript 5.9', TS5],
  ['TypeScript 7', TS7],
] as const) {
  describe(`types in a consumer, ${compiler}`, () => {
    for (const resolution of ['nodenext', 'bundler'] as const) {
      const modules = resolution === 'nodenext' ? { module: 'nodenext' } : { module: 'esnext', moduleResolution: 'bundler' };
      for (const nodeTypes of [true, false]) {
        it(`module ${resolution}, ${nodeTypes ? 'with' : 'without'} @types/node`, async () => {
          const name = `tsconfig.${resolution}.${nodeTypes ? 'node' : 'nonode'}.json`;
          const files = ['models.ts', 'portable.ts', ...(nodeTypes ? ['node-only.ts'] : ['no-node-globals.ts'])];
          if (resolution === 'nodenext') files.push('cjs-consumer.cts', ...(nodeTypes ? ['require-all.cts'] : []));
          const types = nodeTypes ? { types: ['node'], typeRoots: [NODE_TYPES] } : { types: [] };
          write(name, JSON.stringify({ compilerOptions: { ...STRICT, ...modules, ...types, outDir: `out-${name}` }, files }, null, 2));
          const { stdout } = await run(process.execPath, [tsc, '-p', name, '--pretty', 'false'], project).catch((error: Error) => ({ stdout: error.message }));
          assert.equal(stdout.trim(), '');
          if (resolution === 'nodenext' && nodeTypes) {
            const declared = readFileSync(join(project, `out-${name}`, 'models.d.ts'), 'utf8');
            assert.match(declared, /id: import\("terrapin"\)\./, 'field types are named through the package entry point');
          }
        });
      }
    }
  });
}

describe('running in a consumer', () => {
  let built: string;
  before(async () => {
    // The README's "Twenty lines" as written, with the tsconfig.json `tsc --init` wrote.
    const readme = readFileSync(join(root, 'README.md'), 'utf8');
    write('index.ts', codeBlockAfter(readme, '## Twenty lines'));
    const config = ts.parseConfigFileTextToJson('tsconfig.json', readFileSync(join(project, 'tsconfig.json'), 'utf8')).config as {
      compilerOptions: Record<string, unknown>;
    };
    config.compilerOptions.outDir = 'built';
    write('tsconfig.run.json', JSON.stringify({ compilerOptions: config.compilerOptions, files: ['index.ts', 'require-all.cts', 'cjs-consumer.cts'] }));
    await run(process.execPath, [TS5, '-p', 'tsconfig.run.json', '--pretty', 'false'], project);
    built = join(project, 'built');
  });

  it("the README's Twenty lines compile with tsc --init's settings and run", async () => {
    await run(process.execPath, [join(built, 'index.js')], project);
    const db = new Database(join(project, 'db.sqlite3'), { readonly: true });
    try {
      assert.deepEqual(db.prepare('SELECT name FROM auth_user').pluck().all(), ['Alice']);
    } finally {
      db.close();
    }
  });

  it('CommonJS: require() of every subpath in exports', async () => {
    const { stdout } = await run(process.execPath, [join(built, 'require-all.cjs')], project);
    const counts = JSON.parse(stdout) as Record<string, number>;
    assert.equal(Object.keys(counts).length, subpaths.length);
    for (const [key, count] of Object.entries(counts)) assert.ok(count > 0, `${key} exports something`);
  });

  it('CommonJS: a .cts consumer runs queries', async () => {
    const { stdout } = await run(process.execPath, [join(built, 'cjs-consumer.cjs')], project);
    assert.deepEqual(JSON.parse(stdout), { names: ['Ann', 'Bob'], count: 2 });
  });
});

describe('what an editor shows', () => {
  it('query results and schema outputs read as plain types', () => {
    const file = join(project, 'hover.ts');
    writeFileSync(
      file,
      [
        "import { Author, AuthorOut } from './models.js';",
        'const author = new Author();',
        "export const names = await Author.all().valuesList('name', { flat: true });",
        "export const rows = await Author.all().values('name', 'rating');",
        'export const out = await AuthorOut.fromOrm(author);',
        'export const name = author.name;',
      ].join('\n'),
    );
    const program = ts.createProgram([file], { ...ts.getDefaultCompilerOptions(), module: ts.ModuleKind.NodeNext, target: ts.ScriptTarget.ES2022, strict: true, types: [] });
    const checker = program.getTypeChecker();
    const shown = new Map<string, string>();
    ts.forEachChild(program.getSourceFile(file)!, function visit(node) {
      if (ts.isVariableDeclaration(node) && ts.isIdentifier(node.name)) shown.set(node.name.text, checker.typeToString(checker.getTypeAtLocation(node.name)));
      ts.forEachChild(node, visit);
    });
    assert.equal(shown.get('names'), 'string[]');
    assert.equal(shown.get('rows'), '{ name: string; rating: number | null; }[]');
    assert.match(shown.get('out')!, /^\{ name: string; id: number; bio: string \| null; /);
    // The attribute itself keeps the brand the mapped types need; TypeScript shows the alias.
    assert.equal(shown.get('name'), 'Branded<string, FieldInfo<string, "text", false, false, false>>');
  });
});

/** Polls until the server answers (any status), or fails after the deadline. */
async function listening(base: string, child: ReturnType<typeof spawn>, output: () => string): Promise<void> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`the example exited with ${child.exitCode}: ${output()}`);
    try {
      await fetch(base);
      return;
    } catch {
      if (Date.now() > deadline) throw new Error(`the example did not listen at ${base}: ${output()}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}

async function call(base: string, path: string, body?: string): Promise<{ status: number; body: unknown }> {
  const response = await fetch(`${base}${path}`, body === undefined ? {} : { method: 'POST', headers: { 'content-type': 'application/json' }, body });
  const text = await response.text();
  return { status: response.status, body: text === '' ? undefined : JSON.parse(text) };
}

describe("docs/web.md's examples, run as written", () => {
  const web = readFileSync(join(root, 'docs', 'web.md'), 'utf8');
  // Ports of this suite's range (TEAM.md: 20000–20499).
  for (const [index, framework] of (['Fastify', 'Hono', 'Express'] as const).entries()) {
    it(`${framework}: creates, reads, answers 404, 400 and 422 in FastAPI's shape, stops on SIGTERM`, async () => {
      const file = join(project, `web-${framework.toLowerCase()}.mjs`);
      const source = codeBlockAfter(web, `## ${framework}`);
      writeFileSync(file, ts.transpileModule(source, { compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 } }).outputText);
      const port = 20_010 + index;
      const base = `http://127.0.0.1:${port}`;
      const env = { ...process.env, PORT: String(port), DATABASE_URL: `sqlite://web-${framework.toLowerCase()}.sqlite3` };
      const child = spawn(process.execPath, [file], { cwd: project, env, stdio: ['ignore', 'pipe', 'pipe'] });
      let output = '';
      child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
      child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
      try {
        await listening(base, child, () => output);
        const created = await call(base, '/users', JSON.stringify({ name: 'Ann' }));
        assert.equal(created.status, 201, JSON.stringify(created.body));
        const { id } = created.body as { id: number };
        assert.deepEqual(await call(base, `/users/${id}`), { status: 200, body: { id, name: 'Ann' } });
        assert.deepEqual(await call(base, `/users/${id + 1}`), { status: 404, body: { detail: `No User matches id=${id + 1}.` } });
        assert.deepEqual(await call(base, '/no/such/route'), { status: 404, body: { detail: 'Not Found' } });
        const malformed = await call(base, '/users', '{"name": ');
        assert.equal(malformed.status, 400, JSON.stringify(malformed.body));
        assert.equal(typeof (malformed.body as { detail: unknown }).detail, 'string');
        const empty = await call(base, '/users', '{}');
        assert.equal(empty.status, 422, JSON.stringify(empty.body));
        assert.ok(Array.isArray((empty.body as { detail: unknown }).detail));
      } finally {
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
        await once(child, 'exit');
        clearTimeout(timer);
      }
      assert.equal(child.signalCode === 'SIGKILL', false, `the ${framework} example did not stop on SIGTERM: ${output}`);
    });
  }
});
