/**
 * Type tests for annotate() and aggregate(): the result type of each expression, annotations in
 * values()/valuesList()/orderBy()/filter(), and the mistakes the compiler catches.
 * Compiled by tsc as part of `npm test`; nothing here runs a query.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { expectTypeOf } from 'expect-type';
import {
  Avg, Coalesce, Concat, Count, F, Length, Lower, Max, Min, Model, Random, Sum, fields,
  type LazyResult, type ReverseRelation,
} from '../../src/index.js';
import { typeOnly } from './support.js';

class Author extends Model {
  id = fields.IntField({ pk: true });
  name = fields.CharField({ maxLength: 50 });
  nickname = fields.CharField({ maxLength: 50, null: true });
  declare books: ReverseRelation<Book>;
  static override meta = { table: 'ty_author' };
}

class Book extends Model {
  id = fields.IntField({ pk: true });
  title = fields.CharField({ maxLength: 100 });
  price = fields.DecimalField({ maxDigits: 10, decimalPlaces: 2 });
  pages = fields.IntField();
  copies = fields.BigIntField();
  publishedAt = fields.DatetimeField();
  author = fields.ForeignKeyField(() => Author, { relatedName: 'books' });
  declare authorId: number;
  static override meta = { table: 'ty_book' };
}

describe('types: annotate', () => {
  it('rows carry the annotation with its result type', () => {
    const checks = typeOnly(async () => {
      const rows = await Author.all().annotate({ n: Count('books') });
      expectTypeOf(rows[0]!.n).toEqualTypeOf<number>();
      expectTypeOf(rows[0]!.name).toMatchTypeOf<string>();
      const one = await Author.all().annotate({ n: Count('books') }).first();
      expectTypeOf(one!.n).toEqualTypeOf<number>();
      const books = await Book.all().annotate({
        total: Sum('price'),
        mean: Avg('pages'),
        first: Min('publishedAt'),
        most: Max('pages'),
        allCopies: Sum('copies'),
      });
      expectTypeOf(books[0]!.total).toEqualTypeOf<string | null>();
      expectTypeOf(books[0]!.mean).toEqualTypeOf<number | null>();
      expectTypeOf(books[0]!.first).toEqualTypeOf<Date | null>();
      expectTypeOf(books[0]!.most).toEqualTypeOf<number | null>();
      expectTypeOf(books[0]!.allCopies).toEqualTypeOf<bigint | null>();
    });
    assert.equal(checks, 1);
  });

  it('functions and F arithmetic have their types', () => {
    const checks = typeOnly(async () => {
      const rows = await Author.all().annotate({
        low: Lower('name'),
        len: Length('name'),
        shown: Coalesce('nickname', 'name'),
        full: Concat('name', 'nickname'),
        r: Random(),
      });
      expectTypeOf(rows[0]!.low).toEqualTypeOf<string>();
      expectTypeOf(rows[0]!.len).toEqualTypeOf<number>();
      expectTypeOf(rows[0]!.full).toEqualTypeOf<string>();
      expectTypeOf(rows[0]!.r).toEqualTypeOf<number>();
      const scored = await Book.all().annotate({ score: F('pages').mul(2).add(1) });
      expectTypeOf(scored[0]!.score).toEqualTypeOf<number>();
    });
    assert.equal(checks, 1);
  });

  it('values(), valuesList(), orderBy() and filter() accept annotation names', () => {
    const checks = typeOnly(async () => {
      const qs = Author.all().annotate({ n: Count('books') });
      const rows = await qs.values('name', 'n');
      expectTypeOf(rows).toEqualTypeOf<{ name: string; n: number }[]>();
      const counts = await qs.valuesList('n', { flat: true });
      expectTypeOf(counts).toEqualTypeOf<number[]>();
      qs.orderBy('-n');
      qs.orderBy('n', 'name');
      qs.filter({ n__gte: 2 });
      qs.filter({ n: 0 });
      // @ts-expect-error an annotation that does not exist
      qs.orderBy('-m');
      // @ts-expect-error a count is a number
      qs.filter({ n__gte: 'two' });
      // @ts-expect-error not selected by values() without annotate()
      Author.all().values('name', 'n');
    });
    assert.equal(checks, 1);
  });

  it('groupBy + values, and aggregate() gives one typed object', () => {
    const checks = typeOnly(async () => {
      const groups = await Book.all().groupBy('authorId').annotate({ n: Count('id') }).values('authorId', 'n');
      expectTypeOf(groups).toEqualTypeOf<{ authorId: number; n: number }[]>();
      const totals = Book.all().aggregate({ n: Count(), total: Sum('price'), last: Max('publishedAt') });
      expectTypeOf(totals).toEqualTypeOf<LazyResult<{ n: number; total: string | null; last: Date | null }>>();
      const across = await Author.all().aggregate({ total: Sum('books__price') });
      expectTypeOf(across.total).toEqualTypeOf<string | null>();
      // @ts-expect-error a misspelt field is an error, not a result of null
      await Book.all().aggregate({ total: Sum('pagse') });
      // @ts-expect-error the same across a relation
      await Author.all().annotate({ n: Count('bokks') });
      // @ts-expect-error and in Avg, Min, Max
      await Book.all().aggregate({ a: Avg('pgaes'), m: Min('pages') });
    });
    assert.equal(checks, 1);
  });
});
