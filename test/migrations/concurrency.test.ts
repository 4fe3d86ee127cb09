/** Two processes that run `migrate` at the same moment apply each migration once (real child processes). */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { after, describe, it } from 'node:test';
import * as models from './fixtures/concurrent-models.js';
import { activeBackends } from '../support/backends.js';
import { MIGRATIONS_ENTRY, MigrationBed } from './support.js';

const run = promisify(execFile);
const CHILD = join(dirname(fileURLToPath(import.meta.url)), 'fixtures', 'migrate-child.js');

/** A migration whose code takes a while and leaves a row behind: two runs of it would leave two. */
function slowMigration(name: string, dependency: string): string {
  return `import { migration, runCode } from '${MIGRATIONS_ENTRY}';

export default migration({
  dependencies: ['${dependency}'],
  operations: [
    runCode({
      description: 'a row per run, slowly',
      code: async (ctx) => {
        await new Promise((resolve) => setTimeout(resolve, 300));
        await ctx.execute("INSERT INTO author (name) VALUES ('${name}')");
      },
      reverse: async () => {},
    }),
  ],
});
`;
}

for (const backend of activeBackends()) {
  describe(backend, () => {
    const bed = new MigrationBed(backend, 'concurrency');
    after(() => bed.close());

    it('two processes migrating at once apply each migration once', async () => {
      await bed.reset();
      const folder = join(bed.folder, 'migrations');
      await bed.with([models], (m) => m.makeMigrations({ importFrom: MIGRATIONS_ENTRY }));
      mkdirSync(join(folder, 'models'), { recursive: true });
      writeFileSync(join(folder, 'models', '0002_first.ts'), slowMigration('first', '0001_initial'));
      writeFileSync(join(folder, 'models', '0003_second.ts'), slowMigration('second', '0002_first'));
      const results = await Promise.all([0, 1].map(() => run(process.execPath, [CHILD, bed.migratedUrl, folder], { timeout: 60_000 })));
      const applied = results.map((r) => JSON.parse(r.stdout) as string[]);
      assert.deepEqual(applied.flat().sort(), ['models/0001_initial', 'models/0002_first', 'models/0003_second']);
      const rows = await bed.with([models], async (_m, t) => ({
        names: (await t.connection('default').rows('SELECT name FROM author ORDER BY name', [])).map((r) => r[0]),
        records: (await t.connection('default').rows('SELECT name FROM terrapin_migrations ORDER BY id', [])).map((r) => r[0]),
      }));
      assert.deepEqual(rows.names, ['first', 'second']);
      assert.deepEqual(rows.records, ['0001_initial', '0002_first', '0003_second']);
    });
  });
}
