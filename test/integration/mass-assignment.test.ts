/**
 * Mass assignment (issue 17): docs/web.md's create examples could be told
 * `{"name":"Mallory","id":4242}` and answered 201 with id 4242 (Hono and Express passed the body
 * straight to `User.create`). The input schema, `modelSchema(User, { excludeReadonly: true })`,
 * leaves out the primary key, generated and autoNow fields whatever else the options say, and
 * refuses unknown keys; the docs' routes use it. Here each framework's docs route is served for
 * real and attacked, on every backend.
 */
import assert from 'node:assert/strict';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import express from 'express';
import Fastify from 'fastify';
import { Hono } from 'hono';
import { serve } from '@hono/node-server';
import { Model, Terrapin, fields, modelSchema } from '../../src/index.js';
import * as expressTerrapin from '../../src/integrations/express.js';
import * as fastifyTerrapin from '../../src/integrations/fastify.js';
import * as honoTerrapin from '../../src/integrations/hono.js';
import { activeBackends, freshDatabase } from '../support/backends.js';
import { call } from '../fixtures/web.js';

type Framework = 'fastify' | 'hono' | 'express';

/** docs/web.md's User, one class per framework (a class belongs to one Terrapin instance). */
function userModel(framework: Framework) {
  return class User extends Model {
    id = fields.IntField({ pk: true });
    name = fields.CharField({ maxLength: 50 });
    role = fields.CharField({ maxLength: 10, default: 'user' });
    joined = fields.DatetimeField({ autoNowAdd: true });
    static override meta = { table: `mass_${framework}_user` };
    // The model's own schemaMeta asks for `id` by name: the input schema still leaves it out.
    static schemaMeta = { include: ['id', 'name', 'role', 'joined'] };
  };
}
type UserModel = ReturnType<typeof userModel>;

interface Served {
  readonly framework: Framework;
  readonly url: string;
  readonly User: UserModel;
  close(): Promise<void>;
}

/** The docs' create route for `framework`, with its input schema. */
async function serveDocsRoute(framework: Framework, dbUrl: string, backend: string): Promise<Served> {
  const terrapin = new Terrapin();
  const User = userModel(framework);
  const UserIn = modelSchema(User, { name: `${backend}_${framework}_UserIn`, excludeReadonly: true });
  const init = { dbUrl, modules: { models: [User] } };
  if (framework === 'fastify') {
    const app = Fastify();
    await fastifyTerrapin.registerTerrapin(app, init, { terrapin, generateSchemas: true });
    app.post('/users', { schema: { body: UserIn.jsonSchema() }, config: { transaction: true } }, async (request, reply) => {
      const user = await User.create(UserIn.parse(request.body));
      return reply.code(201).send(user);
    });
    await app.listen({ port: 0, host: '127.0.0.1' });
    return { framework, User, url: `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`, close: () => app.close() };
  }
  const server =
    framework === 'hono'
      ? await (async () => {
          const app = new Hono();
          const orm = await honoTerrapin.registerTerrapin(app, init, { terrapin, generateSchemas: true, logError: () => {} });
          app.post('/users', honoTerrapin.transactional({ terrapin }), async (c) => c.json(await User.create(UserIn.parse(await c.req.json())), 201));
          return { http: serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }), orm };
        })()
      : await (async () => {
          const app = express();
          app.use(express.json());
          const orm = await expressTerrapin.registerTerrapin(app, init, { terrapin, generateSchemas: true, logError: () => {} });
          app.post('/users', expressTerrapin.transactional({ terrapin }), expressTerrapin.asyncHandler(async (req, res) => res.status(201).json(await User.create(UserIn.parse(req.body)))));
          return { http: app.listen(0, '127.0.0.1'), orm };
        })();
  if (!server.http.listening) await once(server.http, 'listening');
  return {
    framework,
    User,
    url: `http://127.0.0.1:${(server.http.address() as AddressInfo).port}`,
    close: async () => {
      await new Promise<void>((resolve) => server.http.close(() => resolve()));
      await server.orm.close();
    },
  };
}

/** Bodies that try to choose what the server decides, each with the key the 422 must name. */
const ATTACKS: [string, string][] = [
  ['{"name":"Mallory","id":4242}', 'id'],
  ['{"name":"Mallory","joined":"2000-01-01T00:00:00Z"}', 'joined'],
  ['{"name":"Mallory","__proto__":{"id":4242}}', '__proto__'],
  ['{"name":"Mallory","constructor":{"prototype":{"id":4242}}}', 'constructor'],
];

for (const backend of activeBackends()) {
  describe(`${backend}: the docs' create routes cannot be told the primary key`, () => {
    const apps: Served[] = [];
    before(async () => {
      const dbUrl = backend === 'sqlite' ? 'sqlite://:memory:' : await freshDatabase(backend, 'mass_assignment');
      for (const framework of ['fastify', 'hono', 'express'] as const) apps.push(await serveDocsRoute(framework, dbUrl, backend));
    });
    after(async () => {
      for (const app of apps) await app.close();
    });

    it('{"name":"Mallory","id":4242} and friends: 422 extra_forbidden naming the key, nothing written', async () => {
      for (const app of apps) {
        for (const [body, key] of ATTACKS) {
          const response = await fetch(`${app.url}/users`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
          const answer = (await response.json()) as { detail: { loc: unknown[]; type: string }[] };
          if (app.framework === 'fastify' && (key === '__proto__' || key === 'constructor')) {
            // Fastify's JSON parser refuses __proto__ and constructor.prototype keys before any handler runs (secure-json-parse).
            assert.equal(response.status, 400, body);
            assert.deepEqual(answer, { detail: "Body is not valid JSON but content-type is set to 'application/json'" });
            continue;
          }
          assert.equal(response.status, 422, `${app.framework} ${body}: ${JSON.stringify(answer)}`);
          assert.deepEqual(
            answer.detail.map((d) => [d.loc, d.type]),
            [[['body', key], 'extra_forbidden']],
            `${app.framework} ${body}`,
          );
        }
        assert.equal(await app.User.all().count(), 0, `${app.framework}: no row from a refused request`);
        const ok = await call(`${app.url}/users`, { body: { name: 'Alice' } });
        assert.equal(ok.status, 201, app.framework);
        const saved = ok.body as { id: number; role: string };
        assert.notEqual(saved.id, 4242);
        assert.equal(saved.role, 'user');
        assert.equal(await app.User.filter({ id: 4242 }).count(), 0, app.framework);
        assert.deepEqual(Object.getPrototypeOf({}), Object.prototype);
        assert.equal(({} as Record<string, unknown>)['id'], undefined, 'Object.prototype was not polluted');
      }
    });

    it('the input schema leaves out pk, generated and autoNow fields even when include or optional name them', () => {
      const User = apps[0]!.User;
      for (const options of [{ include: ['id', 'name'] }, { optional: ['id', 'joined'] }, {}]) {
        const schema = modelSchema(User, { ...options, name: `${backend}_In_${Object.keys(options).join('_') || 'plain'}`, excludeReadonly: true });
        const properties = Object.keys((schema.jsonSchema() as { properties: object }).properties);
        assert.ok(!properties.includes('id') && !properties.includes('joined'), `${JSON.stringify(options)}: ${properties.join(', ')}`);
        assert.equal((schema.jsonSchema() as { additionalProperties?: unknown }).additionalProperties, false);
        assert.equal(schema.safeParse({ name: 'M', id: 4242 }).success, false);
      }
    });
  });
}
