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
import { ConfigurationError, DatabaseUnavailableError, Model, Terrapin, TransactionRetryError, fields, inTransaction } from '../../src/index.js';
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
  describe('MySQL URLs listing several hosts', () => {
    it('when no host takes the connection, the error lists every host and why; target_session_attrs is not a MySQL option', async () => {
      // Terrapin asks a MySQL server its version at init, so init is where it fails here.
      await assert.rejects(
        Terrapin.init({ dbUrl: `mysql://root@127.0.0.1:16138,127.0.0.1:16139/${databaseName('galera')}?connect_timeout=2`, modules: { models: [Tally] } }),
        (error: unknown) => {
          assert.ok(error instanceof DatabaseUnavailableError, String(error));
          assert.match(error.message, /^MySQL: no host of the URL took the connection \(127\.0\.0\.1:16138: connect ECONNREFUSED 127\.0\.0\.1:16138; 127\.0\.0\.1:16139: connect ECONNREFUSED 127\.0\.0\.1:16139\)/);
          return true;
        },
      );
      await Terrapin.close();
      await assert.rejects(
        Terrapin.init({ dbUrl: 'mysql://root@127.0.0.1:16138,127.0.0.1:16139/x?target_session_attrs=read-write', modules: { models: [Tally] } }),
        (error: unknown) => error instanceof ConfigurationError && /target_session_attrs/.test(error.message),
      );
      await Terrapin.close();
    });
  });

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

    it('a URL listing the three nodes: with one node killed mid-load, new transactions move to the others and no acknowledged increment is lost', { timeout: 180_000 }, async () => {
      await reset();
      await Terrapin.close();
      const nodes = cluster!.nodes;
      await Terrapin.init({
        dbUrl: `mysql://root@${nodes.map((node) => `127.0.0.1:${node.port}`).join(',')}/${database}?connect_timeout=3&maxsize=4`,
        modules: { models: [Tally] },
      });
      let acknowledged = 0;
      let unknown = 0;
      const failures = new Map<string, number>();
      let stop = false;
      const worker = async (): Promise<void> => {
        while (!stop) {
          try {
            await inTransaction(
              async (client) => {
                const row = await Tally.filter({ id: 1 }).usingDb(client).selectForUpdate().first();
                await Tally.filter({ id: 1 }).usingDb(client).update({ value: row!.value + 1 });
              },
              { retry: { attempts: 50, backoff: 2 } },
            );
            acknowledged++;
          } catch (error) {
            // A transaction whose connection went with the node: it may or may not have committed.
            unknown++;
            const name = error instanceof DatabaseUnavailableError ? 'DatabaseUnavailableError' : (error as Error).constructor.name;
            failures.set(name, (failures.get(name) ?? 0) + 1);
          }
        }
      };
      const workers = [0, 1, 2, 3].map(() => worker());
      await new Promise((resolve) => setTimeout(resolve, 1000));
      const before = acknowledged;
      await nodes[0]!.crash();
      const killed = performance.now();
      let firstAfter = -1;
      while (firstAfter < 0 && performance.now() - killed < 60_000) {
        const now = acknowledged;
        await new Promise((resolve) => setTimeout(resolve, 20));
        if (acknowledged > now) firstAfter = performance.now() - killed;
      }
      await new Promise((resolve) => setTimeout(resolve, 1000));
      stop = true;
      await Promise.all(workers);
      const value = (await Tally.get({ id: 1 })).value;
      console.log(
        `galera node killed: ${before} increments before, ${acknowledged} acknowledged in all, ${unknown} failed (${[...failures].map(([k, v]) => `${k} ${v}`).join(', ')}); first commit on the other nodes ${firstAfter.toFixed(0)} ms after the kill; row value ${value}`,
      );
      assert.ok(firstAfter >= 0, 'transactions went on after the node was killed');
      assert.ok(value >= acknowledged && value <= acknowledged + unknown, `value ${value}, acknowledged ${acknowledged}, outcome unknown ${unknown}`);
      await Terrapin.close();
    });
  });
}
