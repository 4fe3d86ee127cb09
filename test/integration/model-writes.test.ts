/**
 * Writes that take what queries take: save() with F expressions (an atomic UPDATE computed by the
 * database, then read back) and QuerySet.update() with a related instance for a foreign key.
 */
import assert from 'node:assert/strict';
import { before, it } from 'node:test';
import { F, ValidationError, FieldError } from '../../src/index.js';
import { forEachBackend } from '../support/backends.js';
import { Label, Title, Writer } from '../fixtures/sales.js';

forEachBackend('model_writes', [{ Writer, Title, Label }], () => {
  let ann: Writer;
  let bob: Writer;

  before(async () => {
    ann = await Writer.create({ name: 'Ann' });
    bob = await Writer.create({ name: 'Bob' });
    await Title.create({ title: 'One', price: '1.00', publishedAt: new Date('2020-01-01T00:00:00Z'), author: ann, views: 10 });
  });

  it('save() with an F expression is one atomic UPDATE, and the instance then holds the new value', async () => {
    const a = await Title.get({ title: 'One' });
    const b = await Title.get({ title: 'One' });
    // Two copies incrementing: neither loses the other's increment, as a read-modify-write would.
    a.updateFromDict({ views: F('views').add(1) });
    await a.save({ updateFields: ['views'] });
    (b as { views: unknown }).views = F('views').add(5);
    await b.save({ updateFields: ['views'] });
    assert.equal(a.views, 11);
    assert.equal(b.views, 16);
    assert.equal((await Title.get({ title: 'One' })).views, 16);
  });

  it('save() without updateFields computes the expression too', async () => {
    const t = await Title.get({ title: 'One' });
    t.updateFromDict({ views: F('views').mul(2), rating: 4.5 });
    await t.save();
    assert.equal(t.views, 32);
    assert.equal(t.rating, 4.5);
  });

  it('an F expression on a new instance or with an unknown field is refused before any SQL', async () => {
    const t = Title.build({ title: 'New', price: '1.00', publishedAt: new Date(), author: ann });
    (t as { views: unknown }).views = F('views').add(1);
    await assert.rejects(t.save(), (e: unknown) => {
      assert.ok(e instanceof ValidationError);
      assert.equal(e.field, 'views');
      assert.match(e.message, /Title\.views: an expression such as F\('views'\)\.add\(1\) .* a new instance has no row yet/);
      return true;
    });
    const loaded = await Title.get({ title: 'One' });
    assert.throws(() => loaded.updateFromDict({ views: F('nope').add(1) }), (e: unknown) => e instanceof FieldError && /nope/.test(e.message));
  });

  it('update({ author: instance }) sets the key column from the instance', async () => {
    const changed = await Title.filter({ title: 'One' }).update({ author: bob });
    assert.equal(changed, 1);
    const t = await Title.get({ title: 'One' });
    assert.equal(t.authorId, bob.id);
    assert.equal((await t.author).name, 'Bob');
  });

  it('update() with the wrong kind of value for a relation names model, field and value', () => {
    assert.throws(
      () => Title.filter({ title: 'One' }).update({ author: 3 as never }),
      (e: unknown) => {
        assert.ok(e instanceof ValidationError);
        assert.equal(e.model, 'Title');
        assert.equal(e.field, 'author');
        assert.match(e.message, /^Title\.author: update\(\) takes a Writer instance \(or null\) for 'author'; got 3 \(number\)\. To set the key itself, use 'authorId'\.$/);
        return true;
      },
    );
    assert.throws(() => Title.all().update({ author: Writer.build({ name: 'Unsaved' }) }), /the Writer passed to update\(\) is not saved yet/);
    assert.throws(() => Title.all().update({ author: null as never }), /authorId cannot be null/);
  });
});
