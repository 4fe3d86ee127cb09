import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Model, fields } from '../../src/index.js';
import { activeBackends } from '../support/backends.js';
import { MigrationBed } from './support.js';

function v1() {
  class Author extends Model {
    id = fields.IntField({ pk: true });
    name = fields.CharField({ maxLength: 50 });
    static override meta = { table: 'author' };
  }
  class Book extends Model {
    id = fields.IntField({ pk: true });
    title = fields.CharField({ maxLength: 100, unique: true });
    author = fields.ForeignKeyField(() => Author, { relatedName: 'books' });
    static override meta = { table: 'book' };
  }
  return [Author, Book];
}

function v2() {
  class Author extends Model {
    id = fields.IntField({ pk: true });
    name = fields.CharField({ maxLength: 80, null: true });
    email = fields.CharField({ maxLength: 100, null: true, index: true });
    static override meta = { table: 'author' };
  }
  class Book extends Model {
    id = fields.IntField({ pk: true });
    title = fields.CharField({ maxLength: 100 });
    pages = fields.IntField({ default: 0 });
    author = fields.ForeignKeyField(() => Author, { relatedName: 'books', onDelete: 'RESTRICT' });
    static override meta = { table: 'book', uniqueTogether: [['title', 'authorId']] };
  }
  return [Author, Book];
}

for (const backend of activeBackends()) {
  describe(backend, () => {
    const bed = new MigrationBed(backend, 'smoke');
    before(() => bed.reset());
    after(() => bed.close());
    it('migrates v1 then v2 to the schema generateSchemas makes', async () => {
      const one = await bed.step([{ ...v1() }]);
      assert.deepEqual(one.migrated, one.fresh);
      const two = await bed.step([{ ...v2() }]);
      assert.equal(two.written.length, 1);
      assert.deepEqual(two.migrated, two.fresh);
      assert.deepEqual(Object.keys(two.migrated.tables).sort(), ['author', 'book']);
      assert.equal(Object.keys(two.migrated.tables.book!.columns).length, 4);
      assert.equal(two.migrated.tables.book!.foreignKeys.length, 1, JSON.stringify(two.migrated.tables.book));
      if (process.env.SHOW_SCHEMA) console.log(JSON.stringify(two.migrated, null, 1));
      const back = await bed.downgrade([{ ...v2() }], { steps: 1 });
      assert.deepEqual(back, one.fresh);
    });
  });
}
