/**
 * Deadlocks and serialization failures surface as TransactionRetryError (with the backend's code and
 * the driver's error as `cause`), and inTransaction(fn, { retry }) runs the whole callback again.
 * Conflicting increments: SERIALIZABLE read-modify-write on PostgreSQL fails with 40001, on MariaDB
 * the shared read locks of SERIALIZABLE deadlock (1213); SQLite serialises whole transactions, so
 * nothing conflicts there and the same tests end exact without a retry.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, beforeEach, describe, it } from 'node:test';
import { Hono } from 'hono';
import Fastify from 'fastify';
import {
  ConfigurationError,
  Model,
  OperationalError,
  ParamsError,
  TransactionManagementError,
  TransactionRetryError,
  Terrapin,
  atomic,
  fields,
  inTransaction,
} from '../../src/index.js';
import { registerTerrapin } from '../../src/integrations/fastify.js';
import { transactional as honoTransactional } from '../../src/integrations/hono.js';
import { transactional as expressTransactional } from '../../src/integrations/express.js';
import { forEachBackend } from '../support/backends.js';
import { defaultSqliteDriver, openSqlite, type SqliteHandle } from '../../src/dialects/sqlite/native.js';

class Tally extends Model {
  id = fields.IntField({ pk: true });
  value = fields.IntField({ default: 0 });
  static override meta = { table: 'retry_tally' };
}

/** Resolves once `parties` callers have arrived, or after `ms` (SQLite runs one transaction at a time, so the other never comes). */
function barrier(parties: number, ms: number): () => Promise<void> {
  let arrived = 0;
  let open!: () => void;
  const opened = new Promise<void>((resolve) => (open = resolve));
  return () => {
    if (++arrived === parties) open();
    return Promise.race([opened, new Promise<void>((resolve) => setTimeout(resolve, ms))]);
  };
}

const simulated = () => new TransactionRetryError('simulated conflict', { code: 'TEST' });

forEachBackend('retry', [{ Tally }], (ctx) => {
  const conflicts = () => ctx.backend !== 'sqlite';
  const expectedCode = () => (ctx.backend === 'postgres' ? '40001' : '1213');

  beforeEach(async () => {
    await Tally.all().delete();
  });

  /** A read-modify-write increment that conflicts with its concurrent twins (no lock, no F). */
  function increment(id: number, runs: { count: number }) {
    return async () => {
      runs.count++;
      const row = await Tally.get({ id });
      row.value += 1;
      await row.save();
    };
  }

  it('conflicting SERIALIZABLE increments fail with TransactionRetryError carrying the backend code and cause; none is lost', async () => {
    const tally = await Tally.create({ value: 0 });
    const runs = { count: 0 };
    const results = await Promise.allSettled(Array.from({ length: 10 }, () => inTransaction(increment(tally.id, runs), { isolation: 'SERIALIZABLE' })));
    const failures = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected').map((r) => r.reason as unknown);
    for (const failure of failures) {
      assert.ok(failure instanceof TransactionRetryError, `a conflict is a TransactionRetryError, got ${String(failure)}`);
      assert.ok(failure instanceof OperationalError);
      assert.equal(failure.code, expectedCode());
      assert.ok(failure.cause !== undefined, 'the driver error is kept as cause');
      assert.match(failure.message, /run it again|Run the transaction again/);
    }
    if (conflicts()) assert.ok(failures.length > 0, `ten concurrent SERIALIZABLE increments conflict on ${ctx.backend}`);
    else assert.equal(failures.length, 0);
    assert.equal((await Tally.get({ id: tally.id })).value, 10 - failures.length, 'every committed increment counts, no other');
  });

  it('inTransaction({ retry }) runs conflicting increments again until all 20 end exact', async () => {
    const tally = await Tally.create({ value: 0 });
    const runs = { count: 0 };
    await Promise.all(
      Array.from({ length: 20 }, () => inTransaction(increment(tally.id, runs), { isolation: 'SERIALIZABLE', retry: { attempts: 60, backoff: 5 } })),
    );
    assert.equal((await Tally.get({ id: tally.id })).value, 20);
    if (conflicts()) assert.ok(runs.count > 20, `some transactions ran again on ${ctx.backend} (${runs.count} runs)`);
    else assert.equal(runs.count, 20);
  });

  it('atomic(fn, { retry }) retries each call the same way', async () => {
    const tally = await Tally.create({ value: 0 });
    const runs = { count: 0 };
    const bump = atomic(increment(tally.id, runs), { isolation: 'SERIALIZABLE', retry: { attempts: 60, backoff: 5 } });
    await Promise.all(Array.from({ length: 10 }, () => bump()));
    assert.equal((await Tally.get({ id: tally.id })).value, 10);
  });

  it('a deadlock (rows locked in opposite orders) is a TransactionRetryError, and retry completes both transactions', async () => {
    const [a, b] = await Tally.bulkCreate([{ value: 0 }, { value: 0 }]);
    const lockBoth = (first: number, second: number, meet: () => Promise<void>, retry: boolean) =>
      inTransaction(
        async () => {
          await Tally.filter({ id: first }).selectForUpdate().get();
          await meet();
          await Tally.filter({ id: second }).selectForUpdate().get();
          await Tally.filter({ id: first }).update({ value: 1 });
        },
        retry ? { retry: { attempts: 5, backoff: 20 } } : {},
      );
    const meet = barrier(2, 300);
    const outcomes = await Promise.allSettled([lockBoth(a!.id, b!.id, meet, false), lockBoth(b!.id, a!.id, meet, false)]);
    const failed = outcomes.filter((o): o is PromiseRejectedResult => o.status === 'rejected');
    if (conflicts()) {
      assert.equal(failed.length, 1, 'one of the two is the deadlock victim');
      assert.ok(failed[0]!.reason instanceof TransactionRetryError);
      assert.equal((failed[0]!.reason as TransactionRetryError).code, ctx.backend === 'postgres' ? '40P01' : '1213');
    } else {
      assert.equal(failed.length, 0);
    }
    await Tally.all().update({ value: 0 });
    const meetAgain = barrier(2, 300);
    await Promise.all([lockBoth(a!.id, b!.id, meetAgain, true), lockBoth(b!.id, a!.id, meetAgain, true)]);
    assert.deepEqual(await Tally.all().orderBy('id').valuesList('value', { flat: true }), [1, 1]);
  });

  it('MySQL: after a deadlock caught inside the transaction, later statements fail with TransactionRetryError and the outer retry runs it all again; PostgreSQL recovers at the savepoint', async () => {
    const [a, b] = await Tally.bulkCreate([{ value: 0 }, { value: 0 }]);
    const meet = barrier(2, 300);
    let swallowed = 0;
    let runs = 0;
    const refused: unknown[] = [];
    const stubborn = (first: number, second: number) =>
      inTransaction(
        async () => {
          runs++;
          await Tally.filter({ id: first }).selectForUpdate().get();
          await meet();
          let caught = false;
          try {
            await inTransaction(async () => Tally.filter({ id: second }).selectForUpdate().get());
          } catch (error) {
            if (!(error instanceof TransactionRetryError)) throw error;
            swallowed++; // the database already gave the transaction up: this cannot be papered over
            caught = true;
          }
          try {
            await Tally.filter({ id: first }).update({ value: 7 });
          } catch (error) {
            if (caught) refused.push(error);
            throw error;
          }
        },
        { retry: { attempts: 5, backoff: 20 } },
      );
    await Promise.all([stubborn(a!.id, b!.id), stubborn(b!.id, a!.id)]);
    assert.deepEqual(await Tally.all().orderBy('id').valuesList('value', { flat: true }), [7, 7]);
    if (ctx.backend === 'mysql') {
      // InnoDB rolled the whole transaction back: the update would have run outside it.
      assert.equal(swallowed, 1, 'the deadlock happened and was caught by the callback');
      assert.equal(refused.length, 1, 'the statement after it was refused');
      assert.ok(refused[0] instanceof TransactionRetryError);
      assert.match((refused[0] as Error).message, /^MySQL: this transaction was already given up after ".*", so this statement did not run; run the whole transaction again\.$/);
      assert.equal(runs, 3, 'the victim ran again from the start');
    } else {
      // PostgreSQL undid only the savepoint (ROLLBACK TO SAVEPOINT), and the transaction goes on.
      assert.equal(swallowed, ctx.backend === 'postgres' ? 1 : 0);
      assert.equal(refused.length, 0);
      assert.equal(runs, 2);
    }
  });

  it('without a conflict the callback runs once; a non-retryable error is never retried', async () => {
    let runs = 0;
    assert.equal(await inTransaction(async () => (runs++, Tally.create({ value: 1 })).then((t) => t.value), { retry: { attempts: 3 } }), 1);
    assert.equal(runs, 1);
    runs = 0;
    await assert.rejects(
      inTransaction(
        async () => {
          runs++;
          throw new Error('not a conflict');
        },
        { retry: { attempts: 3 } },
      ),
      /not a conflict/,
    );
    assert.equal(runs, 1);
  });

  it('gives up after `attempts` runs with the last TransactionRetryError, and backoff(n, error) says how long to wait before run n + 1', async () => {
    const asked: number[] = [];
    let runs = 0;
    const started = Date.now();
    await assert.rejects(
      inTransaction(
        async () => {
          runs++;
          await Tally.create({ value: runs });
          throw simulated();
        },
        {
          retry: {
            attempts: 4,
            backoff: (attempt, error) => {
              assert.equal(error.code, 'TEST');
              asked.push(attempt);
              return 30;
            },
          },
        },
      ),
      (error: unknown) => error instanceof TransactionRetryError && error.message === 'simulated conflict',
    );
    assert.equal(runs, 4);
    assert.deepEqual(asked, [1, 2, 3]);
    assert.ok(Date.now() - started >= 85, 'it waited between runs');
    assert.equal(await Tally.all().count(), 0, 'every run was rolled back');
  });

  it('retry on a nested inTransaction (a savepoint) is refused: say so clearly', async () => {
    await assert.rejects(
      inTransaction(async () => {
        await Tally.create({ value: 1 });
        await inTransaction(async () => Tally.create({ value: 2 }), { retry: { attempts: 3 } });
      }),
      (error: unknown) =>
        error instanceof TransactionManagementError &&
        /is a savepoint and cannot retry on its own: running a transaction again means running all of it \(MySQL rolls the whole of it back on a deadlock, and a serialization failure needs a new snapshot\)\. Pass retry to the outermost inTransaction instead\./.test(
          error.message,
        ),
    );
    assert.equal(await Tally.all().count(), 0);
  });

  it('bad retry options are refused before anything runs', async () => {
    let runs = 0;
    const fn = async () => {
      runs++;
    };
    await assert.rejects(inTransaction(fn, { retry: { attempts: 0 } }), (e: unknown) => e instanceof ParamsError && /retry\.attempts is the number of runs in all, a whole number of at least 1; got 0/.test(e.message));
    await assert.rejects(inTransaction(fn, { retry: { attempts: 2.5 } }), ParamsError);
    await assert.rejects(inTransaction(fn, { retry: { attempts: 2, backoff: -1 } }), (e: unknown) => e instanceof ParamsError && /retry\.backoff is a number of milliseconds ≥ 0 or a function; got -1/.test(e.message));
    await assert.rejects(
      inTransaction(fn, { retry: { attempts: 2, tries: 3 } as never }),
      (e: unknown) => e instanceof ConfigurationError && /retry has no option 'tries'; it takes attempts and backoff/.test(e.message),
    );
    assert.equal(runs, 0);
    await assert.rejects(
      inTransaction(
        async () => {
          runs++;
          throw simulated();
        },
        { retry: { attempts: 2, backoff: () => Number.NaN } },
      ),
      (e: unknown) => e instanceof ParamsError && /retry\.backoff returned null; it must return a number of milliseconds ≥ 0/.test(e.message),
    );
    assert.equal(runs, 1);
  });
});

describe('request transactions refuse retry', () => {
  const message = /a request transaction cannot retry \(the handler would run twice, and its response may already be on its way\)/;

  it('Hono transactional({ retry })', () => {
    assert.throws(() => new Hono().use(honoTransactional({ retry: { attempts: 3 } })), (e: unknown) => e instanceof ConfigurationError && message.test(e.message));
  });

  it('Express transactional({ retry })', () => {
    assert.throws(() => expressTransactional({ retry: { attempts: 3 } }), (e: unknown) => e instanceof ConfigurationError && message.test(e.message));
  });

  it('Fastify config: { transaction: { retry } }', async () => {
    const app = Fastify();
    await registerTerrapin(app, { dbUrl: 'sqlite://:memory:', modules: { models: [] } }, { terrapin: new Terrapin() });
    try {
      assert.throws(
        () => app.post('/x', { config: { transaction: { retry: { attempts: 3 } } } }, async () => ({})),
        (e: unknown) => e instanceof ConfigurationError && /Route POST \/x: a request transaction cannot retry/.test(e.message),
      );
    } finally {
      await app.close();
    }
  });
});

class Ledger extends Model {
  id = fields.IntField({ pk: true });
  entry = fields.CharField({ maxLength: 20 });
  static override meta = { table: 'retry_ledger' };
}

describe('SQLite: another connection holding the write lock past busy_timeout', () => {
  const dir = mkdtempSync(join(tmpdir(), 'terrapin-busy-'));
  const file = join(dir, 'busy.sqlite3');
  const terrapin = new Terrapin();
  // Through the runtime's own SQLite library, so the file also runs on Bun and Deno.
  let other: SqliteHandle;

  before(async () => {
    await terrapin.init({ dbUrl: `sqlite://${file}?busy_timeout=50`, modules: { models: [Ledger] } });
    await terrapin.generateSchemas();
    other = openSqlite(defaultSqliteDriver(), file);
  });
  after(async () => {
    other.close();
    await terrapin.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('is a TransactionRetryError with code SQLITE_BUSY', async () => {
    other.exec('BEGIN IMMEDIATE');
    try {
      await assert.rejects(Ledger.create({ entry: 'a' }), (e: unknown) => e instanceof TransactionRetryError && e.code === 'SQLITE_BUSY' && /held the database past busy_timeout/.test(e.message));
      await assert.rejects(
        terrapin.inTransaction(async () => Ledger.create({ entry: 'b' })),
        (e: unknown) => e instanceof TransactionRetryError && e.code === 'SQLITE_BUSY',
      );
    } finally {
      other.exec('ROLLBACK');
    }
    assert.equal(await Ledger.all().count(), 0);
  });

  it('inTransaction({ retry }) succeeds once the other connection lets go', async () => {
    other.exec('BEGIN IMMEDIATE');
    const released = new Promise<void>((resolve) =>
      setTimeout(() => {
        other.exec('COMMIT');
        resolve();
      }, 150),
    );
    let runs = 0;
    await terrapin.inTransaction(
      async () => {
        runs++;
        await Ledger.create({ entry: 'c' });
      },
      { retry: { attempts: 20, backoff: () => 40 } },
    );
    await released;
    assert.ok(runs >= 2, `the first run met the lock (${runs} runs)`);
    assert.deepEqual(await Ledger.all().valuesList('entry', { flat: true }), ['c']);
  });
});
