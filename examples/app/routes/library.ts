/** Authors, books and tags: nested responses, a foreign key and a many-to-many. */
import type { FastifyInstance } from 'fastify';
import { ParamsError, type SchemaInput } from '../../../src/index.js';
import { Author, Book, Tag } from '../models.js';
import { AuthorIn, AuthorList, AuthorOut, AuthorSummary, BookIn, BookList, BookOut, TagIn, TagList, TagOut, idParams } from '../schemas.js';

/** The book input plus the ids of its tags (schemas are built after Terrapin.init: inside the plugin). */
function bookBody(): object {
  const schema = BookIn.jsonSchema();
  return { ...schema, properties: { ...(schema.properties as object), tagIds: { type: 'array', items: { type: 'integer' }, maxItems: 50 } } };
}

export async function libraryRoutes(app: FastifyInstance): Promise<void> {
  app.post<{ Body: SchemaInput<typeof AuthorIn> }>(
    '/authors',
    { schema: { tags: ['library'], body: AuthorIn.jsonSchema(), response: { 201: AuthorSummary.jsonSchema() } }, config: { transaction: true } },
    async (request, reply) => {
      reply.code(201);
      return AuthorSummary.fromOrm(await Author.create(AuthorIn.parse(request.body)));
    },
  );

  app.get('/authors', { schema: { tags: ['library'], response: { 200: AuthorList.jsonSchema() } } }, async () => AuthorList.fromQueryset(Author.all()));

  app.get<{ Params: { id: number } }>(
    '/authors/:id',
    { schema: { tags: ['library'], summary: 'An author with books and tags', params: idParams, response: { 200: AuthorOut.jsonSchema() } } },
    async (request) => AuthorOut.fromQueryset(Author.filter({ id: request.params.id }).get()),
  );

  app.post<{ Body: SchemaInput<typeof TagIn> }>(
    '/tags',
    { schema: { tags: ['library'], body: TagIn.jsonSchema(), response: { 201: TagOut.jsonSchema() } }, config: { transaction: true } },
    async (request, reply) => {
      reply.code(201);
      return TagOut.fromOrm(await Tag.create(TagIn.parse(request.body)));
    },
  );

  app.get('/tags', { schema: { tags: ['library'], response: { 200: TagList.jsonSchema() } } }, async () => TagList.fromQueryset(Tag.all()));

  app.post<{ Body: SchemaInput<typeof BookIn> & { tagIds?: number[] } }>(
    '/books',
    { schema: { tags: ['library'], summary: 'Create a book with tags', body: bookBody(), response: { 201: BookOut.jsonSchema() } }, config: { transaction: true } },
    async (request, reply) => {
      const { tagIds = [], ...fields } = request.body;
      const book = await Book.create(BookIn.parse(fields));
      const tags = await Tag.filter({ id__in: tagIds });
      if (tags.length !== new Set(tagIds).size) {
        // Thrown inside the request's transaction: the book above is rolled back too.
        throw new ParamsError(`Unknown tag ids: ${tagIds.filter((id) => !tags.some((t) => t.id === id)).join(', ')}.`);
      }
      await book.tags.add(...tags);
      reply.code(201);
      return BookOut.fromOrm(book);
    },
  );

  app.get<{ Querystring: { tag?: string } }>(
    '/books',
    {
      schema: {
        tags: ['library'],
        querystring: { type: 'object', properties: { tag: { type: 'string', maxLength: 30 } } },
        response: { 200: BookList.jsonSchema() },
      },
    },
    async (request) => {
      const { tag } = request.query;
      return BookList.fromQueryset(tag === undefined ? Book.all() : Book.filter({ tags__name: tag }).distinct());
    },
  );
}
