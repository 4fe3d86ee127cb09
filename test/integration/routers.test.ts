/**
 * Routers (Tortoise's `routers`): the app's models live on 'primary'; a router sends reads to
 * 'replica' and writes to 'primary'. Two real databases on one server (two files on SQLite), so a
 * row is visible on the replica only once it is copied there. Locking reads (selectForUpdate) go to
 * the write connection; inside a transaction on the model's connection every query stays on it.
 */
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import postgres from 'postgres';
import mysql from 'mysql2/promise';
import { ConfigurationError, Model, ParamsError, Terrapin, fields, inTransaction, type ModelClass, type Router, type TerrapinConfig } from '../../src/index.js';
import { MYSQL_ADMIN_URL, PG_ADMIN_URL, PG_APP_URL, activeBackends, databaseName, type BackendName } from '../support/backends.js';

class Note extends Model {
  id = fields.IntField({ pk: true });
  title = fields.CharField({ maxLength: 50 });
  static override meta = { table: 'route_note', ordering: ['id'] };
}

/** Reads from the replica, writes to the primary. */
class ReplicaRouter implements Router {
  dbForRead(_model: ModelClass<Model>): string {
    return 'replica';
  }
  dbForWrite(_model: ModelClass<Model>): string {
    return 'primary';
  }
}

/** Two fresh databases on the backend's server; returns their URLs. */
async function twoDatabases(backend: BackendName, dir: string): Promise<{ primary: string; replica: string }> {
  const names = { primary: databaseName('routers_primary'), replica: databaseName('routers_replica') };
  if (backend === 'sqlite') return { primary: `sqlite://${join(dir, 'primary.db')}`, replica: `sqlite://${join(dir, 'replica.db')}` };
  const urls: Record<string, string> = {};
  if (backend === 'postgres') {
    const sql = postgres(PG_ADMIN_URL, { max: 1, onnotice: () => {} });
    try {
      for (const [key, name] of Object.entries(names)) {
        await sql.unsafe(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
        await sql.unsafe(`CREATE DATABASE "${name}"`);
        const url = new URL(PG_APP_URL);
        url.pathname = `/${name}`;
        urls[key] = url.toString();
      }
    } finally {
      await sql.end();
    }
  } else {
    const connection = await mysql.createConnection(MYSQL_ADMIN_URL);
    try {
      for (const [key, name] of Object.entries(names)) {
        await connection.query(`DROP DATABASE IF EXISTS \`${name}\``);
        await connection.query(`CREATE DATABASE \`${name}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_bin`);
        const url = new URL(MYSQL_ADMIN_URL);
        url.pathname = `/${name}`;
        urls[key] = url.toString();
      }
    } finally {
      await connection.end();
    }
  }
  return { primary: urls.primary!, replica: urls.replica! };
}

for (const backend of activeBackends()) {
  describe(backend, () => {
    let urls: { primary: string; replica: string };
    let dir = '';

    const config = (routers: TerrapinConfig['routers']): TerrapinConfig => ({
      connections: { primary: urls.primary, replica: urls.replica },
      apps: { models: { models: [Note], defaultConnection: 'primary' } },
      routers,
    });

    /** Initialises with `routers`; the tables already exist in both databases. */
    const init = (routers: TerrapinConfig['routers']) => Terrapin.init({ config: config(routers) });

    const titles = (db: 'primary' | 'replica') => Note.all().usingDb(db).valuesList('title', { flat: true });

    before(async () => {
      dir = mkdtempSync(join(tmpdir(), 'terrapin-routers-'));
      urls = await twoDatabases(backend, dir);
      await init([ReplicaRouter]);
      // generateSchemas creates a model's tables on its app's connection only ('primary'): a replica
      // is normally a copy made by the database. Here the same DDL is run on 'replica' by hand.
      await Terrapin.generateSchemas();
      const ddl = Terrapin.default.schemaSql();
      assert.deepEqual(Object.keys(ddl), ['primary', 'replica']);
      assert.deepEqual(ddl.replica, [], 'no model is bound to the replica connection');
      for (const statement of ddl.primary!) await Terrapin.default.connection('replica').write(statement, []);
    });

    after(async () => {
      await Terrapin.close();
      if (dir !== '') rmSync(dir, { recursive: true, force: true });
    });

    beforeEach(async () => {
      await init([ReplicaRouter]);
      await Note.all().usingDb('primary').delete();
      await Note.all().usingDb('replica').delete();
    });

    it('a create goes to the primary; a filter reads the replica, where the row appears once copied', async () => {
      const note = await Note.create({ title: 'fresh' });
      assert.deepEqual(await titles('primary'), ['fresh']);
      assert.deepEqual(await titles('replica'), []);
      assert.equal(await Note.filter({ title: 'fresh' }).exists(), false, 'the read went to the replica');
      assert.equal(await Note.all().count(), 0);
      assert.equal(await Note.getOrNone({ id: note.id }), null);

      await Note.create({ id: note.id, title: 'fresh' }, { usingDb: 'replica' });
      assert.equal(await Note.filter({ title: 'fresh' }).exists(), true, 'visible once copied to the replica');
      assert.equal((await Note.get({ id: note.id })).title, 'fresh');
    });

    it('updates and deletes through a QuerySet go to the primary', async () => {
      await Note.create({ title: 'a' });
      await Note.create({ title: 'a' }, { usingDb: 'replica' });
      assert.equal(await Note.filter({ title: 'a' }).update({ title: 'b' }), 1);
      assert.deepEqual(await titles('primary'), ['b']);
      assert.deepEqual(await titles('replica'), ['a']);
      assert.equal(await Note.filter({ title: 'b' }).delete(), 1);
      assert.deepEqual(await titles('primary'), []);
      assert.deepEqual(await titles('replica'), ['a']);
    });

    it('selectForUpdate reads go to the write connection', async () => {
      const note = await Note.create({ title: 'locked' });
      const locked = await inTransaction(async () => Note.filter({ id: note.id }).selectForUpdate().first(), { connection: 'primary' });
      assert.equal(locked?.title, 'locked');
      // Outside a transaction too: the lock makes it a write-side read.
      assert.equal((await Note.filter({ id: note.id }).selectForUpdate().first())?.title, 'locked');
      assert.equal(await Note.filter({ id: note.id }).first(), null, 'a plain read still goes to the replica');
    });

    it("inside a transaction on the primary, reads stay on the transaction and see its writes", async () => {
      const seen = await inTransaction(
        async (tx) => {
          await Note.create({ title: 'in-tx' });
          assert.equal(tx.connectionName, 'primary');
          return Note.all().valuesList('title', { flat: true });
        },
        { connection: 'primary' },
      );
      assert.deepEqual(seen, ['in-tx']);
      assert.deepEqual(await titles('replica'), []);
    });

    it('a transaction on the replica takes the routed reads; writes still go to the primary', async () => {
      await Note.create({ title: 'only-replica' }, { usingDb: 'replica' });
      await inTransaction(
        async () => {
          assert.deepEqual(await Note.all().valuesList('title', { flat: true }), ['only-replica']);
          await Note.create({ title: 'written' });
        },
        { connection: 'replica' },
      );
      assert.deepEqual(await titles('primary'), ['written']);
    });

    it('with two connections, inTransaction needs { connection }', async () => {
      await assert.rejects(inTransaction(async () => 1), (error: unknown) => {
        assert.ok(error instanceof ParamsError, String(error));
        assert.equal(
          (error as Error).message,
          "Several connections are configured (primary, replica); pass { connection: 'name' } to say which one the transaction is on.",
        );
        return true;
      });
    });

    it('a router naming an unknown connection raises ConfigurationError at query time', async () => {
      await init([{ dbForRead: () => 'nowhere' }]);
      await assert.rejects(Note.all().count(), (error: unknown) => {
        assert.ok(error instanceof ConfigurationError, String(error));
        assert.equal(
          (error as Error).message,
          "A router sent a read of Note to connection 'nowhere', which is not configured (primary, replica).",
        );
        return true;
      });
      await assert.rejects(
        Note.create({ title: 'x' }).then(() => init([{ dbForWrite: () => 'gone' }])).then(() => Note.create({ title: 'y' })),
        /^ConfigurationError: A router sent a write of Note to connection 'gone', which is not configured \(primary, replica\)\.$/,
      );
      assert.deepEqual(await titles('primary'), ['x'], 'the router without dbForWrite left writes on the model connection');
    });

    it('routers may be objects or classes; the first that answers decides', async () => {
      class Nothing implements Router {
        dbForRead(): undefined {
          return undefined;
        }
      }
      await Note.create({ title: 'p' }, { usingDb: 'primary' });
      await Note.create({ title: 'r' }, { usingDb: 'replica' });
      await init([{ dbForRead: () => 'replica' }]);
      assert.deepEqual(await Note.all().valuesList('title', { flat: true }), ['r'], 'object router');
      await init([Nothing, { dbForRead: () => null }, ReplicaRouter]);
      assert.deepEqual(await Note.all().valuesList('title', { flat: true }), ['r'], 'class router after two that pass');
      await init([{ dbForRead: () => 'primary' }, ReplicaRouter]);
      assert.deepEqual(await Note.all().valuesList('title', { flat: true }), ['p'], 'the first answer wins');
    });

    it("a router returning undefined falls through to the model's own connection", async () => {
      await Note.create({ title: 'p' }, { usingDb: 'primary' });
      await Note.create({ title: 'r' }, { usingDb: 'replica' });
      const calls: string[] = [];
      await init([
        {
          dbForRead: (model) => {
            calls.push(`read ${model.name}`);
            return undefined;
          },
          dbForWrite: (model) => {
            calls.push(`write ${model.name}`);
            return undefined;
          },
        },
      ]);
      assert.deepEqual(await Note.all().valuesList('title', { flat: true }), ['p']);
      await Note.create({ title: 'p2' });
      assert.deepEqual(await titles('primary'), ['p', 'p2']);
      assert.deepEqual(calls, ['read Note', 'write Note']);
    });

    it('usingDb wins over the router', async () => {
      await Note.create({ title: 'p' });
      assert.deepEqual(await Note.all().usingDb('primary').valuesList('title', { flat: true }), ['p']);
      assert.equal(await Note.filter({ title: 'p' }).usingDb('replica').exists(), false);
    });

    it('init({ dbUrl, modules, routers }) uses the routers too', async () => {
      await Terrapin.init({ dbUrl: urls.primary, modules: { models: [Note] }, routers: [{ dbForRead: () => 'replica' }] });
      await assert.rejects(Note.all().count(), (error: unknown) => {
        assert.ok(error instanceof ConfigurationError, String(error));
        assert.equal((error as Error).message, "A router sent a read of Note to connection 'replica', which is not configured (default).");
        return true;
      });
      await Terrapin.init({ dbUrl: urls.primary, modules: { models: [Note] }, routers: [{ dbForRead: () => 'default' }] });
      assert.equal(await Note.all().count(), 0);
    });
  });
}
