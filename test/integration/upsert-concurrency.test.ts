/**
 * getOrCreate and updateOrCreate under concurrency, inside and outside transactions. The probe that
 * found the bug: five concurrent inTransaction(() => Sku.getOrCreate({ code: 'A-1' })) on MariaDB
 * gave four IntegrityErrors, since the re-read after the lost race looked at the transaction's
 * REPEATABLE READ snapshot, taken before the winner's row; it now reads with a shared lock (the
 * latest committed row). 50 concurrent updateOrCreate deadlocked on InnoDB's gap locks; on its own it
 * now runs again after a deadlock, and a lost create updates the winner's row.
 */
import assert from 'node:assert/strict';
import { beforeEach, it } from 'node:test';
import { Model, Terrapin, TransactionRetryError, fields, inTransaction } from '../../src/index.js';
import { forEachBackend } from '../support/backends.js';

class Sku extends Model {
  id = fields.IntField({ pk: true });
  code = fields.CharField({ maxLength: 20, unique: true });
  stock = fields.IntField({ default: 0 });
  static override meta = { table: 'upsert_sku' };
}

/** Resolves once `parties` callers arrived, or after `ms` (SQLite runs one transaction at a time). */
function barrier(parties: number, ms: number): () => Promise<void> {
  let arrived = 0;
  let open!: () => void;
  const opened = new Promise<void>((resolve) => (open = resolve));
  return () => {
    if (++arrived === parties) open();
    return Promise.race([opened, new Promise<void>((resolve) => setTimeout(resolve, ms))]);
  };
}

forEachBackend('upsert_concurrency', [{ Sku }], (ctx) => {
  beforeEach(async () => {
    await Sku.all().delete();
  });

  it('5 concurrent transactions, each having read before any insert, all get the one row from getOrCreate', async () => {
    const statements: string[] = [];
    const stop = Terrapin.onQuery((event) => statements.push(event.sql));
    const meet = barrier(5, 200);
    let results: [Sku, boolean][];
    try {
      results = await Promise.all(
        Array.from({ length: 5 }, () =>
          inTransaction(async () => {
            await Sku.all().count(); // the snapshot (MySQL's REPEATABLE READ) is taken here
            await meet();
            return Sku.getOrCreate({ code: 'A-1' }, { stock: 1 });
          }),
        ),
      );
    } finally {
      stop();
    }
    assert.equal(results.filter(([, created]) => created).length, 1);
    assert.equal(new Set(results.map(([sku]) => sku.id)).size, 1, 'everyone has the same row');
    assert.equal(await Sku.all().count(), 1);
    if (ctx.backend !== 'sqlite') {
      // The four losers read the winner with a shared lock.
      const share = ctx.backend === 'mysql' ? 'LOCK IN SHARE MODE' : 'FOR SHARE';
      assert.equal(statements.filter((sql) => sql.includes(share)).length, 4, statements.join('\n'));
    }
  });

  it('20 concurrent getOrCreate on one key outside transactions leave one row, and all return it', async () => {
    const results = await Promise.all(Array.from({ length: 20 }, (_, i) => Sku.getOrCreate({ code: 'B-2' }, { stock: i })));
    assert.equal(results.filter(([, created]) => created).length, 1);
    assert.equal(new Set(results.map(([sku]) => sku.id)).size, 1);
    assert.equal(await Sku.all().count(), 1);
  });

  it('50 concurrent updateOrCreate on one key: no error, one row, one create, and the row holds a value one of them wrote', async () => {
    const results = await Promise.all(Array.from({ length: 50 }, (_, i) => Sku.updateOrCreate({ code: 'C-3' }, { stock: i + 1 })));
    assert.equal(results.filter(([, created]) => created).length, 1);
    const rows = await Sku.all();
    assert.equal(rows.length, 1);
    assert.ok(rows[0]!.stock >= 1 && rows[0]!.stock <= 50);
    assert.equal(new Set(results.map(([sku]) => sku.id)).size, 1);
  });

  it('a create that loses the race updates the winner with its defaults', async () => {
    // Both read "no row" before either inserts; whoever commits last leaves its value.
    const meet = barrier(2, 200);
    const calls = [10, 20].map((stock) =>
      inTransaction(
        async () => {
          await Sku.all().count();
          await meet();
          return Sku.updateOrCreate({ code: 'D-4' }, { stock });
        },
        { retry: { attempts: 10 } },
      ),
    );
    const results = await Promise.all(calls);
    assert.deepEqual(results.map(([, created]) => created).sort(), [false, true]);
    const loser = results.find(([, created]) => !created)![0];
    assert.equal((await Sku.get({ code: 'D-4' })).stock, loser.stock, 'the loser updated the row it did not create');
  });

  it('inside your transactions, updateOrCreate under contention is safe with inTransaction({ retry })', async () => {
    let conflicts = 0;
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        inTransaction(
          async () => {
            try {
              return await Sku.updateOrCreate({ code: 'E-5' }, { stock: i + 1 });
            } catch (error) {
              if (error instanceof TransactionRetryError) conflicts++;
              throw error;
            }
          },
          { retry: { attempts: 20 } },
        ),
      ),
    );
    assert.equal(results.filter(([, created]) => created).length, 1);
    assert.equal(await Sku.all().count(), 1);
    if (ctx.backend === 'sqlite') assert.equal(conflicts, 0);
  });
});
