/**
 * `npm pack` / `npm publish` hooks: the published package.json carries no `scripts`. Ours build,
 * test and serve from files the tarball does not ship (tsconfig.json, test/, examples/), and an
 * install-time script such as `prepare` makes npm warn every consumer. npm tars package.json as it
 * is on disk after `prepack`, so `strip` (prepack) writes it without scripts and keeps the
 * original beside it; `restore` (postpack) puts the original back.
 *
 *   node dist/tools/pack-manifest.js strip | restore
 */
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const manifest = join(root, 'package.json');
const kept = join(root, 'package.json.unpacked');

const action = process.argv[2];
if (action === 'strip') {
  if (existsSync(kept)) {
    // A pack that stopped between the two hooks: the file beside package.json is the original.
    console.error(`${kept} exists: an earlier npm pack did not finish. Move it back to package.json (or delete it if package.json is right) and pack again.`);
    process.exit(1);
  }
  const text = readFileSync(manifest, 'utf8');
  const { scripts: _scripts, ...published } = JSON.parse(text) as Record<string, unknown>;
  writeFileSync(kept, text);
  writeFileSync(manifest, `${JSON.stringify(published, null, 2)}\n`);
} else if (action === 'restore') {
  if (existsSync(kept)) renameSync(kept, manifest);
} else {
  console.error(`usage: node dist/tools/pack-manifest.js strip|restore (got ${action ?? 'nothing'})`);
  process.exit(2);
}
