/**
 * The example app's committed migrations match its models: `terrapin check` (the real binary, with
 * examples/app/terrapin.config.ts) exits 0, so a model edit without its migration fails CI; and
 * the build holds the compiled migrations the app applies at start.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { it } from 'node:test';
import { MIGRATIONS } from '../../examples/app/app.js';
import { root } from '../package/support.js';

it('terrapin check passes against the example app', async () => {
  const outcome = await new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
    execFile(process.execPath, [join(root, 'dist/src/cli/main.js'), '--config', 'examples/app/terrapin.config.ts', 'check'], { cwd: root }, (error, stdout, stderr) => {
      resolve({ code: error === null ? 0 : typeof error.code === 'number' ? error.code : 1, stdout, stderr });
    });
  });
  assert.equal(outcome.code, 0, outcome.stdout + outcome.stderr);
  assert.match(outcome.stdout, /^The migrations match the models/);
});

it('the built app finds its compiled migrations beside it', () => {
  assert.equal(MIGRATIONS, join(root, 'dist/examples/app/migrations'));
  assert.ok(existsSync(join(MIGRATIONS, 'models', '0001_initial.js')));
});
