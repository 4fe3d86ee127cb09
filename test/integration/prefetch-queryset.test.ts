/** `new Prefetch('books', queryset, toAttr)` as in Tortoise, and the options form, both filter and order the prefetch. */
import assert from 'node:assert/strict';
import { before, it } from 'node:test';
import { ConfigurationError, Prefetch } from '../../src/index.js';
import { forEachBackend } from '../support/backends.js';
import { Label, Title, Writer } from '../fixtures/sales.js';

forEachBackend('prefetch_queryset', [{ Writer, Title, Label }], () => {
  before(async () => {
    const ann = await Writer.create({ name: 'Ann' });
    for (const [title, views] of [['Alpha', 1], ['Beta', 5], ['Gamma', 9]] as const) {
      await Title.create({ title, price: '1.00', publishedAt: new Date('2020-01-01T00:00:00Z'), author: ann, views });
    }
  });

  it('a QuerySet as the second argument filters and orders the relation', async () => {
    const [ann] = await Writer.all().prefetchRelated(new Prefetch('books', Title.filter({ views__gt: 2 }).orderBy('-views')));
    assert.deepEqual([...ann!.books].map((b) => b.title), ['Gamma', 'Beta']);
  });

  it('the third argument stores the rows in another attribute, leaving the relation alone', async () => {
    const [ann] = await Writer.all().prefetchRelated(new Prefetch('books', Title.filter({ views__lt: 2 }), 'quiet'));
    assert.deepEqual((ann as unknown as { quiet: Title[] }).quiet.map((b) => b.title), ['Alpha']);
  });

  it('the options form works the same', async () => {
    const [ann] = await Writer.all().prefetchRelated(new Prefetch('books', { queryset: Title.filter({ title: 'Beta' }), toAttr: 'beta' }));
    assert.deepEqual((ann as unknown as { beta: Title[] }).beta.map((b) => b.title), ['Beta']);
  });

  it('anything else is a ConfigurationError, not silently ignored', () => {
    assert.throws(() => new Prefetch('books', { query: Title.all() } as never), (e: unknown) => e instanceof ConfigurationError && /new Prefetch\('books'\): unknown option 'query'; the options are 'queryset', 'toAttr'/.test(e.message));
    assert.throws(() => new Prefetch('books', { queryset: [] } as never), /'queryset' must be a QuerySet of the related model/);
    assert.throws(() => new Prefetch('books', { toAttr: 'x' }, 'y'), /not both/);
  });
});
