/** Authors, books and tags: nested responses, a foreign key and a many-to-many. */
import type { FastifyInstance } from 'fastify';
import { ParamsError, type SchemaInput } from 'terrapin';
import { Author, Book, Tag } from '../models.js';
import { allowedFilters, listQuerySchema, type ListQuery } from '../list-query.js';
import { AuthorIn, AuthorList, AuthorOut, AuthorSummary, BookIn, BookList, BookOut, TagIn, TagList, TagOut, idParams } from '../schemas.js';

/** The book input plus the ids of its tags (schemas are built after Terrapin.init: inside the plugin). */
function bookBody(): object {
  const schema = BookIn.jsonSchema();
  return { ...schema, properties: { ...(schema.properties as object), tagIds: { type: 'array', items: { type: 'integer' }, maxItems: 50 } } };
}

/**
 * What each list route lets a client filter on (query key → filter key): names, and a book's tag
 * by name. Every list is paginated (list-query.ts) and ordered with the id as the tie-break, so
 * pages neither repeat nor skip rows.
 */
const AUTHOR_FILTERS = { name__icontains: 'name__icontains' } as const;
const TAG_FILTERS = { name__icontains: 'name__icontains' } as const;
const BOOK_FILTERS = { tag: 'tags__name', title__icontains: 'title__icontains' } as const;

const authorQuery = listQuerySchema({ name__icontains: { type: 'string', maxLength: 100 } });
const tagQuery = listQuerySchema({ name__icontains: { type: 'string', maxLength: 30 } });
const bookQuery = listQuerySchema({
  tag: { type: 'string', maxLength: 30, description: 'Only books with the tag of this name' },
  title__icontains: { type: 'string', maxLength: 200 },
});

export async function libraryRoutes(app: FastifyInstance): Promise<void> {
  app.post<{ Body: SchemaInput<typeof AuthorIn> }>(
    '/authors',
    { schema: { tags: ['library'], body: AuthorIn.jsonSchema(), response: { 201: AuthorSummary.jsonSchema() } }, config: { transaction: true } },
    async (request, reply) => {
      reply.code(201);
      return AuthorSummary.fromOrm(await Author.create(AuthorIn.parse(request.body)));
    },
  );

  app.get<{ Querystring: ListQuery<'name__icontains'> }>(
    '/authors',
    { schema: { tags: ['library'], querystring: authorQuery, response: { 200: AuthorList.jsonSchema() } } },
    async (request) => {
      const { limit, offset } = request.query;
      return AuthorList.fromQueryset(Author.filter(allowedFilters(request.query, AUTHOR_FILTERS)).orderBy('name', 'id').limit(limit).offset(offset));
    },
  );

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

  app.get<{ Querystring: ListQuery<'name__icontains'> }>(
    '/tags',
    { schema: { tags: ['library'], querystring: tagQuery, response: { 200: TagList.jsonSchema() } } },
    async (request) => {
      const { limit, offset } = request.query;
      return TagList.fromQueryset(Tag.filter(allowedFilters(request.query, TAG_FILTERS)).orderBy('name', 'id').limit(limit).offset(offset));
    },
  );

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

  app.get<{ Querystring: ListQuery<'tag' | 'title__icontains'> }>(
    '/books',
    { schema: { tags: ['library'], querystring: bookQuery, response: { 200: BookList.jsonSchema() } } },
    async (request) => {
      const { limit, offset, tag } = request.query;
      const matching = Book.filter(allowedFilters(request.query, BOOK_FILTERS)).orderBy('title', 'id');
      // Through the many-to-many a book matches once per tag row: distinct when filtering by tag.
      return BookList.fromQueryset((tag === undefined ? matching : matching.distinct()).limit(limit).offset(offset));
    },
  );
}
