import assert from 'node:assert/strict';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { it } from 'node:test';
import { Hono } from 'hono';
import { HTTPException } from 'hono/http-exception';
import { serve } from '@hono/node-server';
import { ConfigurationError, IntegrityError, SchemaValidationError, Terrapin, TransactionClient, ValidationError } from '../../src/index.js';
import { registerTerrapin, transactional, type TerrapinHandle, type TransactionVariables } from '../../src/integrations/hono.js';
import { forEachBackend, type BackendContext } from '../support/backends.js';
import { assertNoSessions, assertSessions, call, sleep, WebEntry, WebItem, webModels } from '../fixtures/web.js';

const SUITE = 'web_hono';
const JSON_TYPE = 'application/json';

interface Running {
  url: string;
  orm: TerrapinHandle;
  logged: unknown[];
  close(): Promise<void>;
}

async function start(ctx: BackendContext, routes: (app: Hono) => void): Promise<Running> {
  const app = new Hono();
  const logged: unknown[] = [];
  const orm = await registerTerrapin(app, { dbUrl: ctx.url, modules: { models: webModels } }, {
    generateSchemas: true,
    logError: (error) => void logged.push(error),
  });
  await WebItem.all().delete();
  await WebEntry.all().delete();
  routes(app);
  const server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' });
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    orm,
    logged,
    close: async () => {
      await new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve())));
      await orm.close();
    },
  };
}

async function withApp(ctx: BackendContext, routes: (app: Hono) => void, fn: (running: Running) => Promise<void>): Promise<void> {
  const running = await start(ctx, routes);
  try {
    await fn(running);
  } finally {
    await running.close();
  }
}

forEachBackend(SUITE, webModels, (ctx) => {
  it('registerTerrapin initialises; close() closes every connection, again and again', async () => {
    for (let round = 0; round < 3; round++) {
      const running = await start(ctx, (app) => {
        app.post('/items', async (c) => c.json(await WebItem.create({ name: ((await c.req.json()) as { name: string }).name })));
        app.get('/items/count', async (c) => c.json({ count: await WebItem.all().count() }));
      });
      assert.equal(running.orm.terrapin, Terrapin.default);
      assert.equal((await call(`${running.url}/items`, { body: { name: `round ${round}` } })).status, 200);
      assert.deepEqual((await call(`${running.url}/items/count`)).body, { count: 1 });
      await assertSessions(ctx.backend, SUITE);
      await running.close();
      await assert.rejects(WebItem.all().count(), (error: unknown) => error instanceof ConfigurationError && /Terrapin was closed/.test(error.message));
      await assertNoSessions(ctx.backend, SUITE);
    }
  });

  it('maps Terrapin errors to FastAPI-shaped responses; anything else is a bare, logged 500', async () => {
    await withApp(
      ctx,
      (app) => {
        app.get('/items/:id', async (c) => c.json(await WebItem.get({ id: Number(c.req.param('id')) })));
        app.post('/items', async (c) => c.json(await WebItem.create({ name: ((await c.req.json()) as { name: string }).name })));
        app.get('/integrity', () => {
          throw new IntegrityError('web_item.name must be unique');
        });
        app.get('/too-long', async (c) => c.json(await WebItem.create({ name: 'x'.repeat(30) })));
        app.get('/schema-error', () => {
          throw Object.assign(new ValidationError('body is invalid'), { errors: [{ loc: ['body', 'name'], msg: 'Field required', type: 'missing' }] });
        });
        app.get('/forbidden', () => {
          throw new HTTPException(403, { message: 'not yours' });
        });
        app.get('/schema-parse', () => {
          throw new SchemaValidationError('WebItem input is invalid', [{ loc: ['tags', 0], msg: 'Input should be a valid string', type: 'string_type' }], 'WebItem');
        });
        app.get('/boom', () => {
          throw new Error('secret: SELECT password FROM users');
        });
      },
      async ({ url, logged }) => {
        const missing = await WebItem.get({ id: 999 }).then(
          () => '',
          (error: unknown) => (error as Error).message,
        );
        assert.deepEqual(await call(`${url}/items/999`), { status: 404, body: { detail: missing }, type: JSON_TYPE });
        assert.deepEqual(await call(`${url}/integrity`), {
          status: 422,
          body: { detail: [{ loc: [], msg: 'web_item.name must be unique', type: 'IntegrityError' }] },
          type: JSON_TYPE,
        });
        assert.equal((await call(`${url}/items`, { body: { name: 'twice' } })).status, 200);
        const duplicate = await call(`${url}/items`, { body: { name: 'twice' } });
        assert.equal(duplicate.status, 422);
        assert.equal((duplicate.body as { detail: { type: string }[] }).detail[0]!.type, 'IntegrityError');

        const tooLong = await WebItem.create({ name: 'x'.repeat(30) }).then(
          () => undefined,
          (error: unknown) => error as ValidationError,
        );
        assert.deepEqual((await call(`${url}/too-long`)).body, { detail: [{ loc: ['name'], msg: tooLong!.message, type: 'ValidationError' }] });
        assert.deepEqual(await call(`${url}/schema-parse`), {
          status: 422,
          body: { detail: [{ loc: ['body', 'tags', 0], msg: 'Input should be a valid string', type: 'string_type' }] },
          type: JSON_TYPE,
        });
        assert.deepEqual((await call(`${url}/schema-error`)).body, { detail: [{ loc: ['body', 'name'], msg: 'Field required', type: 'missing' }] });
        assert.deepEqual(await call(`${url}/forbidden`), { status: 403, body: { detail: 'not yours' }, type: JSON_TYPE });

        assert.equal(logged.length, 0);
        assert.deepEqual(await call(`${url}/boom`), { status: 500, body: { detail: 'Internal Server Error' }, type: JSON_TYPE });
        assert.equal(logged.length, 1);
        assert.match((logged[0] as Error).message, /secret/);
      },
    );
  });

  it('transactional(): a thrown error or an error status rolls back; success commits before the response', async () => {
    await withApp(
      ctx,
      (app) => {
        app.post('/throws', transactional(), async () => {
          await WebEntry.create({ tag: 'throws' });
          await WebEntry.create({ tag: 'throws' });
          throw new Error('after two writes');
        });
        app.post('/conflict', transactional(), async (c) => {
          await WebEntry.create({ tag: 'conflict' });
          return c.json({ detail: 'conflict' }, 409);
        });
        app.post('/duplicate', transactional(), async (c) => {
          await WebEntry.create({ tag: 'duplicate' });
          await WebItem.create({ name: 'dup' });
          await WebItem.create({ name: 'dup' });
          return c.json({});
        });
        app.post('/ok', transactional(), async (c) => {
          await WebEntry.create({ tag: 'ok' });
          await WebEntry.create({ tag: 'ok' });
          return c.json({ created: 2 }, 201);
        });
      },
      async ({ url }) => {
        assert.equal((await call(`${url}/throws`, { method: 'POST' })).status, 500);
        assert.deepEqual(await call(`${url}/conflict`, { method: 'POST' }), { status: 409, body: { detail: 'conflict' }, type: JSON_TYPE });
        assert.equal((await call(`${url}/duplicate`, { method: 'POST' })).status, 422);
        assert.equal(await WebEntry.all().count(), 0, 'failed requests leave nothing behind');
        assert.equal(await WebItem.all().count(), 0);
        assert.deepEqual(await call(`${url}/ok`, { method: 'POST' }), { status: 201, body: { created: 2 }, type: JSON_TYPE });
        assert.equal(await WebEntry.filter({ tag: 'ok' }).count(), 2);
      },
    );
  });

  it("c.get('transaction') is the request's transaction, for usingDb as in the seed's get_db", async () => {
    await withApp(
      ctx,
      (app) => {
        const typed = app as unknown as Hono<{ Variables: TransactionVariables }>;
        typed.post('/explicit/:status', transactional(), async (c) => {
          const transaction = c.get('transaction');
          assert.ok(transaction instanceof TransactionClient);
          await WebEntry.create({ tag: 'explicit' }, { usingDb: transaction });
          const inside = await WebEntry.all().usingDb(transaction).count();
          return c.json({ inside }, Number(c.req.param('status')) as 201);
        });
      },
      async ({ url }) => {
        assert.deepEqual((await call(`${url}/explicit/409`, { method: 'POST' })).body, { inside: 1 });
        assert.equal(await WebEntry.all().count(), 0, 'the 409 rolled the explicit write back');
        assert.deepEqual((await call(`${url}/explicit/201`, { method: 'POST' })).body, { inside: 1 });
        assert.equal(await WebEntry.all().count(), 1);
      },
    );
  });

  it('concurrent transactional requests each see only their own rows', async () => {
    await withApp(
      ctx,
      (app) => {
        app.post('/slow/:tag', transactional(), async (c) => {
          const tag = c.req.param('tag');
          await WebEntry.create({ tag });
          await sleep(150);
          await WebEntry.create({ tag });
          return c.json({ seen: await WebEntry.all().valuesList('tag', { flat: true }) }, 409);
        });
      },
      async ({ url }) => {
        const [a, b] = await Promise.all([call(`${url}/slow/a`, { method: 'POST' }), call(`${url}/slow/b`, { method: 'POST' })]);
        assert.deepEqual([a.status, a.body, b.status, b.body], [409, { seen: ['a', 'a'] }, 409, { seen: ['b', 'b'] }]);
        assert.equal(await WebEntry.all().count(), 0);
      },
    );
  });
});
