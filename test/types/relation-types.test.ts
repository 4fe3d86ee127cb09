/** Type tests for relations: forward keys, reverse and many-to-many managers, typed keys across relations. */
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { expectTypeOf } from 'expect-type';
import { typeOnly } from './support.js';
import { Model, fields, type ReverseRelation, type ManyToManyRelation, type ReverseOneToOne, Prefetch } from '../../src/index.js';

class Publisher extends Model {
  id = fields.IntField({ pk: true });
  name = fields.CharField({ maxLength: 50 });
  declare authors: ReverseRelation<Author>;
}
class Author extends Model {
  id = fields.IntField({ pk: true });
  name = fields.CharField({ maxLength: 50 });
  publisher = fields.ForeignKeyField(() => Publisher, { relatedName: 'authors', null: true });
  declare publisherId: number | null;
  declare books: ReverseRelation<Book>;
  declare profile: ReverseOneToOne<Profile>;
}
class Profile extends Model {
  id = fields.IntField({ pk: true });
  bio = fields.TextField();
  author = fields.OneToOneField(() => Author, { relatedName: 'profile' });
}
class Book extends Model {
  id = fields.IntField({ pk: true });
  title = fields.CharField({ maxLength: 50 });
  author = fields.ForeignKeyField(() => Author, { relatedName: 'books' });
  declare authorId: number;
  tags = fields.ManyToManyField(() => Tag, { relatedName: 'books' });
}
class Tag extends Model {
  id = fields.UUIDField({ pk: true });
  name = fields.CharField({ maxLength: 20 });
  declare books: ManyToManyRelation<Book>;
}

it('types relations: related instances, managers, keys across relations', () => {
  const checks = typeOnly(async (a: Author, b: Book) => {
    expectTypeOf(await b.author).toMatchTypeOf<Author>();
    expectTypeOf(b.author.name).toMatchTypeOf<string>();
    expectTypeOf(a.publisher).toMatchTypeOf<Publisher | null>();
    expectTypeOf(await a.books).toEqualTypeOf<Book[]>();
    expectTypeOf(await b.tags).toEqualTypeOf<Tag[]>();
    await Book.create({ title: 'x', author: a });
    await Book.create({ title: 'x', authorId: 1 });
    await Book.filter({ author: a, author__name__icontains: 'x', author__publisher__name: 'p', tags__name: 'n', authorId__in: [1] });
    await Author.filter({ books__tags__name: 'x', books__title__startswith: 'a', profile__bio__contains: 'b' });
    // @ts-expect-error no such related field
    await Book.filter({ author__nme: 'x' });
    // @ts-expect-error the value type follows the related field
    await Book.filter({ author__id__gt: 'x' });
    const rows = await Book.all().values('title', 'author__name', 'author__publisher__name', 'authorId');
    expectTypeOf(rows).toEqualTypeOf<{ title: string; author__name: string; author__publisher__name: string | null; authorId: number }[]>();
    const names = await Author.all().valuesList('books__title', { flat: true });
    expectTypeOf(names).toEqualTypeOf<(string | null)[]>();
    await Book.all().orderBy('-author__name', 'title').prefetchRelated('tags', 'author__books', new Prefetch('author')).selectRelated('author__publisher');
    // @ts-expect-error selectRelated follows forward keys only
    Book.all().selectRelated('tags');
    // @ts-expect-error no such relation
    Book.all().prefetchRelated('nope');
    await b.fetchRelated('author', 'tags');
    await b.save({ updateFields: ['authorId', 'title'] });
  });
  assert.equal(checks, 1);
});
