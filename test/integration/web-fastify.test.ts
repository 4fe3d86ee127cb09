import assert from 'node:assert/strict';
import { it } from 'node:test';
import Fastify, { type FastifyInstance } from 'fastify';
import { ConfigurationError, IntegrityError, SchemaValidationError, MultipleObjectsReturned, Terrapin, TransactionClient, ValidationError, modelSchema } from '../../src/index.js';
import { registerTerrapin, terrapinPlugin, type RegisterOptions } from '../../src/integrations/fastify.js';
import { forEachBackend, type BackendContext } from '../support/backends.js';
import { assertNoSessions, assertSessions, call, sleep, WebEntry, WebItem, webModels } from '../fixtures/web.js';

const SUITE = 'web_fastify';
const JSON_TYPE = 'application/json; charset=utf-8';

interface Running {
  app: FastifyInstance;
  url: string;
  logs: string[];
  close(): Promise<void>;
}

/** Builds an app with Terrapin registered, lets `routes` add routes, listens on a free port. */
async function start(ctx: BackendContext, routes: (app: FastifyInstance) => void, options: RegisterOptions = {}): Promise<Running> {
  const logs: string[] = [];
  const app = Fastify({ logger: { level: 'error', stream: { write: (line: string) => void logs.push(line) } } });
  await registerTerrapin(app, { dbUrl: ctx.url, modules: { models: webModels } }, { generateSchemas: true, ...options });
  // PG and MySQL keep the suite's tables between apps; start each test empty.
  await WebItem.all().delete();
  await WebEntry.all().delete();
  routes(app);
  await app.listen({ port: 0, host: '127.0.0.1' });
  const address = app.server.address();
  assert.ok(address !== null && typeof address === 'object');
  return { app, url: `http://127.0.0.1:${address.port}`, logs, close: () => app.close() };
}

/** Runs `fn` against a started app and always closes it. */
async function withApp(ctx: BackendContext, routes: (app: FastifyInstance) => void, fn: (running: Running) => Promise<void>, options?: RegisterOptions): Promise<void> {
  const running = await start(ctx, routes, options);
  try {
    await fn(running);
  } finally {
    await running.close();
  }
}

const itemBody = {
  type: 'object',
  required: ['name'],
  properties: {
    name: { type: 'string', maxLength: 20 },
    price: { type: 'integer' },
    tags: { type: 'array', items: { type: 'object', required: ['label'], properties: { label: { type: 'string' } } } },
  },
  additionalProperties: false,
} as const;

forEachBackend(SUITE, webModels, (ctx) => {
  it('initialises on register, closes every connection on app.close(), again and again', async () => {
    for (let round = 0; round < 3; round++) {
      const running = await start(ctx, (app) => {
        app.post('/items', async (request) => WebItem.create({ name: (request.body as { name: string }).name }));
        app.get('/items/count', async () => ({ count: await WebItem.all().count() }));
      });
      assert.equal(running.app.terrapin, Terrapin.default);
      assert.equal((await call(`${running.url}/items`, { body: { name: `round ${round}` } })).status, 200);
      assert.deepEqual((await call(`${running.url}/items/count`)).body, { count: 1 });
      await assertSessions(ctx.backend, SUITE);
      await running.close();
      await assert.rejects(WebItem.all().count(), (error: unknown) => {
        assert.ok(error instanceof ConfigurationError);
        assert.match(error.message, /Terrapin was closed/);
        return true;
      });
      await assertNoSessions(ctx.backend, SUITE);
    }
  });

  it('the plugin form passes useTz and timezone on to init, as RegisterTortoise does', async () => {
    const app = Fastify();
    await app.register(terrapinPlugin, { dbUrl: ctx.url, modules: { models: webModels }, useTz: false, timezone: 'Asia/Shanghai' });
    try {
      assert.equal(app.terrapin.useTz, false);
      assert.equal(app.terrapin.timezone, 'Asia/Shanghai');
    } finally {
      await app.close();
    }
  });

  it('a failing init fails app.ready() with the ConfigurationError', async () => {
    const app = Fastify();
    registerTerrapin(app, { dbUrl: 'nosuchdb://x', modules: { models: webModels } });
    await assert.rejects(
      async () => {
        await app.ready();
      },
      (error: unknown) => error instanceof ConfigurationError && /nosuchdb/.test(error.message),
    );
    await app.close();
  });

  it('maps DoesNotExist to 404 and IntegrityError to 422 as Tortoise does', async () => {
    await withApp(
      ctx,
      (app) => {
        app.get('/items/:id', async (request) => WebItem.get({ id: Number((request.params as { id: string }).id) }));
        app.post('/items', async (request) => WebItem.create({ name: (request.body as { name: string }).name }));
        app.get('/integrity', async () => {
          throw new IntegrityError('web_item.name must be unique');
        });
      },
      async ({ url }) => {
        const message = await WebItem.get({ id: 999 }).then(
          () => '',
          (error: unknown) => (error as Error).message,
        );
        assert.ok(message.length > 0);
        assert.deepEqual(await call(`${url}/items/999`), { status: 404, body: { detail: message }, type: 'application/json; charset=utf-8' });
        assert.deepEqual((await call(`${url}/integrity`)).body, {
          detail: [{ loc: [], msg: 'web_item.name must be unique', type: 'IntegrityError' }],
        });
        assert.equal((await call(`${url}/integrity`)).status, 422);
        assert.equal((await call(`${url}/items`, { body: { name: 'twice' } })).status, 200);
        const duplicate = await call(`${url}/items`, { body: { name: 'twice' } });
        assert.equal(duplicate.status, 422);
        const detail = (duplicate.body as { detail: { loc: unknown[]; msg: string; type: string }[] }).detail;
        assert.equal(detail.length, 1);
        assert.deepEqual(detail[0]!.loc, []);
        assert.equal(detail[0]!.type, 'IntegrityError');
        assert.match(detail[0]!.msg, /unique|duplicate/i);
      },
    );
  });

  it('maps ValidationError, schema errors, FieldError to 422 and anything else to a bare 500 that is logged', async () => {
    await withApp(
      ctx,
      (app) => {
        app.get('/too-long', async () => WebItem.create({ name: 'x'.repeat(30) }));
        app.get('/schema-error', async () => {
          throw Object.assign(new ValidationError('body is invalid'), {
            errors: [{ loc: ['body', 'name'], msg: 'Field required', type: 'missing' }],
          });
        });
        app.get('/field-error', async () => WebItem.filter({ nope: 1 } as never));
        app.get('/schema-parse', () => {
          throw new SchemaValidationError('WebItem input is invalid', [{ loc: ['tags', 0], msg: 'Input should be a valid string', type: 'string_type' }], 'WebItem');
        });
        app.get('/boom', async () => {
          throw new Error('secret: SELECT password FROM users');
        });
        app.get('/multiple', async () => {
          throw new MultipleObjectsReturned('2 WebItem rows match', 'WebItem');
        });
      },
      async ({ url, logs }) => {
        const tooLong = await WebItem.create({ name: 'x'.repeat(30) }).then(
          () => undefined,
          (error: unknown) => error,
        );
        assert.ok(tooLong instanceof ValidationError);
        assert.deepEqual(await call(`${url}/too-long`), {
          status: 422,
          body: { detail: [{ loc: ['name'], msg: tooLong.message, type: 'ValidationError' }] },
          type: 'application/json; charset=utf-8',
        });
        assert.deepEqual(await call(`${url}/schema-parse`), {
          status: 422,
          body: { detail: [{ loc: ['body', 'tags', 0], msg: 'Input should be a valid string', type: 'string_type' }] },
          type: JSON_TYPE,
        });
        assert.deepEqual((await call(`${url}/schema-error`)).body, {
          detail: [{ loc: ['body', 'name'], msg: 'Field required', type: 'missing' }],
        });
        const fieldError = await call(`${url}/field-error`);
        assert.equal(fieldError.status, 422);
        const [issue] = (fieldError.body as { detail: { loc: unknown[]; msg: string; type: string }[] }).detail;
        assert.deepEqual(issue!.loc, []);
        assert.equal(issue!.type, 'FieldError');
        assert.match(issue!.msg, /nope/);

        assert.equal(logs.length, 0);
        const boom = await call(`${url}/boom`);
        assert.deepEqual(boom, { status: 500, body: { detail: 'Internal Server Error' }, type: 'application/json; charset=utf-8' });
        assert.deepEqual((await call(`${url}/multiple`)).body, { detail: 'Internal Server Error' });
        assert.equal(logs.length, 2);
        assert.match(logs[0]!, /secret: SELECT password FROM users/, 'the server log keeps what the body hides');
        assert.match(logs[1]!, /2 WebItem rows match/);
      },
    );
  });

  it('maps request validation failures to 422 with FastAPI locations', async () => {
    await withApp(
      ctx,
      (app) => {
        app.post('/items', { schema: { body: itemBody } }, async (request) => request.body);
        app.get('/search', { schema: { querystring: { type: 'object', properties: { limit: { type: 'integer', maximum: 100 } } } } }, async () => []);
        app.get('/things/:id', { schema: { params: { type: 'object', properties: { id: { type: 'integer' } } } } }, async () => ({}));
        app.get('/secure', { schema: { headers: { type: 'object', required: ['x-token'] } } }, async () => ({}));
      },
      async ({ url }) => {
        const expect422 = async (path: string, init: Parameters<typeof call>[1], detail: unknown[]) => {
          const response = await call(`${url}${path}`, init);
          assert.deepEqual({ status: response.status, body: response.body }, { status: 422, body: { detail } }, path);
        };
        await expect422('/items', { body: {} }, [{ loc: ['body', 'name'], msg: 'Field required', type: 'missing' }]);
        await expect422('/items', { body: { name: 'x'.repeat(21) } }, [
          { loc: ['body', 'name'], msg: 'String should have at most 20 characters', type: 'string_too_long' },
        ]);
        await expect422('/items', { body: { name: { first: 'x' } } }, [{ loc: ['body', 'name'], msg: 'Input should be a valid string', type: 'string_type' }]);
        // The same wording as the Zod path (src/validation/type-errors.ts); unknown keys are refused.
        await expect422('/items', { body: ['x'] }, [{ loc: ['body'], msg: 'Input should be a valid dictionary', type: 'model_type' }]);
        await expect422('/items', { body: { name: 'ok', colour: 'red' } }, [
          { loc: ['body', 'colour'], msg: 'Extra inputs are not permitted', type: 'extra_forbidden' },
        ]);
        await expect422('/items', { body: { name: 'ok', price: 'cheap' } }, [
          { loc: ['body', 'price'], msg: 'Input should be a valid integer', type: 'int_type' },
        ]);
        await expect422('/items', { body: { name: 'ok', tags: [{ label: 'a' }, {}] } }, [
          { loc: ['body', 'tags', 1, 'label'], msg: 'Field required', type: 'missing' },
        ]);
        await expect422('/search?limit=abc', {}, [{ loc: ['query', 'limit'], msg: 'Input should be a valid integer', type: 'int_type' }]);
        await expect422('/search?limit=101', {}, [
          { loc: ['query', 'limit'], msg: 'Input should be less than or equal to 100', type: 'less_than_equal' },
        ]);
        await expect422('/things/abc', {}, [{ loc: ['path', 'id'], msg: 'Input should be a valid integer', type: 'int_type' }]);
        await expect422('/secure', {}, [{ loc: ['header', 'x-token'], msg: 'Field required', type: 'missing' }]);
        assert.deepEqual((await call(`${url}/items`, { body: { name: 'fine', price: 3 } })).body, { name: 'fine', price: 3 });
        assert.equal((await call(`${url}/secure`, { headers: { 'x-token': 't' } })).status, 200);
      },
    );
  });

  it('config.transaction: a thrown error or an error status rolls back; success commits before the reply', async () => {
    await withApp(
      ctx,
      (app) => {
        const tx = { config: { transaction: true } };
        app.post('/throws', tx, async () => {
          await WebEntry.create({ tag: 'throws' });
          await WebEntry.create({ tag: 'throws' });
          throw new Error('after two writes');
        });
        app.post('/conflict', tx, async (_request, reply) => {
          await WebEntry.create({ tag: 'conflict' });
          return reply.code(409).send({ detail: 'conflict' });
        });
        app.post('/duplicate', tx, async () => {
          await WebEntry.create({ tag: 'duplicate' });
          await WebItem.create({ name: 'dup' });
          await WebItem.create({ name: 'dup' });
        });
        app.post('/ok', tx, async (_request, reply) => {
          await WebEntry.create({ tag: 'ok' });
          await WebEntry.create({ tag: 'ok' });
          reply.code(201);
          return { created: 2 };
        });
        app.post('/sent', tx, async (_request, reply) => {
          await WebEntry.create({ tag: 'sent' });
          reply.code(201).send({ created: 1 });
          return reply;
        });
        app.post('/callback', tx, (_request, reply) => {
          void WebEntry.create({ tag: 'callback' }).then(() => reply.send({ created: 1 }));
        });
      },
      async ({ url }) => {
        assert.deepEqual((await call(`${url}/throws`, { method: 'POST' })).status, 500);
        assert.deepEqual(await call(`${url}/conflict`, { method: 'POST' }), { status: 409, body: { detail: 'conflict' }, type: 'application/json; charset=utf-8' });
        assert.equal((await call(`${url}/duplicate`, { method: 'POST' })).status, 422);
        assert.equal(await WebEntry.all().count(), 0, 'failed requests leave nothing behind');
        assert.equal(await WebItem.all().count(), 0);

        assert.deepEqual(await call(`${url}/ok`, { method: 'POST' }), { status: 201, body: { created: 2 }, type: 'application/json; charset=utf-8' });
        assert.equal(await WebEntry.filter({ tag: 'ok' }).count(), 2, 'committed before the reply arrived');
        assert.equal((await call(`${url}/sent`, { method: 'POST' })).status, 201);
        assert.equal(await WebEntry.filter({ tag: 'sent' }).count(), 1);
        assert.equal((await call(`${url}/callback`, { method: 'POST' })).status, 200);
        assert.equal(await WebEntry.filter({ tag: 'callback' }).count(), 1);
      },
    );
  });

  it("request.transaction is the route's transaction, for usingDb as in the seed's get_db; null on other routes", async () => {
    await withApp(
      ctx,
      (app) => {
        app.post('/explicit/:status', { config: { transaction: true } }, async (request, reply) => {
          assert.ok(request.transaction instanceof TransactionClient);
          await WebEntry.create({ tag: 'explicit' }, { usingDb: request.transaction });
          const inside = await WebEntry.all().usingDb(request.transaction).count();
          return reply.code(Number((request.params as { status: string }).status)).send({ inside });
        });
        app.get('/plain', async (request) => {
          const transaction: TransactionClient | null = request.transaction; // the declared type
          return { transaction };
        });
      },
      async ({ url }) => {
        assert.deepEqual((await call(`${url}/explicit/409`, { method: 'POST' })).body, { inside: 1 });
        assert.equal(await WebEntry.all().count(), 0, 'the 409 rolled the explicit write back');
        assert.deepEqual((await call(`${url}/explicit/201`, { method: 'POST' })).body, { inside: 1 });
        assert.equal(await WebEntry.all().count(), 1);
        assert.deepEqual((await call(`${url}/plain`)).body, { transaction: null });
      },
    );
  });

  it('concurrent transactional requests each see only their own rows', async () => {
    await withApp(
      ctx,
      (app) => {
        app.post('/slow/:tag', { config: { transaction: true } }, async (request, reply) => {
          const { tag } = request.params as { tag: string };
          await WebEntry.create({ tag });
          await sleep(150);
          await WebEntry.create({ tag });
          const seen = await WebEntry.all().valuesList('tag', { flat: true });
          // 409 rolls back, so neither request can see the other's rows through a commit either.
          return reply.code(409).send({ seen });
        });
      },
      async ({ url }) => {
        const [a, b] = await Promise.all([call(`${url}/slow/a`, { method: 'POST' }), call(`${url}/slow/b`, { method: 'POST' })]);
        assert.deepEqual(a, { status: 409, body: { seen: ['a', 'a'] }, type: 'application/json; charset=utf-8' });
        assert.deepEqual(b.body, { seen: ['b', 'b'] });
        assert.equal(await WebEntry.all().count(), 0);
      },
    );
  });

  it('a transactional route declared before registerTerrapin fails loudly instead of running without a transaction', async () => {
    const logs: string[] = [];
    const app = Fastify({ logger: { level: 'error', stream: { write: (line: string) => void logs.push(line) } } });
    app.post('/early', { config: { transaction: true } }, async () => WebEntry.create({ tag: 'early' }));
    await registerTerrapin(app, { dbUrl: ctx.url, modules: { models: webModels } }, { generateSchemas: true });
    await WebEntry.all().delete();
    try {
      const response = await app.inject({ method: 'POST', url: '/early' });
      assert.equal(response.statusCode, 500);
      assert.match(logs.join('\n'), /declared before Terrapin was registered/);
      assert.equal(await WebEntry.all().count(), 0);
    } finally {
      await app.close();
    }
  });

  it('serves the OpenAPI document at /openapi.json and Swagger UI at /docs', async () => {
    await withApp(
      ctx,
      (app) => {
        app.post('/items', { schema: { body: itemBody } }, async (request) => request.body);
        app.get('/items', async () => WebItem.all());
      },
      async ({ url }) => {
        const doc = await call(`${url}/openapi.json`);
        assert.equal(doc.status, 200);
        const spec = doc.body as {
          openapi: string;
          info: { title: string; version: string };
          paths: Record<string, Record<string, { responses: Record<string, { description: string }> }>>;
        };
        assert.match(spec.openapi, /^3\./);
        assert.deepEqual(spec.info, { title: 'Shop', version: '1.2.3' });
        assert.deepEqual(Object.keys(spec.paths).sort(), ['/items']);
        assert.equal(spec.paths['/items']!.post!.responses['422']!.description, 'Validation Error');
        assert.equal(spec.paths['/items']!.get!.responses['422'], undefined);
        const docs = await fetch(`${url}/docs`);
        assert.equal(docs.status, 200);
        assert.match(docs.headers.get('content-type') ?? '', /text\/html/);
        assert.match(await docs.text(), /swagger/i);
      },
      { openapi: { title: 'Shop', version: '1.2.3' } },
    );
  });

  it('a generated schema named like a built-in component fails app.ready() with the name to change', async () => {
    const app = Fastify();
    await registerTerrapin(app, { dbUrl: ctx.url, modules: { models: webModels } }, { openapi: { title: 'Shop', version: '1' } });
    // Schema names are unique among generated schemas; FastAPI's ValidationError component is ours too.
    const clash = modelSchema(WebItem, { name: `ValidationError` });
    app.post('/a', { schema: { body: clash.jsonSchema(), response: { 200: clash.jsonSchema() } } }, async () => ({}));
    try {
      await assert.rejects(
        async () => {
          await app.ready();
        },
        (error: unknown) => error instanceof ConfigurationError && /two different schemas are named 'ValidationError'; give one its own name/.test(error.message),
      );
    } finally {
      await app.close();
    }
  });
});
