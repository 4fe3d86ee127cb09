/** Request and response schemas, generated from the models (Tortoise's pydantic_model_creator). */
import { modelSchema, querysetSchema } from 'terrapin';
import { Author, Book, Tag, User } from './models.js';

/**
 * The `:id` of a route, as the primary keys are: an IntField's range, so an id past it is a 422
 * at `["path", "id"]` (`less_than_equal`), as FastAPI answers for a constrained path int.
 */
export const idParams = {
  type: 'object',
  required: ['id'],
  properties: { id: { type: 'integer', minimum: 1, maximum: 2_147_483_647 } },
} as const;

/** POST /users: `{ name }` — no id, no createdAt. */
export const UserIn = modelSchema(User, { excludeReadonly: true });
/** A user in responses: `{ id, name, createdAt }`. */
export const UserOut = modelSchema(User);
/** PATCH /users/:id: every writable field optional. */
export const UserPatch = modelSchema(User, { name: 'UserPatch', excludeReadonly: true, optional: ['name'] });

export const AuthorIn = modelSchema(Author, { excludeReadonly: true });
/** An author with their books and each book's tags. */
export const AuthorOut = modelSchema(Author, { name: 'AuthorOut', exclude: ['books__author'], maxDepth: 2 });
export const AuthorSummary = modelSchema(Author, { name: 'AuthorSummary', exclude: ['books'] });
export const AuthorList = querysetSchema(Author, { name: 'AuthorSummary', exclude: ['books'] });

export const TagIn = modelSchema(Tag, { excludeReadonly: true });
export const TagOut = modelSchema(Tag, { name: 'TagOut', exclude: ['books'] });
export const TagList = querysetSchema(Tag, { name: 'TagOut', exclude: ['books'] });

/** POST /books: `{ title, published?, authorId }` (tags are added by id, see the route). */
export const BookIn = modelSchema(Book, { excludeReadonly: true });
/** A book with its author (without the author's books) and tags. */
export const BookOut = modelSchema(Book, { name: 'BookOut', exclude: ['author__books', 'tags__books'] });
export const BookList = querysetSchema(Book, { name: 'BookOut', exclude: ['author__books', 'tags__books'] });
