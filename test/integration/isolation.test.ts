/**
 * inTransaction(fn, { isolation }): PostgreSQL sets it in BEGIN, MariaDB with SET TRANSACTION
 * before START TRANSACTION, SQLite accepts any level (its transactions are always serializable).
 * The level is read back inside the transaction, and READ COMMITTED vs REPEATABLE READ is shown by
 * what a transaction sees of a row another one commits meanwhile.
 */
import assert from 'node:assert/strict';
import { AsyncResource } from 'node:async_hooks';
import { beforeEach, it } from 'node:test';
import {
  Model,
  ParamsError,
  TransactionClient,
  TransactionManagementError,
  TransactionRetryError,
  fields,
  inTransaction,
  type IsolationLevel,
} from '../../src/index.js';
import { forEachBackend } from '../support/backends.js';

class Row extends Model {
  id = fields.IntField({ pk: true });
  name = fields.CharField({ maxLength: 30 });
  static override meta = { table: 'iso_row' };
}

const LEVELS: IsolationLevel[] = ['READ UNCOMMITTED', 'READ COMMITTED', 'REPEATABLE READ', 'SERIALIZABLE'];

forEachBackend('isolation', [{ Row }], (ctx) => {
  /** The isolation level of the transaction `tx` runs in, as the server reports it. */
  async function levelOf(tx: TransactionClient): Promise<string> {
    if (ctx.backend === 'postgres') return String((await tx.rows('SHOW transaction_isolation', []))[0]![0]);
    // MariaDB's @@tx_isolation shows the session default, not a level set for one transaction;
    // InnoDB's view of the running transaction does (it starts with the first table access). That
    // view is a cache refreshed at most every 0.1 s, so wait longer than that before reading it.
    await Row.all().count();
    await new Promise((resolve) => setTimeout(resolve, 150));
    const rows = await tx.rows('SELECT trx_isolation_level FROM information_schema.innodb_trx WHERE trx_mysql_thread_id = CONNECTION_ID()', []);
    return String(rows[0]![0]);
  }

  beforeEach(async () => {
    await Row.all().delete();
  });

  it('each isolation level is the one the transaction runs in', async () => {
    for (const isolation of LEVELS) {
      const result = await inTransaction(
        async (tx) => {
          await Row.create({ name: isolation });
          return ctx.backend === 'sqlite' ? isolation : levelOf(tx);
        },
        { isolation },
      );
      assert.equal(result.toUpperCase(), isolation, `${isolation} on ${ctx.backend}`);
    }
    assert.equal(await Row.all().count(), LEVELS.length, 'every transaction committed');
  });

  it('without an isolation option the server default applies, and a level does not leak to the next transaction', async () => {
    const expected = ctx.backend === 'postgres' ? 'READ COMMITTED' : 'REPEATABLE READ';
    if (ctx.backend === 'sqlite') {
      assert.equal(await inTransaction(async () => Row.all().count(), { isolation: 'READ UNCOMMITTED' }), 0);
      return;
    }
    assert.equal((await inTransaction(async (tx) => levelOf(tx))).toUpperCase(), expected);
    await inTransaction(async () => Row.all().count(), { isolation: 'SERIALIZABLE' });
    // Both pooled connections, so the one that ran SERIALIZABLE is among them.
    const levels = await Promise.all([inTransaction(async (tx) => levelOf(tx)), inTransaction(async (tx) => levelOf(tx))]);
    assert.deepEqual(levels.map((l) => l.toUpperCase()), [expected, expected]);
  });

  it('SQLite accepts every level (its transactions are serializable anyway)', async () => {
    for (const isolation of LEVELS) {
      await inTransaction(async () => Row.create({ name: isolation }), { isolation });
    }
    assert.equal(await Row.all().count(), 4);
  });

  if (ctx.backend !== 'sqlite') {
    /** Reads the count twice in one transaction at `isolation`, while another transaction commits a row in between. */
    async function countsAround(isolation: IsolationLevel): Promise<[number, number]> {
      return inTransaction(
        async () => {
          const before = await Row.all().count();
          // Committed by another transaction (its own connection) while this one is open.
          await runOutside(() => Row.create({ name: 'committed-meanwhile' }));
          const afterwards = await Row.all().count();
          return [before, afterwards] as [number, number];
        },
        { isolation },
      );
    }

    it('READ COMMITTED sees a row another transaction commits meanwhile; REPEATABLE READ does not', async () => {
      assert.deepEqual(await countsAround('READ COMMITTED'), [0, 1]);
      await Row.all().delete();
      assert.deepEqual(await countsAround('REPEATABLE READ'), [0, 0]);
      assert.equal(await Row.all().count(), 1, 'the other transaction did commit');
    });

    it('SERIALIZABLE: two transactions that read then write what the other read cannot both commit', async () => {
      await Row.create({ name: 'seed' });
      const both = () =>
        inTransaction(
          async () => {
            const n = await Row.all().count();
            await new Promise((resolve) => setTimeout(resolve, 50));
            await Row.create({ name: `seen-${n}` });
          },
          { isolation: 'SERIALIZABLE' },
        );
      const results = await Promise.allSettled([both(), both()]);
      const failed = results.filter((r) => r.status === 'rejected') as PromiseRejectedResult[];
      assert.equal(failed.length, 1, 'exactly one of them fails');
      assert.ok(failed[0]!.reason instanceof TransactionRetryError, String(failed[0]!.reason));
      assert.match(
        (failed[0]!.reason as Error).message,
        ctx.backend === 'postgres'
          ? /^PostgreSQL: could not serialize access due to read\/write dependencies among transactions \(SQLSTATE 40001\)\. The transaction was rolled back/
          : /^MySQL: Deadlock found when trying to get lock; try restarting transaction \(errno 1213\)\. Run the transaction again/,
      );
      assert.equal(await Row.all().count(), 2, 'the seed and the one committed write');
    });
  }

  it('an unknown level is a ParamsError before anything runs', async () => {
    await assert.rejects(
      inTransaction(async () => Row.create({ name: 'never' }), { isolation: 'SNAPSHOT' as IsolationLevel }),
      (error: unknown) => {
        assert.ok(error instanceof ParamsError, String(error));
        assert.equal(
          (error as Error).message,
          "Unknown isolation level 'SNAPSHOT'; use one of READ UNCOMMITTED, READ COMMITTED, REPEATABLE READ, SERIALIZABLE.",
        );
        return true;
      },
    );
    await assert.rejects(inTransaction(async () => 1, { isolation: 'serializable' as IsolationLevel }), ParamsError);
    assert.equal(await Row.all().count(), 0);
  });

  it('a nested inTransaction with an isolation level is a TransactionManagementError; the outer one rolls back', async () => {
    await assert.rejects(
      inTransaction(async () => {
        await Row.create({ name: 'outer' });
        await inTransaction(async () => Row.create({ name: 'inner' }), { isolation: 'SERIALIZABLE' });
      }),
      (error: unknown) => {
        assert.ok(error instanceof TransactionManagementError, String(error));
        assert.equal(
          (error as Error).message,
          "A nested inTransaction on connection 'default' is a savepoint and cannot set the isolation level; set it on the outer transaction.",
        );
        return true;
      },
    );
    assert.equal(await Row.all().count(), 0);
    // Without a level the nested call is an ordinary savepoint.
    await inTransaction(async () => inTransaction(async () => Row.create({ name: 'inner' })), { isolation: 'READ COMMITTED' });
    assert.equal(await Row.all().count(), 1);
  });
});

/**
 * Runs `fn` outside the current transaction, as another request would: bound at module load, it
 * runs in that (transaction-free) async context whatever context calls it.
 */
const runOutside = AsyncResource.bind(<T>(fn: () => Promise<T>): Promise<T> => fn());
