/**
 * Eager loading: prefetchRelated (one query per relation level), Prefetch, selectRelated (joins),
 * fetchRelated / fetchForList, counted with Terrapin.onQuery on every backend.
 */
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { FieldError, NoValuesFetched, ParamsError, Prefetch, Terrapin, inTransaction } from '../../src/index.js';
import { forEachBackend } from '../support/backends.js';
import { Author, Book, Profile, Publisher, Tag } from '../fixtures/bookstore.js';
import { counted } from '../support/expect-errors.js';

/** Runs `fn` and returns its result with the statements it ran. */

const isNotFetched = (pattern: RegExp) => (error: unknown) => {
  assert.ok(error instanceof NoValuesFetched, `expected NoValuesFetched, got ${String(error)}`);
  assert.match((error as Error).message, pattern);
  return true;
};

let seq = 0;
/** A unique prefix per test, so tests sharing the suite's database never see each other's rows. */
const prefix = () => `t${++seq}`;

/** Two authors (one with a publisher and a profile), three books, three tags; book 0 and 1 share tag 0. */
async function smallShelf() {
  const p = prefix();
  const publisher = await Publisher.create({ name: `${p} press` });
  const ann = await Author.create({ name: `${p} Ann`, publisher });
  const bob = await Author.create({ name: `${p} Bob` });
  const lonely = await Author.create({ name: `${p} Lonely` });
  await Profile.create({ bio: `${p} Ann's bio`, author: ann });
  const tags = [await Tag.create({ name: `${p} c` }), await Tag.create({ name: `${p} a` }), await Tag.create({ name: `${p} b` })];
  const books = [
    await Book.create({ title: `${p} A1`, author: ann, year: 2001 }),
    await Book.create({ title: `${p} A2`, author: ann, year: 2002 }),
    await Book.create({ title: `${p} B1`, author: bob, year: 2003 }),
  ];
  await books[0]!.tags.add(tags[0]!, tags[1]!);
  await books[1]!.tags.add(tags[0]!);
  return { p, publisher, ann, bob, lonely, tags, books, authorIds: [ann.id, bob.id, lonely.id], bookIds: books.map((b) => b.id) };
}

forEachBackend('prefetch', [{ Publisher, Author, Profile, Tag, Book }], () => {
  it('forward FK: one query for all authors, shared instances, readable synchronously', async () => {
    const s = await smallShelf();
    const { result: books, queries } = await counted(() => Book.filter({ id__in: s.bookIds }).prefetchRelated('author'));
    assert.equal(queries.length, 2);
    assert.deepEqual(books.map((b) => b.author.name), [`${s.p} Ann`, `${s.p} Ann`, `${s.p} Bob`]);
    assert.equal(books[0]!.author, books[1]!.author, 'one Author instance for both of its books');
    assert.equal(books[0]!.author.id, s.ann.id);
    // Reading it again costs nothing.
    const again = await counted(async () => (await books[2]!.author).name);
    assert.deepEqual(again, { result: `${s.p} Bob`, queries: [] });
  });

  it('forward FK that is null (and nullable FK on a nested level) becomes null', async () => {
    const s = await smallShelf();
    const { result: authors, queries } = await counted(() => Author.filter({ id__in: s.authorIds }).prefetchRelated('publisher'));
    assert.equal(queries.length, 2);
    assert.equal(authors[0]!.publisher?.name, `${s.p} press`);
    assert.equal(authors[1]!.publisher, null);
    assert.equal(authors[2]!.publisher, null);
  });

  it('reverse FK: author.books holds its books in Book order; an author without books gets []', async () => {
    const s = await smallShelf();
    const { result: authors, queries } = await counted(() => Author.filter({ id__in: s.authorIds }).prefetchRelated('books'));
    assert.equal(queries.length, 2);
    assert.deepEqual([...authors[0]!.books].map((b) => b.title), [`${s.p} A1`, `${s.p} A2`]);
    assert.deepEqual(authors[1]!.books.related.map((b) => b.title), [`${s.p} B1`]);
    assert.equal(authors[2]!.books.length, 0);
    const awaited = await counted(async () => (await authors[0]!.books).length);
    assert.deepEqual(awaited, { result: 2, queries: [] }, 'awaiting a prefetched relation runs no query');
  });

  it('reverse FK that was not prefetched raises NoValuesFetched when read synchronously', async () => {
    const s = await smallShelf();
    const ann = await Author.get({ id: s.ann.id });
    assert.throws(() => ann.books.length, isNotFetched(/Author\.books is not fetched: await it first.*prefetchRelated\('books'\)/));
  });

  it('reverse and forward one-to-one', async () => {
    const s = await smallShelf();
    const { result: authors, queries } = await counted(() => Author.filter({ id__in: [s.ann.id, s.bob.id] }).prefetchRelated('profile'));
    assert.equal(queries.length, 2);
    assert.equal((authors[0]!.profile as unknown as Profile).bio, `${s.p} Ann's bio`);
    assert.equal(authors[1]!.profile, null, 'no profile → null, not a pending relation');
    const profiles = await Profile.filter({ authorId: s.ann.id }).prefetchRelated('author');
    assert.equal(profiles[0]!.author.name, `${s.p} Ann`);
  });

  it('many-to-many from both sides, with one Tag instance shared by the books that have it', async () => {
    const s = await smallShelf();
    const { result: books, queries } = await counted(() => Book.filter({ id__in: s.bookIds }).prefetchRelated('tags'));
    assert.equal(queries.length, 2);
    // Tag's Meta.ordering (name) orders each book's tags.
    assert.deepEqual(books.map((b) => [...b.tags].map((t) => t.name)), [[`${s.p} a`, `${s.p} c`], [`${s.p} c`], []]);
    const shared0 = [...books[0]!.tags].find((t) => t.id === s.tags[0]!.id);
    assert.equal(shared0, books[1]!.tags.related[0], 'the same Tag object for both books');

    const { result: tags, queries: tagQueries } = await counted(() =>
      Tag.filter({ id__in: s.tags.map((t) => t.id) }).orderBy('id').prefetchRelated('books'),
    );
    assert.equal(tagQueries.length, 2);
    assert.deepEqual(tags.map((t) => [...t.books].map((b) => b.title)), [[`${s.p} A1`, `${s.p} A2`], [`${s.p} A1`], []]);
    assert.equal(tags[0]!.books.related[0], tags[1]!.books.related[0], 'the same Book object for both tags');
  });

  it("nested paths: 'books__tags' and 'books__author' take one query per level", async () => {
    const s = await smallShelf();
    const { result: authors, queries } = await counted(() =>
      Author.filter({ id__in: s.authorIds }).prefetchRelated('books__tags', 'books__author'),
    );
    assert.equal(queries.length, 4, 'authors, books (once, for both paths), tags, authors of the books');
    const [a1, a2] = authors[0]!.books.related;
    assert.deepEqual([...a1!.tags].map((t) => t.name), [`${s.p} a`, `${s.p} c`]);
    assert.deepEqual([...a2!.tags].map((t) => t.name), [`${s.p} c`]);
    assert.equal(a1!.tags.related[1], a2!.tags.related[0], 'tags shared across the nested level too');
    assert.equal(a1!.author.name, `${s.p} Ann`);
    assert.equal(a1!.author, a2!.author);
    assert.equal(authors[2]!.books.length, 0);
  });

  it('several relations at once: each level once, the shared prefix once', async () => {
    const s = await smallShelf();
    const { result: authors, queries } = await counted(() =>
      Author.filter({ id__in: s.authorIds }).prefetchRelated('books', 'profile', 'publisher', 'books__tags', 'publisher__authors'),
    );
    assert.equal(queries.length, 6);
    const ann = authors[0]!;
    assert.equal(ann.books.length, 2);
    assert.equal((ann.profile as unknown as Profile).bio, `${s.p} Ann's bio`);
    assert.equal(ann.publisher?.name, `${s.p} press`);
    assert.deepEqual([...ann.publisher!.authors].map((a) => a.name), [`${s.p} Ann`]);
    assert.equal(ann.books.related[0]!.tags.length, 2);
    assert.equal(authors[1]!.profile, null);
    assert.equal(authors[1]!.publisher, null);
  });

  it('200 authors × 10 books × 2 tags: prefetchRelated takes exactly 3 queries; lazy reading takes 1 + 200 + 2000', async () => {
    const p = prefix();
    const authors = await Author.bulkCreate(Array.from({ length: 200 }, (_, i) => ({ name: `${p} author ${i}` })));
    const tags = await Tag.bulkCreate(Array.from({ length: 20 }, (_, i) => ({ name: `${p} tag ${String(i).padStart(2, '0')}` })));
    const books = await Book.bulkCreate(
      authors.flatMap((author, a) => Array.from({ length: 10 }, (_, i) => ({ title: `${p} book ${a}-${i}`, authorId: author.id }))),
    );
    // Book n gets tags n % 20 and (n + 1) % 20: every tag is linked to 200 books, one add() per tag.
    for (const [t, tag] of tags.entries()) {
      await tag.books.add(...books.filter((_, n) => n % 20 === t || (n + 1) % 20 === t));
    }
    const ids = authors.map((a) => a.id);
    const tagName = new Map(tags.map((t) => [t.id, t.name]));
    const expectTags = (n: number) => [tags[n % 20]!.id, tags[(n + 1) % 20]!.id].map((id) => tagName.get(id)).sort();

    const { result: loaded, queries } = await counted(() => Author.filter({ id__in: ids }).prefetchRelated('books__tags'));
    assert.equal(queries.length, 3);
    assert.equal(loaded.length, 200);
    const seen = new Map<number, Tag>();
    loaded.forEach((author, a) => {
      const own = author.books.related;
      assert.equal(own.length, 10, `author ${a} has its 10 books`);
      own.forEach((book, i) => {
        const n = a * 10 + i;
        assert.equal(book.title, `${p} book ${a}-${i}`);
        assert.equal(book.authorId, author.id);
        assert.deepEqual(book.tags.related.map((t) => t.name), expectTags(n));
        for (const tag of book.tags) {
          const first = seen.get(tag.id) ?? tag;
          seen.set(tag.id, first);
          assert.equal(tag, first, 'one Tag instance per row in the whole prefetch');
        }
      });
    });
    assert.equal(seen.size, 20);

    // The same reading without prefetching: one query per author and one per book.
    const { queries: lazy } = await counted(async () => {
      for (const author of await Author.filter({ id__in: ids })) {
        for (const book of await author.books) await book.tags;
      }
    });
    assert.equal(lazy.length, 1 + 200 + 2000);
  });

  it('Prefetch with a queryset and toAttr: filtered, ordered, stored under toAttr; the relation stays unfetched', async () => {
    const s = await smallShelf();
    const { result: authors, queries } = await counted(() =>
      Author.filter({ id__in: s.authorIds }).prefetchRelated(
        new Prefetch('books', { queryset: Book.filter({ year__gte: 2002 }).orderBy('-title'), toAttr: 'recent' }),
      ),
    );
    assert.equal(queries.length, 2);
    const recent = (a: Author) => (a as unknown as { recent: Book[] }).recent;
    assert.deepEqual(recent(authors[0]!).map((b) => b.title), [`${s.p} A2`]);
    assert.deepEqual(recent(authors[1]!).map((b) => b.title), [`${s.p} B1`]);
    assert.deepEqual(recent(authors[2]!), []);
    assert.throws(() => authors[0]!.books.length, NoValuesFetched);

    // Ordering is applied within each author's list, and Prefetch without toAttr fills the relation.
    const ordered = await Author.filter({ id: s.ann.id }).prefetchRelated(new Prefetch('books', { queryset: Book.all().orderBy('-title') }));
    assert.deepEqual([...ordered[0]!.books].map((b) => b.title), [`${s.p} A2`, `${s.p} A1`]);

    // A filtered M2M level, stored under toAttr on each book.
    const books = await Book.filter({ id__in: s.bookIds }).prefetchRelated(
      new Prefetch('tags', { queryset: Tag.filter({ name__endswith: ' c' }), toAttr: 'cTags' }),
    );
    assert.deepEqual(books.map((b) => (b as unknown as { cTags: Tag[] }).cTags.map((t) => t.name)), [[`${s.p} c`], [`${s.p} c`], []]);
  });

  it("a Prefetch queryset's own selectRelated and prefetchRelated apply to its rows", async () => {
    const s = await smallShelf();
    const { result: tags, queries } = await counted(() =>
      Tag.filter({ id__in: s.tags.map((t) => t.id) })
        .orderBy('id')
        .prefetchRelated(new Prefetch('books', { queryset: Book.all().selectRelated('author').prefetchRelated('tags') })),
    );
    assert.equal(queries.length, 3, 'tags, books joined with their authors, tags of those books');
    // Each tag has exactly its own books (the joined author columns must not shift the through-table key).
    assert.deepEqual(tags.map((t) => [...t.books].map((b) => [b.title, b.author.name])), [
      [[`${s.p} A1`, `${s.p} Ann`], [`${s.p} A2`, `${s.p} Ann`]],
      [[`${s.p} A1`, `${s.p} Ann`]],
      [],
    ]);
    assert.deepEqual(tags[1]!.books.related[0]!.tags.related.map((t) => t.name), [`${s.p} a`, `${s.p} c`]);

    const authors = await Author.filter({ id__in: s.authorIds }).prefetchRelated(
      new Prefetch('books', { queryset: Book.filter({ year__lt: 2003 }).prefetchRelated('tags'), toAttr: 'early' }),
    );
    const early = (a: Author) => (a as unknown as { early: Book[] }).early;
    assert.deepEqual(early(authors[0]!).map((b) => b.tags.length), [2, 1]);
    assert.deepEqual(early(authors[1]!), []);
  });

  it('prefetching through a relation loaded by selectRelated keeps the joined objects (no second read)', async () => {
    const s = await smallShelf();
    const { result: books, queries } = await counted(() =>
      Book.filter({ id__in: s.bookIds }).selectRelated('author__publisher').prefetchRelated('author__profile'),
    );
    assert.equal(queries.length, 2, 'books joined with authors and publishers, then profiles');
    assert.equal(books[0]!.author.publisher?.name, `${s.p} press`, 'the joined publisher is still there');
    assert.equal((books[0]!.author.profile as unknown as Profile).bio, `${s.p} Ann's bio`);
    assert.equal((books[1]!.author.profile as unknown as Profile).bio, `${s.p} Ann's bio`, 'each joined Author object gets it');
    assert.equal(books[2]!.author.profile, null);
    // An instance whose key changed after the join is read again.
    const [book] = await Book.filter({ id: s.books[2]!.id }).selectRelated('author');
    book!.authorId = s.ann.id;
    const again = await counted(() => book!.fetchRelated('author'));
    assert.equal(again.queries.length, 1);
    assert.equal(book!.author.name, `${s.p} Ann`);
  });

  it('Prefetch and prefetchRelated reject wrong models and unknown relations before any SQL', async () => {
    const { queries } = await counted(async () => {
      assert.throws(
        () => Author.all().prefetchRelated(new Prefetch('books', { queryset: Tag.all() as never })),
        (error: unknown) => {
          assert.ok(error instanceof ParamsError);
          assert.equal((error as Error).message, "Author: the Prefetch queryset for 'books' must query Book, not Tag.");
          return true;
        },
      );
      assert.throws(
        () => Author.all().prefetchRelated(new Prefetch('books__tags', { queryset: Book.all() as never })),
        /Author: the Prefetch queryset for 'books__tags' must query Tag, not Book\./,
      );
      assert.throws(
        () => Author.all().prefetchRelated('books__tgs' as never),
        (error: unknown) => {
          assert.ok(error instanceof FieldError);
          assert.match((error as Error).message, /Author: cannot prefetch 'books__tgs': Book has no relation 'tgs'\. Relations of Book: .*author.*tags/);
          return true;
        },
      );
      assert.throws(
        () => Author.all().prefetchRelated(new Prefetch('books', { queryset: Book.all().values('title') })),
        (error: unknown) => {
          assert.ok(error instanceof ParamsError);
          assert.equal((error as Error).message, "Author: the Prefetch queryset for 'books' must return Book instances; drop values()/valuesList() from it.");
          return true;
        },
      );
      assert.throws(() => new Prefetch(''), ParamsError);
    });
    assert.deepEqual(queries, []);
  });

  it('selectRelated: the author, and nested author__publisher, in ONE query; a null key gives null', async () => {
    const s = await smallShelf();
    const { result: books, queries } = await counted(() => Book.filter({ id__in: s.bookIds }).selectRelated('author'));
    assert.equal(queries.length, 1);
    assert.deepEqual(books.map((b) => b.author.name), [`${s.p} Ann`, `${s.p} Ann`, `${s.p} Bob`]);

    const nested = await counted(() => Book.filter({ id__in: s.bookIds }).selectRelated('author__publisher'));
    assert.equal(nested.queries.length, 1);
    const [a1, , b1] = nested.result;
    assert.equal(a1!.author.publisher?.name, `${s.p} press`);
    assert.equal(b1!.author.name, `${s.p} Bob`);
    assert.equal(b1!.author.publisher, null, "Bob's nullable publisher key is null: the related object is null");

    const editorless = await counted(() => Book.filter({ id: s.books[0]!.id }).selectRelated('editor'));
    assert.equal(editorless.queries.length, 1);
    assert.equal(editorless.result[0]!.editor, null);
  });

  it('selectRelated + prefetchRelated + filter + orderBy + limit together', async () => {
    const s = await smallShelf();
    const { result: books, queries } = await counted(() =>
      Book.filter({ id__in: s.bookIds, author__name__startswith: `${s.p} ` })
        .selectRelated('author__publisher')
        .prefetchRelated('tags', 'author__books')
        .orderBy('-year')
        .limit(2),
    );
    assert.equal(queries.length, 3, 'books joined with authors and publishers, tags, books of those authors');
    assert.deepEqual(books.map((b) => b.title), [`${s.p} B1`, `${s.p} A2`]);
    assert.equal(books[0]!.author.publisher, null);
    assert.equal(books[1]!.author.publisher?.name, `${s.p} press`);
    assert.deepEqual([...books[1]!.tags].map((t) => t.name), [`${s.p} c`]);
    assert.deepEqual([...books[1]!.author.books].map((b) => b.title), [`${s.p} A1`, `${s.p} A2`]);
    assert.equal(books[0]!.author.books.length, 1);
  });

  it('instance.fetchRelated and Model.fetchForList', async () => {
    const s = await smallShelf();
    const book = await Book.get({ id: s.books[0]!.id });
    const { result, queries } = await counted(() => book.fetchRelated('author', 'tags'));
    assert.equal(result, book, 'fetchRelated returns the instance');
    assert.equal(queries.length, 2);
    assert.equal(book.author.name, `${s.p} Ann`);
    assert.deepEqual([...book.tags].map((t) => t.name), [`${s.p} a`, `${s.p} c`]);

    const authors = await Author.filter({ id__in: s.authorIds });
    const listed = await counted(() => Author.fetchForList(authors, 'books'));
    assert.equal(listed.queries.length, 1, 'one query for the books of every author in the list');
    assert.deepEqual(authors.map((a) => a.books.length), [2, 1, 0]);
    assert.deepEqual((await counted(() => Author.fetchForList([], 'books__tags'))).queries, []);
  });

  it('prefetch on get() and first() results', async () => {
    const s = await smallShelf();
    const { result: ann, queries } = await counted(() => Author.get({ id: s.ann.id }).prefetchRelated('books__tags'));
    assert.equal(queries.length, 3);
    assert.deepEqual([...ann.books].map((b) => b.tags.length), [2, 1]);
    const first = await Author.filter({ id__in: s.authorIds }).orderBy('-id').prefetchRelated('books').first();
    assert.equal(first?.id, s.lonely.id);
    assert.equal(first?.books.length, 0);
    const none = await counted(() => Author.filter({ name: `${s.p} nobody` }).prefetchRelated('books').first());
    assert.deepEqual(none, { result: null, queries: [none.queries[0]!] });
  });

  it('prefetch over an empty result runs no extra query', async () => {
    const { result, queries } = await counted(() => Author.filter({ name: 'nobody at all' }).prefetchRelated('books__tags', 'profile', 'publisher'));
    assert.deepEqual(result, []);
    assert.equal(queries.length, 1);
    // Parents whose relation is empty stop the walk too: authors without books, no tags query.
    const p = prefix();
    const lonely = await Author.create({ name: `${p} lonely` });
    const deeper = await counted(() => Author.filter({ id: lonely.id }).prefetchRelated('books__tags'));
    assert.equal(deeper.queries.length, 2);
    assert.equal(deeper.result[0]!.books.length, 0);
  });

  it('prefetch inside inTransaction reads through the transaction (sees its uncommitted rows)', async () => {
    const p = prefix();
    let ids: number[] = [];
    await assert.rejects(
      inTransaction(async () => {
        const author = await Author.create({ name: `${p} tx` });
        const book = await Book.create({ title: `${p} tx book`, author });
        const tag = await Tag.create({ name: `${p} tx tag` });
        await book.tags.add(tag);
        ids = [author.id];
        const [loaded] = await Author.filter({ id: author.id }).prefetchRelated('books__tags', 'profile');
        assert.deepEqual([...loaded!.books].map((b) => [b.title, b.tags.related.map((t) => t.name)]), [[`${p} tx book`, [`${p} tx tag`]]]);
        throw new Error('roll back');
      }),
      /roll back/,
    );
    assert.equal(await Author.filter({ id__in: ids }).count(), 0);
  });

  it('after book.tags.add(t) the cached tags are dropped and the next await re-reads', async () => {
    const s = await smallShelf();
    const [book] = await Book.filter({ id: s.books[2]!.id }).prefetchRelated('tags');
    assert.equal(book!.tags.length, 0);
    await book!.tags.add(s.tags[2]!);
    assert.throws(() => book!.tags.length, NoValuesFetched);
    const { result, queries } = await counted(async () => (await book!.tags).map((t) => t.name));
    assert.deepEqual(result, [`${s.p} b`]);
    assert.equal(queries.length, 1);
    await book!.tags.remove(s.tags[2]!);
    assert.deepEqual(await book!.tags, []);
  });

  it('a dangling key (no such row) reads null after selectRelated, prefetchRelated or await; a changed key reloads', async () => {
    const s = await smallShelf();
    const book = await Book.create({ title: `${s.p} dangling`, authorId: s.ann.id, editorId: 999999 });
    const [joined] = await Book.filter({ id: book.id }).selectRelated('editor');
    assert.equal(joined!.editor, null);
    const [prefetched] = await Book.filter({ id: book.id }).prefetchRelated('editor');
    assert.equal(prefetched!.editor, null);
    const loaded = await Book.get({ id: book.id });
    assert.equal(await loaded.editor, null);
    assert.equal(loaded.editor, null, 'the empty result is remembered');
    loaded.editorId = s.ann.id;
    const editor: Author | null = await (loaded as Book).editor;
    assert.equal(editor?.id, s.ann.id, 'a new key is fetched, not the cached null');
  });
});
