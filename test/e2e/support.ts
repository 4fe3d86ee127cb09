/**
 * The example API (examples/app) served for real on a loopback port, on a fresh database per
 * suite and backend. Unlike forEachBackend, the app initialises Terrapin itself (its plugin
 * calls Terrapin.init and generateSchemas), exactly as `npm start` does; `app.close()` closes it.
 */
import assert from 'node:assert/strict';
import { after, before, describe } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../examples/app/app.js';
import { activeBackends, freshDatabase, type BackendName } from '../support/backends.js';

export interface RunningApp {
  readonly backend: BackendName;
  /** The database URL the app was built with. */
  dbUrl: string;
  /** `http://127.0.0.1:<port>`. */
  base: string;
  app: FastifyInstance;
}

/** Builds the example app on `dbUrl` and listens on 127.0.0.1, on a free port. */
export async function serveApp(dbUrl: string): Promise<{ app: FastifyInstance; base: string }> {
  const app = await buildApp({ dbUrl, logRequests: false });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const address = app.server.address();
  assert.ok(address !== null && typeof address === 'object', 'the app should listen on a TCP port');
  return { app, base: `http://127.0.0.1:${address.port}` };
}

/**
 * Declares `fn`'s tests once per active backend (or only `backends`), inside describe(backend),
 * with the example app serving a fresh database of the suite's own name (TEST_DB_PREFIX + suite).
 */
export function forEachBackendApp(suite: string, fn: (running: RunningApp) => void, backends: BackendName[] = activeBackends()): void {
  for (const backend of backends) {
    describe(backend, () => {
      const running = { backend, dbUrl: '', base: '' } as RunningApp;
      before(async () => {
        running.dbUrl = await freshDatabase(backend, suite);
        const served = await serveApp(running.dbUrl);
        running.app = served.app;
        running.base = served.base;
      });
      after(async () => {
        await running.app?.close();
      });
      fn(running);
    });
  }
}

export interface Reply {
  status: number;
  /** Parsed JSON, the text when the response is not JSON, undefined when empty. */
  body: unknown;
  type: string;
}

/** One HTTP request with an optional JSON body; the method defaults to GET, or POST with a body. */
export async function request(base: string, path: string, init: { method?: string; body?: unknown; rawBody?: string } = {}): Promise<Reply> {
  const hasBody = init.body !== undefined || init.rawBody !== undefined;
  const response = await fetch(`${base}${path}`, {
    method: init.method ?? (hasBody ? 'POST' : 'GET'),
    headers: hasBody ? { 'content-type': 'application/json' } : {},
    ...(hasBody ? { body: init.rawBody ?? JSON.stringify(init.body) } : {}),
  });
  const type = response.headers.get('content-type') ?? '';
  const text = await response.text();
  return { status: response.status, body: text === '' ? undefined : type.includes('json') ? JSON.parse(text) : text, type };
}
