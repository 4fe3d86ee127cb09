import assert from 'node:assert/strict';
import { before, it } from 'node:test';
import { IntegrityError, Model, NoValuesFetched, NotSupportedError, Q, Terrapin, fields } from '../../src/index.js';
import { forEachBackend } from '../support/backends.js';
import {
  Author,
  Book,
  BookLabel,
  CascadeChild,
  Label,
  Loose,
  NoActionChild,
  Note,
  NullChild,
  Owner,
  Person,
  Profile,
  Publisher,
  RestrictChild,
  Review,
  Tag,
  libraryModels,
} from '../fixtures/library.js';

function notFetched(label: RegExp) {
  return (error: unknown) => {
    assert.ok(error instanceof NoValuesFetched, `expected NoValuesFetched, got ${String(error)}`);
    assert.match((error as Error).message, label);
    return true;
  };
}

function integrity(error: unknown): boolean {
  assert.ok(error instanceof IntegrityError, `expected IntegrityError, got ${String(error)}`);
  return true;
}

function titles(books: readonly Book[]): string[] {
  return books.map((b) => b.title);
}

forEachBackend('relations', [libraryModels], (ctx) => {
  it('await book.author fetches the author; afterwards it reads synchronously', async () => {
    const ann = await Author.create({ name: 'Ann' });
    const book = await Book.create({ title: 'Shells', author: ann });
    assert.equal(book.authorId, ann.id);
    assert.equal(book.author, ann, 'the instance given to create() is kept');

    const loaded = await Book.get({ id: book.id });
    assert.equal(loaded.authorId, ann.id);
    assert.throws(() => loaded.author.name, notFetched(/^Book\.author is not fetched: await it first/));
    const author = await loaded.author;
    assert.ok(author instanceof Author);
    assert.equal(author.name, 'Ann');
    assert.equal(loaded.author.name, 'Ann');
    assert.equal(loaded.author, author, 'the fetched instance is cached');
  });

  it('create() takes the key value; assigning an instance and saving moves the key', async () => {
    const ann = await Author.create({ name: 'Ann2' });
    const bob = await Author.create({ name: 'Bob2' });
    const byKey = await Book.create({ title: 'By key', authorId: ann.id });
    assert.equal((await byKey.author).name, 'Ann2');

    const loaded = await Book.get({ id: byKey.id });
    loaded.author = bob;
    assert.equal(loaded.authorId, bob.id);
    assert.equal(loaded.author.name, 'Bob2');
    await loaded.save();
    assert.equal((await Book.get({ id: byKey.id })).authorId, bob.id);

    // Changing the key by hand drops the cached instance: the next read fetches the new one.
    loaded.authorId = ann.id;
    assert.throws(() => loaded.author.name, NoValuesFetched);
    assert.equal((await loaded.author).name, 'Ann2');
  });

  it('a null key reads null, awaited or not; assigning null clears it', async () => {
    const ann = await Author.create({ name: 'Ann3' });
    const book = await Book.create({ title: 'No editor', author: ann });
    assert.equal(book.editorId, null);
    const loaded = await Book.get({ id: book.id });
    assert.equal(loaded.editor, null);
    assert.equal(await loaded.editor, null);

    loaded.editor = ann;
    await loaded.save();
    const edited = await Book.get({ id: book.id });
    assert.equal(edited.editorId, ann.id);
    assert.equal((await edited.editor)?.name, 'Ann3');
    edited.editor = null;
    assert.equal(edited.editorId, null);
    await edited.save();
    assert.equal((await Book.get({ id: book.id })).editorId, null);
  });

  it('a key to a unique non-pk field (toField) stores and follows that field', async () => {
    const pub = await Publisher.create({ name: 'Shell Press', code: 'SP' });
    const ann = await Author.create({ name: 'Ann4' });
    const book = await Book.create({ title: 'Pressed', author: ann, publisher: pub });
    assert.equal(book.publisherId, 'SP');
    const loaded = await Book.get({ id: book.id });
    assert.equal(loaded.publisherId, 'SP');
    assert.equal((await loaded.publisher)?.name, 'Shell Press');
    assert.deepEqual(titles(await pub.catalog), ['Pressed']);
    assert.deepEqual(titles(await Book.filter({ publisher: pub })), ['Pressed']);
    assert.deepEqual(titles(await Book.filter({ publisher__name: 'Shell Press' })), ['Pressed']);
    assert.deepEqual(await Publisher.filter({ catalog__title: 'Pressed' }).valuesList('code', { flat: true }), ['SP']);
  });

  it('the reverse manager: await, filter, all, count, first; length and iteration only once fetched', async () => {
    const cleo = await Author.create({ name: 'Cleo' });
    for (const title of ['c1', 'c2', 'other']) await Book.create({ title, author: cleo });

    const fresh = await Author.get({ id: cleo.id });
    assert.throws(() => fresh.books.length, notFetched(/^Author\.books is not fetched: await it first/));
    assert.throws(() => [...fresh.books], NoValuesFetched);
    assert.deepEqual(titles(await fresh.books.filter({ title__startswith: 'c' })), ['c1', 'c2']);
    assert.equal((await fresh.books.all()).length, 3);
    assert.equal(await fresh.books.count(), 3);
    assert.equal((await fresh.books.first())?.title, 'c1');
    assert.throws(() => fresh.books.length, NoValuesFetched, 'queries through the manager do not fill it');

    const books = await fresh.books;
    assert.deepEqual(titles(books), ['c1', 'c2', 'other']);
    assert.equal(fresh.books.length, 3);
    assert.deepEqual([...fresh.books].map((b) => b.title), ['c1', 'c2', 'other']);
    assert.ok(books.every((b) => b.authorId === cleo.id));
  });

  it('default relatedName is <table>s; relatedName false adds no reverse side', async () => {
    const ann = await Author.create({ name: 'Ann5' });
    await Note.create({ text: 'n1', author: ann });
    assert.deepEqual((await ann.notes).map((n) => n.text), ['n1']);
    assert.deepEqual(await Author.filter({ notes__text: 'n1' }).valuesList('name', { flat: true }), ['Ann5']);

    const book = await Book.create({ title: 'Reviewed', author: ann });
    await Review.create({ text: 'fine', book });
    assert.equal('reviews' in book, false);
    assert.equal((Book.prototype as unknown as Record<string, unknown>).reviews, undefined);
    assert.deepEqual(await Review.filter({ book__title: 'Reviewed' }).valuesList('text', { flat: true }), ['fine']);
  });

  it('the reverse of a one-to-one is a single object (or null)', async () => {
    const ann = await Author.create({ name: 'Ann6' });
    assert.equal(await ann.profile, null);
    await Profile.create({ bio: 'writes', author: ann });

    const fresh = await Author.get({ id: ann.id });
    assert.throws(() => fresh.profile?.bio, notFetched(/^Author\.profile is not fetched/));
    const profile = await fresh.profile;
    assert.ok(profile instanceof Profile);
    assert.equal(profile.bio, 'writes');
    assert.equal(fresh.profile?.bio, 'writes');
    assert.equal((await profile.author).name, 'Ann6');
    assert.deepEqual(await Author.filter({ profile__bio: 'writes' }).valuesList('name', { flat: true }), ['Ann6']);
    await assert.rejects(Profile.create({ bio: 'twice', author: ann }), integrity);
  });

  it('dbConstraint: false lets a key point nowhere', async () => {
    const loose = await Loose.create({ authorId: 987654 });
    const loaded = await Loose.get({ id: loose.id });
    assert.equal(loaded.authorId, 987654);
    assert.equal(await loaded.author, null);
  });

  it('many-to-many: add (idempotent), remove, clear, both directions', async () => {
    const ann = await Author.create({ name: 'Ann7' });
    const book = await Book.create({ title: 'Tagged', author: ann });
    const sea = await Tag.create({ name: 'm-sea' });
    const sand = await Tag.create({ name: 'm-sand' });

    await book.tags.add(sea, sand);
    await book.tags.add(sea);
    assert.equal(await Book.filter({ tags__name: 'm-sea' }).count(), 1, 'adding a linked pair twice keeps one row');
    assert.deepEqual((await book.tags).map((t) => t.name), ['m-sea', 'm-sand']);
    assert.equal(book.tags.length, 2);
    assert.deepEqual(titles(await sea.books), ['Tagged']);

    await book.tags.remove(sand);
    assert.deepEqual((await book.tags).map((t) => t.name), ['m-sea'], 'remove() drops what was fetched');
    assert.deepEqual(titles(await sand.books), []);

    await sand.books.add(book);
    assert.deepEqual((await Book.get({ id: book.id }).then((b) => b.tags)).map((t) => t.name), ['m-sea', 'm-sand']);
    assert.equal(await book.tags.filter({ name: 'm-sand' }).count(), 1);

    await book.tags.clear();
    assert.deepEqual(await book.tags, []);
    assert.equal(await Tag.filter({ name__startswith: 'm-' }).count(), 2, 'the tags themselves stay');
  });

  it('many-to-many through a declared model writes its rows', async () => {
    const ann = await Author.create({ name: 'Ann8' });
    const book = await Book.create({ title: 'Labelled', author: ann });
    const red = await Label.create({ name: 'red' });
    const blue = await Label.create({ name: 'blue' });
    await book.labels.add(red, blue);
    await book.labels.add(red);
    assert.equal(await BookLabel.filter({ bookId: book.id }).count(), 2);
    assert.deepEqual((await book.labels).map((l) => l.name), ['red', 'blue']);
    assert.deepEqual(titles(await red.books), ['Labelled']);
    assert.deepEqual(titles(await Book.filter({ labels__name: 'blue' })), ['Labelled']);
    assert.deepEqual((await book.labelLinks).map((link) => link.labelId).sort(), [red.id, blue.id].sort());
    await book.labels.remove(red);
    assert.deepEqual(await BookLabel.filter({ bookId: book.id }).valuesList('labelId', { flat: true }), [blue.id]);
  });

  it('self-referential key and self many-to-many', async () => {
    const root = await Person.create({ name: 'root' });
    const kid = await Person.create({ name: 'kid', parent: root });
    const kid2 = await Person.create({ name: 'kid2', parentId: root.id });
    assert.deepEqual((await root.children).map((p) => p.name), ['kid', 'kid2']);
    assert.equal((await kid.parent)?.name, 'root');
    assert.equal(await root.parent, null);
    assert.deepEqual(await Person.filter({ parent__name: 'root' }).valuesList('name', { flat: true }), ['kid', 'kid2']);
    assert.deepEqual(await Person.filter({ children__name: 'kid2' }).valuesList('name', { flat: true }), ['root']);

    await root.friends.add(kid, kid2);
    assert.deepEqual((await root.friends).map((p) => p.name), ['kid', 'kid2']);
    assert.deepEqual((await kid.friendOf).map((p) => p.name), ['root']);
    assert.deepEqual(await kid.friends, [], 'friendship is directed: kid has not added root');
    assert.deepEqual(await Person.filter({ friends__name: 'kid' }).valuesList('name', { flat: true }), ['root']);
    assert.deepEqual(await Person.filter({ friendOf__name: 'root' }).valuesList('name', { flat: true }), ['kid', 'kid2']);

    await root.delete();
    assert.equal((await Person.get({ id: kid.id })).parentId, null, 'SET_NULL on the parent key');
    assert.deepEqual((await kid.friendOf).map((p) => p.name), ['root'], 'what was fetched stays until fetched again');
    const reloaded = await Person.get({ id: kid.id });
    assert.deepEqual(await reloaded.friendOf, [], 'deleting a person removes its through rows');
  });

  describe_filters();

  function describe_filters(): void {
    let ann: Author;
    let bob: Author;
    let cid: Author;
    before(async () => {
      ann = await Author.create({ name: 'F Ann' });
      bob = await Author.create({ name: 'F Bob' });
      cid = await Author.create({ name: 'F Cid' });
      const sea = await Book.create({ title: 'F-Sea', author: ann, editor: bob });
      const sand = await Book.create({ title: 'F-Sand', author: ann });
      const sky = await Book.create({ title: 'F-Sky', author: bob });
      const tSea = await Tag.create({ name: 'f-sea' });
      const tSand = await Tag.create({ name: 'f-sand' });
      const tBlue = await Tag.create({ name: 'f-blue' });
      await sea.tags.add(tSea, tBlue);
      await sand.tags.add(tSand);
      await sky.tags.add(tBlue);
    });
    const fBooks = () => Book.filter({ title__startswith: 'F-' });
    const fAuthors = () => Author.filter({ name__startswith: 'F ' });

    it('filters across a forward key, with lookups, instances and keys', async () => {
      assert.deepEqual(titles(await Book.filter({ author__name__icontains: 'f ann' })), ['F-Sea', 'F-Sand']);
      assert.deepEqual(titles(await Book.filter({ author: ann })), ['F-Sea', 'F-Sand']);
      assert.deepEqual(titles(await Book.filter({ author__in: [ann, bob] })), ['F-Sea', 'F-Sand', 'F-Sky']);
      assert.deepEqual(titles(await Book.filter({ author__in: [bob.id, cid.id] })), ['F-Sky']);
      assert.deepEqual(titles(await fBooks().filter({ author__isnull: true })), []);
      assert.deepEqual(titles(await fBooks().filter({ editor__isnull: false })), ['F-Sea']);
      assert.deepEqual(titles(await fBooks().filter({ editor: null })), ['F-Sand', 'F-Sky']);
      assert.deepEqual(titles(await fBooks().filter({ editor__name: 'F Bob' })), ['F-Sea']);
    });

    it('filters across reverse and many-to-many relations; distinct() folds repeated rows', async () => {
      assert.deepEqual(
        await Author.filter({ books__title__startswith: 'F-S' }).valuesList('name', { flat: true }),
        ['F Ann', 'F Ann', 'F Bob'],
        'a reverse join repeats the author once per matching book',
      );
      assert.deepEqual((await Author.filter({ books__title__startswith: 'F-S' }).distinct()).map((a) => a.name), ['F Ann', 'F Bob']);
      assert.deepEqual((await Author.filter({ books__title: 'F-Sky' }).distinct()).map((a) => a.name), ['F Bob']);
      assert.deepEqual(titles(await Book.filter({ tags__name: 'f-blue' })), ['F-Sea', 'F-Sky']);
      assert.deepEqual((await fAuthors().filter({ books__isnull: true })).map((a) => a.name), ['F Cid']);
      assert.deepEqual((await fAuthors().filter({ books__tags__name: 'f-sand' })).map((a) => a.name), ['F Ann']);
      assert.deepEqual((await fAuthors().filter({ edited__title: 'F-Sea' })).map((a) => a.name), ['F Bob']);
    });

    it('exclude across relations keeps rows whose related side is missing', async () => {
      assert.deepEqual(titles(await fBooks().exclude({ author__name: 'F Ann' })), ['F-Sky']);
      // F-Sand and F-Sky have no editor: "not edited by F Bob" holds for them.
      assert.deepEqual(titles(await fBooks().exclude({ editor__name: 'F Bob' })), ['F-Sand', 'F-Sky']);
      // As in Django: authors with no book titled F-Sea, including those without books.
      assert.deepEqual((await fAuthors().exclude({ books__title: 'F-Sea' })).map((a) => a.name), ['F Bob', 'F Cid']);
    });

    it('Q trees across relations', async () => {
      const either = Q.or(Q({ author__name: 'F Bob' }), Q({ tags__name: 'f-sand' }));
      assert.deepEqual(titles(await fBooks().filter(either).distinct()), ['F-Sand', 'F-Sky']);
      assert.deepEqual(titles(await fBooks().filter(Q.not({ author__name: 'F Bob' }))), ['F-Sea', 'F-Sand']);
      assert.deepEqual(titles(await fBooks().filter(Q({ author__name: 'F Ann' }).and(Q({ tags__name: 'f-blue' })))), ['F-Sea']);
    });

    it('orders, values() and valuesList() across relations (null where nothing joins)', async () => {
      assert.deepEqual(await fBooks().orderBy('-author__name', 'title').valuesList('title', { flat: true }), ['F-Sky', 'F-Sand', 'F-Sea']);
      assert.deepEqual(await fBooks().orderBy('title').values('title', 'author__name'), [
        { title: 'F-Sand', author__name: 'F Ann' },
        { title: 'F-Sea', author__name: 'F Ann' },
        { title: 'F-Sky', author__name: 'F Bob' },
      ]);
      assert.deepEqual(await fBooks().orderBy('title').valuesList('title', 'editor__name'), [
        ['F-Sand', null],
        ['F-Sea', 'F Bob'],
        ['F-Sky', null],
      ]);
      assert.deepEqual(await fAuthors().orderBy('name', 'books__title').valuesList('name', 'books__title'), [
        ['F Ann', 'F-Sand'],
        ['F Ann', 'F-Sea'],
        ['F Bob', 'F-Sky'],
        ['F Cid', null],
      ]);
      assert.deepEqual(await Book.filter({ title: 'F-Sea' }).orderBy('tags__name').valuesList('tags__name', { flat: true }), ['f-blue', 'f-sea']);
    });

    it('count() across joins counts the joined rows; with distinct(), the objects', async () => {
      const query = Book.filter({ author__name: 'F Ann', tags__name__startswith: 'f-' });
      assert.equal((await query).length, 3);
      assert.equal(await query.count(), 3);
      assert.equal(await query.distinct().count(), 2);
      assert.equal(await fAuthors().filter({ books__isnull: false }).distinct().count(), 2);
      assert.equal(await Book.filter({ author__name: 'F Bob' }).count(), 1);
    });

    it('joins each relation path once however many keys use it', async () => {
      const query = Book.filter({ author__name__startswith: 'F', author__id__gt: 0 }).orderBy('author__name').values('title', 'author__name');
      const sql = query.sql();
      assert.equal(sql.match(/\bJOIN\b/gi)?.length, 1, sql);
      assert.equal((await query).length, 3);
      const twoPaths = Book.filter({ author__name: 'F Ann', editor__name: 'F Bob' }).sql();
      assert.equal(twoPaths.match(/\bJOIN\b/gi)?.length, 2, 'author and editor are two paths to the same table');
      assert.deepEqual(titles(await Book.filter({ author__name: 'F Ann', editor__name: 'F Bob' })), ['F-Sea']);
    });

    it('update() and delete() filtered across relations', async () => {
      assert.equal(await Book.filter({ author__name: 'F Bob', title: 'F-Sky' }).update({ title: 'F-Sky2' }), 1);
      assert.deepEqual(titles(await Book.filter({ author: bob })), ['F-Sky2']);
      // Through a many-to-many join the key subquery still changes each row once.
      assert.equal(await Book.filter({ tags__name__in: ['f-sea', 'f-blue'] }).update({ editorId: cid.id }), 2);
      assert.deepEqual(titles(await Book.filter({ editor: cid })), ['F-Sea', 'F-Sky2']);

      // exclude() across a relation inside an UPDATE: a key subquery within the key subquery.
      assert.equal(await Book.filter({ title: 'F-Sea' }).exclude({ tags__name: 'f-blue' }).update({ editorId: bob.id }), 0);
      assert.equal(await Book.filter({ title: 'F-Sand' }).exclude({ tags__name: 'f-blue' }).update({ editorId: bob.id }), 1);
      assert.deepEqual(titles(await fBooks().filter({ editor: bob })), ['F-Sand']);

      const dee = await Author.create({ name: 'F Dee' });
      await Book.create({ title: 'F-Gone1', author: dee });
      await Book.create({ title: 'F-Gone2', author: dee });
      assert.equal(await Book.filter({ author__name: 'F Dee' }).delete(), 2);
      assert.equal(await Book.filter({ authorId: dee.id }).count(), 0);
      assert.equal(await Author.filter({ name: 'F Dee' }).count(), 1);
      // Reverse relation in a delete: authors with no books.
      assert.equal(await fAuthors().filter({ books__isnull: true, name: 'F Dee' }).delete(), 1);
    });
  }

  it('onDelete CASCADE and SET_NULL are applied by the database', async () => {
    const owner = await Owner.create({ name: 'o1' });
    await CascadeChild.create({ owner });
    await CascadeChild.create({ owner });
    const nulled = await NullChild.create({ owner });
    await owner.delete();
    assert.equal(await CascadeChild.filter({ ownerId: owner.id }).count(), 0);
    assert.equal((await NullChild.get({ id: nulled.id })).ownerId, null);
  });

  it('onDelete RESTRICT and NO_ACTION refuse with IntegrityError and delete nothing', async () => {
    for (const Child of [RestrictChild, NoActionChild] as const) {
      const owner = await Owner.create({ name: `o-${Child.name}` });
      const child = await (Child as typeof RestrictChild).create({ owner });
      const cascaded = await CascadeChild.create({ owner });
      await assert.rejects(owner.delete(), integrity);
      await assert.rejects(Owner.filter({ id: owner.id }).delete(), integrity);
      assert.equal(await Owner.filter({ id: owner.id }).count(), 1, `${Child.name}: the owner stays`);
      assert.equal(await (Child as typeof RestrictChild).filter({ id: child.id }).count(), 1);
      assert.equal(await CascadeChild.filter({ id: cascaded.id }).count(), 1, 'the refused delete cascaded nowhere');
    }
  });

  it('deleting a row removes its through rows and cascades to its children', async () => {
    const ann = await Author.create({ name: 'Ann9' });
    const book = await Book.create({ title: 'Doomed', author: ann });
    const keep = await Book.create({ title: 'Kept', author: ann });
    const tag = await Tag.create({ name: 'd-tag' });
    await book.tags.add(tag);
    await keep.tags.add(tag);
    await book.delete();
    assert.deepEqual(titles(await tag.books), ['Kept']);
    await tag.delete();
    assert.deepEqual(await keep.tags, []);
    await ann.delete();
    assert.equal(await Book.filter({ authorId: ann.id }).count(), 0);
  });

  it('onDelete SET_DEFAULT sets the column default where the backend supports it', async () => {
    class SdParent extends Model {
      id = fields.IntField({ pk: true });
      static override meta = { table: 'sd_parent' };
    }
    class SdChild extends Model {
      id = fields.IntField({ pk: true });
      parent = fields.ForeignKeyField(() => SdParent, { relatedName: 'children', onDelete: 'SET_DEFAULT', null: true });
      declare parentId: number | null;
      static override meta = { table: 'sd_child' };
    }
    const t = new Terrapin();
    try {
      await t.init({ dbUrl: ctx.url, modules: { models: [SdParent, SdChild] } });
      if (ctx.backend === 'mysql') {
        // InnoDB accepts ON DELETE SET DEFAULT in the DDL but acts as RESTRICT: refused up front.
        await assert.rejects(t.generateSchemas({ safe: true }), (error: unknown) => {
          assert.ok(error instanceof NotSupportedError);
          assert.match((error as Error).message, /^sd_child\.parentId: onDelete SET_DEFAULT is not enforced by mysql \(InnoDB treats it as RESTRICT\); use SET_NULL, CASCADE or RESTRICT\.$/);
          return true;
        });
        return;
      }
      await t.generateSchemas({ safe: true });
      const parent = await SdParent.create({});
      const child = await SdChild.create({ parent });
      {
        await parent.delete();
        // The key column has no default, so SET DEFAULT writes NULL.
        assert.equal((await SdChild.get({ id: child.id })).parentId, null);
      }
    } finally {
      await t.close();
    }
  });
});
