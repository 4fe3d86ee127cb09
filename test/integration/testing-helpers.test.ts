/**
 * terrapin/testing on every backend, used the way docs/testing.md shows for node's test runner:
 * a database of the run's own from a `{}` URL, per-test rollback (nested transactions as
 * savepoints), truncation with counters restarted, and a drop that only ever removes what the
 * helper created.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import mysql from 'mysql2/promise';
import postgres from 'postgres';
import { ConfigurationError, Model, OperationalError, Terrapin, fields, introspectSchema, type ManyToManyRelation, type ReverseRelation } from '../../src/index.js';
import { finalizeTests, initializeTests, testDatabase } from '../../src/testing/index.js';
import { MYSQL_ADMIN_URL, PG_ADMIN_URL, TEST_DB_PREFIX, activeBackends, type BackendName } from '../support/backends.js';
import { fails, rejects } from '../support/expect-errors.js';

class ThAuthor extends Model {
  id = fields.IntField({ pk: true });
  name = fields.CharField({ maxLength: 30, unique: true });
  declare books: ReverseRelation<ThBook>;
  static override meta = { table: 'th_author' };
}

class ThTag extends Model {
  id = fields.IntField({ pk: true });
  name = fields.CharField({ maxLength: 30 });
  declare books: ManyToManyRelation<ThBook>;
  static override meta = { table: 'th_tag' };
}

class ThBook extends Model {
  id = fields.IntField({ pk: true });
  title = fields.CharField({ maxLength: 30 });
  author = fields.ForeignKeyField(() => ThAuthor, { relatedName: 'books', onDelete: 'RESTRICT' });
  declare authorId: number;
  tags = fields.ManyToManyField(() => ThTag, { relatedName: 'books' });
  static override meta = { table: 'th_book' };
}

/** For the databases made and dropped one by one (a class belongs to one open instance). */
class ThNote extends Model {
  id = fields.IntField({ pk: true });
  static override meta = { table: 'th_note' };
}

const tmp = mkdtempSync(join(tmpdir(), 'tp_isp_testing_'));
after(() => rmSync(tmp, { recursive: true, force: true }));

/** A `{}` URL on the backend's server, in the suite's prefix. */
function templateUrl(backend: BackendName, name = 'helpers'): string {
  if (backend === 'sqlite') return `sqlite://${join(tmp, `${TEST_DB_PREFIX}${name}_{}.sqlite3`)}`;
  const url = new URL(backend === 'postgres' ? PG_ADMIN_URL : MYSQL_ADMIN_URL);
  url.pathname = `/${TEST_DB_PREFIX}${name}_{}`;
  return url.toString().replace('%7B%7D', '{}');
}

const databaseOf = (url: string): string => decodeURIComponent(new URL(url).pathname.slice(1));

/** Whether the database of `url` exists on the server (or as a file, on SQLite). */
async function exists(backend: BackendName, url: string): Promise<boolean> {
  if (backend === 'sqlite') return existsSync(url.slice('sqlite://'.length));
  if (backend === 'postgres') {
    const sql = postgres(PG_ADMIN_URL, { max: 1, onnotice: () => {} });
    try {
      return (await sql`select 1 from pg_database where datname = ${databaseOf(url)}`).length > 0;
    } finally {
      await sql.end();
    }
  }
  const connection = await mysql.createConnection(MYSQL_ADMIN_URL);
  try {
    const [rows] = await connection.query('SELECT 1 FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = ?', [databaseOf(url)]);
    return (rows as unknown[]).length > 0;
  } finally {
    await connection.end();
  }
}

/** Creates the database of `url` behind the helper's back (to show it is never dropped). */
async function createBehindTheBack(backend: BackendName, url: string): Promise<void> {
  if (backend === 'postgres') {
    const sql = postgres(PG_ADMIN_URL, { max: 1, onnotice: () => {} });
    await sql.unsafe(`CREATE DATABASE "${databaseOf(url)}"`).finally(() => sql.end());
  } else {
    const connection = await mysql.createConnection(MYSQL_ADMIN_URL);
    await connection.query(`CREATE DATABASE \`${databaseOf(url)}\``).finally(() => connection.end());
  }
}

async function dropBehindTheBack(backend: BackendName, url: string): Promise<void> {
  if (backend === 'postgres') {
    const sql = postgres(PG_ADMIN_URL, { max: 1, onnotice: () => {} });
    await sql.unsafe(`DROP DATABASE IF EXISTS "${databaseOf(url)}"`).finally(() => sql.end());
  } else {
    const connection = await mysql.createConnection(MYSQL_ADMIN_URL);
    await connection.query(`DROP DATABASE IF EXISTS \`${databaseOf(url)}\``).finally(() => connection.end());
  }
}

for (const backend of activeBackends()) {
  describe(backend, () => {
    // The docs' node:test form: one database for the file, made before and dropped after.
    const db = testDatabase({ dbUrl: templateUrl(backend), modules: { models: [ThAuthor, ThTag, ThBook] }, terrapin: new Terrapin() });
    before(() => db.setup());
    after(() => db.teardown());

    it('makes a database of its own from the {} URL, with the models tables', async () => {
      assert.ok(!db.url.includes('{}'));
      const name = backend === 'sqlite' ? db.url : databaseOf(db.url);
      assert.match(name, new RegExp(`${TEST_DB_PREFIX}helpers_[0-9a-f]{16}(\\.sqlite3)?$`));
      assert.equal(await exists(backend, db.url), true);
      const schema = await introspectSchema(db.terrapin.connection('default'));
      assert.deepEqual(schema.tables.map((t) => t.name), ['th_author', 'th_book', 'th_book_th_tag', 'th_tag']);
    });

    it(
      'runs an isolated test in a transaction: its rows are there inside it',
      db.isolated(async () => {
        const author = await ThAuthor.create({ name: 'Ada' });
        await ThBook.create({ title: 'Notes', authorId: author.id });
        assert.equal(await ThBook.all().count(), 1);
        // A nested transaction is a savepoint: its failure undoes only its own part.
        await assert.rejects(
          db.terrapin.inTransaction(async () => {
            await ThAuthor.create({ name: 'Grace' });
            throw new Error('inner');
          }),
          /inner/,
        );
        assert.deepEqual(await ThAuthor.all().orderBy('id').valuesList('name', { flat: true }), ['Ada']);
        await db.terrapin.inTransaction(() => ThAuthor.create({ name: 'Linus' }));
        assert.equal(await ThAuthor.all().count(), 2);
      }),
    );

    it('rolls the isolated test back: the next test finds no rows', async () => {
      assert.equal(await ThAuthor.all().count(), 0);
      assert.equal(await ThBook.all().count(), 0);
    });

    it('rolls back a failing isolated test too, and reports its own error', async () => {
      const failing = db.isolated(async () => {
        await ThAuthor.create({ name: 'Ada' });
        throw new Error('the test failed');
      });
      await assert.rejects(failing(), /the test failed/);
      assert.equal(await ThAuthor.all().count(), 0);
    });

    it('truncates committed rows, children before parents, and restarts the counters', async () => {
      const author = await ThAuthor.create({ name: 'Ada' });
      const book = await ThBook.create({ title: 'Notes', authorId: author.id });
      const tag = await ThTag.create({ name: 'math' });
      await book.tags.add(tag);
      await db.truncate();
      assert.deepEqual(
        [await ThAuthor.all().count(), await ThBook.all().count(), await ThTag.all().count()],
        [0, 0, 0],
      );
      assert.equal((await db.terrapin.connection('default').rows('SELECT COUNT(*) FROM th_book_th_tag', []))[0]![0] == 0, true);
      const again = await ThAuthor.create({ name: 'Grace' });
      assert.equal(again.id, 1);
      await db.truncate();
    });

    it('drops the database at teardown, and only one it created', async () => {
      const own = testDatabase({ dbUrl: templateUrl(backend, 'drop'), modules: { models: [ThNote] }, terrapin: new Terrapin() });
      assert.equal(await exists(backend, own.url), false);
      await own.setup();
      await ThNote.create({});
      assert.equal(await exists(backend, own.url), true);
      await own.teardown();
      assert.equal(await exists(backend, own.url), false);
      await rejects(own.teardown(), ConfigurationError, /teardown\(\) was already called/);
      await rejects(own.setup(), ConfigurationError, /setup\(\) was already called/);
      if (backend !== 'sqlite') {
        // A database that already exists under the chosen name is not the helper's: setup fails and leaves it.
        const clash = testDatabase({ dbUrl: templateUrl(backend, 'clash'), modules: { models: [ThNote] }, terrapin: new Terrapin() });
        await createBehindTheBack(backend, clash.url);
        try {
          await assert.rejects(clash.setup(), OperationalError);
          assert.equal(await exists(backend, clash.url), true);
          await clash.teardown();
          assert.equal(await exists(backend, clash.url), true);
        } finally {
          await dropBehindTheBack(backend, clash.url);
        }
      }
    });

    it('initializeTests and finalizeTests, as Tortoise names them', async () => {
      const terrapin = new Terrapin();
      const made = await initializeTests({ dbUrl: templateUrl(backend, 'init'), modules: { models: [ThNote] }, terrapin });
      await rejects(initializeTests({ dbUrl: templateUrl(backend, 'init'), modules: { models: [ThNote] }, terrapin }), ConfigurationError, /already called for this Terrapin instance/);
      assert.equal(await ThNote.all().count(), 0);
      await finalizeTests(terrapin);
      assert.equal(await exists(backend, made.url), false);
      await rejects(finalizeTests(terrapin), ConfigurationError, /made no database for this instance, so none is dropped/);
    });

    it('refuses a URL without {}, unknown options, migrations (not landed) and use out of order', async () => {
      const server = backend === 'sqlite' ? `sqlite://${join(tmp, 'kept.sqlite3')}` : templateUrl(backend).replace('_{}', '');
      fails(
        () => testDatabase({ dbUrl: server, modules: { models: [ThNote] } }),
        ConfigurationError,
        new RegExp(`testDatabase: the ${backend === 'sqlite' ? 'file' : 'database'} name in '.*' has no \\{\\} placeholder`),
      );
      fails(() => testDatabase({ dbUrl: 'sqlite://:memory:', modules: { models: [ThNote] }, generate: true } as never), ConfigurationError, /testDatabase: unknown option 'generate'/);
      fails(() => testDatabase({ modules: { models: [ThNote] }, schema: 'tables' as never }), ConfigurationError, /testDatabase: schema must be 'models' or 'migrations', got "tables"\./);
      const unused = testDatabase({ dbUrl: templateUrl(backend, 'unused'), modules: { models: [ThNote] }, terrapin: new Terrapin() });
      await rejects(unused.teardown(), ConfigurationError, /teardown\(\) before setup\(\): this helper created no database, so it drops none/);
      await rejects(unused.isolated(() => {})(), ConfigurationError, /isolated\(\) needs the database: call setup\(\) first/);
      await rejects(unused.truncate(), ConfigurationError, /truncate\(\) needs the database/);
    });

    it('uses an in-memory SQLite database without a placeholder', async () => {
      const memory = testDatabase({ dbUrl: 'sqlite://:memory:', modules: { models: [ThNote] }, terrapin: new Terrapin() });
      await memory.setup();
      await ThNote.create({});
      assert.equal(await ThNote.all().count(), 1);
      await memory.teardown();
    });
  });
}
