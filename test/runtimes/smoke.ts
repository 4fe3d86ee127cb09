/**
 * A smoke run of Terrapin on one database, for other runtimes (Bun, Deno): models, DDL, CRUD,
 * lookups, a relation with prefetch, a transaction rolled back and one committed. Prints one JSON
 * line of results, which test/runtimes/runtimes.test.ts compares with what Node gives.
 *
 *   bun dist/test/runtimes/smoke.js <dbUrl>    deno run -A dist/test/runtimes/smoke.js <dbUrl>
 */
import { Model, Terrapin, fields, inTransaction, type ReverseRelation } from '../../src/index.js';

class SmokeAuthor extends Model {
  id = fields.IntField({ pk: true });
  name = fields.CharField({ maxLength: 50 });
  declare books: ReverseRelation<SmokeBook>;
  static override meta = { table: 'smoke_author' };
}

class SmokeBook extends Model {
  id = fields.IntField({ pk: true });
  title = fields.CharField({ maxLength: 100 });
  pages = fields.IntField({ default: 100 });
  publishedAt = fields.DatetimeField({ null: true });
  author = fields.ForeignKeyField(() => SmokeAuthor, { relatedName: 'books' });
  declare authorId: number;
  static override meta = { table: 'smoke_book', ordering: ['id'] };
}

const dbUrl = process.argv[2];
if (dbUrl === undefined) throw new Error('usage: smoke.js <dbUrl>');
await Terrapin.init({ dbUrl, modules: { models: [{ SmokeAuthor, SmokeBook }] } });
try {
  await Terrapin.generateSchemas();
  await SmokeBook.all().delete();
  await SmokeAuthor.all().delete();
  const ann = await SmokeAuthor.create({ name: 'Ann' });
  await SmokeBook.create({ title: 'First', author: ann, publishedAt: new Date('2024-01-02T03:04:05.678Z') });
  await SmokeBook.create({ title: 'Second', pages: 300, author: ann });
  await inTransaction(() => SmokeBook.create({ title: 'Third', author: ann }));
  await inTransaction(async () => {
    await SmokeBook.create({ title: 'Rolled back', author: ann });
    throw new Error('roll back');
  }).catch(() => undefined);
  await SmokeBook.filter({ title: 'Second' }).update({ pages: 301 });
  const authors = await SmokeAuthor.all().prefetchRelated('books');
  const result = {
    titles: await SmokeBook.filter({ title__icontains: 'i' }).orderBy('title').valuesList('title', { flat: true }),
    count: await SmokeBook.all().count(),
    pages: await SmokeBook.all().valuesList('pages', { flat: true }),
    published: (await SmokeBook.get({ title: 'First' })).publishedAt?.toISOString() ?? null,
    prefetched: authors.map((author) => [author.name, author.books.related.map((book) => book.title)]),
  };
  console.log(JSON.stringify(result));
} finally {
  await Terrapin.close();
}
