/**
 * Each kind of operation on every backend: the models change → makemigrations → upgrade → the live
 * schema equals a fresh generateSchemas of the new models and the rows are still there → downgrade →
 * the previous schema, with the data the reverse can keep.
 */
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { Model, fields, type ModelSource } from '../../src/index.js';
import type { MakeOptions } from '../../src/migrations/index.js';
import { activeBackends } from '../support/backends.js';
import { MigrationBed } from './support.js';

type Models = Record<string, typeof Model & (new () => Model)>;
type Rows = (models: Models, sql: (text: string) => Promise<unknown[][]>) => Promise<void>;

interface Case {
  readonly name: string;
  readonly before: () => Models;
  readonly after: () => Models;
  readonly options?: MakeOptions;
  /** Rows written with the models before the change. */
  readonly seed?: (models: Models) => Promise<void>;
  /** Checks on the data after the upgrade (with the new models) and after the downgrade (with the old). */
  readonly up?: Rows;
  readonly down?: Rows;
  /** The operations makemigrations is expected to write. */
  readonly ops: readonly string[];
}

const source = (models: Models): ModelSource[] => [models];

function base(extra: { email?: boolean } = {}) {
  class Author extends Model {
    id = fields.IntField({ pk: true });
    name = fields.CharField({ maxLength: 50 });
    static override meta = { table: 'author' };
  }
  class AuthorWithEmail extends Model {
    id = fields.IntField({ pk: true });
    name = fields.CharField({ maxLength: 50 });
    email = fields.CharField({ maxLength: 100, null: true });
    static override meta = { table: 'author' };
  }
  Object.defineProperty(AuthorWithEmail, 'name', { value: 'Author' });
  return { Author: extra.email === true ? AuthorWithEmail : Author } as unknown as Models;
}

const seedAuthors = async (m: Models) => {
  await (m.Author as any).create({ name: 'Ann' });
  await (m.Author as any).create({ name: 'Bob' });
};
const names = async (m: Models) => (await (m.Author as any).all().orderBy('id').valuesList('name', { flat: true })) as string[];

const CASES: Case[] = [
  {
    name: 'addField (nullable) / removeField',
    before: () => base(),
    after: () => base({ email: true }),
    seed: seedAuthors,
    ops: ['Add field Author.email'],
    up: async (m) => assert.deepEqual(await (m.Author as any).all().orderBy('id').valuesList('email', { flat: true }), [null, null]),
    down: async (m) => assert.deepEqual(await names(m), ['Ann', 'Bob']),
  },
  {
    name: 'addField NOT NULL with a fill / with a database default',
    before: () => base(),
    after: () => {
      class Author extends Model {
        id = fields.IntField({ pk: true });
        name = fields.CharField({ maxLength: 50 });
        code = fields.CharField({ maxLength: 10 });
        rank = fields.IntField({ default: 7 });
        active = fields.BooleanField({ default: true });
        static override meta = { table: 'author' };
      }
      return { Author } as unknown as Models;
    },
    options: { fills: ['Author.code=none'] },
    seed: seedAuthors,
    ops: ['Add field Author.code', 'Add field Author.rank', 'Add field Author.active'],
    up: async (m) => {
      assert.deepEqual(await (m.Author as any).all().orderBy('id').values('code', 'rank', 'active'), [
        { code: 'none', rank: 7, active: true },
        { code: 'none', rank: 7, active: true },
      ]);
    },
    down: async (m) => assert.deepEqual(await names(m), ['Ann', 'Bob']),
  },
  {
    name: 'renameField keeps the values',
    before: () => base(),
    after: () => {
      class Author extends Model {
        id = fields.IntField({ pk: true });
        fullName = fields.CharField({ maxLength: 50 });
        static override meta = { table: 'author' };
      }
      return { Author } as unknown as Models;
    },
    options: { renames: ['Author.name=fullName'] },
    seed: seedAuthors,
    ops: ['Rename field Author.name to fullName'],
    up: async (m) => assert.deepEqual(await (m.Author as any).all().orderBy('id').valuesList('fullName', { flat: true }), ['Ann', 'Bob']),
    down: async (m) => assert.deepEqual(await names(m), ['Ann', 'Bob']),
  },
  {
    name: 'alterField: length, NOT NULL with a fill, unique, index, default, description',
    before: () => {
      class Author extends Model {
        id = fields.IntField({ pk: true });
        name = fields.CharField({ maxLength: 50 });
        nick = fields.CharField({ maxLength: 20, null: true });
        score = fields.IntField({ default: 1 });
        bio = fields.TextField({ null: true });
        static override meta = { table: 'author' };
      }
      return { Author } as unknown as Models;
    },
    after: () => {
      class Author extends Model {
        id = fields.IntField({ pk: true });
        name = fields.CharField({ maxLength: 120, unique: true, description: 'Shown in bylines' });
        nick = fields.CharField({ maxLength: 20, index: true });
        score = fields.IntField({ default: 5 });
        bio = fields.TextField({ null: true, description: 'About' });
        static override meta = { table: 'author', tableDescription: 'People who write' };
      }
      return { Author } as unknown as Models;
    },
    options: { fills: ['Author.nick=anon'] },
    seed: async (m) => {
      await (m.Author as any).create({ name: 'Ann', nick: 'a' });
      await (m.Author as any).create({ name: 'Bob' });
    },
    ops: ['Alter model Author (description)', 'Alter field Author.name', 'Alter field Author.nick', 'Alter field Author.score', 'Alter field Author.bio'],
    up: async (m) => assert.deepEqual(await (m.Author as any).all().orderBy('id').valuesList('nick', { flat: true }), ['a', 'anon']),
    down: async (m) => assert.deepEqual(await names(m), ['Ann', 'Bob']),
  },
  {
    name: 'createModel with a key and a many-to-many / deleteModel',
    before: () => base(),
    after: () => {
      const { Author } = base();
      class Tag extends Model {
        id = fields.IntField({ pk: true });
        label = fields.CharField({ maxLength: 20, unique: true });
        static override meta = { table: 'tag' };
      }
      class Book extends Model {
        id = fields.IntField({ pk: true });
        title = fields.CharField({ maxLength: 100 });
        author = fields.ForeignKeyField(() => Author as any, { relatedName: 'books' });
        tags = fields.ManyToManyField(() => Tag, { relatedName: 'books' });
        static override meta = { table: 'book' };
      }
      return { Author, Book, Tag } as unknown as Models;
    },
    seed: seedAuthors,
    ops: ['Create model Book', 'Create model Tag', 'Add many-to-many Book.tags'],
    up: async (m) => {
      const tag = await (m.Tag as any).create({ label: 'x' });
      const book = await (m.Book as any).create({ title: 'T', authorId: 1 });
      await book.tags.add(tag);
      assert.equal(await (m.Author as any).all().count(), 2);
    },
    down: async (m) => assert.deepEqual(await names(m), ['Ann', 'Bob']),
  },
  {
    name: 'renameModel and a new table name; the keys pointing at it follow',
    before: () => {
      class Writer extends Model {
        id = fields.IntField({ pk: true });
        name = fields.CharField({ maxLength: 50, unique: true });
        static override meta = { table: 'writer' };
      }
      class Book extends Model {
        id = fields.IntField({ pk: true });
        writer = fields.ForeignKeyField(() => Writer, { relatedName: 'books' });
        static override meta = { table: 'book' };
      }
      return { Writer, Book } as unknown as Models;
    },
    after: () => {
      class Author extends Model {
        id = fields.IntField({ pk: true });
        name = fields.CharField({ maxLength: 50, unique: true });
        static override meta = { table: 'author' };
      }
      class Book extends Model {
        id = fields.IntField({ pk: true });
        writer = fields.ForeignKeyField(() => Author, { relatedName: 'books' });
        static override meta = { table: 'book' };
      }
      return { Author, Book } as unknown as Models;
    },
    options: { renames: ['Writer=Author'] },
    seed: async (m) => {
      const w = await (m.Writer as any).create({ name: 'Ann' });
      await (m.Book as any).create({ writerId: w.id });
    },
    ops: ['Rename model Writer to Author', 'Alter model Author (table author)'],
    up: async (m) => {
      assert.deepEqual(await (m.Author as any).all().valuesList('name', { flat: true }), ['Ann']);
      assert.equal(await (m.Book as any).filter({ writer__name: 'Ann' }).count(), 1);
    },
    down: async (m) => assert.equal(await (m.Book as any).filter({ writer__name: 'Ann' }).count(), 1),
  },
  {
    name: 'foreign keys: added with a fill, onDelete changed, renamed relation',
    before: () => {
      const { Author } = base();
      class Book extends Model {
        id = fields.IntField({ pk: true });
        title = fields.CharField({ maxLength: 100 });
        static override meta = { table: 'book' };
      }
      class Review extends Model {
        id = fields.IntField({ pk: true });
        book = fields.ForeignKeyField(() => Book, { relatedName: 'reviews' });
        static override meta = { table: 'review' };
      }
      return { Author, Book, Review } as unknown as Models;
    },
    after: () => {
      const { Author } = base();
      class Book extends Model {
        id = fields.IntField({ pk: true });
        title = fields.CharField({ maxLength: 100 });
        author = fields.ForeignKeyField(() => Author as any, { relatedName: 'books', onDelete: 'RESTRICT' });
        static override meta = { table: 'book' };
      }
      class Review extends Model {
        id = fields.IntField({ pk: true });
        item = fields.ForeignKeyField(() => Book, { relatedName: 'reviews', onDelete: 'SET_NULL', null: true });
        static override meta = { table: 'review' };
      }
      return { Author, Book, Review } as unknown as Models;
    },
    options: { fills: ['Book.author=1'], renames: ['Review.book=item'] },
    seed: async (m) => {
      await seedAuthors(m);
      const book = await (m.Book as any).create({ title: 'T' });
      await (m.Review as any).create({ bookId: book.id });
    },
    ops: ['Rename field Review.bookId to itemId', 'Add field Book.authorId', 'Alter field Review.itemId'],
    up: async (m) => {
      assert.deepEqual(await (m.Book as any).all().valuesList('authorId', { flat: true }), [1]);
      assert.equal(await (m.Review as any).filter({ item__title: 'T' }).count(), 1);
    },
    down: async (m) => assert.equal(await (m.Review as any).filter({ book__title: 'T' }).count(), 1),
  },
  {
    name: 'groups: unique together and indexes added and removed',
    before: () => {
      class Author extends Model {
        id = fields.IntField({ pk: true });
        first = fields.CharField({ maxLength: 50 });
        last = fields.CharField({ maxLength: 50 });
        static override meta = { table: 'author', indexes: [['last', 'first']] };
      }
      return { Author } as unknown as Models;
    },
    after: () => {
      class Author extends Model {
        id = fields.IntField({ pk: true });
        first = fields.CharField({ maxLength: 50 });
        last = fields.CharField({ maxLength: 50 });
        static override meta = { table: 'author', uniqueTogether: [['first', 'last']], indexes: [['first', 'id']] };
      }
      return { Author } as unknown as Models;
    },
    seed: async (m) => {
      await (m.Author as any).create({ first: 'A', last: 'B' });
    },
    ops: ['Remove index Author (last, first)', 'Add unique group Author (first, last)', 'Add index Author (first, id)'],
    up: async (m) => assert.equal(await (m.Author as any).all().count(), 1),
    down: async (m) => assert.equal(await (m.Author as any).all().count(), 1),
  },
  {
    name: 'many-to-many: through table renamed with its table, keys renamed',
    before: () => {
      class Tag extends Model {
        id = fields.IntField({ pk: true });
        static override meta = { table: 'tag' };
      }
      class Post extends Model {
        id = fields.IntField({ pk: true });
        tags = fields.ManyToManyField(() => Tag, { relatedName: 'posts' });
        static override meta = { table: 'post' };
      }
      return { Post, Tag } as unknown as Models;
    },
    after: () => {
      class Tag extends Model {
        id = fields.IntField({ pk: true });
        static override meta = { table: 'tag' };
      }
      class Post extends Model {
        id = fields.IntField({ pk: true });
        tags = fields.ManyToManyField(() => Tag, { relatedName: 'posts', through: 'post_labels', forwardKey: 'labelId' });
        static override meta = { table: 'post' };
      }
      return { Post, Tag } as unknown as Models;
    },
    seed: async (m) => {
      const post = await (m.Post as any).create({});
      const tag = await (m.Tag as any).create({});
      await post.tags.add(tag);
    },
    ops: ['Alter many-to-many Post.tags'],
    up: async (m) => assert.equal(await (m.Post as any).filter({ tags__id: 1 }).count(), 1),
    down: async (m) => assert.equal(await (m.Post as any).filter({ tags__id: 1 }).count(), 1),
  },
  {
    name: 'one-to-one and a self reference',
    before: () => base(),
    after: () => {
      const { Author } = base();
      class Profile extends Model {
        id = fields.IntField({ pk: true });
        author = fields.OneToOneField(() => Author as any, { relatedName: 'profile' });
        mentor = fields.ForeignKeyField(() => Profile, { relatedName: 'mentees', null: true, onDelete: 'SET_NULL' });
        static override meta = { table: 'profile' };
      }
      return { Author, Profile } as unknown as Models;
    },
    seed: seedAuthors,
    ops: ['Create model Profile'],
    up: async (m) => {
      const p = await (m.Profile as any).create({ authorId: 1 });
      await (m.Profile as any).create({ authorId: 2, mentorId: p.id });
    },
    down: async (m) => assert.deepEqual(await names(m), ['Ann', 'Bob']),
  },
];

for (const backend of activeBackends()) {
  describe(backend, () => {
    const bed = new MigrationBed(backend, 'ops');
    after(() => bed.close());
    for (const c of CASES) {
      it(c.name, async () => {
        await bed.reset();
        const before = await bed.step(source(c.before()));
        assert.deepEqual(before.migrated, before.fresh, 'the first migration');
        if (c.seed !== undefined) {
          const models = c.before();
          await bed.with(source(models), () => c.seed!(models));
        }
        const models = c.after();
        const step = await bed.step(source(models), c.options);
        assert.deepEqual(step.written.flatMap((w) => w.operations), c.ops);
        assert.deepEqual(step.migrated, step.fresh, 'after the upgrade');
        if (c.up !== undefined) await bed.with(source(models), (_m, t) => c.up!(models, (sql) => t.connection('default').rows(sql, [])));
        const old = c.before();
        const down = await bed.downgrade(source(old), { steps: 1 });
        assert.deepEqual(down, before.fresh, 'after the downgrade');
        if (c.down !== undefined) await bed.with(source(old), (_m, t) => c.down!(old, (sql) => t.connection('default').rows(sql, [])));
      });
    }
  });
}
