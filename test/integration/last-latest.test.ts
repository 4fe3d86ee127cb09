/**
 * last(), latest(field), earliest(field) and the Model.annotate() shortcut, on every backend.
 */
import assert from 'node:assert/strict';
import { before, it } from 'node:test';
import { expectTypeOf } from 'expect-type';
import { Count, F, Model, ParamsError, fields, FieldError } from '../../src/index.js';
import { forEachBackend } from '../support/backends.js';

class Post extends Model {
  id = fields.IntField({ pk: true });
  title = fields.CharField({ maxLength: 20 });
  score = fields.IntField({ null: true });
  createdAt = fields.DatetimeField();
  static override meta = { table: 'tk_post' };
}

class Ranked extends Model {
  id = fields.IntField({ pk: true });
  name = fields.CharField({ maxLength: 20 });
  static override meta = { table: 'tk_ranked', ordering: ['name'] };
}

forEachBackend('last_latest', [{ Post, Ranked }], () => {
  before(async () => {
    await Post.bulkCreate([
      Post.build({ id: 1, title: 'b', score: 3, createdAt: new Date('2026-01-02T00:00:00Z') }),
      Post.build({ id: 2, title: 'a', score: null, createdAt: new Date('2026-01-03T00:00:00Z') }),
      Post.build({ id: 3, title: 'c', score: 1, createdAt: new Date('2026-01-01T00:00:00Z') }),
    ]);
    await Ranked.bulkCreate([Ranked.build({ id: 1, name: 'zed' }), Ranked.build({ id: 2, name: 'amy' })]);
  });

  it('last() reverses the ordering, else Meta.ordering, else the primary key', async () => {
    assert.equal((await Post.last())?.id, 3);
    assert.equal((await Post.all().orderBy('title').last())?.title, 'c');
    assert.equal((await Post.all().orderBy('-createdAt').last())?.id, 3);
    assert.equal((await Ranked.last())?.name, 'zed');
    assert.equal((await Ranked.first())?.name, 'amy');
    // NULLs sort first ascending on every backend, so last() of an ascending order is never the NULL.
    assert.equal((await Post.all().orderBy('score').last())?.id, 1);
    assert.equal((await Post.all().orderBy('-score').last())?.id, 2);
    assert.equal(await Post.filter({ title: 'none' }).last(), null);
  });

  it('latest() and earliest() pick by the given fields', async () => {
    assert.equal((await Post.latest('createdAt'))?.id, 2);
    assert.equal((await Post.earliest('createdAt'))?.id, 3);
    assert.equal((await Post.filter({ score__not_isnull: true }).latest('score'))?.id, 1);
    assert.equal((await Post.all().latest('-createdAt'))?.id, 3);
    assert.equal((await Post.all().earliest('title', 'id'))?.title, 'a');
    assert.equal(await Post.filter({ id__gt: 10 }).latest('createdAt'), null);
    assert.throws(() => Post.all().latest(), (e: unknown) => e instanceof ParamsError && /latest\(\) needs at least one field to order by/.test(e.message));
    assert.throws(() => Post.earliest('craetedAt' as never), FieldError);
    const latest = await Post.latest('createdAt');
    expectTypeOf(latest).toEqualTypeOf<Post | null>();
  });

  it('Model.annotate() is Model.all().annotate()', async () => {
    const rows = await Post.annotate({ doubled: F('id').mul(2), n: Count('id') }).orderBy('id').values('id', 'doubled', 'n');
    assert.deepEqual(rows, [
      { id: 1, doubled: 2, n: 1 },
      { id: 2, doubled: 4, n: 1 },
      { id: 3, doubled: 6, n: 1 },
    ]);
    const annotated = await Post.annotate({ doubled: F('id').mul(2) }).filter({ doubled__gt: 4 });
    assert.deepEqual(annotated.map((p) => [p.id, p.doubled]), [[3, 6]]);
    expectTypeOf(annotated[0]!.doubled).toEqualTypeOf<number>();
  });
});
