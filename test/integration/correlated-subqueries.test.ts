/**
 * Correlated subqueries: OuterRef inside Subquery and Exists, used in annotate(), filters (on the
 * annotation, or as a filter value) and orderBy(), the same rows on every backend.
 */
import assert from 'node:assert/strict';
import { before, it } from 'node:test';
import { expectTypeOf } from 'expect-type';
import { Count, Exists, F, FieldError, Model, NotSupportedError, OuterRef, ParamsError, Subquery, fields, type ReverseRelation } from '../../src/index.js';
import { forEachBackend } from '../support/backends.js';

class Writer extends Model {
  id = fields.IntField({ pk: true });
  name = fields.CharField({ maxLength: 20 });
  minPages = fields.IntField();
  declare novels: ReverseRelation<Novel>;
  static override meta = { table: 'tk_writer' };
}

class Novel extends Model {
  id = fields.IntField({ pk: true });
  title = fields.CharField({ maxLength: 40 });
  pages = fields.IntField();
  writer = fields.ForeignKeyField(() => Writer, { relatedName: 'novels' });
  declare writerId: number;
  static override meta = { table: 'tk_novel' };
}

forEachBackend('correlated_subqueries', [{ Writer, Novel }], () => {
  before(async () => {
    await Writer.bulkCreate([
      Writer.build({ id: 1, name: 'Le Guin', minPages: 300 }),
      Writer.build({ id: 2, name: 'Herbert', minPages: 100 }),
      Writer.build({ id: 3, name: 'Nobody', minPages: 0 }),
    ]);
    await Novel.bulkCreate([
      Novel.build({ id: 1, title: 'The Dispossessed', pages: 387, writerId: 1 }),
      Novel.build({ id: 2, title: 'The Lathe of Heaven', pages: 184, writerId: 1 }),
      Novel.build({ id: 3, title: 'Dune', pages: 412, writerId: 2 }),
    ]);
  });

  it('Exists with OuterRef, annotated, filtered and ordered', async () => {
    const hasNovels = Exists(Novel.filter({ writer: OuterRef('pk') }));
    const rows = await Writer.all().annotate({ hasNovels }).orderBy('id').values('name', 'hasNovels');
    assert.deepEqual(rows, [
      { name: 'Le Guin', hasNovels: true },
      { name: 'Herbert', hasNovels: true },
      { name: 'Nobody', hasNovels: false },
    ]);
    expectTypeOf(rows[0]!.hasNovels).toEqualTypeOf<boolean>();
    const idle = await Writer.annotate({ hasNovels }).filter({ hasNovels: false });
    assert.deepEqual(idle.map((w) => w.name), ['Nobody']);
    const ordered = await Writer.annotate({ hasNovels }).orderBy('hasNovels', 'id');
    assert.deepEqual(ordered.map((w) => w.name), ['Nobody', 'Le Guin', 'Herbert']);
    // OuterRef in arithmetic and comparisons inside the inner filter.
    const long = Exists(Novel.filter({ writer: OuterRef('pk'), pages__lt: OuterRef('minPages') }));
    const short = await Writer.annotate({ long }).filter({ long: true }).orderBy('id');
    assert.deepEqual(short.map((w) => w.name), ['Le Guin']);
  });

  it('a correlated Subquery gives each row its own value, in annotate, filters and orderBy', async () => {
    const longest = Subquery<string>(Novel.filter({ writer: OuterRef('pk') }).orderBy('-pages').limit(1).values('title'));
    const rows = await Writer.all().annotate({ longest }).orderBy('id').values('name', 'longest');
    assert.deepEqual(rows, [
      { name: 'Le Guin', longest: 'The Dispossessed' },
      { name: 'Herbert', longest: 'Dune' },
      { name: 'Nobody', longest: null },
    ]);
    const maxPages = Subquery<number>(Novel.filter({ writerId: OuterRef('id') }).orderBy('-pages').limit(1).values('pages'));
    const byLength = await Writer.annotate({ maxPages }).filter({ maxPages__gt: 400 }).orderBy('-maxPages');
    assert.deepEqual(byLength.map((w) => w.name), ['Herbert']);
    // As a filter value: novels longer than their writer's minimum, compared with the outer row.
    const counted = await Novel.filter({ pages__gt: Subquery(Writer.filter({ id: OuterRef('writerId') }).values('minPages')) }).orderBy('id');
    assert.deepEqual(counted.map((n) => n.id), [1, 3]);
    // Next to an aggregate of the outer query.
    const both = await Writer.annotate({ n: Count('novels'), longest }).filter({ n__gte: 1 }).orderBy('id').values('name', 'n', 'longest');
    assert.deepEqual(both, [
      { name: 'Le Guin', n: 2, longest: 'The Dispossessed' },
      { name: 'Herbert', n: 1, longest: 'Dune' },
    ]);
    void F;
  });

  it('OuterRef outside a subquery and a misspelt outer field are clear errors', async () => {
    await assert.rejects(async () => Novel.filter({ writer: OuterRef('pk') }), (e: unknown) => e instanceof ParamsError && /OuterRef\('pk'\) refers to the outer query's row, so it only works inside Subquery\(\.\.\.\) or Exists\(\.\.\.\)/.test(e.message));
    await assert.rejects(
      async () => Writer.annotate({ x: Exists(Novel.filter({ writer: OuterRef('nmae') })) }),
      (e: unknown) => e instanceof FieldError && /Writer.*nmae/.test(e.message),
    );
    assert.throws(() => Exists(null as never), ParamsError);
    await assert.rejects(
      async () => Writer.annotate({ x: Exists(Writer.filter({ minPages__gt: OuterRef('minPages') })) }),
      (e: unknown) => e instanceof NotSupportedError && /a subquery on Writer's own table cannot refer to the outer Writer row yet/.test(e.message),
    );
  });
});
