/**
 * Helpers of the package suite: run a command in a directory, pack the repository once, and lay
 * out consumer projects that install the tarball as a new user would (`npm init -y`, `npm install`),
 * from the local npm cache where it has the packages.
 */
import { execFile } from 'node:child_process';
import { cpSync, existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** dist/test/package/ → the repository root. */
export const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

export interface RunResult {
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs a program to its end; a non-zero exit rejects with its output in the message. */
export function run(file: string, args: readonly string[], cwd: string, env: NodeJS.ProcessEnv = {}): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    execFile(file, args, { cwd, env: { ...process.env, ...env }, maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) => {
      if (error === null) resolve({ stdout, stderr });
      else reject(new Error(`${file} ${args.join(' ')} (in ${cwd}) failed: ${error.message}\n${stdout}\n${stderr}`));
    });
  });
}

/** npm, quiet about funding and audits, preferring the cache (every package below is already in it). */
export function npm(args: readonly string[], cwd: string): Promise<RunResult> {
  return run('npm', [...args, '--no-audit', '--no-fund', '--prefer-offline'], cwd, { npm_config_update_notifier: 'false' });
}

/** The version installed in the repository's own node_modules, so that consumers get the cached copy. */
export function installedVersion(name: string): string {
  return (JSON.parse(readFileSync(join(root, 'node_modules', name, 'package.json'), 'utf8')) as { version: string }).version;
}

/**
 * better-sqlite3 is installed with `--ignore-scripts` (its install script would compile SQLite,
 * a minute per consumer, or download a prebuilt binary) and gets the repository's build of the
 * same version instead.
 */
export function copySqliteBuild(project: string): void {
  const target = join(project, 'node_modules', 'better-sqlite3');
  if (!existsSync(target)) throw new Error(`${project} has no better-sqlite3`);
  cpSync(join(root, 'node_modules', 'better-sqlite3', 'build'), join(target, 'build'), { recursive: true });
}

/** The ```ts block that follows a heading of a markdown file, as written. */
export function codeBlockAfter(markdown: string, heading: string): string {
  const at = markdown.indexOf(`\n${heading}\n`);
  if (at < 0) throw new Error(`no heading '${heading}'`);
  const match = /```ts\n([\s\S]*?)\n```/.exec(markdown.slice(at));
  if (match === null) throw new Error(`no ts block after '${heading}'`);
  return `${match[1]}\n`;
}
