import assert from 'node:assert/strict';
import { beforeEach, it } from 'node:test';
import {
  IntegrityError,
  OperationalError,
  Terrapin,
  TransactionClient,
  TransactionManagementError,
  atomic,
  inTransaction,
  metaOf,
} from '../../src/index.js';
import { RequestTransaction } from '../../src/integrations/request-transaction.js';
import type { Target } from '../../src/execution/target.js';
import { forEachBackend } from '../support/backends.js';
import { Product } from '../fixtures/shop.js';

function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

async function skus(): Promise<string[]> {
  return (await Product.all().orderBy('sku').valuesList('sku', { flat: true })) as string[];
}

forEachBackend('transactions', [{ Product }], (ctx) => {
  beforeEach(async () => {
    await Product.all().delete();
  });

  it('commits when the callback returns and passes its result through', async () => {
    const result = await inTransaction(async (tx) => {
      assert.ok(tx instanceof TransactionClient);
      assert.equal(tx.isActive, true);
      await Product.create({ sku: 'c1', name: 'x' });
      await Product.create({ sku: 'c2', name: 'x' });
      return 42;
    });
    assert.equal(result, 42);
    assert.deepEqual(await skus(), ['c1', 'c2']);
  });

  it('rolls back every write and rethrows the same error when the callback throws', async () => {
    const boom = new Error('boom');
    await assert.rejects(
      Terrapin.inTransaction(async () => {
        await Product.create({ sku: 'r1', name: 'x' });
        await Product.bulkCreate([
          { sku: 'r2', name: 'x' },
          { sku: 'r3', name: 'x' },
        ]);
        await Product.filter({ sku: 'r1' }).update({ price: 5 });
        throw boom;
      }),
      (error: unknown) => error === boom,
    );
    assert.deepEqual(await skus(), []);
  });

  it('a database error inside rolls back the earlier writes', async () => {
    await assert.rejects(
      inTransaction(async () => {
        await Product.create({ sku: 'e1', name: 'x' });
        await Product.create({ sku: 'e1', name: 'again' });
      }),
      IntegrityError,
    );
    assert.deepEqual(await skus(), []);
  });

  it('an expected error caught in a nested inTransaction (a savepoint) keeps the rest; caught directly, PostgreSQL refuses the COMMIT', async () => {
    await inTransaction(async () => {
      await Product.create({ sku: 's1', name: 'x' });
      await assert.rejects(inTransaction(async () => Product.create({ sku: 's1', name: 'again' })), IntegrityError);
      await Product.create({ sku: 's2', name: 'x' });
    });
    assert.deepEqual(await skus(), ['s1', 's2']);

    const caughtDirectly = inTransaction(async () => {
      await Product.create({ sku: 'd1', name: 'x' });
      await Product.create({ sku: 'd1', name: 'again' }).catch((error: unknown) => assert.ok(error instanceof IntegrityError));
    });
    if (ctx.backend === 'postgres') {
      // PostgreSQL aborts the whole transaction on an error and answers COMMIT with a rollback.
      await assert.rejects(caughtDirectly, (error: unknown) => error instanceof OperationalError && /^PostgreSQL rolled the transaction back instead of committing it/.test((error as Error).message));
      assert.deepEqual(await skus(), ['s1', 's2']);
    } else {
      // SQLite and MySQL undo only the failed statement.
      await caughtDirectly;
      assert.deepEqual(await skus(), ['d1', 's1', 's2']);
    }
  });

  it('queries inside see the transaction without usingDb; Promise.all inside stays in it', async () => {
    await assert.rejects(
      inTransaction(async (tx) => {
        await Promise.all(Array.from({ length: 8 }, (_, i) => Product.create({ sku: `p${i}`, name: 'x' })));
        assert.equal(await Product.all().count(), 8, 'reads inside see the uncommitted rows');
        assert.equal(await Product.all().usingDb(tx).count(), 8, 'usingDb(tx) is the same connection');
        const [a, b] = await Promise.all([Product.filter({ sku: 'p1' }).first(), Product.all().count()]);
        assert.equal(a?.sku, 'p1');
        assert.equal(b, 8);
        throw new Error('undo');
      }),
      /undo/,
    );
    assert.deepEqual(await skus(), [], 'the parallel writes were all inside the transaction');
  });

  it('nested inTransaction uses a savepoint: a caught inner failure keeps the outer writes', async () => {
    await inTransaction(async () => {
      await Product.create({ sku: 'outer-1', name: 'x' });
      await assert.rejects(
        inTransaction(async (inner) => {
          assert.equal(inner.depth, 1);
          await Product.create({ sku: 'inner', name: 'x' });
          throw new Error('inner fails');
        }),
        /inner fails/,
      );
      assert.equal(await Product.filter({ sku: 'inner' }).exists(), false, 'the savepoint was rolled back');
      await Product.create({ sku: 'outer-2', name: 'x' });
    });
    assert.deepEqual(await skus(), ['outer-1', 'outer-2']);
  });

  it('a committed savepoint is still undone when the outer transaction rolls back', async () => {
    await assert.rejects(
      inTransaction(async () => {
        await inTransaction(async () => {
          await Product.create({ sku: 'inner-ok', name: 'x' });
        });
        assert.equal(await Product.filter({ sku: 'inner-ok' }).exists(), true);
        throw new Error('outer fails');
      }),
      /outer fails/,
    );
    assert.deepEqual(await skus(), []);
  });

  it('concurrent nested transactions inside one transaction each commit or roll back their own work', async () => {
    await inTransaction(async () => {
      const results = await Promise.allSettled([
        inTransaction(async () => {
          await Product.create({ sku: 'fails-a', name: 'x' });
          await Product.create({ sku: 'fails-b', name: 'x' });
          throw new Error('first fails');
        }),
        inTransaction(async () => {
          await Product.create({ sku: 'keeps-a', name: 'x' });
          await Product.create({ sku: 'keeps-b', name: 'x' });
        }),
        atomic(async () => {
          await Product.create({ sku: 'keeps-c', name: 'x' });
        })(),
      ]);
      assert.deepEqual(results.map((r) => r.status), ['rejected', 'fulfilled', 'fulfilled']);
    });
    assert.deepEqual(await skus(), ['keeps-a', 'keeps-b', 'keeps-c']);
  });

  it('atomic() wraps a function in a transaction per call', async () => {
    const addTwo = atomic(async (prefix: string, fail: boolean) => {
      await Product.create({ sku: `${prefix}-1`, name: 'x' });
      await Product.create({ sku: `${prefix}-2`, name: 'x' });
      if (fail) throw new Error(`${prefix} failed`);
      return prefix;
    });
    assert.equal(await addTwo('ok', false), 'ok');
    await assert.rejects(addTwo('bad', true), /bad failed/);
    assert.deepEqual(await skus(), ['ok-1', 'ok-2']);
  });

  it('a TransactionClient used after its callback ended raises TransactionManagementError', async () => {
    let kept: TransactionClient | undefined;
    let keptInner: TransactionClient | undefined;
    await inTransaction(async (tx) => {
      kept = tx;
      await inTransaction(async (inner) => {
        keptInner = inner;
      });
    });
    assert.equal(kept!.isActive, false);
    const message =
      /^The transaction on connection 'default' has already ended \(committed or rolled back\), so 'SELECT .*' cannot run on it\. Run the query inside the inTransaction callback, or without usingDb\.$/;
    await assert.rejects(Product.all().usingDb(kept!).count(), (error: unknown) => {
      assert.ok(error instanceof TransactionManagementError, String(error));
      assert.match((error as Error).message, message);
      return true;
    });
    await assert.rejects(Product.all().usingDb(keptInner!), TransactionManagementError);
    await assert.rejects(
      Product.create({ sku: 'late', name: 'x' }, { usingDb: kept! }),
      /TransactionManagementError|has already ended/,
    );
    assert.deepEqual(await skus(), []);
  });

  it('a query left running after its transaction ended raises instead of escaping to the pool', async () => {
    let late: Promise<unknown> | undefined;
    await inTransaction(async () => {
      // Deliberately not awaited: it runs after the callback (and the transaction) has finished.
      late = new Promise((resolve) => setTimeout(resolve, 20)).then(() => Product.create({ sku: 'stray', name: 'x' }));
    });
    await assert.rejects(late!, (error: unknown) => {
      assert.ok(error instanceof TransactionManagementError, String(error));
      assert.match(
        (error as Error).message,
        /^A query on Product belongs to a transaction on connection 'default' that has already ended\. Await every query inside the inTransaction callback\.$/,
      );
      return true;
    });
    assert.deepEqual(await skus(), []);
  });

  it('a request started outside while a transaction is open is not part of it', async () => {
    const inserted = deferred();
    const release = deferred();
    const tx = inTransaction(async () => {
      await Product.create({ sku: 'inside', name: 'x' });
      inserted.resolve();
      await release.promise;
      throw new Error('roll back');
    });
    await inserted.promise;
    // Started from the test's own context, while the transaction is open.
    const outside = Product.create({ sku: 'outside', name: 'x' });
    release.resolve();
    await assert.rejects(tx, /roll back/);
    await outside;
    assert.deepEqual(await skus(), ['outside'], 'the outside write survived the rollback');
  });

  it('an outside query does not see rows of an open transaction until it commits', async () => {
    const inserted = deferred();
    const release = deferred();
    const tx = inTransaction(async () => {
      await Product.create({ sku: 'pending', name: 'x' });
      inserted.resolve();
      await release.promise;
    });
    await inserted.promise;
    const outside = Product.filter({ sku: 'pending' }).exists();
    if (ctx.backend === 'sqlite') {
      // One connection: the outside query waits for the transaction instead of reading around it.
      let settled = false;
      void outside.then(() => (settled = true));
      await new Promise((resolve) => setTimeout(resolve, 30));
      assert.equal(settled, false, 'SQLite queues the outside query until the transaction ends');
      release.resolve();
      await tx;
      assert.equal(await outside, true, 'it ran after the commit');
    } else {
      assert.equal(await outside, false, 'the uncommitted row is invisible outside');
      release.resolve();
      await tx;
      assert.equal(await Product.filter({ sku: 'pending' }).exists(), true, 'visible after commit');
    }
  });

  it('concurrent independent transactions do not share a connection', async () => {
    const results = await Promise.allSettled([
      inTransaction(async () => {
        await Product.create({ sku: 'one-a', name: 'x' });
        await new Promise((resolve) => setTimeout(resolve, 10));
        await Product.create({ sku: 'one-b', name: 'x' });
        throw new Error('one fails');
      }),
      inTransaction(async () => {
        await Product.create({ sku: 'two-a', name: 'x' });
        await new Promise((resolve) => setTimeout(resolve, 10));
        await Product.create({ sku: 'two-b', name: 'x' });
      }),
    ]);
    assert.deepEqual(results.map((r) => r.status), ['rejected', 'fulfilled']);
    assert.deepEqual(await skus(), ['two-a', 'two-b']);
  });

  it('a QuerySet on an ended transaction rejects from then/catch/execute, never throws synchronously', async () => {
    let kept: TransactionClient | undefined;
    await inTransaction(async (tx) => {
      kept = tx;
    });
    const query = Product.all().usingDb(kept!);
    let thrown: unknown;
    let caught: Promise<unknown> | undefined;
    try {
      caught = query.catch((error: unknown) => error);
    } catch (error) {
      thrown = error;
    }
    assert.equal(thrown, undefined, 'catch() must not throw synchronously');
    assert.ok((await caught) instanceof TransactionManagementError);
    await assert.rejects(query.execute(), TransactionManagementError);
  });

  it('a request transaction whose handler ends the response at once still commits before finish resolves', async () => {
    const events: string[] = [];
    const unsubscribe = Terrapin.onQuery((event) => {
      if (/^\s*COMMIT\b/i.test(event.sql)) events.push('COMMIT');
    });
    try {
      const transaction = new RequestTransaction(Terrapin.default);
      // The handler runs once the connection is there (at once on SQLite, later on a pool).
      let called!: (call: { finished: Promise<unknown> }) => void;
      const finishCall = new Promise<{ finished: Promise<unknown> }>((resolve) => (called = resolve));
      let client: Target | undefined;
      const handled = transaction.run(() => {
        client = Terrapin.default.target(metaOf(Product), undefined, 'write');
        void Product.create({ sku: 'sync-send', name: 'x' });
        // What Express's res.json() or Fastify's reply.send() in the handler's synchronous part does.
        called({ finished: transaction.finish(201) });
        return 'sent';
      });
      assert.equal(await (await finishCall).finished, undefined);
      events.push('finish resolved');
      assert.ok(client instanceof TransactionClient);
      assert.equal(client.isActive, false, 'finish() resolved while the transaction was still open');
      assert.equal(await handled, 'sent');
    } finally {
      unsubscribe();
    }
    assert.deepEqual(events, ['COMMIT', 'finish resolved']);
    assert.deepEqual(await skus(), ['sync-send']);
  });
});
