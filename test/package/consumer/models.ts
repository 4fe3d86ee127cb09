/**
 * A consumer's models, compiled in a fresh project against the packed tarball: every field
 * family, the relations and generated schemas, all exported (so `declaration: true` must be able
 * to name each type through the package's entry points), with type expectations checked by the
 * compiler (`Expect<Equal<…>>`), under every option set of the matrix.
 */
import { Model, fields, modelSchema, querysetSchema, type ReverseRelation, type ManyToManyRelation } from 'terrapin';
import type { z } from 'zod';

type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
type Expect<T extends true> = T;

export class Author extends Model {
  id = fields.IntField({ pk: true });
  name = fields.CharField({ maxLength: 50 });
  bio = fields.TextField({ null: true });
  big = fields.BigIntField({ default: 0n });
  small = fields.SmallIntField({ default: 1 });
  rating = fields.FloatField({ null: true });
  price = fields.DecimalField({ maxDigits: 10, decimalPlaces: 2, default: '0' });
  token = fields.UUIDField({ unique: true });
  active = fields.BooleanField({ default: true });
  createdAt = fields.DatetimeField({ autoNowAdd: true });
  born = fields.DateField({ null: true });
  wakes = fields.TimeField({ null: true });
  nap = fields.TimeDeltaField({ null: true });
  data = fields.JSONField<{ tags: string[] }>({ null: true });
  avatar = fields.BinaryField({ null: true });
  declare books: ReverseRelation<Book>;
  static override meta = { table: 'author' };
}

export class Tag extends Model {
  id = fields.IntField({ pk: true });
  label = fields.CharField({ maxLength: 20 });
  static override meta = { table: 'tag' };
}

export class Book extends Model {
  id = fields.IntField({ pk: true });
  title = fields.CharField({ maxLength: 100 });
  author = fields.ForeignKeyField(() => Author, { relatedName: 'books' });
  declare authorId: number;
  tags: ManyToManyRelation<Tag> = fields.ManyToManyField(() => Tag, { relatedName: 'books', through: 'book_tag' });
  static override meta = { table: 'book' };
}

export const AuthorIn = modelSchema(Author, { name: 'AuthorIn', excludeReadonly: true });
export const AuthorOut = modelSchema(Author, { name: 'AuthorOut' });
export const BookList = querysetSchema(Book, { name: 'BookList', exclude: ['tags'] });

type In = z.infer<typeof AuthorIn.zod>;
export type Checks = [
  Expect<Equal<Author['name'] extends string ? true : false, true>>,
  Expect<Equal<NonNullable<In['small']>, number>>,
  Expect<Equal<NonNullable<In['active']>, boolean>>,
  Expect<Equal<NonNullable<In['rating']>, number>>,
  Expect<Equal<NonNullable<In['avatar']>, string>>,
  Expect<Equal<In['name'], string>>,
];

// A value of the input schema, as a client would send it: numbers and booleans stay themselves.
export const input: In = { name: 'Ann', small: 2, active: false, rating: 4.5, token: '6d1f5b8e-3c9a-4a51-9b0e-2f7c1d3e4a5b' };
export const bytes: Uint8Array | null = new Author().avatar;

export async function firstTitles(): Promise<string[]> {
  const books = await Book.filter({ author__name__icontains: 'ann' }).orderBy('-id').limit(3);
  return books.map((book) => book.title);
}
