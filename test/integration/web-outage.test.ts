/**
 * Outages in the web layer (issue 17: "every database outage answers 500 and the cause is logged
 * nowhere"): behind Fastify, Hono and Express, a database that is stopped, frozen (SIGSTOP, with
 * query_timeout) or lost while COMMIT is unanswered makes the error handler answer 503 with a
 * FastAPI-shaped `detail`, and the error is logged. Once the server is back the same apps answer
 * 200 without a restart. The servers are this test's own (fault-servers.ts), on ports 17220
 * (PostgreSQL) and 17320 (MariaDB); SQLite has no server to lose.
 */
import assert from 'node:assert/strict';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import express from 'express';
import Fastify from 'fastify';
import { Hono } from 'hono';
import { serve } from '@hono/node-server';
import { CommitOutcomeUnknownError, DatabaseUnavailableError, Model, QueryTimeoutError, Terrapin, fields } from '../../src/index.js';
import * as expressTerrapin from '../../src/integrations/express.js';
import * as fastifyTerrapin from '../../src/integrations/fastify.js';
import * as honoTerrapin from '../../src/integrations/hono.js';
import { activeBackends } from '../support/backends.js';
import { FaultMariadb, FaultPostgres, sleep } from '../support/fault-servers.js';
import { call } from '../fixtures/web.js';

/** One model class per app (a class belongs to one Terrapin instance); all three share the table. */
function outageModel() {
  return class OutageRow extends Model {
    id = fields.IntField({ pk: true });
    label = fields.CharField({ maxLength: 40 });
    static override meta = { table: 'outage_row' };
  };
}
type RowModel = ReturnType<typeof outageModel>;

interface RunningApp {
  readonly framework: 'fastify' | 'hono' | 'express';
  readonly url: string;
  /** What the framework logged for failed requests: errors (Hono, Express) or log lines (Fastify). */
  readonly logged: unknown[];
  close(): Promise<void>;
}

/**
 * Routes every framework gets: GET /count reads, POST /write inserts in the request's transaction
 * and calls `beforeCommit` (the test freezes the server there, so COMMIT goes to a server that
 * reads nothing).
 */
interface Routes {
  count(Row: RowModel): Promise<unknown>;
  write(Row: RowModel, label: string): Promise<unknown>;
}

function routes(beforeCommit: () => void): Routes {
  return {
    count: async (Row) => ({ count: await Row.all().count() }),
    write: async (Row, label) => {
      const row = await Row.create({ label });
      beforeCommit();
      return { id: row.id };
    },
  };
}

async function startFastify(dbUrl: string, r: Routes): Promise<RunningApp> {
  const terrapin = new Terrapin();
  const Row = outageModel();
  const logged: unknown[] = [];
  const app = Fastify({ logger: { level: 'error', stream: { write: (line: string) => void logged.push(line) } } });
  await fastifyTerrapin.registerTerrapin(app, { dbUrl, modules: { models: [Row] } }, { terrapin, generateSchemas: true });
  app.get('/count', () => r.count(Row));
  app.post('/write', { config: { transaction: true } }, () => r.write(Row, 'fastify'));
  await app.listen({ port: 0, host: '127.0.0.1' });
  return { framework: 'fastify', url: `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`, logged, close: () => app.close() };
}

async function startHono(dbUrl: string, r: Routes): Promise<RunningApp> {
  const terrapin = new Terrapin();
  const Row = outageModel();
  const logged: unknown[] = [];
  const app = new Hono();
  const orm = await honoTerrapin.registerTerrapin(app, { dbUrl, modules: { models: [Row] } }, { terrapin, generateSchemas: true, logError: (error) => void logged.push(error) });
  app.get('/count', async (c) => c.json(await r.count(Row)));
  app.post('/write', honoTerrapin.transactional({ terrapin }), async (c) => c.json(await r.write(Row, 'hono')));
  const server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' });
  await once(server, 'listening');
  return {
    framework: 'hono',
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    logged,
    close: async () => {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await orm.close();
    },
  };
}

async function startExpress(dbUrl: string, r: Routes): Promise<RunningApp> {
  const terrapin = new Terrapin();
  const Row = outageModel();
  const logged: unknown[] = [];
  const logError = (error: unknown) => void logged.push(error);
  const app = express();
  const orm = await expressTerrapin.registerTerrapin(app, { dbUrl, modules: { models: [Row] } }, { terrapin, generateSchemas: true, logError });
  app.get('/count', expressTerrapin.asyncHandler(async (_req, res) => res.json(await r.count(Row))));
  app.post('/write', expressTerrapin.transactional({ terrapin, logError }), expressTerrapin.asyncHandler(async (_req, res) => res.json(await r.write(Row, 'express'))));
  const server = app.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    framework: 'express',
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    logged,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await orm.close();
    },
  };
}

/** Asserts the app logged an error of `type` (Fastify logs JSON lines with `err.type`). */
function assertLogged(app: RunningApp, type: typeof DatabaseUnavailableError, before: number): void {
  const fresh = app.logged.slice(before);
  const found = fresh.some((item) =>
    typeof item === 'string' ? (JSON.parse(item) as { err?: { type?: string } }).err?.type === type.name : item instanceof type && item.constructor === type,
  );
  assert.ok(found, `${app.framework} logged a ${type.name}; it logged: ${fresh.map(String).join(' | ') || 'nothing'}`);
}

const SERVERS = {
  postgres: { port: 17220, make: (port: number) => new FaultPostgres(port), create: 'CREATE DATABASE outage' },
  mysql: { port: 17320, make: (port: number) => new FaultMariadb(port), create: 'CREATE DATABASE outage CHARACTER SET utf8mb4' },
} as const;

for (const backend of ['postgres', 'mysql'] as const) {
  if (!activeBackends().includes(backend)) continue;
  describe(`${backend}: outages answer 503 with a detail behind Fastify, Hono and Express`, () => {
    const { port, make, create } = SERVERS[backend];
    const server = make(port);
    let freezeBeforeCommit = false;
    const appRoutes = routes(() => {
      if (freezeBeforeCommit) server.freeze();
    });
    let apps: RunningApp[] = [];

    before(async () => {
      await server.start();
      await server.admin(create);
      const dbUrl = `${server.url('outage')}?query_timeout=1&connect_timeout=2&maxsize=3`;
      apps = [await startFastify(dbUrl, appRoutes), await startHono(dbUrl, appRoutes), await startExpress(dbUrl, appRoutes)];
    });
    after(async () => {
      server.thaw();
      for (const app of apps) await app.close();
      await server.destroy();
    });

    it('the database stopped: 503 "cannot be reached", logged; the same apps answer 200 once it is back', async () => {
      for (const app of apps) assert.equal((await call(`${app.url}/count`)).status, 200, app.framework);
      await server.stopFast();
      try {
        for (const app of apps) {
          for (const [method, path] of [['GET', '/count'], ['POST', '/write']] as const) {
            const before = app.logged.length;
            const response = await call(`${app.url}${path}`, { method });
            assert.equal(response.status, 503, `${app.framework} ${method} ${path}: ${JSON.stringify(response.body)}`);
            assert.deepEqual(response.body, { detail: 'Service Unavailable: the database cannot be reached; try again later' }, app.framework);
            assertLogged(app, DatabaseUnavailableError, before);
          }
        }
      } finally {
        await server.start();
      }
      for (const app of apps) {
        const response = await call(`${app.url}/count`);
        assert.equal(response.status, 200, `${app.framework} after the restart: ${JSON.stringify(response.body)}`);
      }
    });

    it('the database frozen past query_timeout: 503 "did not answer in time", logged, within about a second', async () => {
      const before = apps.map((app) => app.logged.length);
      server.freeze();
      const started = Date.now();
      let responses;
      try {
        responses = await Promise.all(apps.map((app) => call(`${app.url}/count`)));
      } finally {
        server.thaw();
      }
      const took = Date.now() - started;
      apps.forEach((app, i) => {
        assert.equal(responses[i]!.status, 503, `${app.framework}: ${JSON.stringify(responses[i]!.body)}`);
        assert.deepEqual(responses[i]!.body, { detail: 'Service Unavailable: the database did not answer in time; try again later' });
        assertLogged(app, QueryTimeoutError, before[i]!);
      });
      assert.ok(took < 4000, `answered within the timeout, not held while frozen (${took} ms)`);
      for (const app of apps) assert.equal((await call(`${app.url}/count`)).status, 200, `${app.framework} after the thaw`);
    });

    it('COMMIT unanswered: 503 saying the change may or may not have been saved, logged', async () => {
      for (const app of apps) {
        const before = app.logged.length;
        freezeBeforeCommit = true;
        let response;
        try {
          response = await call(`${app.url}/write`, { method: 'POST' });
        } finally {
          freezeBeforeCommit = false;
          server.thaw();
        }
        assert.equal(response.status, 503, `${app.framework}: ${JSON.stringify(response.body)}`);
        assert.deepEqual(response.body, {
          detail: 'Service Unavailable: the database connection was lost while committing; the change may or may not have been saved, check before sending it again',
        });
        assertLogged(app, CommitOutcomeUnknownError, before);
        // The server may still read the COMMIT from its socket once thawed; either way, at most one row.
        await sleep(100);
        assert.equal((await call(`${app.url}/count`)).status, 200, `${app.framework} after the thaw`);
      }
    });
  });
}
