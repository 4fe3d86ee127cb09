/**
 * `npm start` (tools/start.mjs): a restart with nothing changed goes straight to the built output
 * without running tsc; an edit, a new file or a removed build makes it build first; a build with a
 * type error starts nothing, and neither does the next start (tsc still emits JavaScript then).
 * Run on a small project of its own in a temporary folder (tsconfig.json, src/, examples/app/) with
 * the repository's node_modules, so that the repository's own build is never touched.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, it } from 'node:test';
import { root } from '../package/support.js';

const START = join(root, 'tools', 'start.mjs');
const ENTRY = 'dist/examples/app/main.js';
let project: string;

interface Outcome {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** `node tools/start.mjs dist/examples/app/main.js extra` in the project, as `npm start` runs it. */
function start(): Promise<Outcome> {
  return new Promise((resolve) => {
    execFile(process.execPath, [START, ENTRY, 'extra'], { cwd: project }, (error, stdout, stderr) => {
      resolve({ code: error === null ? 0 : typeof error.code === 'number' ? error.code : 1, stdout, stderr });
    });
  });
}

function write(path: string, text: string): void {
  writeFileSync(join(project, path), text);
}

const buildInfoTime = (): number => statSync(join(project, 'dist', 'tsconfig.tsbuildinfo')).mtimeMs;

before(() => {
  project = mkdtempSync(join(tmpdir(), 'terrapin-start-'));
  symlinkSync(join(root, 'node_modules'), join(project, 'node_modules'), 'dir');
  mkdirSync(join(project, 'src'));
  mkdirSync(join(project, 'examples', 'app'), { recursive: true });
  write('package.json', '{ "type": "module" }\n');
  write('tsconfig.json', JSON.stringify({
    compilerOptions: { target: 'ES2022', module: 'NodeNext', strict: true, types: ['node'], incremental: true, outDir: 'dist', rootDir: '.', skipLibCheck: true },
    include: ['src', 'examples'],
  }));
  write('src/message.ts', "export const message: string = 'v1';\n");
  write('examples/app/main.ts', "import { message } from '../../src/message.js';\nconsole.log(`started ${message} as ${process.argv.slice(1).join(' ')}`);\n");
});

after(() => rmSync(project, { recursive: true, force: true }));

it("is what package.json's start script runs, on the example API's entry point", () => {
  const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
  assert.equal(manifest.scripts.start, 'node tools/start.mjs dist/examples/app/main.js');
  assert.equal(manifest.scripts.demo, 'node tools/start.mjs dist/examples/demo.js');
});

it('builds on the first start, and starts the entry with its arguments', async () => {
  const first = await start();
  assert.equal(first.code, 0, first.stderr);
  assert.equal(first.stderr, 'building with tsc -b (no successful build recorded in dist/.start-stamp)\n');
  assert.equal(first.stdout, `started v1 as ${join(project, ENTRY)} extra\n`);
});

it('restarts from the built output without running tsc when nothing changed', async () => {
  const built = buildInfoTime();
  const again = await start();
  assert.deepEqual(again, { code: 0, stdout: `started v1 as ${join(project, ENTRY)} extra\n`, stderr: '' });
  assert.equal(buildInfoTime(), built, 'tsc did not run');
});

it('builds again after an edit, a new file, or a removed build', async () => {
  write('src/message.ts', "export const message: string = 'v2';\n");
  const edited = await start();
  assert.equal(edited.stderr, 'building with tsc -b (src/message.ts changed since the last build)\n');
  assert.equal(edited.stdout, `started v2 as ${join(project, ENTRY)} extra\n`);

  write('examples/app/extra.ts', 'export {};\n');
  const added = await start();
  assert.match(added.stderr, /^building with tsc -b \(examples\/app(\/extra\.ts)? changed since the last build\)\n$/);
  assert.equal(statSync(join(project, 'dist', 'examples', 'app', 'extra.js')).isFile(), true);

  rmSync(join(project, 'dist'), { recursive: true });
  const removed = await start();
  assert.equal(removed.stderr, 'building with tsc -b (no successful build recorded in dist/.start-stamp)\n');
  assert.equal(removed.stdout, `started v2 as ${join(project, ENTRY)} extra\n`);
});

it('starts nothing after a build with a type error, nor on the next start', async () => {
  write('src/message.ts', 'export const message: string = 3;\n');
  for (const attempt of [1, 2]) {
    const broken = await start();
    assert.equal(broken.code, 1, `attempt ${attempt}: tsc -b's exit code`);
    assert.match(broken.stdout, /src\/message\.ts\(1,14\): error TS2322: Type 'number' is not assignable to type 'string'/);
    assert.match(broken.stderr, /tsc -b failed \(1\): not starting dist\/examples\/app\/main\.js\n$/);
    assert.doesNotMatch(broken.stdout, /started/);
  }
  write('src/message.ts', "export const message: string = 'v3';\n");
  const fixed = await start();
  assert.equal(fixed.code, 0);
  assert.equal(fixed.stdout, `started v3 as ${join(project, ENTRY)} extra\n`);
});
