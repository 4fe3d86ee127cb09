/** The seed's users API: create, list (paginated, filtered), get, update, delete. */
import type { FastifyInstance } from 'fastify';
import type { SchemaInput } from 'terrapin';
import { User } from '../models.js';
import { UserIn, UserOut, UserPatch, idParams } from '../schemas.js';
import { allowedFilters, listQuerySchema, type ListQuery } from '../list-query.js';

/** The filters GET /users allows (query key → filter key); any other query key is a 422. */
const USER_FILTERS = { name__icontains: 'name__icontains' } as const;
const listQuery = listQuerySchema({ name__icontains: { type: 'string', maxLength: 50 } });

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

  app.get<{ Querystring: ListQuery<'name__icontains'> }>(
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
      const { limit, offset } = request.query;
      const matching = User.filter(allowedFilters(request.query, USER_FILTERS));
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
