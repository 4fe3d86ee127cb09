import assert from 'node:assert/strict';
import { it } from 'node:test';
import {
  ConfigurationError,
  FieldError,
  IntegrityError,
  Model,
  OperationalError,
  ParamsError,
  Terrapin,
  ValidationError,
  fields,
  type QueryEvent,
} from '../../src/index.js';
import { forEachBackend, type BackendContext } from '../support/backends.js';
import { Author, Book, BookLabel, Label, Tag, libraryModels } from '../fixtures/library.js';
import { errorMatching } from '../support/expect-errors.js';

/** Terrapin.init with these models on a fresh instance must fail with `message`; the instance is closed. */
async function initFails(ctx: BackendContext, models: readonly (typeof Model)[], message: RegExp): Promise<void> {
  const t = new Terrapin();
  try {
    await assert.rejects(t.init({ dbUrl: ctx.url, modules: { models: [...models] } }), errorMatching(ConfigurationError, message));
  } finally {
    await t.close();
  }
}

/** The statements run on the default instance while `fn` runs. */
async function statementsDuring(fn: () => unknown): Promise<QueryEvent[]> {
  const seen: QueryEvent[] = [];
  const stop = Terrapin.onQuery((event) => seen.push(event));
  try {
    await fn();
  } finally {
    stop();
  }
  return seen;
}

// Models for declaration errors: each group is given to its own Terrapin instance.
class Stranger extends Model {
  id = fields.IntField({ pk: true });
  static override meta = { table: 'err_stranger' };
}
class PointsAtStranger extends Model {
  id = fields.IntField({ pk: true });
  other = fields.ForeignKeyField(() => Stranger);
  static override meta = { table: 'err_points' };
}
class PointsAtNobody extends Model {
  id = fields.IntField({ pk: true });
  other = fields.ForeignKeyField<Stranger>('models.Nobody');
  static override meta = { table: 'err_nobody' };
}
class TagsStrangers extends Model {
  id = fields.IntField({ pk: true });
  others = fields.ManyToManyField(() => Stranger);
  static override meta = { table: 'err_m2m_stranger' };
}
class Shelf extends Model {
  id = fields.IntField({ pk: true });
  name = fields.CharField({ maxLength: 20 });
  static override meta = { table: 'err_shelf' };
}
class ClashesWithField extends Model {
  id = fields.IntField({ pk: true });
  shelf = fields.ForeignKeyField(() => Shelf, { relatedName: 'name' });
  static override meta = { table: 'err_clash_field' };
}
class ClashFirst extends Model {
  id = fields.IntField({ pk: true });
  shelf = fields.ForeignKeyField(() => Shelf, { relatedName: 'items' });
  static override meta = { table: 'err_clash_first' };
}
class ClashSecond extends Model {
  id = fields.IntField({ pk: true });
  shelf = fields.ForeignKeyField(() => Shelf, { relatedName: 'items' });
  static override meta = { table: 'err_clash_second' };
}
/** Two keys to one model, both with the default relatedName. */
class TwoDefaults extends Model {
  id = fields.IntField({ pk: true });
  front = fields.ForeignKeyField(() => Shelf);
  back = fields.ForeignKeyField(() => Shelf);
  static override meta = { table: 'err_two_defaults' };
}
class M2mClash extends Model {
  id = fields.IntField({ pk: true });
  shelves = fields.ManyToManyField(() => Shelf, { relatedName: 'name' });
  static override meta = { table: 'err_m2m_clash' };
}
class SetNullNotNull extends Model {
  id = fields.IntField({ pk: true });
  shelf = fields.ForeignKeyField(() => Shelf, { onDelete: 'SET_NULL' });
  static override meta = { table: 'err_set_null' };
}
class ToFieldNotUnique extends Model {
  id = fields.IntField({ pk: true });
  shelf = fields.ForeignKeyField(() => Shelf, { toField: 'name' });
  static override meta = { table: 'err_to_field' };
}
class ToFieldMissing extends Model {
  id = fields.IntField({ pk: true });
  shelf = fields.ForeignKeyField(() => Shelf, { toField: 'code' });
  static override meta = { table: 'err_to_field_missing' };
}

forEachBackend('relations_errors', [libraryModels], (ctx) => {
  it('a relation to an unregistered model or an unknown name fails at init, naming both models', async () => {
    await initFails(
      ctx,
      [PointsAtStranger],
      /^PointsAtStranger\.other refers to Stranger, which is not registered with this Terrapin instance; add the module that defines Stranger to modules\./,
    );
    await initFails(ctx, [PointsAtNobody], /^PointsAtNobody\.other refers to 'models\.Nobody', which is not a registered model\. Registered: models\.PointsAtNobody\./);
    await initFails(ctx, [TagsStrangers], /^TagsStrangers\.others refers to Stranger, which is not registered/);
  });

  it('a relatedName clashing with a field or another relation fails at init', async () => {
    await initFails(ctx, [Shelf, ClashesWithField], /ClashesWithField\.shelf: the reverse relation name 'name' clashes with Shelf\.name; choose another relatedName/);
    await initFails(ctx, [Shelf, ClashFirst, ClashSecond], /ClashSecond\.shelf: the reverse relation name 'items' clashes with Shelf\.items/);
    await initFails(ctx, [Shelf, TwoDefaults], /TwoDefaults\.back: the reverse relation name 'err_two_defaultss' clashes with Shelf\.err_two_defaultss/);
    await initFails(ctx, [Shelf, M2mClash], /M2mClash\.shelves: the reverse relation name 'name' clashes with Shelf\.name/);
  });

  it('onDelete SET_NULL without null, and a toField that is not unique, fail at init', async () => {
    await initFails(ctx, [Shelf, SetNullNotNull], /^SetNullNotNull\.shelf: onDelete SET_NULL needs null: true on the foreign key\./);
    await initFails(ctx, [Shelf, ToFieldNotUnique], /^ToFieldNotUnique\.shelf: toField 'name' must be unique on Shelf; add unique: true\./);
    await initFails(ctx, [Shelf, ToFieldMissing], /^ToFieldMissing\.shelf: toField 'code' is not a field of Shelf\./);
  });

  it('a key pointing nowhere is an IntegrityError and writes nothing', async () => {
    const ann = await Author.create({ name: 'E Ann' });
    const before = await Book.all().count();
    await assert.rejects(Book.create({ title: 'dangling', authorId: 987654 }), (error: unknown) => error instanceof IntegrityError);
    assert.equal(await Book.all().count(), before);

    const book = await Book.create({ title: 'kept', author: ann });
    book.authorId = 987654;
    await assert.rejects(book.save(), (error: unknown) => error instanceof IntegrityError);
    assert.equal((await Book.get({ id: book.id })).authorId, ann.id);
  });

  it('assigning another model or an unsaved instance to a key is a ValidationError', async () => {
    const ann = await Author.create({ name: 'E Ann2' });
    const book = await Book.create({ title: 'assign', author: ann });
    const tag = await Tag.create({ name: 'e-tag' });
    assert.throws(
      () => {
        book.author = tag as unknown as Author;
      },
      errorMatching(ValidationError, /^Book\.author takes a Author instance \(or null\); set authorId to assign by key\./),
    );
    assert.throws(
      () => {
        book.author = Author.build({ name: 'unsaved' });
      },
      errorMatching(ValidationError, /^Book\.author: the Author is not saved yet \(it has no id\); save it first\./),
    );
    assert.equal(book.authorId, ann.id, 'a refused assignment changes nothing');
    const before = await Book.all().count();
    await assert.rejects(Book.create({ title: 'x', author: Author.build({ name: 'unsaved' }) }), ValidationError);
    await assert.rejects(Book.create({ title: 'x', author: ann, authorId: ann.id }), errorMatching(ParamsError, /^Book: give author or authorId, not both\./));
    assert.equal(await Book.all().count(), before);
  });

  it('many-to-many add() of an unsaved object or another model writes nothing', async () => {
    const ann = await Author.create({ name: 'E Ann3' });
    const book = await Book.create({ title: 'm2m errors', author: ann });
    const saved = await Tag.create({ name: 'e-saved' });
    const seen = await statementsDuring(async () => {
      await assert.rejects(
        book.tags.add(saved, Tag.build({ name: 'e-unsaved' })),
        errorMatching(OperationalError, /^Book\.tags\.add\(\): the Tag at argument 1 is not saved; save it first\./),
      );
      await assert.rejects(
        book.tags.add(saved, ann as unknown as Tag),
        errorMatching(ParamsError, /^Book\.tags\.add\(\) takes Tag instances; argument 1 is not one\./),
      );
      await assert.rejects(book.labels.add(Label.build({ name: 'e-unsaved' })), OperationalError);
      await assert.rejects(book.tags.remove(), errorMatching(ParamsError, /needs at least one object; use clear\(\) to unlink all/));
      await assert.rejects(Book.build({ title: 'unsaved', authorId: ann.id }).tags.add(saved), errorMatching(OperationalError, /^Book\.tags cannot be queried before the Book is saved/));
    });
    assert.deepEqual(seen, [], 'refused before any SQL');
    assert.deepEqual(await book.tags, []);
    assert.equal(await BookLabel.filter({ bookId: book.id }).count(), 0);
  });

  it('create() with a reverse or many-to-many key is a ParamsError', async () => {
    const ann = await Author.create({ name: 'E Ann4' });
    const tag = await Tag.create({ name: 'e-create' });
    await assert.rejects(
      Author.create({ name: 'x', books: [] } as never),
      errorMatching(ParamsError, /^Author\.books is a reverse relation and cannot be set on create; save the Author, then use the Book side\./),
    );
    await assert.rejects(
      Book.create({ title: 'x', author: ann, tags: [tag] } as never),
      errorMatching(ParamsError, /^Book\.tags is a many-to-many relation and cannot be set on create; save the Book, then use tags\.add\(\.\.\.\)\./),
    );
    assert.equal(await Author.filter({ name: 'x' }).count(), 0);
  });

  it('filtering by an instance of the wrong model is a ParamsError', async () => {
    const tag = await Tag.create({ name: 'e-filter' });
    assert.throws(() => Book.filter({ author: tag as unknown as Author }), errorMatching(ParamsError, /^Book: filter 'author' takes Author instances or key values; got a Tag\./));
    assert.throws(() => Book.filter({ author__in: [tag as unknown as Author] }), ParamsError);
    assert.throws(() => Book.filter({ author: Author.build({ name: 'unsaved' }) }), errorMatching(ParamsError, /got an unsaved Author; save it first/));
  });

  it('an unknown field across a relation is a FieldError listing the related model\'s fields', () => {
    assert.throws(
      () => Book.filter({ author__nmae: 'x' } as never),
      errorMatching(FieldError, /^Author has no field 'nmae' \(in filter key 'author__nmae'\)\. Valid fields: id, name, pk; relations: .*\bbooks\b/),
    );
    assert.throws(() => Book.filter({ tags__nope__icontains: 'x' } as never), errorMatching(FieldError, /^Tag has no field 'nope'.*Valid fields: id, name, pk/));
    assert.throws(() => Book.all().orderBy('author__nope' as never), errorMatching(FieldError, /^Author has no field 'nope'/));
    assert.throws(() => Book.all().values('title', 'author__nope' as never), errorMatching(FieldError, /^Author has no field 'nope'/));
  });

  it('a prefetch path that does not exist is a FieldError before any SQL', async () => {
    const ann = await Author.create({ name: 'E Ann5' });
    const seen = await statementsDuring(async () => {
      assert.throws(
        () => Book.all().prefetchRelated('nope' as never),
        errorMatching(FieldError, /^Book: cannot prefetch 'nope': Book has no relation 'nope'\. Relations of Book: author, editor, publisher, .*tags, labels\./),
      );
      assert.throws(
        () => Book.all().prefetchRelated('author__nope' as never),
        errorMatching(FieldError, /^Book: cannot prefetch 'author__nope': Author has no relation 'nope'\. Relations of Author: .*books/),
      );
      assert.throws(() => Book.all().prefetchRelated('title' as never), errorMatching(FieldError, /cannot prefetch 'title': Book has no relation 'title'/));
      await assert.rejects(ann.fetchRelated('nope' as never), FieldError);
    });
    assert.deepEqual(seen.map((e) => e.sql), []);
  });
});
