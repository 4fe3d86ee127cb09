/**
 * Pool accounting and recovery: a transaction holds a pooled connection; when all `maxsize` are
 * held, further transactions and plain queries wait up to `acquire_timeout` seconds, then fail
 * with OperationalError. Connections the server drops (pg_terminate_backend, KILL) are replaced.
 */
import assert from 'node:assert/strict';
import { before, beforeEach, it } from 'node:test';
import postgres from 'postgres';
import mysql from 'mysql2/promise';
import { Model, OperationalError, Terrapin, fields, inTransaction } from '../../src/index.js';
import { RequestTransaction } from '../../src/integrations/request-transaction.js';
import { MYSQL_ADMIN_URL, PG_ADMIN_URL, forEachBackend, pgDirectUrl, withOptions, serverAddress, type BackendContext } from '../support/backends.js';

const escaped = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const PG_AT = serverAddress(PG_ADMIN_URL);
const MYSQL_AT = serverAddress(MYSQL_ADMIN_URL);

class Item extends Model {
  id = fields.IntField({ pk: true });
  name = fields.CharField({ maxLength: 30 });
  static override meta = { table: 'pool_item' };
}

function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Opens a transaction that holds its connection until `release()`; resolves once it is open. */
async function holdConnection(): Promise<{ release: () => void; done: Promise<void> }> {
  const open = deferred();
  const release = deferred();
  const done = inTransaction(async () => {
    await Item.all().count();
    open.resolve();
    await release.promise;
  });
  await Promise.race([open.promise, done]);
  return { release: release.resolve, done };
}

/** The connections of the suite's database other than the admin's own: ends them server-side. */
async function killConnections(ctx: BackendContext): Promise<number> {
  if (ctx.backend === 'postgres') {
    const admin = postgres(pgDirectUrl(ctx.url), { max: 1, onnotice: () => {} });
    try {
      const pids = await admin`SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()`;
      for (const { pid } of pids) await admin`SELECT pg_terminate_backend(${pid})`;
      return pids.length;
    } finally {
      await admin.end();
    }
  }
  const admin = await mysql.createConnection(ctx.url);
  try {
    const database = new URL(ctx.url).pathname.slice(1);
    const [rows] = await admin.query<mysql.RowDataPacket[]>('SHOW PROCESSLIST');
    const victims = rows.filter((row) => row.db === database && row.Id !== admin.threadId && row.Command !== 'Daemon');
    for (const row of victims) await admin.query(`KILL ${Number(row.Id)}`);
    return victims.length;
  } finally {
    await admin.end();
  }
}

/**
 * Runs `fn` until it succeeds, at most three times; each failure must be an OperationalError.
 * After a server-side kill a query may fail once per pooled connection (the driver learns that a
 * connection is dead from the failure); it must never fail more often than that, nor hang.
 */
async function attempts<T>(fn: () => Promise<T>): Promise<(T | 'failed')[]> {
  const outcomes: (T | 'failed')[] = [];
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      outcomes.push(await fn());
      return outcomes;
    } catch (error) {
      assert.ok(error instanceof OperationalError, String(error));
      assert.match(error.message, new RegExp(`^(PostgreSQL: (terminating connection due to administrator command|the connection to ${escaped(PG_AT)} was closed|read ECONNRESET)|MySQL: the connection to ${escaped(MYSQL_AT)} was closed)$`));
      outcomes.push('failed');
    }
  }
  assert.fail(`still failing after ${outcomes.length} attempts`);
}

/** The message of the acquire timeout, for `max` connections and `seconds`. */
function exhausted(max: number, seconds: number): string {
  return `Connection 'default': all ${max} pooled connection${max === 1 ? ' is' : 's are'} held by transactions and none came free within ${seconds}s. Raise the pool size (?maxsize=N in the URL) or keep transactions shorter.`;
}

forEachBackend('pools', [{ Item }], (ctx) => {
  // SQLite has one connection per named connection; a bigger maxsize would not add any.
  const max = () => (ctx.backend === 'sqlite' ? 1 : 2);

  before(async () => {
    await Terrapin.init({ dbUrl: withOptions(ctx.url, `maxsize=${max()}&acquire_timeout=0.5`), modules: { models: [Item] } });
    await Terrapin.generateSchemas({ safe: true });
  });

  beforeEach(async () => {
    await Item.all().delete();
  });

  it('with every connection held, another transaction and a plain query fail after acquire_timeout', async () => {
    const holders = await Promise.all(Array.from({ length: max() }, () => holdConnection()));
    try {
      const started = Date.now();
      const [tx, plain] = await Promise.allSettled([
        inTransaction(async () => Item.create({ name: 'never' })),
        Item.all().count(),
      ]);
      const elapsed = Date.now() - started;
      for (const result of [tx, plain]) {
        assert.equal(result.status, 'rejected');
        const error = (result as PromiseRejectedResult).reason as Error;
        assert.ok(error instanceof OperationalError, String(error));
        assert.equal(error.message, exhausted(max(), 0.5));
      }
      assert.ok(elapsed >= 450 && elapsed < 1500, `failed after the 0.5 s timeout (${elapsed} ms)`);

      // Once one transaction ends, new work runs.
      holders[0]!.release();
      await holders[0]!.done;
      await inTransaction(async () => Item.create({ name: 'after' }));
      if (max() > 1) assert.equal(await Item.all().count(), 1, 'a plain query runs beside the remaining transaction');
    } finally {
      for (const holder of holders) holder.release();
      await Promise.all(holders.map((h) => h.done));
    }
    assert.deepEqual(await Item.all().valuesList('name', { flat: true }), ['after']);
  });

  it('work waiting for a connection runs as soon as one comes free within the timeout', async () => {
    const holders = await Promise.all(Array.from({ length: max() }, () => holdConnection()));
    const queued = [inTransaction(async () => Item.create({ name: 'queued-tx' })), Item.all().count()] as const;
    await sleep(150);
    holders[0]!.release();
    await holders[0]!.done;
    const [created, count] = await Promise.all(queued);
    assert.equal(created.name, 'queued-tx');
    assert.ok(count === 0 || count === 1);
    for (const holder of holders) holder.release();
    await Promise.all(holders.map((h) => h.done));
  });

  it('a request transaction decided while it waits for its connection: abandoned rolls back, a success commits', async () => {
    for (const [decide, expected] of [
      [(rt: RequestTransaction) => rt.abandon(), []],
      [(rt: RequestTransaction) => void rt.finish(201), ['kept']],
    ] as const) {
      const holders = await Promise.all(Array.from({ length: max() }, () => holdConnection()));
      const name = expected.length === 0 ? 'abandoned' : 'kept';
      const transaction = new RequestTransaction(Terrapin.default);
      const handled = transaction.run(async () => (await Item.create({ name })).name);
      // The client left (or the response was decided) before BEGIN: the handler has not run yet.
      decide(transaction);
      await sleep(50);
      assert.equal(await Promise.race([handled, sleep(0).then(() => 'waiting')]), 'waiting');
      for (const holder of holders) holder.release();
      await Promise.all(holders.map((h) => h.done));
      assert.equal(await handled, name, 'the handler still runs once the connection is free');
      assert.equal(await transaction.finish(201), undefined);
      assert.deepEqual(await Item.all().valuesList('name', { flat: true }), expected);
    }
  });

  it('20 transactions on a pool of maxsize connections all complete in turn', async () => {
    let active = 0;
    let peak = 0;
    await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        inTransaction(async () => {
          active++;
          peak = Math.max(peak, active);
          await Item.create({ name: `t${i}` });
          await sleep(10);
          active--;
        }),
      ),
    );
    assert.equal(await Item.all().count(), 20);
    assert.equal(peak, max(), `never more than ${max()} transactions open at once`);
  });

  if (ctx.backend !== 'sqlite') {
    it('after the server drops idle connections, the next query succeeds on a fresh connection', async () => {
      // Open both pooled connections.
      await Promise.all([holdConnection(), holdConnection()].map(async (held) => {
        const h = await held;
        h.release();
        await h.done;
      }));
      assert.ok((await killConnections(ctx)) >= 1, 'the pool had connections to kill');
      // Let the driver see the closed sockets (a query racing the close is covered below).
      await sleep(200);
      assert.equal(await Item.all().count(), 0, 'the first query after the kill succeeds');
      await Item.create({ name: 'fresh' });
      assert.equal(await inTransaction(async () => Item.all().count()), 1, 'transactions work too');
    });

    it('a transaction whose connection is killed during a statement fails with OperationalError and commits nothing', async () => {
      const sleepSql = ctx.backend === 'postgres' ? 'SELECT pg_sleep(5)' : 'SELECT SLEEP(5)';
      const started = Date.now();
      const tx = inTransaction(async (client) => {
        await Item.create({ name: 'lost' });
        await client.rows(sleepSql, []);
        await Item.create({ name: 'lost-too' });
      });
      // Handled at once: it rejects while the kill is still being awaited.
      const failure = tx.then(
        () => undefined,
        (error: unknown) => error,
      );
      await sleep(150);
      assert.ok((await killConnections(ctx)) >= 1);
      await assert.rejects(failure.then((error) => Promise.reject(error)), (error: unknown) => {
        assert.ok(error instanceof OperationalError, String(error));
        if (ctx.backend === 'postgres') {
          // The statement running when the server ended the session carries the server's FATAL message.
          assert.equal((error as Error).message, 'PostgreSQL: terminating connection due to administrator command');
        } else {
          assert.equal((error as Error).message, `MySQL: the connection to ${MYSQL_AT} was closed`);
        }
        return true;
      });
      assert.ok(Date.now() - started < 3000, 'it did not wait for the sleep to end');
      await sleep(100);
      // The pool replaces the connections; on PostgreSQL the first use of one may still fail once (see below).
      const outcomes = await attempts(() => Promise.all([inTransaction(async () => Item.all().count()), Item.all().count()]));
      assert.deepEqual(outcomes.at(-1), [0, 0], 'nothing was committed, and both slots work again');
    });

    it('a query started right after the kill fails at most once, then the pool has fresh connections', async () => {
      await Item.create({ name: 'x' });
      await Promise.all([Item.all().count(), Item.all().count(), Item.all().count()]);
      assert.ok((await killConnections(ctx)) >= 1);
      const outcomes = await attempts(() => inTransaction(async () => Item.all().count()));
      assert.equal(outcomes.at(-1), 1);
      assert.equal(await inTransaction(async () => Item.all().count()), 1, 'and keeps working');
    });
  }

  if (ctx.backend === 'postgres') {
    // postgres.js 3.4.9 (the driver before Terrapin's own client) lost a reservation that had to
    // reconnect while another dead connection closed: the transaction then waited out acquire_timeout.
    it('PostgreSQL: killed again and again, a transaction never waits out acquire_timeout for a reconnect', async () => {
      for (let round = 0; round < 6; round++) {
        await Promise.all([Item.all().count(), Item.all().count(), Item.all().count()]);
        assert.ok((await killConnections(ctx)) >= 1);
        const outcomes = await attempts(() => inTransaction(async () => Item.all().count()));
        assert.equal(typeof outcomes.at(-1), 'number', `round ${round}: ${JSON.stringify(outcomes)}`);
      }
    });

    it('PostgreSQL: a connection killed while its transaction is idle fails the next statement cleanly; nothing commits', async () => {
      await assert.rejects(
        inTransaction(async () => {
          await Item.create({ name: 'idle' });
          await killConnections(ctx);
          await sleep(200);
          await Item.create({ name: 'idle-2' });
        }),
        (error: unknown) => {
          assert.ok(error instanceof OperationalError, String(error));
          assert.match((error as Error).message, /^PostgreSQL: the connection was lost \(.+\), so this statement did not run\.$/);
          return true;
        },
      );
      const outcomes = await attempts(() => Item.all().count());
      assert.equal(outcomes.at(-1), 0, 'nothing was committed, and the pool works again');
    });
  }

  if (ctx.backend === 'mysql') {
    it('MariaDB: a connection killed between two statements of a transaction fails the next one; nothing commits', async () => {
      await assert.rejects(
        inTransaction(async () => {
          await Item.create({ name: 'between' });
          await killConnections(ctx);
          await sleep(100);
          await Item.create({ name: 'between-2' });
        }),
        (error: unknown) => {
          assert.ok(error instanceof OperationalError, String(error));
          assert.equal((error as Error).message, 'MySQL: the connection was lost (the server closed it), so this statement did not run.');
          return true;
        },
      );
      assert.equal(await Item.all().count(), 0);
    });
  }
});
