/**
 * The README's `curl` lines for the example API, run as written (the host swapped for the test
 * server's) on a fresh database of every backend: each succeeds, and where the README shows the
 * answer on the next line, the answer is that (createdAt aside, which is the time of the run).
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { it } from 'node:test';
import { promisify } from 'node:util';
import { root } from '../package/support.js';
import { forEachBackendApp } from './support.js';

const run = promisify(execFile);

interface CurlLine {
  readonly args: string[];
  readonly expected: unknown;
}

/** The curl lines of the README's "The example API" section, each with the JSON shown after it. */
function curlLines(): CurlLine[] {
  const readme = readFileSync(join(root, 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('\n## The example API\n'));
  const block = /```sh\n([\s\S]*?)\n```/.exec(section)![1]!.split('\n');
  const lines: CurlLine[] = [];
  block.forEach((line, index) => {
    if (!line.startsWith('curl ')) return;
    const next = block[index + 1] ?? '';
    const command = line.replace(/\s+#.*$/, '');
    // The shell's quoting, for the forms the README uses: 'single-quoted' words and bare words.
    const args = [...command.matchAll(/'([^']*)'|(\S+)/g)].map((m) => m[1] ?? m[2]!).slice(1);
    lines.push({ args, expected: next.startsWith('# {') ? JSON.parse(next.slice(2)) : undefined });
  });
  return lines;
}

function withoutTimes(value: unknown): unknown {
  return JSON.parse(JSON.stringify(value), (key, v: unknown) => (key === 'createdAt' ? '<time>' : v));
}

forEachBackendApp('e2e_readme_curl', (app) => {
  it("the README's curl lines work on a fresh database and answer what it shows", async () => {
    const lines = curlLines();
    assert.ok(lines.length >= 5, `${lines.length} curl lines`);
    const { port } = new URL(app.base);
    for (const { args, expected } of lines) {
      const swapped = args.map((arg) => arg.replace(/^localhost:8000/, `127.0.0.1:${port}`));
      const { stdout } = await run('curl', ['-s', '-w', '\n%{http_code}', ...swapped]);
      const status = Number(stdout.slice(stdout.lastIndexOf('\n') + 1));
      const body = JSON.parse(stdout.slice(0, stdout.lastIndexOf('\n'))) as unknown;
      if (expected === undefined) assert.ok(status < 300, `curl ${args.join(' ')} → ${status} ${JSON.stringify(body)}`);
      else assert.deepEqual(withoutTimes(body), withoutTimes(expected), `curl ${args.join(' ')}`);
    }
  });
});
