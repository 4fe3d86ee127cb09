/**
 * Case/When, Subquery and RawSQL expressions (docs/expressions.md, "Conditions, subqueries and
 * raw SQL"): the same results on every backend in annotate(), filters, values() and orderBy().
 */
import assert from 'node:assert/strict';
import { before, it } from 'node:test';
import { Case, Model, ParamsError, Q, RawSQL, Subquery, When, fields, type ReverseRelation } from '../../src/index.js';
import { forEachBackend } from '../support/backends.js';

class Writer extends Model {
  id = fields.IntField({ pk: true });
  name = fields.CharField({ maxLength: 50 });
  declare novels: ReverseRelation<Novel>;
  static override meta = { table: 'csr_writer' };
}

class Novel extends Model {
  id = fields.IntField({ pk: true });
  title = fields.CharField({ maxLength: 100 });
  pages = fields.IntField();
  writer = fields.ForeignKeyField(() => Writer, { relatedName: 'novels' });
  declare writerId: number;
  static override meta = { table: 'csr_novel', ordering: ['id'] };
}

forEachBackend('case_subquery_raw', [{ Writer, Novel }], () => {
  before(async () => {
    const herbert = await Writer.create({ name: 'Herbert' });
    const le = await Writer.create({ name: 'Le Guin' });
    await Novel.create({ title: 'Dune', pages: 612, writer: herbert });
    await Novel.create({ title: 'The Lathe of Heaven', pages: 184, writer: le });
    await Novel.create({ title: 'The Dispossessed', pages: 387, writer: le });
  });

  it('Case/When takes the first matching branch, else the default, in annotate, filter and orderBy', async () => {
    const size = Case(When({ pages__lt: 200 }, 'short'), When({ pages__lt: 500 }, 'medium'), { default: 'long' });
    const rows = await Novel.all().annotate({ size }).values('title', 'size');
    assert.deepEqual(rows, [
      { title: 'Dune', size: 'long' },
      { title: 'The Lathe of Heaven', size: 'short' },
      { title: 'The Dispossessed', size: 'medium' },
    ]);
    const medium = await Novel.all().annotate({ size }).filter({ size: 'medium' }).valuesList('title', { flat: true });
    assert.deepEqual(medium, ['The Dispossessed']);
    const rank = Case(When(Q<Novel>({ title__startswith: 'The' }), 1), { default: 0 });
    const ordered = await Novel.all().annotate({ rank }).orderBy('-rank', 'title').valuesList('title', { flat: true });
    assert.deepEqual(ordered, ['The Dispossessed', 'The Lathe of Heaven', 'Dune']);
    // Without a default, unmatched rows are null.
    const long = await Novel.all().annotate({ long: Case(When({ pages__gte: 500 }, 'yes')) }).valuesList('long', { flat: true });
    assert.deepEqual(long, ['yes', null, null]);
  });

  it('Subquery puts a one-column QuerySet in each row', async () => {
    const newest = Subquery<string>(Novel.all().orderBy('-id').limit(1).values('title'));
    const rows = await Writer.all().annotate({ newest }).orderBy('name').values('name', 'newest');
    assert.deepEqual(rows, [
      { name: 'Herbert', newest: 'The Dispossessed' },
      { name: 'Le Guin', newest: 'The Dispossessed' },
    ]);
    assert.throws(() => Subquery(Novel.all()), (error: unknown) => error instanceof ParamsError && /one column/.test(error.message));
  });

  it('RawSQL is SQL text with bound parameters, read as the type it names', async () => {
    const twice = await Novel.all().annotate({ twice: RawSQL<number>('pages * ?', [2], 'int') }).valuesList('twice', { flat: true });
    assert.deepEqual(twice, [1224, 368, 774]);
    const hostile = await Novel.all().annotate({ label: RawSQL<string>('?', ["x' OR '1'='1"], 'text') }).valuesList('label', { flat: true });
    assert.deepEqual(hostile, ["x' OR '1'='1", "x' OR '1'='1", "x' OR '1'='1"]);
    const thick = await Novel.all().annotate({ half: RawSQL<number>('pages / 2.0', [], 'float') }).filter({ half__gt: 200 }).valuesList('title', { flat: true });
    assert.deepEqual(thick, ['Dune']);
    assert.throws(() => RawSQL(''), (error: unknown) => error instanceof ParamsError && /RawSQL takes SQL text/.test(error.message));
  });
});
