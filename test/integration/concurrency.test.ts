/**
 * Concurrent transactions against one row: atomic F() increments, selectForUpdate read-modify-write,
 * NOWAIT / SKIP LOCKED. PostgreSQL and MariaDB lock rows; SQLite serialises whole transactions
 * (selectForUpdate is a no-op there), so the counts come out exact on all three.
 * The "50 concurrent getOrCreate → one row" race lives in bulk.test.ts (getOrCreate / updateOrCreate).
 */
import assert from 'node:assert/strict';
import { beforeEach, it } from 'node:test';
import { F, Model, NotSupportedError, OperationalError, TransactionRetryError, fields, inTransaction } from '../../src/index.js';
import { forEachBackend } from '../support/backends.js';

class Counter extends Model {
  id = fields.IntField({ pk: true });
  name = fields.CharField({ maxLength: 30, unique: true });
  value = fields.IntField({ default: 0 });
  static override meta = { table: 'conc_counter' };
}

class Job extends Model {
  id = fields.IntField({ pk: true });
  label = fields.CharField({ maxLength: 30 });
  static override meta = { table: 'conc_job', ordering: ['id'] };
}

function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

/**
 * Opens a transaction that locks `Job` rows matching `id` and keeps them locked until the returned
 * `release` is called; resolves once the lock is held.
 */
async function holdLock(id: number): Promise<{ release: () => void; done: Promise<void> }> {
  const locked = deferred();
  const release = deferred();
  const done = inTransaction(async () => {
    await Job.filter({ id }).selectForUpdate().get();
    locked.resolve();
    await release.promise;
  });
  // Surface a failure to take the lock instead of waiting forever.
  await Promise.race([locked.promise, done]);
  return { release: release.resolve, done };
}

forEachBackend('concurrency', [{ Counter, Job }], (ctx) => {
  const rowLocks = () => ctx.backend !== 'sqlite';

  beforeEach(async () => {
    await Counter.all().delete();
    await Job.all().delete();
  });

  it('200 concurrent transactions incrementing with F() end at exactly 200', async () => {
    const counter = await Counter.create({ name: 'f', value: 0 });
    const results = await Promise.all(
      Array.from({ length: 200 }, () =>
        inTransaction(async () => Counter.filter({ id: counter.id }).update({ value: F('value').add(1) })),
      ),
    );
    assert.deepEqual(new Set(results), new Set([1]), 'each update touched the one row');
    assert.equal((await Counter.get({ id: counter.id })).value, 200);
  });

  it('200 concurrent selectForUpdate read-modify-write transactions lose no update', async () => {
    const counter = await Counter.create({ name: 'rmw', value: 0 });
    await Promise.all(
      Array.from({ length: 200 }, () =>
        inTransaction(async () => {
          const row = await Counter.filter({ id: counter.id }).selectForUpdate().get();
          row.value += 1;
          await row.save();
        }),
      ),
    );
    assert.equal((await Counter.get({ id: counter.id })).value, 200);
  });

  it('without a transaction, F() increments from many concurrent callers are still exact', async () => {
    const counter = await Counter.create({ name: 'plain', value: 5 });
    await Promise.all(Array.from({ length: 100 }, () => Counter.filter({ name: 'plain' }).update({ value: F('value').add(2) })));
    assert.equal((await Counter.get({ id: counter.id })).value, 205);
  });

  it('selectForUpdate({ nowait: true }) on a row locked by another transaction fails at once', async () => {
    const job = await Job.create({ label: 'busy' });
    if (!rowLocks()) {
      // SQLite: selectForUpdate is a no-op; inside a transaction it simply reads the row.
      const row = await inTransaction(async () => Job.filter({ id: job.id }).selectForUpdate({ nowait: true }).get());
      assert.equal(row.label, 'busy');
      return;
    }
    const lock = await holdLock(job.id);
    try {
      const started = Date.now();
      await assert.rejects(
        inTransaction(async () => Job.filter({ id: job.id }).selectForUpdate({ nowait: true }).get()),
        (error: unknown) => {
          assert.ok(error instanceof OperationalError, String(error));
          if (ctx.backend === 'postgres') {
            assert.equal((error as Error).message, 'PostgreSQL: could not obtain lock on row in relation "conc_job"');
          } else {
            // MariaDB's NOWAIT is a lock wait timeout of zero: errno 1205, worth running again later.
            assert.ok(error instanceof TransactionRetryError && error.code === '1205', String(error));
            assert.match((error as Error).message, /^MySQL: Lock wait timeout exceeded; try restarting transaction \(errno 1205\)\. Run the transaction again/);
          }
          return true;
        },
      );
      assert.ok(Date.now() - started < 1000, `NOWAIT failed fast (${Date.now() - started} ms)`);
      // Rows that are not locked are still there to take with NOWAIT.
      const other = await Job.create({ label: 'free' });
      const got = await inTransaction(async () => Job.filter({ id: other.id }).selectForUpdate({ nowait: true }).get());
      assert.equal(got.label, 'free');
    } finally {
      lock.release();
      await lock.done;
    }
  });

  it('selectForUpdate({ skipLocked: true }) skips the locked row (a job queue)', async () => {
    const a = await Job.create({ label: 'a' });
    const b = await Job.create({ label: 'b' });
    const c = await Job.create({ label: 'c' });
    if (!rowLocks()) {
      const all = await inTransaction(async () => Job.all().orderBy('id').selectForUpdate({ skipLocked: true }).valuesList('label', { flat: true }));
      assert.deepEqual(all, ['a', 'b', 'c'], 'SQLite: no row locks, nothing skipped');
      return;
    }
    const lock = await holdLock(a.id);
    try {
      const [next, rest] = await inTransaction(async () => {
        const first = await Job.all().orderBy('id').selectForUpdate({ skipLocked: true }).first();
        const labels = await Job.all().orderBy('id').selectForUpdate({ skipLocked: true }).valuesList('label', { flat: true });
        return [first, labels] as const;
      });
      assert.equal(next?.id, b.id, 'the first unlocked job');
      assert.deepEqual(rest, ['b', 'c']);
      assert.ok(c.id > b.id);
    } finally {
      lock.release();
      await lock.done;
    }
    const after = await inTransaction(async () => Job.all().orderBy('id').selectForUpdate({ skipLocked: true }).valuesList('label', { flat: true }));
    assert.deepEqual(after, ['a', 'b', 'c'], 'released: nothing skipped');
  });

  it('two workers taking jobs with skipLocked never take the same one', async () => {
    await Job.bulkCreate(Array.from({ length: 20 }, (_, i) => ({ label: `job-${String(i).padStart(2, '0')}` })));
    const taken: string[] = [];
    const worker = async () => {
      for (;;) {
        const label = await inTransaction(async () => {
          const job = await Job.all().orderBy('id').selectForUpdate({ skipLocked: true }).first();
          if (job === null) return null;
          await job.delete();
          return job.label;
        });
        if (label === null) return;
        taken.push(label);
      }
    };
    await Promise.all([worker(), worker(), worker()]);
    assert.equal(taken.length, 20);
    assert.equal(new Set(taken).size, 20, 'no job taken twice');
    assert.equal(await Job.all().count(), 0);
  });

  it('on SQLite selectForUpdate is a documented no-op; elsewhere a plain lock waits for the holder', async () => {
    const job = await Job.create({ label: 'wait' });
    if (!rowLocks()) {
      assert.doesNotMatch(Job.filter({ id: job.id }).selectForUpdate().sql(), /FOR UPDATE/);
      const row = await Job.filter({ id: job.id }).selectForUpdate({ of: ['conc_job'] }).get();
      assert.equal(row.label, 'wait', 'works outside a transaction too');
      return;
    }
    assert.match(Job.filter({ id: job.id }).selectForUpdate().sql(), / FOR UPDATE$/);
    const lock = await holdLock(job.id);
    let settled = false;
    const waiting = inTransaction(async () => {
      const row = await Job.filter({ id: job.id }).selectForUpdate().get();
      settled = true;
      return row.label;
    });
    await new Promise((resolve) => setTimeout(resolve, 100));
    assert.equal(settled, false, 'the second locker waits while the row is held');
    lock.release();
    await lock.done;
    assert.equal(await waiting, 'wait');
  });

  it('selectForUpdate({ of }) names the table to lock on PostgreSQL; MariaDB has no FOR UPDATE OF', async () => {
    const job = await Job.create({ label: 'of' });
    const query = Job.filter({ id: job.id }).selectForUpdate({ of: ['conc_job'] });
    if (ctx.backend === 'sqlite') {
      assert.equal((await inTransaction(async () => query.get())).label, 'of');
    } else if (ctx.backend === 'postgres') {
      assert.match(query.sql(), / FOR UPDATE OF "conc_job"$/);
      assert.equal((await inTransaction(async () => query.get())).label, 'of');
    } else {
      // MariaDB's grammar has no OF clause: refused before any SQL is sent.
      const refused = (error: unknown) => {
        assert.ok(error instanceof NotSupportedError, String(error));
        assert.equal(
          (error as Error).message,
          "MariaDB has no SELECT … FOR UPDATE OF; drop the 'of' option (it locks the rows of every joined table).",
        );
        return true;
      };
      assert.throws(() => query.sql(), refused);
      await assert.rejects(inTransaction(async () => query.get()), refused);
    }
  });
});
