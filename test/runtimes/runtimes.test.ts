/**
 * Terrapin on Bun and Deno (both installed from npm as devDependencies): the smoke run
 * (smoke.ts) on every active backend, SQLite through each runtime's own library (bun:sqlite,
 * node:sqlite), and the SQLite integration suite under `bun test` (one process per file: Bun runs
 * the files of one invocation in one module graph, where the fixtures' models would be registered
 * twice) and `deno test` (one invocation: Deno keeps each file's modules apart).
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { activeBackends, freshDatabase } from '../support/backends.js';
import { root } from '../package/support.js';

const RUNTIMES = {
  bun: { bin: join(root, 'node_modules', '.bin', 'bun'), script: ['run'], test: ['test'], perFile: true },
  deno: { bin: join(root, 'node_modules', '.bin', 'deno'), script: ['run', '-A'], test: ['test', '-A'], perFile: false },
} as const;

const EXPECTED = {
  titles: ['First', 'Third'],
  count: 3,
  pages: [100, 301, 100],
  published: '2024-01-02T03:04:05.678Z',
  prefetched: [['Ann', ['First', 'Second', 'Third']]],
};

function run(file: string, args: readonly string[], env: NodeJS.ProcessEnv = {}): Promise<{ code: number; output: string }> {
  return new Promise((resolve) => {
    execFile(file, args, { cwd: root, env: { ...process.env, NO_COLOR: '1', ...env }, maxBuffer: 64 * 1024 * 1024, timeout: 300_000 }, (error, stdout, stderr) => {
      resolve({ code: error === null ? 0 : typeof error.code === 'number' ? error.code : 1, output: `${stdout}${stderr}` });
    });
  });
}

const smoke = join(root, 'dist', 'test', 'runtimes', 'smoke.js');
const integration = join(root, 'dist', 'test', 'integration');

for (const [name, runtime] of Object.entries(RUNTIMES)) {
  describe(`${name}`, () => {
    for (const backend of activeBackends()) {
      it(`runs the smoke on ${backend}${backend === 'sqlite' ? ` (${name === 'bun' ? 'bun:sqlite' : 'node:sqlite'})` : ''}`, async () => {
        const url = await freshDatabase(backend, `runtime_${name}`);
        const { code, output } = await run(runtime.bin, [...runtime.script, smoke, url]);
        assert.equal(code, 0, output);
        assert.deepEqual(JSON.parse(output.trim().split('\n').pop()!), EXPECTED);
      });
    }

    it('passes the SQLite integration suite', async () => {
      const files = readdirSync(integration).filter((f) => f.endsWith('.test.js')).sort().map((f) => join(integration, f));
      const failures: string[] = [];
      for (const group of runtime.perFile ? files.map((f) => [f]) : [files]) {
        const { code, output } = await run(runtime.bin, [...runtime.test, ...group], { TERRAPIN_TEST_BACKENDS: 'sqlite' });
        if (code !== 0) failures.push(`${group.length === 1 ? group[0] : 'test/integration/'}:\n${output.split('\n').filter((line) => /fail|error/i.test(line)).slice(0, 30).join('\n')}`);
      }
      assert.deepEqual(failures, []);
    });
  });
}
