/**
 * PostgreSQL behind PgBouncer (Debian's `pgbouncer`), started here on ports of the test's own, in
 * transaction and session pooling mode, under a concurrent mixed workload that checks every
 * answer (test/support/mixed-workload.ts): creates, reads, counts, updates, deletes and
 * transactions with savepoints and selectForUpdate, from more client connections than PgBouncer
 * has server connections.
 *
 * In transaction mode, named prepared statements outlive the server connection they were prepared
 * on. With `prepare=false` Terrapin needs nothing a session keeps between transactions and the
 * workload runs without an error; with the default settings statements fail with an error that
 * names the setting — never by running another client's statement (PgBouncer 1.18 before
 * Terrapin's per-connection statement names: rows deleted that nothing touched, wrong rows read).
 *
 * Ports: TERRAPIN_PGBOUNCER_PORT (default 16010) and the next two.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import postgres from 'postgres';
import { OperationalError, Terrapin } from '../../src/index.js';
import { PG_ADMIN_URL, activeBackends, databaseName, freshDatabase } from '../support/backends.js';
import { describeReport, runWorkload, WorkItem, type WorkloadReport } from '../support/mixed-workload.js';
import { pgbouncerMissing, startPgbouncer, type Pgbouncer } from '../support/pgbouncer.js';

const BASE_PORT = Number(process.env.TERRAPIN_PGBOUNCER_PORT ?? 16010);
const SUITE = 'pgbouncer';
const required = process.env.TERRAPIN_REQUIRE_ALL_BACKENDS === '1';
const skip = pgbouncerMissing !== undefined && !required ? pgbouncerMissing : undefined;
if (skip !== undefined && activeBackends().includes('postgres')) console.log(`skipping the PgBouncer tests: ${skip}`);

/** Server connections PgBouncer keeps per database: fewer than the application's pool, so clients share them. */
const POOL = 4;
const APP_POOL = 12;
const WORKERS = 16;
const SECONDS = 4;

async function workload(url: string): Promise<{ report: WorkloadReport; seconds: number }> {
  await Terrapin.init({ dbUrl: url, modules: { models: [WorkItem] } });
  await Terrapin.generateSchemas({ safe: true });
  const started = performance.now();
  try {
    const report = await runWorkload({ workers: WORKERS, durationMs: SECONDS * 1000 });
    return { report, seconds: (performance.now() - started) / 1000 };
  } finally {
    await Terrapin.close();
  }
}

if (activeBackends().includes('postgres')) {
  describe('PgBouncer', { ...(skip === undefined ? {} : { skip }) }, () => {
    const database = databaseName(SUITE);
    let transaction: Pgbouncer;
    let session: Pgbouncer;
    let tiny: Pgbouncer;

    before(async () => {
      if (pgbouncerMissing !== undefined) assert.fail(`${pgbouncerMissing}; the PgBouncer tests are required in CI (TERRAPIN_REQUIRE_ALL_BACKENDS=1)`);
      await freshDatabase('postgres', SUITE);
      [transaction, session, tiny] = await Promise.all([
        startPgbouncer({ port: BASE_PORT, mode: 'transaction', server: PG_ADMIN_URL, poolSize: POOL }),
        startPgbouncer({ port: BASE_PORT + 1, mode: 'session', server: PG_ADMIN_URL, poolSize: APP_POOL }),
        // A session-mode pool smaller than the application's, which gives up on a waiting client after 2 s.
        startPgbouncer({ port: BASE_PORT + 2, mode: 'session', server: PG_ADMIN_URL, poolSize: 2, queryWaitTimeout: 2 }),
      ]);
    });

    after(async () => {
      await Terrapin.close();
      await Promise.all([transaction, session, tiny].map((pooler) => pooler?.stop()));
    });

    it('transaction mode with prepare=false: a mixed concurrent workload runs without an error, every answer right', { timeout: 60_000 }, async () => {
      const { report, seconds } = await workload(transaction.url(database, `?prepare=false&maxsize=${APP_POOL}`));
      console.log(describeReport(`transaction mode, prepare=false, ${WORKERS} workers, ${APP_POOL} client connections, ${POOL} server connections`, report, seconds));
      assert.deepEqual(report.wrongReads, []);
      assert.deepEqual(report.mismatches, []);
      assert.deepEqual([...report.errors], []);
      assert.ok(report.ops > 200, `only ${report.ops} operations ran`);
    });

    it("statement_cache_size=0 (asyncpg's name) means the same", { timeout: 60_000 }, async () => {
      const { report } = await workload(transaction.url(database, '?statement_cache_size=0&maxsize=6'));
      assert.deepEqual([report.wrongReads, report.mismatches, [...report.errors]], [[], [], []]);
    });

    it('transaction mode with the default settings: statements fail with an error naming prepare=false, none runs as another', { timeout: 60_000 }, async () => {
      const { report, seconds } = await workload(transaction.url(database, `?maxsize=${APP_POOL}`));
      console.log(describeReport('transaction mode, default settings (named statements)', report, seconds));
      // What matters: no answer crossed over, nothing acknowledged went missing, nothing failed came through.
      assert.deepEqual(report.wrongReads, []);
      assert.deepEqual(report.mismatches, []);
      assert.ok(report.errors.size > 0, 'named statements do fail behind a transaction-mode pooler');
      for (const key of report.errors.keys()) {
        assert.match(key, /OperationalError: PostgreSQL: prepared statement "tpX_N" does not exist\. A connection pooler in transaction mode \(PgBouncer pool_mode=transaction\) .* add prepare=false to the database URL/);
      }
    });

    it('session mode with the default settings: the workload runs without an error', { timeout: 60_000 }, async () => {
      const { report, seconds } = await workload(session.url(database, `?maxsize=${APP_POOL}`));
      console.log(describeReport(`session mode, default settings, pool ${APP_POOL} = maxsize`, report, seconds));
      assert.deepEqual([report.wrongReads, report.mismatches, [...report.errors]], [[], [], []]);
    });

    it('TimeZone stays UTC on every server connection, whatever another client of the pooler set', { timeout: 30_000 }, async () => {
      // A client that wants Tokyo time shares the server connections (PgBouncer sets TimeZone per client).
      const tokyo = postgres(transaction.url(database), { max: 2, prepare: false, connection: { TimeZone: 'Asia/Tokyo', application_name: `${databaseName('tokyo')}` }, onnotice: () => {} });
      await Terrapin.init({ dbUrl: transaction.url(database, '?prepare=false&maxsize=3'), modules: { models: [WorkItem] } });
      try {
        const connection = Terrapin.default.connection('default');
        for (let round = 0; round < 20; round++) {
          const [theirs, ours] = await Promise.all([tokyo`SHOW TimeZone`, connection.rows('SHOW TimeZone', [])]);
          assert.equal(theirs[0]!.TimeZone, 'Asia/Tokyo');
          assert.deepEqual(ours, [['UTC']]);
          const [[instant]] = (await connection.rows("SELECT '2024-01-31 12:00:00'::timestamptz", [])) as [[Date]];
          assert.equal(instant.toISOString(), '2024-01-31T12:00:00.000Z');
        }
      } finally {
        await Terrapin.close();
        await tokyo.end();
      }
    });

    it('a server setting in the URL, which PgBouncer refuses at start-up, fails with what to do instead', async () => {
      await Terrapin.init({ dbUrl: transaction.url(database, '?prepare=false&search_path=public'), modules: { models: [] } });
      try {
        await assert.rejects(Terrapin.default.connection('default').rows('SELECT 1', []), (error: unknown) => {
          assert.ok(error instanceof OperationalError, String(error));
          assert.match(error.message, /^PostgreSQL: unsupported startup parameter: search_path\. PgBouncer passes on only client_encoding, DateStyle, TimeZone, standard_conforming_strings and application_name .*ALTER ROLE … SET or ALTER DATABASE … SET.*ignore_startup_parameters\.$/);
          return true;
        });
      } finally {
        await Terrapin.close();
      }
    });

    it("session mode with a pool smaller than the application's: the waiting client gets PgBouncer's query_wait_timeout, with the settings to change", { timeout: 30_000 }, async () => {
      await Terrapin.init({ dbUrl: tiny.url(database, '?maxsize=4'), modules: { models: [] } });
      try {
        const connection = Terrapin.default.connection('default');
        // Four connections at once: two get the pooler's two server connections and keep them.
        const started = performance.now();
        const results = await Promise.allSettled([0, 1, 2, 3].map(() => connection.rows('SELECT pg_sleep(0.3)', [])));
        const seconds = (performance.now() - started) / 1000;
        const failed = results.filter((result) => result.status === 'rejected');
        console.log(`session mode, pool 2 < maxsize 4: ${results.length - failed.length} ran, ${failed.length} failed after ${seconds.toFixed(1)} s`);
        assert.equal(failed.length, 2);
        for (const result of failed) {
          const error = (result as PromiseRejectedResult).reason as Error;
          assert.ok(error instanceof OperationalError, String(error));
          assert.match(error.message, /^PostgreSQL: query_wait_timeout\. PgBouncer found no free server connection .*In pool_mode=session every Terrapin connection holds a server connection .*keep the sum of every process's maxsize within the pool size/);
        }
        assert.ok(seconds >= 1.9 && seconds < 6, `failed after PgBouncer's 2 s query_wait_timeout (${seconds.toFixed(1)} s)`);
      } finally {
        await Terrapin.close();
      }
    });
  });
}
