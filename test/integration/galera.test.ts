/**
 * A 3-node MariaDB Galera cluster (Debian galera-4) started here (SQL ports 16130–16132, group
 * communication 16140–16142, IST 16150–16152), written on all nodes at once. Galera certifies a
 * transaction at COMMIT against those committed meanwhile on other nodes; the loser fails with
 * errno 1213 ("Deadlock found when trying to get lock; try restarting transaction"), which
 * Terrapin raises as TransactionRetryError, and inTransaction({ retry }) runs the whole callback
 * again: conflicting read-modify-write increments on one row end exact.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Model, Terrapin, TransactionRetryError, fields, inTransaction } from '../../src/index.js';
import { activeBackends, databaseName } from '../support/backends.js';
import { GaleraCluster, galeraMissing } from '../support/galera.js';

const required = process.env.TERRAPIN_REQUIRE_ALL_BACKENDS === '1';
const skip = galeraMissing !== undefined && !required ? galeraMissing : undefined;
if (skip !== undefined && activeBackends().includes('mysql')) console.log(`skipping the Galera tests: ${skip}`);

class Tally extends Model {
  id = fields.IntField({ pk: true });
  value = fields.IntField();
  static override meta = { table: 'galera_tally' };
}

const NODES = ['n0', 'n1', 'n2'] as const;

/** One read-modify-write increment on node `node`, locking the row there (locks are per node in Galera). */
async function increment(node: (typeof NODES)[number], retry: boolean, runs: { count: number }): Promise<void> {
  await inTransaction(
    async (client) => {
      runs.count++;
      const row = await Tally.filter({ id: 1 }).usingDb(client).selectForUpdate().first();
      await Tally.filter({ id: 1 }).usingDb(client).update({ value: row!.value + 1 });
    },
    { connection: node, ...(retry ? { retry: { attempts: 50, backoff: 2 } } : {}) },
  );
}

if (activeBackends().includes('mysql')) {
  describe('MariaDB Galera, 3 nodes, writes on every node', { ...(skip === undefined ? {} : { skip }) }, () => {
    let cluster: GaleraCluster | undefined;
    const database = databaseName('galera');

    before(async () => {
      if (galeraMissing !== undefined) assert.fail(`${galeraMissing}; the Galera tests are required in CI (TERRAPIN_REQUIRE_ALL_BACKENDS=1)`);
      cluster = new GaleraCluster(16130);
      await cluster.start();
      await cluster.nodes[0]!.admin(`CREATE DATABASE ${database} CHARACTER SET utf8mb4 COLLATE utf8mb4_bin`);
      await Terrapin.init({
        config: {
          connections: Object.fromEntries(NODES.map((name, i) => [name, cluster!.nodes[i]!.url(database)])),
          apps: { models: { models: [Tally], defaultConnection: 'n0' } },
        },
      });
      await Terrapin.generateSchemas();
    });

    after(async () => {
      await Terrapin.close();
      await cluster?.destroy();
    });

    const reset = async (): Promise<void> => {
      await Tally.all().delete();
      await Tally.create({ id: 1, value: 0 });
      // Every node has the row before the workers start (Galera applies writes on the others asynchronously).
      for (const node of NODES) {
        while ((await Tally.filter({ id: 1 }).usingDb(node).count()) === 0) await new Promise((resolve) => setTimeout(resolve, 10));
      }
    };

    it('a certification conflict between nodes is a TransactionRetryError (errno 1213) and the losing transaction left nothing', { timeout: 120_000 }, async () => {
      await reset();
      const runs = { count: 0 };
      const errors: unknown[] = [];
      let committed = 0;
      await Promise.all(
        [0, 1, 2, 3, 4, 5].map(async (worker) => {
          for (let i = 0; i < 15; i++) {
            try {
              await increment(NODES[worker % 3]!, false, runs);
              committed++;
            } catch (error) {
              errors.push(error);
            }
          }
        }),
      );
      console.log(`galera without retry: ${committed} committed, ${errors.length} conflicts`);
      assert.ok(errors.length > 0, 'concurrent increments on three nodes conflicted at least once');
      for (const error of errors) {
        assert.ok(error instanceof TransactionRetryError, String(error));
        assert.match(error.message, /^MySQL: Deadlock found when trying to get lock; try restarting transaction \(errno 1213\)\. Run the transaction again from the start/);
      }
      await new Promise((resolve) => setTimeout(resolve, 200));
      assert.equal((await Tally.get({ id: 1 })).value, committed, 'every committed increment counted, no failed one');
    });

    it('inTransaction({ retry }) runs the callback again until it commits: 90 conflicting increments end at exactly 90', { timeout: 120_000 }, async () => {
      await reset();
      const runs = { count: 0 };
      const started = performance.now();
      await Promise.all([0, 1, 2, 3, 4, 5].map(async (worker) => {
        for (let i = 0; i < 15; i++) await increment(NODES[worker % 3]!, true, runs);
      }));
      const seconds = (performance.now() - started) / 1000;
      console.log(`galera with retry: 90 increments in ${seconds.toFixed(1)} s, ${runs.count - 90} retried runs`);
      for (const node of NODES) {
        // Each node applies the others' writes shortly after they commit.
        let value = -1;
        for (let wait = 0; wait < 200 && value !== 90; wait++) {
          value = (await Tally.get({ id: 1 }).usingDb(node)).value;
          if (value !== 90) await new Promise((resolve) => setTimeout(resolve, 10));
        }
        assert.equal(value, 90, `node ${node}`);
      }
      assert.ok(runs.count > 90, 'some runs conflicted and were retried');
    });
  });
}
