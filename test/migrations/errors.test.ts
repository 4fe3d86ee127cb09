/**
 * The refusals and failures of the executor, on every backend, with their error types and messages:
 * a migration failing midway (and resumed on MySQL, where the record says where it stopped), a
 * changed applied migration, divergent heads, a database ahead of its files, an irreversible downgrade.
 */
import assert from 'node:assert/strict';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, beforeEach, describe, it } from 'node:test';
import { Model, fields } from '../../src/index.js';
import { DatabaseAheadError, DivergentHeadsError, IrreversibleMigrationError, MigrationChecksumError, MigrationFailedError } from '../../src/errors.js';
import { addField, alterField, runSql, type Operation } from '../../src/migrations/index.js';
import { writeMigration } from '../../src/migrations/writer.js';
import { activeBackends } from '../support/backends.js';
import { liveSchema } from '../support/live-schema.js';
import { MIGRATIONS_ENTRY, MigrationBed } from './support.js';

function models() {
  class Author extends Model {
    id = fields.IntField({ pk: true });
    name = fields.CharField({ maxLength: 50 });
    static override meta = { table: 'author' };
  }
  return [{ Author }];
}

const email = { name: 'email', fieldType: 'CharField', type: 'varchar', length: 100, null: true } as const;

for (const backend of activeBackends()) {
  describe(backend, () => {
    const bed = new MigrationBed(backend, 'errors');
    const file = (name: string) => join(bed.folder, 'migrations', 'models', `${name}.ts`);
    const write = (name: string, dependencies: string[], operations: Operation[]) =>
      writeFileSync(file(name), writeMigration({ id: `models/${name}`, dependencies, operations, importFrom: MIGRATIONS_ENTRY }));
    const recorded = () =>
      bed.with(models(), async (_m, t) =>
        (await t.connection('default').rows('SELECT name, operations_done, statements_done FROM terrapin_migrations ORDER BY id', [])).map((r) => r.map(String).join(' ')),
      );

    beforeEach(async () => {
      await bed.reset();
      await bed.step(models());
      await bed.with(models(), (_m, t) => t.connection('default').write("INSERT INTO author (name) VALUES ('Ann')", []).then(() => undefined));
    });
    after(() => bed.close());

    it('a migration failing midway names the migration, the operation and the statement, and migrate resumes after a fix', async () => {
      write('0002_email', ['0001_initial'], [addField({ model: 'Author', field: email }), alterField({ model: 'Author', name: 'email', field: { ...email, null: undefined } as never })]);
      const error = await bed.with(models(), (m) => m.upgrade().then(() => undefined, (e: unknown) => e));
      assert.ok(error instanceof MigrationFailedError, String(error));
      assert.equal(error.migration, 'models/0002_email');
      assert.equal(error.operation, 1);
      assert.match(error.message, /^Migration models\/0002_email failed at operation 2 of 2 \(Alter field Author\.email\), statement \d+ of \d+:\n {2}\S/);
      assert.ok(error.statement !== undefined && error.message.includes(error.statement));
      if (backend === 'mysql') {
        assert.match(error.message, /MySQL commits each DDL statement by itself: 1 operation of models\/0002_email stay applied.*resumes at operation 2, statement 1\./s);
        assert.deepEqual(await recorded(), ['0001_initial 1 0', '0002_email 1 0']);
      } else {
        assert.match(error.message, /It ran in one transaction, so nothing of models\/0002_email was applied\. Fix the cause and run `terrapin migrate` again\.$/);
        assert.deepEqual(await recorded(), ['0001_initial 1 0']);
        const schema = await bed.schema(models());
        assert.deepEqual(Object.keys(schema.tables.author!.columns).sort(), ['id', 'name']);
      }
      // The fix: the rows get a value (on MySQL the column exists already; elsewhere it comes back with the rerun).
      if (backend === 'mysql') await bed.with(models(), (_m, t) => t.connection('default').write("UPDATE author SET email = 'a@x'", []).then(() => undefined));
      else write('0002_email', ['0001_initial'], [addField({ model: 'Author', field: email }), runSql({ sql: "UPDATE author SET email = 'a@x'", reverseSql: [] }), alterField({ model: 'Author', name: 'email', field: { ...email, null: undefined } as never })]);
      const outcomes = await bed.with(models(), (m) => m.upgrade());
      assert.deepEqual(outcomes.map((o) => o.migration), ['models/0002_email']);
      assert.equal((await recorded()).at(-1)!.split(' ').slice(0, 2).join(' '), '0002_email ' + (backend === 'mysql' ? '2' : '3'));
      const schema = await bed.schema(models());
      assert.match(schema.tables.author!.columns.email!, /NOT NULL/);
    });

    it('a migration changed after it was applied is refused, until its checksum is accepted', async () => {
      write('0002_email', ['0001_initial'], [addField({ model: 'Author', field: email })]);
      await bed.with(models(), (m) => m.upgrade());
      write('0002_email', ['0001_initial'], [addField({ model: 'Author', field: { ...email, length: 200 } })]);
      const error = await bed.with(models(), (m) => m.upgrade().then(() => undefined, (e: unknown) => e));
      assert.ok(error instanceof MigrationChecksumError, String(error));
      assert.match(error.message, /^The migration models\/0002_email \(.*0002_email\.ts\) was changed after it was applied: its operations no longer match the checksum recorded in terrapin_migrations/);
      assert.match(error.message, /undo the change to the file and put new changes in a new migration \(terrapin makemigrations\)/);
      assert.deepEqual(await bed.with(models(), (m) => m.acceptChecksums()), ['models/0002_email']);
      assert.deepEqual(await bed.with(models(), (m) => m.upgrade()), []);
    });

    it('two heads in one app are refused until a merge migration follows both', async () => {
      write('0002_a', ['0001_initial'], [addField({ model: 'Author', field: email })]);
      write('0002_b', ['0001_initial'], [addField({ model: 'Author', field: { ...email, name: 'phone' } })]);
      const error = await bed.with(models(), (m) => m.upgrade().then(() => undefined, (e: unknown) => e));
      assert.ok(error instanceof DivergentHeadsError, String(error));
      assert.equal(
        error.message,
        "App 'models' has 2 heads: 0002_a (after models/0001_initial) and 0002_b (after models/0001_initial). Two branches of migrations were made from one parent; run `terrapin makemigrations --merge` to add a migration that follows both, then migrate.",
      );
      const merged = await bed.with(models(), (m) => m.makeMigrations({ merge: true, importFrom: MIGRATIONS_ENTRY }));
      assert.deepEqual(merged.map((w) => w.id), ['models/0003_merge_0002_0002']);
      const outcomes = await bed.with(models(), (m) => m.upgrade());
      assert.deepEqual(outcomes.map((o) => o.migration), ['models/0002_a', 'models/0002_b', 'models/0003_merge_0002_0002']);
    });

    it('a database ahead of the files is refused', async () => {
      write('0002_email', ['0001_initial'], [addField({ model: 'Author', field: email })]);
      await bed.with(models(), (m) => m.upgrade());
      rmSync(file('0002_email'));
      const error = await bed.with(models(), (m) => m.upgrade().then(() => undefined, (e: unknown) => e));
      assert.ok(error instanceof DatabaseAheadError, String(error));
      assert.match(error.message, /^The database has the migration models\/0002_email applied \(\d{4}-.*\), but .*migrations\/models\/ has no file for it: the database is ahead of these files\./);
    });

    it('a downgrade through an operation without a reverse is refused before anything runs', async () => {
      write('0002_data', ['0001_initial'], [addField({ model: 'Author', field: email }), runSql({ sql: "UPDATE author SET email = 'x'" })]);
      await bed.with(models(), (m) => m.upgrade());
      const error = await bed.with(models(), (m) => m.downgrade({ steps: 1 }).then(() => undefined, (e: unknown) => e));
      assert.ok(error instanceof IrreversibleMigrationError, String(error));
      assert.equal(
        error.message,
        "models/0002_data cannot be downgraded: operation 2 (Run SQL) is irreversible — runSql has no reverseSql. Give it one (runSql's reverseSql, runCode's reverse; reverseSql: [] if nothing needs undoing) or stop the downgrade before models/0002_data.",
      );
      const schema = await bed.with(models(), (_m, t) => liveSchema(t.connection('default')));
      assert.ok('email' in schema.tables.author!.columns);
    });
  });
}
