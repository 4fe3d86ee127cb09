/**
 * PostgreSQL URLs with several hosts and target_session_attrs, as libpq takes them
 * (`postgres://a:5432,b:5433/app?target_session_attrs=read-write`), against a primary and a
 * streaming replica this file starts (pg_basebackup -R; ports 16100–16102, 16109 left closed):
 * a connection goes to the first host that accepts it and is what target_session_attrs asks for;
 * after the primary stops and the replica is promoted (pg_ctl promote), new transactions reach
 * the new primary in the same process, with every acknowledged row there.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ConfigurationError, DatabaseUnavailableError, Model, Terrapin, fields, inTransaction } from '../../src/index.js';
import { parseDbUrl } from '../../src/config/db-url.js';
import { activeBackends, databaseName } from '../support/backends.js';
import { FaultPostgres, sleep } from '../support/fault-servers.js';
import { PostgresReplica } from '../support/pg-replication.js';

const PRIMARY_PORT = 16100;
const REPLICA_PORT = 16101;
/** Nothing listens here: a host that refuses connections. */
const CLOSED_PORT = 16109;

class Ledger extends Model {
  id = fields.IntField({ pk: true });
  note = fields.CharField({ maxLength: 40 });
  static override meta = { table: 'multihost_ledger' };
}

const host = (port: number): string => `127.0.0.1:${port}`;

/** The port of the server that answers a plain query on the default connection. */
async function serverPort(): Promise<number> {
  const [[port]] = (await Terrapin.default.connection('default').rows('SELECT inet_server_port()', [])) as [[number]];
  return Number(port);
}

describe('multi-host URLs (parsing)', () => {
  it('reads the host list in order, with default ports; the first host is host and port', () => {
    const settings = parseDbUrl('postgres://app:pw@10.0.0.1:5433,db2,[::1]:6000/shop?target_session_attrs=read-write');
    assert.deepEqual(settings.hosts, [
      { host: '10.0.0.1', port: 5433 },
      { host: 'db2', port: 5432 },
      { host: '::1', port: 6000 },
    ]);
    assert.equal(settings.host, '10.0.0.1');
    assert.equal(settings.port, 5433);
    assert.equal(settings.user, 'app');
    assert.equal(settings.database, 'shop');
    assert.deepEqual(parseDbUrl('postgres://u@h:1/d').hosts, [{ host: 'h', port: 1 }]);
  });

  it('a bad port in the list is a ConfigurationError saying what to write; MySQL URLs take a host list too', () => {
    assert.throws(() => parseDbUrl('postgres://a:5432,b:99999/d'), {
      name: 'ConfigurationError',
      message: "connection 'default': 'b:99999' in the database URL 'postgres://a:5432,b:99999/d' is not host[:port] (a port is 1–65535).",
    });
    assert.deepEqual(parseDbUrl('mysql://root@a:3307,b/d').hosts, [
      { host: 'a', port: 3307 },
      { host: 'b', port: 3306 },
    ]);
  });

  it('an unknown target_session_attrs is a ConfigurationError at init naming the value and the choices', async () => {
    await assert.rejects(
      Terrapin.init({ dbUrl: 'postgres://postgres@127.0.0.1:5432,127.0.0.1:5433/x?target_session_attrs=writable', modules: { models: [Ledger] } }),
      (error: unknown) => {
        assert.ok(error instanceof ConfigurationError);
        assert.equal(error.message, "connection 'default': target_session_attrs=writable is not one of any, read-write, read-only, primary, standby, prefer-standby (libpq's values).");
        return true;
      },
    );
    await Terrapin.close();
  });
});

if (activeBackends().includes('postgres')) {
  describe('PostgreSQL primary and streaming replica: multiple hosts', () => {
    const database = databaseName('multihost');
    let primary: FaultPostgres;
    let replica: PostgresReplica;
    const url = (ports: number[], attrs?: string): string =>
      `postgres://postgres@${ports.map(host).join(',')}/${database}?connect_timeout=3${attrs === undefined ? '' : `&target_session_attrs=${attrs}`}`;
    const connectTo = async (ports: number[], attrs?: string): Promise<number> => {
      await Terrapin.init({ dbUrl: url(ports, attrs), modules: { models: [Ledger] } });
      try {
        return await serverPort();
      } finally {
        await Terrapin.close();
      }
    };

    before(async () => {
      primary = new FaultPostgres(PRIMARY_PORT);
      await primary.start();
      await primary.admin(`CREATE DATABASE ${database}`);
      await Terrapin.init({ dbUrl: primary.url(database), modules: { models: [Ledger] } });
      await Terrapin.generateSchemas();
      await Terrapin.close();
      replica = new PostgresReplica(REPLICA_PORT, primary);
      await replica.start();
      await replica.caughtUp(primary);
    });

    after(async () => {
      await Terrapin.close();
      await replica?.destroy();
      await primary?.destroy();
    });

    it('each target_session_attrs picks the server libpq would, whatever the order of the list', async () => {
      const both = [REPLICA_PORT, PRIMARY_PORT];
      assert.equal(await connectTo(both), REPLICA_PORT, 'no target_session_attrs: the first host');
      assert.equal(await connectTo(both, 'any'), REPLICA_PORT);
      assert.equal(await connectTo(both, 'read-write'), PRIMARY_PORT);
      assert.equal(await connectTo(both, 'primary'), PRIMARY_PORT);
      assert.equal(await connectTo([PRIMARY_PORT, REPLICA_PORT], 'read-only'), REPLICA_PORT);
      assert.equal(await connectTo([PRIMARY_PORT, REPLICA_PORT], 'standby'), REPLICA_PORT);
      assert.equal(await connectTo([PRIMARY_PORT, REPLICA_PORT], 'prefer-standby'), REPLICA_PORT);
      assert.equal(await connectTo([PRIMARY_PORT], 'prefer-standby'), PRIMARY_PORT, 'no standby listed: prefer-standby takes any');
    });

    it('a host that refuses connections is skipped for the next', async () => {
      assert.equal(await connectTo([CLOSED_PORT, PRIMARY_PORT], 'read-write'), PRIMARY_PORT);
      assert.equal(await connectTo([CLOSED_PORT, PRIMARY_PORT]), PRIMARY_PORT);
    });

    it('no suitable host: the error gives every host tried and why', async () => {
      await Terrapin.init({ dbUrl: url([CLOSED_PORT, PRIMARY_PORT], 'standby'), modules: { models: [Ledger] } });
      try {
        await assert.rejects(Ledger.all().count(), (error: unknown) => {
          assert.ok(error instanceof DatabaseUnavailableError, String(error));
          assert.match(error.message, /^PostgreSQL: no server fits target_session_attrs=standby \(127\.0\.0\.1:16109: connect ECONNREFUSED 127\.0\.0\.1:16109; 127\.0\.0\.1:16100: the server at 127\.0\.0\.1:16100 is a primary accepting writes, not standby\)/);
          return true;
        });
      } finally {
        await Terrapin.close();
      }
    });

    it('after the primary stops and the replica is promoted, new transactions reach the new primary without a restart', { timeout: 120_000 }, async () => {
      await Terrapin.init({ dbUrl: url([PRIMARY_PORT, REPLICA_PORT], 'read-write'), modules: { models: [Ledger] } });
      const acknowledged: number[] = [];
      for (let i = 0; i < 20; i++) acknowledged.push((await Ledger.create({ note: `before ${i}` })).id);
      assert.equal(await serverPort(), PRIMARY_PORT);

      // A clean switchover: a fast shutdown sends every WAL record to the standby before it ends.
      await primary.stopFast();
      await replica.promote();
      const promoted = performance.now();
      // The pool's connections to the old primary were closed by its shutdown; the next ones try
      // the hosts in order again, find 16100 refusing and 16101 writable.
      let firstWriteMs = -1;
      let failures = 0;
      for (let i = 0; i < 20; i++) {
        try {
          const row = await inTransaction(async () => {
            const created = await Ledger.create({ note: `after ${i}` });
            await Ledger.filter({ id: created.id }).selectForUpdate().first();
            return created;
          });
          if (firstWriteMs < 0) firstWriteMs = performance.now() - promoted;
          acknowledged.push(row.id);
        } catch (error) {
          // Only a statement already on its way to the old primary may fail; none is here.
          failures++;
          console.log(`after promote: ${(error as Error).message}`);
          await sleep(100);
        }
      }
      console.log(`failover: first write on the new primary ${firstWriteMs.toFixed(0)} ms after pg_ctl promote returned; ${failures} failed attempts`);
      assert.equal(failures, 0);
      assert.equal(await serverPort(), REPLICA_PORT);
      const ids = (await Ledger.all().orderBy('id').valuesList('id', { flat: true })) as number[];
      assert.deepEqual(ids, [...acknowledged].sort((a, b) => a - b), 'every acknowledged row, before and after the switch, is on the new primary');
      await Terrapin.close();
    });
  });
}
