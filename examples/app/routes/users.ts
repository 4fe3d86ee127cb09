/** The seed's users API: create, list (paginated, filtered), get, update, delete. */
import type { FastifyInstance } from 'fastify';
import type { SchemaInput } from '../../../src/index.js';
import { User } from '../models.js';
import { UserIn, UserOut, UserPatch, idParams } from '../schemas.js';

const listQuery = {
  type: 'object',
  properties: {
    limit: { type: 'integer', minimum: 1, maximum: 100, default: 20 },
    offset: { type: 'integer', minimum: 0, default: 0 },
    name__icontains: { type: 'string', maxLength: 50 },
  },
} as const;

interface ListQuery {
  limit: number;
  offset: number;
  name__icontains?: string;
}

export async function userRoutes(app: FastifyInstance): Promise<void> {
  app.post<{ Body: SchemaInput<typeof UserIn> }>(
    '/users',
    {
      schema: { tags: ['users'], summary: 'Create a user', body: UserIn.jsonSchema(), response: { 201: UserOut.jsonSchema() } },
      config: { transaction: true },
    },
    async (request, reply) => {
      const user = await User.create(UserIn.parse(request.body));
      // Return the payload rather than `reply.send(...)`: Fastify then sends it after the handler,
      // instead of the handler's promise waiting on the reply stream (see docs/web.md).
      reply.code(201);
      return UserOut.fromOrm(user);
    },
  );

  app.get<{ Querystring: ListQuery }>(
    '/users',
    {
      schema: {
        tags: ['users'],
        summary: 'List users',
        querystring: listQuery,
        response: {
          200: {
            type: 'object',
            required: ['items', 'total', 'limit', 'offset'],
            properties: {
              items: { type: 'array', items: UserOut.jsonSchema() },
              total: { type: 'integer' },
              limit: { type: 'integer' },
              offset: { type: 'integer' },
            },
          },
        },
      },
    },
    async (request) => {
      const { limit, offset, name__icontains } = request.query;
      const matching = name__icontains === undefined ? User.all() : User.filter({ name__icontains });
      const [items, total] = await Promise.all([UserOut.fromQueryset(matching.limit(limit).offset(offset)), matching.count()]);
      return { items, total, limit, offset };
    },
  );

  app.get<{ Params: { id: number } }>(
    '/users/:id',
    { schema: { tags: ['users'], summary: 'Get a user', params: idParams, response: { 200: UserOut.jsonSchema() } } },
    async (request) => UserOut.fromOrm(await User.get({ id: request.params.id })),
  );

  app.patch<{ Params: { id: number }; Body: SchemaInput<typeof UserPatch> }>(
    '/users/:id',
    {
      schema: { tags: ['users'], summary: 'Update a user', params: idParams, body: UserPatch.jsonSchema(), response: { 200: UserOut.jsonSchema() } },
      config: { transaction: true },
    },
    async (request) => {
      const user = await User.get({ id: request.params.id });
      await user.updateFromDict(UserPatch.parse(request.body)).save();
      return UserOut.fromOrm(user);
    },
  );

  app.delete<{ Params: { id: number } }>(
    '/users/:id',
    {
      schema: { tags: ['users'], summary: 'Delete a user', params: idParams, response: { 204: { type: 'null', description: 'Deleted' } } },
      config: { transaction: true },
    },
    async (request, reply) => {
      const user = await User.get({ id: request.params.id });
      await user.delete();
      return reply.code(204).send();
    },
  );
}
