/**
 * query_timeout against a frozen server: a PostgreSQL cluster and a MariaDB server this test starts
 * on its own ports (17010, 17110) and SIGSTOPs. Every statement waiting on the frozen server fails
 * with QueryTimeoutError after query_timeout, the connection it was on is closed (its state is
 * unknown) and never reused, a COMMIT that timed out is CommitOutcomeUnknownError, and once the server
 * runs again the next statements succeed on fresh connections. PostgreSQL's own statement_timeout
 * passes through the URL. SQLite refuses query_timeout (nothing can stop its statements).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  CommitOutcomeUnknownError,
  ConfigurationError,
  DatabaseUnavailableError,
  Model,
  OperationalError,
  QueryTimeoutError,
  Terrapin,
  fields,
  parseDbUrl,
} from '../../src/index.js';
import { FaultMariadb, FaultPostgres, sleep } from '../support/fault-servers.js';
import { activeBackends } from '../support/backends.js';

class Probe extends Model {
  id = fields.IntField({ pk: true });
  label = fields.CharField({ maxLength: 40 });
  static override meta = { table: 'timeout_probe' };
}

const SERVERS = {
  postgres: { port: 17010, make: (port: number) => new FaultPostgres(port), pid: 'SELECT pg_backend_pid()' },
  mysql: { port: 17110, make: (port: number) => new FaultMariadb(port), pid: 'SELECT CONNECTION_ID()' },
} as const;

/** The reason `promise` rejects with, or a failure if it settles otherwise or not within `ms`. */
async function rejection(promise: Promise<unknown>, ms: number): Promise<unknown> {
  const outcome = await Promise.race([
    promise.then(
      () => ({ kind: 'resolved' as const }),
      (error: unknown) => ({ kind: 'rejected' as const, error }),
    ),
    sleep(ms).then(() => ({ kind: 'pending' as const })),
  ]);
  if (outcome.kind !== 'rejected') assert.fail(`expected a rejection within ${ms} ms, but it ${outcome.kind === 'pending' ? 'was still pending' : 'resolved'}`);
  return outcome.error;
}

for (const backend of ['postgres', 'mysql'] as const) {
  if (!activeBackends().includes(backend)) continue;
  describe(`${backend}: query_timeout with a frozen server`, () => {
    const { port, make, pid } = SERVERS[backend];
    const server = make(port);
    const terrapin = new Terrapin();
    let url: string;

    before(async () => {
      await server.start();
      await server.admin(backend === 'postgres' ? 'CREATE DATABASE probe' : 'CREATE DATABASE probe CHARACTER SET utf8mb4');
      url = server.url('probe');
      await terrapin.init({ dbUrl: `${url}?query_timeout=1&connect_timeout=2&maxsize=4`, modules: { models: [Probe] } });
      await terrapin.generateSchemas();
    });
    after(async () => {
      server.thaw();
      await terrapin.close();
      await server.destroy();
    });

    /** The server-side id of the session a plain query runs on. */
    const sessionOf = async () => Number((await terrapin.connection('default').rows(pid, []))[0]![0]);

    it('every statement waiting on the frozen server fails with QueryTimeoutError after query_timeout; the server running again serves fresh connections', async () => {
      await Probe.create({ label: 'before' });
      // Four open connections (the pool's maxsize), so that every statement below goes out on one.
      await Promise.all([1, 2, 3, 4].map(() => sessionOf()));
      const before = await sessionOf();
      server.freeze();
      const started = Date.now();
      let errors: unknown[];
      try {
        const waiting = [Probe.all().count(), Probe.create({ label: 'frozen' }), terrapin.inTransaction(async () => Probe.create({ label: 'frozen-tx' }))];
        errors = await Promise.all(waiting.map((p) => rejection(p, 4000)));
      } finally {
        server.thaw();
      }
      const took = Date.now() - started;
      for (const error of errors) {
        assert.ok(error instanceof QueryTimeoutError, String(error));
        assert.ok(error instanceof DatabaseUnavailableError && error instanceof OperationalError);
        assert.match((error as Error).message, new RegExp(`^(PostgreSQL|MySQL): no answer from 127\\.0\\.0\\.1:${port} within 1s \\(query_timeout\\), so the connection was closed$`));
      }
      assert.ok(took >= 900 && took < 3000, `they failed after about a second (${took} ms)`);
      // The timed-out connections are gone: the next statements run on new sessions.
      assert.equal(await Probe.filter({ label: 'before' }).count(), 1);
      assert.notEqual(await sessionOf(), before, 'a connection whose statement timed out is never used again');
    });

    it('a COMMIT that gets no answer within query_timeout is CommitOutcomeUnknownError, never a plain failure', async () => {
      let error: unknown;
      try {
        error = await rejection(
          terrapin.inTransaction(async () => {
            await Probe.create({ label: 'commit-frozen' });
            server.freeze(); // COMMIT goes out next, to a server that reads nothing
          }),
          4000,
        );
      } finally {
        server.thaw();
      }
      assert.ok(error instanceof CommitOutcomeUnknownError, String(error));
      assert.ok(error instanceof DatabaseUnavailableError);
      assert.match(
        (error as Error).message,
        /^(PostgreSQL|MySQL): the connection was lost \(no answer from .* within 1s \(query_timeout\), so the connection was closed\) after COMMIT was sent and before the server answered it, so the transaction may or may not have been committed\. Check whether its writes are there before doing them again\.$/,
      );
      // Either outcome is possible (the server may read the COMMIT from its socket once thawed): the
      // point is that nobody was told it failed. The row is there at most once.
      await sleep(200);
      assert.ok((await Probe.filter({ label: 'commit-frozen' }).count()) <= 1);
    });

    it('without query_timeout a statement waits for a frozen server (the default), and completes once it runs again', async () => {
      const patient = new Terrapin();
      class Patient extends Model {
        id = fields.IntField({ pk: true });
        label = fields.CharField({ maxLength: 40 });
        static override meta = { table: 'timeout_probe' };
      }
      await patient.init({ dbUrl: url, modules: { models: [Patient] } });
      try {
        await Patient.all().count();
        server.freeze();
        const pending = Patient.all().count();
        const early = await Promise.race([pending.then(() => 'settled', () => 'settled'), sleep(1500).then(() => 'pending')]);
        server.thaw();
        assert.equal(early, 'pending');
        assert.equal(typeof (await pending), 'number');
      } finally {
        server.thaw();
        await patient.close();
      }
    });

    it('a new connection to the frozen server fails at connect_timeout with DatabaseUnavailableError', async () => {
      const fresh = new Terrapin();
      await fresh.init({ dbUrl: `${url}?connect_timeout=1&query_timeout=2`, modules: {} });
      const handle = fresh.connection('default');
      await handle.rows('SELECT 1', []); // one open connection
      server.freeze();
      try {
        const started = Date.now();
        // The first goes out on the open connection; the second finds it busy and opens another.
        const [onOpen, onNew] = [handle.rows('SELECT 2', []), handle.rows('SELECT 3', [])];
        const error = await rejection(onNew, 3000);
        assert.ok(error instanceof DatabaseUnavailableError && !(error instanceof QueryTimeoutError), String(error));
        assert.match((error as Error).message, new RegExp(`^(PostgreSQL|MySQL): connecting to 127\\.0\\.0\\.1:${port} timed out after 1s$`));
        assert.ok(Date.now() - started < 1800);
        assert.ok((await rejection(onOpen, 3000)) instanceof QueryTimeoutError);
      } finally {
        server.thaw();
        await fresh.close();
      }
    });

    if (backend === 'postgres') {
      it("PostgreSQL's statement_timeout passes through the URL: the server cancels the statement (57014, QueryTimeoutError) and the connection stays usable", async () => {
        const bounded = new Terrapin();
        await bounded.init({ dbUrl: `${url}?statement_timeout=200&maxsize=1`, modules: {} });
        try {
          const handle = bounded.connection('default');
          const session = Number((await handle.rows('SELECT pg_backend_pid()', []))[0]![0]);
          const started = Date.now();
          const error = await rejection(handle.rows('SELECT pg_sleep(3)', []), 2500);
          assert.ok(error instanceof QueryTimeoutError, String(error));
          assert.equal(((error as Error).cause as { code?: string }).code, '57014');
          assert.equal((error as Error).message, 'PostgreSQL: canceling statement due to statement timeout');
          assert.ok(Date.now() - started < 1500);
          assert.equal(Number((await handle.rows('SELECT pg_backend_pid()', []))[0]![0]), session, 'the same connection goes on');
        } finally {
          await bounded.close();
        }
      });
    }
  });
}

describe('query_timeout settings', () => {
  it('is read from the URL in seconds (default 0: no limit)', () => {
    assert.equal(parseDbUrl('postgres://u@h/db?query_timeout=2.5').pool.queryTimeout, 2.5);
    assert.equal(parseDbUrl('mysql://u@h/db').pool.queryTimeout, 0);
    assert.equal(parseDbUrl('postgres://u@h/db?query_timeout=5').options.query_timeout, undefined, 'not sent to the server as a setting');
  });

  it('a bad value is a ConfigurationError', () => {
    assert.throws(() => parseDbUrl('postgres://u@h/db?query_timeout=soon'), (e: unknown) => e instanceof ConfigurationError && /'query_timeout' must be a non-negative number, got 'soon'/.test(e.message));
  });

  it('SQLite refuses it: nothing can stop its statements', () => {
    assert.throws(
      () => parseDbUrl('sqlite://:memory:?query_timeout=1'),
      (e: unknown) =>
        e instanceof ConfigurationError &&
        e.message === "connection 'default': SQLite cannot apply query_timeout (its statements run inside this process and cannot be stopped from outside); drop it, and use busy_timeout (milliseconds) to bound waits for another process's lock.",
    );
  });
});
