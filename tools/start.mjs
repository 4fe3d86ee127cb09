// @ts-check
/**
 * `npm start` / `npm run demo`: runs a built entry point, building first only when the build is
 * not current.
 *
 *   node tools/start.mjs dist/examples/app/main.js [args…]
 *
 * `tsc -b` costs seconds even when nothing changed (it loads the compiler and checks every file of
 * src/, test/, bench/ and tools/), so a restart goes straight to dist/ when no file under src/ or
 * examples/ and not tsconfig.json changed since the last build that succeeded. That build wrote
 * dist/.start-stamp with the time it started; a file (or folder: added, removed and renamed files
 * change their folder) changed at or after that time means `tsc -b` runs again. A failed build
 * removes the stamp, so the next start builds again rather than starting what a broken build
 * emitted (tsc still writes JavaScript when types are wrong).
 *
 * Plain JavaScript, not compiled: it has to run before there is a build. The entry is imported in
 * this process rather than spawned, so signals (Ctrl-C, SIGTERM) reach the app itself.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, relative, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const root = process.cwd();
const WATCHED = ['src', 'examples', 'tsconfig.json'];
const stampFile = join(root, 'dist', '.start-stamp');

const [entryArg, ...rest] = process.argv.slice(2);
if (entryArg === undefined) {
  console.error('usage: node tools/start.mjs <built entry, e.g. dist/examples/app/main.js> [args…]');
  process.exit(2);
}
const entry = resolve(root, entryArg);

/**
 * The first watched file or folder changed at or after `since` (ms), or undefined.
 * @param {string} path
 * @param {number} since
 * @returns {string | undefined}
 */
function changedSince(path, since) {
  if (!existsSync(path)) return undefined;
  const stat = statSync(path);
  if (stat.mtimeMs >= since) return path;
  if (!stat.isDirectory()) return undefined;
  for (const name of readdirSync(path)) {
    const found = changedSince(join(path, name), since);
    if (found !== undefined) return found;
  }
  return undefined;
}

/** @returns {string | undefined} why a build is needed, or undefined when the build is current */
function staleReason() {
  if (!existsSync(stampFile)) return 'no successful build recorded in dist/.start-stamp';
  const since = Number(readFileSync(stampFile, 'utf8'));
  if (!Number.isFinite(since)) return 'dist/.start-stamp is unreadable';
  for (const watched of WATCHED) {
    const changed = changedSince(join(root, watched), since);
    if (changed !== undefined) return `${relative(root, changed)} changed since the last build`;
  }
  if (!existsSync(entry)) return `${relative(root, entry)} does not exist`;
  return undefined;
}

const reason = staleReason();
if (reason !== undefined) {
  console.error(`building with tsc -b (${reason})`);
  const started = Date.now();
  const tsc = createRequire(join(root, 'package.json')).resolve('typescript/bin/tsc');
  const build = spawnSync(process.execPath, [tsc, '-b', 'tsconfig.json'], { cwd: root, stdio: 'inherit' });
  if (build.status !== 0) {
    rmSync(stampFile, { force: true });
    console.error(`tsc -b failed (${build.status ?? build.signal}): not starting ${relative(root, entry)}`);
    process.exit(build.status ?? 1);
  }
  writeFileSync(stampFile, String(started));
}

// The app sees itself as the script node was given, with the arguments after it.
process.argv = [process.argv[0] ?? process.execPath, entry, ...rest];
await import(pathToFileURL(entry).href);
