import assert from 'node:assert/strict';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { it } from 'node:test';
import express, { type Express } from 'express';
import { ConfigurationError, IntegrityError, SchemaValidationError, Terrapin, TransactionClient, ValidationError } from '../../src/index.js';
import { asyncHandler, registerTerrapin, transactional, type TerrapinHandle } from '../../src/integrations/express.js';
import { forEachBackend, type BackendContext } from '../support/backends.js';
import { assertNoSessions, assertSessions, call, sleep, WebEntry, WebItem, webModels } from '../fixtures/web.js';

const SUITE = 'web_express';
const JSON_TYPE = 'application/json; charset=utf-8';

interface Running {
  url: string;
  orm: TerrapinHandle;
  logged: unknown[];
  close(): Promise<void>;
}

async function start(ctx: BackendContext, routes: (app: Express) => void): Promise<Running> {
  const app = express();
  app.use(express.json());
  const logged: unknown[] = [];
  const orm = await registerTerrapin(app, { dbUrl: ctx.url, modules: { models: webModels } }, {
    generateSchemas: true,
    logError: (error) => void logged.push(error),
  });
  await WebItem.all().delete();
  await WebEntry.all().delete();
  routes(app);
  const server = app.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    orm,
    logged,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve())));
      await orm.close();
    },
  };
}

async function withApp(ctx: BackendContext, routes: (app: Express) => void, fn: (running: Running) => Promise<void>): Promise<void> {
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
        app.post('/items', asyncHandler(async (req, res) => res.json(await WebItem.create({ name: (req.body as { name: string }).name }))));
        app.get('/items/count', asyncHandler(async (_req, res) => res.json({ count: await WebItem.all().count() })));
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
        app.get('/items/:id', asyncHandler(async (req, res) => res.json(await WebItem.get({ id: Number(req.params.id) }))));
        app.post('/items', asyncHandler(async (req, res) => res.json(await WebItem.create({ name: (req.body as { name: string }).name }))));
        app.get('/integrity', () => {
          throw new IntegrityError('web_item.name must be unique');
        });
        app.get('/too-long', asyncHandler(async (_req, res) => res.json(await WebItem.create({ name: 'x'.repeat(30) }))));
        app.get('/schema-error', () => {
          throw Object.assign(new ValidationError('body is invalid'), { errors: [{ loc: ['body', 'name'], msg: 'Field required', type: 'missing' }] });
        });
        app.get('/schema-parse', () => {
          throw new SchemaValidationError('WebItem input is invalid', [{ loc: ['tags', 0], msg: 'Input should be a valid string', type: 'string_type' }], 'WebItem');
        });
        app.get('/boom', asyncHandler(async () => {
          throw new Error('secret: SELECT password FROM users');
        }));
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

        // body-parser's own 400 keeps its status, in the same shape.
        const response = await fetch(`${url}/items`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"name":' });
        assert.equal(response.status, 400);
        assert.equal(typeof ((await response.json()) as { detail: unknown }).detail, 'string');

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
        app.post('/throws', transactional(), asyncHandler(async () => {
          await WebEntry.create({ tag: 'throws' });
          await WebEntry.create({ tag: 'throws' });
          throw new Error('after two writes');
        }));
        app.post('/conflict', transactional(), asyncHandler(async (_req, res) => {
          await WebEntry.create({ tag: 'conflict' });
          res.status(409).json({ detail: 'conflict' });
        }));
        app.post('/duplicate', transactional(), asyncHandler(async (_req, res) => {
          await WebEntry.create({ tag: 'duplicate' });
          await WebItem.create({ name: 'dup' });
          await WebItem.create({ name: 'dup' });
          res.json({});
        }));
        app.post('/ok', transactional(), asyncHandler(async (_req, res) => {
          await WebEntry.create({ tag: 'ok' });
          await WebEntry.create({ tag: 'ok' });
          res.status(201).json({ created: 2 });
        }));
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

  it("res.locals.transaction is the request's transaction, for usingDb as in the seed's get_db", async () => {
    await withApp(
      ctx,
      (app) => {
        app.post('/explicit/:status', transactional(), asyncHandler(async (req, res) => {
          const transaction = res.locals['transaction'] as unknown;
          assert.ok(transaction instanceof TransactionClient);
          await WebEntry.create({ tag: 'explicit' }, { usingDb: transaction });
          const inside = await WebEntry.all().usingDb(transaction).count();
          res.status(Number((req.params as { status: string }).status)).json({ inside });
        }));
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
        app.post('/slow/:tag', transactional(), asyncHandler(async (req, res) => {
          const { tag } = req.params as { tag: string };
          await WebEntry.create({ tag });
          await sleep(150);
          await WebEntry.create({ tag });
          res.status(409).json({ seen: await WebEntry.all().valuesList('tag', { flat: true }) });
        }));
      },
      async ({ url }) => {
        const [a, b] = await Promise.all([call(`${url}/slow/a`, { method: 'POST' }), call(`${url}/slow/b`, { method: 'POST' })]);
        assert.deepEqual([a.status, a.body, b.status, b.body], [409, { seen: ['a', 'a'] }, 409, { seen: ['b', 'b'] }]);
        assert.equal(await WebEntry.all().count(), 0);
      },
    );
  });
});
