/**
 * ReadReplicaRouter against a real primary and replica started here (PostgreSQL streaming
 * replication with pg_basebackup -R, ports 16110–16111; MariaDB binlog replication with CHANGE
 * MASTER TO, ports 16120–16121): reads go to the replica, writes, selectForUpdate and
 * transactions to the primary; within router.request() a read after a write goes to the primary
 * (read-your-writes); a replica that is down makes reads fall back to the primary with one log
 * line. Also measured: how long a row takes to appear on the replica after its write.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ConfigurationError, Model, ReadReplicaRouter, Terrapin, fields, inTransaction } from '../../src/index.js';
import { activeBackends, databaseName } from '../support/backends.js';
import { FaultPostgres, sleep } from '../support/fault-servers.js';
import { PostgresReplica } from '../support/pg-replication.js';
import { MariadbPrimary, MariadbReplica } from '../support/mariadb-replication.js';

class Entry extends Model {
  id = fields.IntField({ pk: true });
  label = fields.CharField({ maxLength: 40 });
  static override meta = { table: 'replica_entry' };
}

/** A primary and a replica of one backend, started by `start`. */
interface Pair {
  readonly primaryPort: number;
  readonly replicaPort: number;
  /** SQL answering the server's port as (id, label). */
  readonly portSql: string;
  start(database: string): Promise<{ primaryUrl: string; replicaUrl: string }>;
  caughtUp(): Promise<void>;
  stopReplica(): Promise<void>;
  startReplica(): Promise<void>;
  destroy(): Promise<void>;
}

function postgresPair(): Pair {
  let primary: FaultPostgres | undefined;
  let replica: PostgresReplica | undefined;
  return {
    primaryPort: 16110,
    replicaPort: 16111,
    portSql: "SELECT inet_server_port() AS id, '' AS label",
    async start(database) {
      primary = new FaultPostgres(16110);
      await primary.start();
      await primary.admin(`CREATE DATABASE ${database}`);
      replica = new PostgresReplica(16111, primary);
      await replica.start();
      return { primaryUrl: primary.url(database), replicaUrl: replica.url(database) };
    },
    caughtUp: () => replica!.caughtUp(primary!),
    stopReplica: () => replica!.stopFast(),
    startReplica: () => replica!.start(),
    async destroy() {
      await replica?.destroy();
      await primary?.destroy();
    },
  };
}

function mariadbPair(): Pair {
  let primary: MariadbPrimary | undefined;
  let replica: MariadbReplica | undefined;
  return {
    primaryPort: 16120,
    replicaPort: 16121,
    portSql: "SELECT @@port AS id, '' AS label",
    async start(database) {
      primary = new MariadbPrimary(16120);
      replica = new MariadbReplica(16121);
      await Promise.all([primary.start(), replica.start()]);
      await replica.follow(primary);
      await primary.admin(`CREATE DATABASE ${database} CHARACTER SET utf8mb4 COLLATE utf8mb4_bin`);
      // Connections to the replica's database open at once: it must exist there first.
      await replica.caughtUp(primary);
      return { primaryUrl: primary.url(database), replicaUrl: replica.url(database) };
    },
    caughtUp: () => replica!.caughtUp(primary!),
    stopReplica: () => replica!.stopFast(),
    startReplica: () => replica!.start(),
    async destroy() {
      await replica?.destroy();
      await primary?.destroy();
    },
  };
}

describe('ReadReplicaRouter options', () => {
  it('refuses an unknown option, a missing connection name and primary = replica', () => {
    assert.throws(() => new ReadReplicaRouter({ primary: 'default', replica: 'replica', sticky: true } as never), {
      name: 'ConfigurationError',
      message: "ReadReplicaRouter: unknown option 'sticky'; the options are 'primary', 'replica', 'retryAfterMs', 'log'.",
    });
    assert.throws(() => new ReadReplicaRouter({ primary: 'default' } as never), {
      name: 'ConfigurationError',
      message: "ReadReplicaRouter: 'replica' must be the name of a configured connection, got undefined.",
    });
    assert.throws(() => new ReadReplicaRouter({ primary: 'a', replica: 'a' }), (error: unknown) => error instanceof ConfigurationError && /both 'a'/.test(error.message));
    assert.throws(() => new ReadReplicaRouter({ primary: 'a', replica: 'b', retryAfterMs: -1 }), /'retryAfterMs' must be a number of milliseconds ≥ 0, got -1/);
  });
});

const pairs = { postgres: ['PostgreSQL primary and streaming replica', postgresPair], mysql: ['MariaDB primary and replica', mariadbPair] } as const;

for (const backend of ['postgres', 'mysql'] as const) {
  if (!activeBackends().includes(backend)) continue;
  const [title, makePair] = pairs[backend];
  describe(`${title} behind ReadReplicaRouter`, () => {
    const pair = makePair();
    const PRIMARY_PORT = pair.primaryPort;
    const REPLICA_PORT = pair.replicaPort;
    const readPort = async (): Promise<number> => Number(((await Entry.raw(pair.portSql, [])) as Entry[])[0]!.id);
    const database = databaseName('replicas');
    const logged: string[] = [];
    let router: ReadReplicaRouter;

    before(async () => {
      const { primaryUrl, replicaUrl } = await pair.start(database);
      router = new ReadReplicaRouter({ primary: 'default', replica: 'replica', retryAfterMs: 500, log: (line) => logged.push(line) });
      await Terrapin.init({
        config: {
          connections: { default: `${primaryUrl}?connect_timeout=2`, replica: `${replicaUrl}?connect_timeout=2` },
          apps: { models: { models: [Entry], defaultConnection: 'default' } },
          routers: [router],
        },
      });
      await Terrapin.generateSchemas();
      await pair.caughtUp();
    });

    after(async () => {
      await Terrapin.close();
      await pair.destroy();
    });

    it('reads go to the replica; writes, selectForUpdate and transactions to the primary', async () => {
      assert.equal(await readPort(), REPLICA_PORT);
      const entry = await Entry.create({ label: 'routed' });
      await pair.caughtUp();
      assert.equal((await Entry.get({ id: entry.id })).label, 'routed');
      await inTransaction(async () => {
        assert.equal(await readPort(), PRIMARY_PORT, 'a read inside a transaction stays on the primary');
        const locked = await Entry.filter({ id: entry.id }).selectForUpdate().first();
        assert.equal(locked?.label, 'routed');
        await Entry.filter({ id: entry.id }).update({ label: 'locked and changed' });
      }, { connection: 'default' });
      // selectForUpdate outside a transaction is a write-routed query: the replica would refuse it.
      assert.equal((await Entry.filter({ id: entry.id }).selectForUpdate().first())?.id, entry.id);
    });

    it('within router.request(), reads after a write go to the primary and see it (read-your-writes)', async () => {
      for (let i = 0; i < 20; i++) {
        await router.request(async () => {
          assert.equal(await readPort(), REPLICA_PORT, 'before the request writes, it reads the replica');
          const entry = await Entry.create({ label: `ryw ${i}` });
          assert.equal(await readPort(), PRIMARY_PORT);
          assert.equal((await Entry.get({ id: entry.id })).label, `ryw ${i}`);
        });
      }
      // Outside that request, reads go to the replica again.
      assert.equal(await readPort(), REPLICA_PORT);
    });

    it('measured: replica lag seen by a read right after a write', async () => {
      let missed = 0;
      const lags: number[] = [];
      for (let i = 0; i < 30; i++) {
        const entry = await Entry.create({ label: `lag ${i}` });
        const written = performance.now();
        let first = true;
        while ((await Entry.getOrNone({ id: entry.id })) === null) {
          if (first) missed++;
          first = false;
          if (performance.now() - written > 10_000) assert.fail(`row ${entry.id} did not reach the replica within 10 s`);
        }
        lags.push(performance.now() - written);
      }
      lags.sort((a, b) => a - b);
      console.log(
        `${backend} replica lag: ${missed}/30 reads right after the write missed the row; it was readable on the replica after median ${lags[15]!.toFixed(1)} ms, max ${lags[29]!.toFixed(1)} ms`,
      );
      assert.ok(lags[29]! < 10_000);
    });

    it('a replica that is down: reads fall back to the primary with one log line, and go back to the replica once it answers', { timeout: 120_000 }, async () => {
      const entry = await Entry.create({ label: 'while down' });
      await pair.caughtUp();
      logged.length = 0;
      await pair.stopReplica();
      for (let i = 0; i < 10; i++) {
        assert.equal((await Entry.get({ id: entry.id })).label, 'while down');
        assert.equal(await readPort(), PRIMARY_PORT);
      }
      assert.equal(logged.length, 1, logged.join('\n'));
      console.log(`${backend} fallback log line: ${logged[0]}`);
      assert.match(logged[0]!, /^terrapin: a read of Entry on connection 'replica' failed \((PostgreSQL|MySQL): .*\); reads go to 'default' for 0\.5s, then 'replica' is tried again$/);
      await pair.startReplica();
      await pair.caughtUp();
      await sleep(600);
      assert.equal(await readPort(), REPLICA_PORT);
    });
  });
}
