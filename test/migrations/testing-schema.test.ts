/**
 * terrapin/testing with schema: 'migrations': the test database gets its tables from the migration
 * files (as production does), and a model change that no migration holds stops setup() with the
 * advice `terrapin check` would give, instead of tests passing on tables production never gets.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { ConfigurationError, Model, Terrapin, fields } from '../../src/index.js';
import { Migrations } from '../../src/migrations/index.js';
import { testDatabase } from '../../src/testing/index.js';
import { MYSQL_ADMIN_URL, PG_ADMIN_URL, TEST_DB_PREFIX, activeBackends, type BackendName } from '../support/backends.js';
import { fails, rejects } from '../support/expect-errors.js';
import { MIGRATIONS_ENTRY } from './support.js';

const tmp = mkdtempSync(join(tmpdir(), 'tp_mig_testing_'));
after(() => rmSync(tmp, { recursive: true, force: true }));

/** The models as the migration files know them (v1) and with a field no migration adds yet (v2). */
function models(version: 1 | 2) {
  class TsEntry extends Model {
    id = fields.IntField({ pk: true });
    title = fields.CharField({ maxLength: 40 });
    static override meta = { table: 'ts_entry' };
  }
  class TsEntryV2 extends Model {
    id = fields.IntField({ pk: true });
    title = fields.CharField({ maxLength: 40 });
    score = fields.IntField({ default: 0 });
    static override meta = { table: 'ts_entry' };
  }
  return version === 1 ? { TsEntry } : { TsEntry: TsEntryV2 };
}

/** makemigrations for the v1 models, written into a folder of its own (no database needed). */
async function migrationsFolder(): Promise<string> {
  const folder = mkdtempSync(join(tmp, 'migrations_'));
  const terrapin = new Terrapin();
  await terrapin.init({ dbUrl: 'sqlite://:memory:', modules: { models: [models(1)] } });
  try {
    await new Migrations(terrapin, folder).makeMigrations({ importFrom: MIGRATIONS_ENTRY });
  } finally {
    await terrapin.close();
  }
  return folder;
}

function templateUrl(backend: BackendName): string {
  if (backend === 'sqlite') return `sqlite://${join(tmp, `${TEST_DB_PREFIX}mig_schema_{}.sqlite3`)}`;
  const url = new URL(backend === 'postgres' ? PG_ADMIN_URL : MYSQL_ADMIN_URL);
  url.pathname = `/${TEST_DB_PREFIX}mig_schema_{}`;
  return url.toString().replace('%7B%7D', '{}');
}

for (const backend of activeBackends()) {
  describe(`${backend}: testDatabase({ schema: 'migrations' })`, () => {
    it('makes the tables by applying the migration files, recorded as applied', async () => {
      const folder = await migrationsFolder();
      const { TsEntry } = models(1);
      const db = testDatabase({ dbUrl: templateUrl(backend), modules: { models: [{ TsEntry }] }, schema: 'migrations', migrations: folder, terrapin: new Terrapin() });
      await db.setup();
      try {
        await db.isolated(async () => {
          await TsEntry.create({ title: 'first' });
          assert.equal(await TsEntry.all().count(), 1);
        })();
        assert.equal(await TsEntry.all().count(), 0, 'isolated() rolled the row back');
        const records = await db.terrapin.connection('default').rows('SELECT app, name FROM terrapin_migrations', []);
        assert.deepEqual(records.map((r) => r.join('/')), ['models/0001_initial']);
        // truncate() empties the models' tables, not the record of applied migrations.
        await TsEntry.create({ title: 'committed' });
        await db.truncate();
        assert.equal(await TsEntry.all().count(), 0);
        assert.equal((await db.terrapin.connection('default').rows('SELECT name FROM terrapin_migrations', [])).length, 1);
      } finally {
        await db.teardown();
      }
    });

    it('refuses models with changes that no migration holds, naming the app and the command to run', async () => {
      const folder = await migrationsFolder();
      const db = testDatabase({ dbUrl: templateUrl(backend), modules: { models: [models(2)] }, schema: 'migrations', migrations: folder, terrapin: new Terrapin() });
      await rejects(
        db.setup(),
        ConfigurationError,
        /^testDatabase: the models of 'models' have changes that no migration in '.*migrations_\w+' holds: run `npx terrapin makemigrations` and commit the new migration \(or use schema: 'models' to test the models as they are\)\.$/,
      );
      // setup() cleaned up after itself: teardown() has nothing left to do.
      await db.teardown();
    });
  });
}

describe("testDatabase's migrations option", () => {
  it('is refused without schema: migrations (it would be ignored)', () => {
    fails(
      () => testDatabase({ modules: { models: [] }, migrations: 'migrations' }),
      ConfigurationError,
      "testDatabase: migrations (a folder) is only read with schema: 'migrations'; add schema: 'migrations' or remove migrations.",
    );
  });

  it("a missing folder says how to make the first migration", async () => {
    const db = testDatabase({ modules: { models: [] }, schema: 'migrations', migrations: join(tmp, 'nowhere'), terrapin: new Terrapin() });
    await rejects(db.setup(), ConfigurationError, /^migrate: true, but there is no migrations folder '.*nowhere'\. Create the first migration with `npx terrapin init-db`/);
  });
});
