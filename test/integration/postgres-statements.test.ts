/**
 * How the PostgreSQL client names, prepares and pipelines statements, against the server itself
 * (the PgBouncer suite has the pooler): statement names no other connection shares, `prepare=false`
 * (the unnamed statement, one plain statement in flight at a time), transaction control never
 * prepared, and answers that do not fit the request closing the connection instead of being read
 * as its rows. A message proxy (test/support/pg-message-proxy.ts) counts and alters the traffic.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { OperationalError, Terrapin } from '../../src/index.js';
import { WirePool } from '../../src/dialects/postgres/wire/pool.js';
import { activeBackends, freshDatabase, pgDirectUrl, pgWireOptions } from '../support/backends.js';
import { startMessageProxy, type MessageProxy } from '../support/pg-message-proxy.js';

const PROXY_PORT = Number(process.env.TERRAPIN_PG_PROXY_PORT ?? 16020);

if (activeBackends().includes('postgres')) {
  describe('postgres statements', () => {
    let url: URL;
    let proxy: MessageProxy;
    const instances: Terrapin[] = [];
    const open = async (query: string, through: 'server' | 'proxy' = 'server'): Promise<Terrapin> => {
      const target = new URL(url);
      if (through === 'proxy') target.port = String(PROXY_PORT);
      target.search = query;
      const terrapin = new Terrapin();
      instances.push(terrapin);
      return terrapin.init({ dbUrl: target.toString(), modules: { models: [] } });
    };

    before(async () => {
      url = new URL(pgDirectUrl(await freshDatabase('postgres', 'pg_statements')));
      proxy = await startMessageProxy({ host: url.hostname, port: Number(url.port || 5432) }, PROXY_PORT);
    });

    after(async () => {
      await Promise.all(instances.map((terrapin) => terrapin.close()));
      await proxy.close();
    });

    it('names statements with a random prefix per connection, so no two connections share a name', async () => {
      const pool = new WirePool({ ...pgWireOptions(url.toString()), max: 2, statementCacheSize: 100 });
      try {
        const connections = [await pool.reserve(), await pool.reserve()];
        const names: string[][] = [];
        for (const connection of connections) {
          await connection.query('SELECT $1::int', [1]);
          const { rows } = await connection.query("SELECT name FROM pg_prepared_statements WHERE statement LIKE 'SELECT $1%' ORDER BY name", []);
          names.push(rows.map((row) => row[0] as string));
        }
        for (const list of names) {
          assert.equal(list.length, 1);
          assert.match(list[0]!, /^tp[0-9a-f]{12}_\d+$/);
        }
        assert.notEqual(names[0]![0], names[1]![0]);
        for (const connection of connections) pool.release(connection);
      } finally {
        await pool.close();
      }
    });

    it('prepare=false: no named statement on the server, values read as usual, errors and transactions as usual', async () => {
      const terrapin = await open('?prepare=false&maxsize=1');
      const connection = terrapin.connection('default');
      const row = await connection.rows("SELECT $1::int, $2::bool, '2024-01-31T12:00:00Z'::timestamptz, '{\"a\": [1]}'::jsonb, 1.50::numeric, '\\x0102'::bytea, ARRAY['x','y']", [7, true]);
      assert.deepEqual(row, [[7, true, new Date('2024-01-31T12:00:00Z'), { a: [1] }, '1.50', Buffer.from([1, 2]), ['x', 'y']]]);
      await assert.rejects(connection.rows('SELECT 1/0', []), /^OperationalError: PostgreSQL: division by zero$/);
      assert.deepEqual(await connection.rows('SELECT 2', []), [[2]]);
      const seen = await terrapin.inTransaction(async (client) => {
        await client.write('CREATE TEMP TABLE unnamed_probe (n int)', []);
        await client.write('INSERT INTO unnamed_probe VALUES ($1)', [1]);
        await terrapin.inTransaction(async (inner) => {
          await inner.write('INSERT INTO unnamed_probe VALUES ($1)', [2]);
          throw new Error('undo the savepoint');
        }).catch(() => undefined);
        return client.rows('SELECT array_agg(n), (SELECT count(*)::int FROM pg_prepared_statements) FROM unnamed_probe', []);
      });
      assert.deepEqual(seen, [[[1], 0]], 'the savepoint was undone, and the session holds no prepared statement');
    });

    it('prepare=false sends one plain statement at a time per connection; the default pipelines them', async () => {
      for (const [query, pipelined] of [['?prepare=false&maxsize=2', false], ['?maxsize=2', true]] as const) {
        const terrapin = await open(query, 'proxy');
        const connection = terrapin.connection('default');
        await connection.rows('SELECT 1', []);
        proxy.resetCounts();
        const results = await Promise.all(Array.from({ length: 30 }, (_, i) => connection.rows('SELECT $1::int', [i])));
        assert.deepEqual(results.map((rows) => rows[0]![0]), Array.from({ length: 30 }, (_, i) => i));
        if (pipelined) assert.ok(proxy.maxOutstanding > 1, `pipelined: ${proxy.maxOutstanding}`);
        else assert.equal(proxy.maxOutstanding, 1);
        // Inside a transaction the session is the transaction's, and statements pipeline again.
        proxy.resetCounts();
        await terrapin.inTransaction(async (client) => {
          await Promise.all([client.rows('SELECT 1', []), client.rows('SELECT 2', []), client.rows('SELECT 3', [])]);
        });
        assert.ok(proxy.maxOutstanding > 1, `in a transaction: ${proxy.maxOutstanding}`);
        await terrapin.close();
      }
    });

    it('BEGIN, COMMIT, ROLLBACK and savepoints are never named statements, even with the default settings', async () => {
      const terrapin = await open('?maxsize=1');
      const statements = await terrapin.inTransaction(async (client) => {
        await terrapin.inTransaction(async () => undefined);
        await terrapin.inTransaction(async (inner) => {
          await inner.rows('SELECT 1', []);
        });
        return client.rows('SELECT statement FROM pg_prepared_statements ORDER BY statement', []);
      });
      const texts = statements.map((row) => row[0] as string);
      assert.ok(texts.includes('SELECT 1'), texts.join(' | '));
      assert.deepEqual(texts.filter((text) => /^(BEGIN|COMMIT|ROLLBACK|SAVEPOINT|RELEASE)/i.test(text)), []);
    });

    it('a named statement missing from the session fails inside a transaction with the setting to use', async () => {
      const terrapin = await open('?maxsize=1');
      const connection = terrapin.connection('default');
      await connection.rows('SELECT $1::int + 1', [1]);
      // As a transaction-mode pooler does: the statement this connection prepared is not in the session.
      await assert.rejects(
        terrapin.inTransaction(async (client) => {
          await client.write('DEALLOCATE ALL', []);
          await client.rows('SELECT $1::int + 1', [1]);
        }),
        (error: unknown) => {
          assert.ok(error instanceof OperationalError, String(error));
          assert.match(
            error.message,
            /^PostgreSQL: prepared statement "tp[0-9a-f]{12}_\d+" does not exist\. A connection pooler in transaction mode \(PgBouncer pool_mode=transaction\) sends each transaction to any server connection, where this connection's named statements do not exist; add prepare=false to the database URL \(statement_cache_size=0 means the same\)\.$/,
          );
          return true;
        },
      );
      // Outside a transaction it is prepared again and run once more, as before.
      await connection.write('DEALLOCATE ALL', []);
      assert.deepEqual(await connection.rows('SELECT $1::int + 1', [1]), [[2]]);
    });

    for (const [fate, what] of [
      ['drop', 'ReadyForQuery before the statement completed'],
      ['double', 'CommandComplete out of order'],
    ] as const) {
      it(`an answer out of step (a CommandComplete ${fate === 'drop' ? 'missing' : 'repeated'}) closes the connection instead of being read as the statement's`, async () => {
        const terrapin = await open('?maxsize=1', 'proxy');
        const connection = terrapin.connection('default');
        assert.deepEqual(await connection.rows('SELECT 1', []), [[1]]);
        let armed = true;
        proxy.serverFilter = (type) => {
          if (!armed || type !== 'C') return 'keep';
          armed = false;
          return fate;
        };
        try {
          await assert.rejects(connection.rows('SELECT $1::int', [5]), (error: unknown) => {
            assert.ok(error instanceof OperationalError, String(error));
            assert.equal(
              error.message,
              `PostgreSQL: the server's answer does not match the request sent (${what}), so it may be another session's: the connection was closed, and whether the statement ran is unknown. ` +
                'This happens behind a connection pooler in transaction mode (PgBouncer pool_mode=transaction); add prepare=false to the database URL there.',
            );
            return true;
          });
        } finally {
          proxy.serverFilter = undefined;
        }
        assert.deepEqual(await connection.rows('SELECT $1::int', [6]), [[6]], 'the next statement runs on a fresh connection');
      });
    }
  });
}
