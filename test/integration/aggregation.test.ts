/**
 * annotate / aggregate / groupBy and F expressions: aggregates over relations (with distinct and
 * filter), HAVING, ordering by annotations, result types, and the errors of wrong use.
 */
import assert from 'node:assert/strict';
import { before, it } from 'node:test';
import { Avg, Count, F, FieldError, Max, Min, ParamsError, Q, Sum, Terrapin } from '../../src/index.js';
import { forEachBackend } from '../support/backends.js';
import { Label, Title, Writer } from '../fixtures/sales.js';
import { errorMatching } from '../support/expect-errors.js';

const BIG = 9007199254740993n; // 2^53 + 1: not representable as a number

forEachBackend('aggregation', [{ Writer, Title, Label }], () => {
  let ann: Writer;
  let bob: Writer;
  let cy: Writer;

  before(async () => {
    ann = await Writer.create({ name: 'Ann', country: 'GB' });
    bob = await Writer.create({ name: 'Bob', country: 'US' });
    cy = await Writer.create({ name: 'Cy', country: 'US' });
    const classic = await Label.create({ name: 'classic' });
    const fresh = await Label.create({ name: 'new' });
    const a1 = await Title.create({
      title: 'A1', price: '10.10', pages: 100, copies: 5n, rating: 4, views: 10,
      publishedAt: new Date('2020-01-01T00:00:00Z'), author: ann,
    });
    const a2 = await Title.create({
      title: 'A2', price: '20.20', pages: 300, copies: BIG, rating: 3, views: 0,
      publishedAt: new Date('2021-06-15T12:30:00Z'), author: ann,
    });
    const b1 = await Title.create({
      title: 'B1', price: '0.30', pages: 50, copies: 1n, rating: 5, views: 7,
      publishedAt: new Date('2019-03-03T08:00:00Z'), author: bob,
    });
    await a1.tags.add(classic, fresh);
    await a2.tags.add(classic);
    await b1.tags.add(fresh);
  });

  it('Count over a reverse relation counts related rows, 0 for none', async () => {
    const rows = await Writer.all().annotate({ n: Count('books') }).orderBy('id');
    assert.deepEqual(rows.map((w) => [w.name, w.n]), [['Ann', 2], ['Bob', 1], ['Cy', 0]]);
    assert.ok(rows[0] instanceof Writer, 'annotate keeps instances');
  });

  it('Sum, Avg, Min, Max across a relation; null for a writer without books', async () => {
    const rows = await Writer.all()
      .annotate({ total: Sum('books__price'), avgPages: Avg('books__pages'), first: Min('books__publishedAt'), last: Max('books__publishedAt') })
      .orderBy('id');
    assert.deepEqual(rows.map((w) => w.total), ['30.30', '0.30', null]);
    assert.deepEqual(rows.map((w) => w.avgPages), [200, 50, null]);
    assert.ok(rows[0]!.first instanceof Date);
    assert.equal(rows[0]!.first!.toISOString(), '2020-01-01T00:00:00.000Z');
    assert.equal(rows[0]!.last!.toISOString(), '2021-06-15T12:30:00.000Z');
    assert.equal(rows[2]!.first, null);
  });

  it('Count with distinct and with a filter', async () => {
    const rows = await Writer.all()
      .annotate({
        tagged: Count('books__tags'),
        labels: Count('books__tags', { distinct: true }),
        cheap: Count('books', { filter: { books__price__lt: '15' } }),
        classics: Count('books__tags', { filter: Q<Writer>({ books__tags__name: 'classic' }) }),
      })
      .orderBy('id');
    assert.deepEqual(
      rows.map((w) => [w.name, w.tagged, w.labels, w.cheap, w.classics]),
      [['Ann', 3, 2, 2, 2], ['Bob', 1, 1, 1, 0], ['Cy', 0, 0, 0, 0]],
    );
    // A1 (two labels) is counted once per label without distinct.
    const distinctBooks = await Writer.filter({ id: ann.id }).annotate({ n: Count('books', { distinct: true }) }).first();
    assert.equal(distinctBooks?.n, 2);
  });

  it('a filter on an aggregate annotation becomes HAVING; ordering by it works both ways', async () => {
    const prolific = await Writer.all().annotate({ n: Count('books') }).filter({ n__gte: 1 }).orderBy('-n');
    assert.deepEqual(prolific.map((w) => [w.name, w.n]), [['Ann', 2], ['Bob', 1]]);
    const none = await Writer.all().annotate({ n: Count('books') }).filter({ n: 0 });
    assert.deepEqual(none.map((w) => w.name), ['Cy']);
    const ascending = await Writer.all().annotate({ total: Sum('books__pages') }).filter({ total__isnull: false }).orderBy('total');
    assert.deepEqual(ascending.map((w) => w.name), ['Bob', 'Ann']);
    // A plain filter (WHERE) combined with a HAVING one.
    const us = await Writer.filter({ country: 'US' }).annotate({ n: Count('books') }).filter({ n__lt: 1 });
    assert.deepEqual(us.map((w) => w.name), ['Cy']);
  });

  it('groupBy + values gives one row per group', async () => {
    const rows = await Title.all().groupBy('authorId').annotate({ n: Count('id'), pageSum: Sum('pages') }).values('authorId', 'n', 'pageSum').orderBy('authorId');
    assert.deepEqual(rows, [
      { authorId: ann.id, n: 2, pageSum: 400 },
      { authorId: bob.id, n: 1, pageSum: 50 },
    ]);
    const byCountry = await Writer.all().groupBy('country').annotate({ n: Count('id') }).values('country', 'n').orderBy('country');
    assert.deepEqual(byCountry, [{ country: 'GB', n: 1 }, { country: 'US', n: 2 }]);
    // values() with an aggregate groups by the other selected columns, groupBy() or not.
    const across = await Title.all().annotate({ n: Count('id') }).values('author__name', 'n').orderBy('author__name');
    assert.deepEqual(across, [{ author__name: 'Ann', n: 2 }, { author__name: 'Bob', n: 1 }]);
  });

  it('count() of a grouped query counts the groups', async () => {
    assert.equal(await Writer.all().groupBy('country').annotate({ n: Count('id') }).values('country', 'n').count(), 2);
    assert.equal(await Writer.all().annotate({ n: Count('books') }).filter({ n__gte: 1 }).count(), 2);
    assert.equal(await Writer.all().annotate({ n: Count('books') }).count(), 3);
    assert.equal(await Writer.all().annotate({ n: Count('books') }).filter({ n__gte: 1 }).exists(), true);
  });

  it('aggregate() over all rows, with exact result types', async () => {
    const result = await Title.all().aggregate({
      n: Count(),
      ids: Count('id', { distinct: true }),
      total: Sum('price'),
      mean: Avg('rating'),
      first: Min('publishedAt'),
      last: Max('publishedAt'),
      copies: Sum('copies'),
      pages: Sum('pages'),
    });
    assert.equal(result.n, 3);
    assert.equal(result.ids, 3);
    // An exact decimal string: 10.10 + 20.20 + 0.30 as floats would be 30.600000000000005.
    assert.equal(result.total, '30.60');
    assert.equal(result.mean, 4);
    assert.equal(typeof result.mean, 'number');
    assert.ok(result.first instanceof Date && result.last instanceof Date);
    assert.equal(result.first.toISOString(), '2019-03-03T08:00:00.000Z');
    assert.equal(result.last.toISOString(), '2021-06-15T12:30:00.000Z');
    assert.equal(result.copies, BIG + 6n);
    assert.equal(result.pages, 450);
    assert.deepEqual(Object.keys(result).sort(), ['copies', 'first', 'ids', 'last', 'mean', 'n', 'pages', 'total']);
  });

  it('aggregate() over an empty set: Count is 0, the others null', async () => {
    const result = await Title.filter({ title: 'none' }).aggregate({ n: Count('id'), total: Sum('price'), mean: Avg('pages'), first: Min('publishedAt'), copies: Sum('copies') });
    assert.deepEqual(result, { n: 0, total: null, mean: null, first: null, copies: null });
  });

  it('aggregate() honours filters and aggregates over relations', async () => {
    const result = await Writer.filter({ country: 'GB' }).aggregate({ books: Count('books'), total: Sum('books__price') });
    assert.deepEqual(result, { books: 2, total: '30.30' });
    const filtered = await Title.all().aggregate({ pricey: Count('id', { filter: { price__gte: '10' } }), pages: Sum('pages', { filter: Q<Title>({ author: bob }) }) });
    assert.deepEqual(filtered, { pricey: 2, pages: 50 });
  });

  it('F arithmetic in update() changes rows in the database', async () => {
    await Title.filter({ title: 'A1' }).update({ views: F('views').add(5) });
    assert.equal((await Title.get({ title: 'A1' })).views, 15);
    await Title.filter({ title: 'A1' }).update({ views: F('views').mul(2).sub(F('pages').div(10)) });
    assert.equal((await Title.get({ title: 'A1' })).views, 20);
    await Title.filter({ title: 'A1' }).update({ views: F('views').mod(7) });
    assert.equal((await Title.get({ title: 'A1' })).views, 6);
    await Title.filter({ title: 'A1' }).update({ views: 10 });
    // Decimal arithmetic stays exact.
    await Title.filter({ title: 'B1' }).update({ price: F('price').add(0.1) });
    assert.equal((await Title.get({ title: 'B1' })).price, '0.40');
    await Title.filter({ title: 'B1' }).update({ price: '0.30' });
  });

  it('F arithmetic in annotate, filtered and ordered by the annotation', async () => {
    const rows = await Title.all().annotate({ score: F('views').mul(10).add(F('pages')) }).orderBy('-score');
    assert.deepEqual(rows.map((t) => [t.title, t.score]), [['A2', 300], ['A1', 200], ['B1', 120]]);
    const some = await Title.all().annotate({ score: F('views').mul(10).add(F('pages')) }).filter({ score__gt: 150 }).orderBy('score');
    assert.deepEqual(some.map((t) => t.title), ['A1', 'A2']);
    const perPage = await Title.filter({ title: 'A2' }).annotate({ ratio: F('pages').div(F('rating')) }).values('title', 'ratio');
    assert.deepEqual(perPage, [{ title: 'A2', ratio: 100 }]);
    // An annotation may refer to an earlier one.
    const chained = await Title.filter({ title: 'B1' }).annotate({ double: F('pages').mul(2) }).annotate({ quad: F('double').mul(2) }).first();
    assert.deepEqual([chained?.double, chained?.quad], [100, 200]);
  });

  it('an aggregate of an expression, and arithmetic over aggregates', async () => {
    const result = await Title.all().aggregate({ weighted: Sum(F('pages').mul(F('views'))) });
    assert.equal(result.weighted, 100 * 10 + 300 * 0 + 50 * 7);
    const rows = await Writer.all().annotate({ spread: Max('books__pages').sub(Min('books__pages')) }).filter({ spread__gt: 0 });
    assert.deepEqual(rows.map((w) => [w.name, w.spread]), [['Ann', 200]]);
  });

  it('F on a non-numeric field in arithmetic is a FieldError naming it', () => {
    assert.throws(
      () => Title.filter({ title: 'A1' }).update({ views: F('title').add(1) }),
      errorMatching(FieldError, /Title: F\('title'\) is a CharField; arithmetic \(in update\(\{ views \}\)\) needs a numeric field/),
    );
    assert.throws(
      () => Title.all().annotate({ x: F('publishedAt').mul(2) }),
      errorMatching(FieldError, /F\('publishedAt'\) is a DatetimeField; arithmetic .* needs a numeric field/),
    );
    assert.throws(() => Title.all().aggregate({ s: Sum('title') }), errorMatching(FieldError, /Sum needs a numeric field; 'title' is a CharField/));
  });

  it('unknown fields and clashing names are FieldErrors before any SQL', async () => {
    let statements = 0;
    const stop = Terrapin.onQuery(() => statements++);
    try {
      // The compiler rejects these too (test/types/annotation-types.test.ts); cast to reach the run-time check.
      assert.throws(() => Title.all().aggregate({ s: Sum('nope') } as never), errorMatching(FieldError, /Title.*'nope'/));
      assert.throws(() => Writer.all().annotate({ n: Count('books__nope') } as never), errorMatching(FieldError, /nope/));
      assert.throws(() => Title.all().annotate({ x: F('nope').add(1) }), errorMatching(FieldError, /nope/));
      assert.throws(() => Title.all().update({ views: F('nope') }), errorMatching(FieldError, /nope/));
      assert.throws(
        () => Writer.all().annotate({ name: Count('books') }),
        errorMatching(FieldError, /Writer: the annotation name 'name' is taken by a field, relation or annotation/),
      );
      assert.throws(() => Writer.all().annotate({ books: Count('books') }), errorMatching(FieldError, /annotation name 'books' is taken/));
      assert.throws(() => Writer.all().annotate({ n: Count('books') }).annotate({ n: Count('id') }), errorMatching(FieldError, /'n' is taken/));
      assert.throws(() => Writer.all().annotate({ a__b: Count('books') }), errorMatching(FieldError, /contains '__'/));
      assert.throws(() => Writer.all().annotate({ n: Max(Count('books')) }), errorMatching(FieldError, /aggregates cannot be nested/));
      assert.throws(() => Writer.all().annotate({ n: Count('books') }).filter({ m__gte: 1 } as never), errorMatching(FieldError, /m/));
      assert.throws(() => Writer.all().annotate({ n: Count('books') }).orderBy('-m' as never), errorMatching(FieldError, /m/));
    } finally {
      stop();
    }
    assert.equal(statements, 0);
  });

  it('annotations on values(), valuesList() and first()', async () => {
    const flat = await Writer.all().annotate({ n: Count('books') }).orderBy('-n', 'name').valuesList('n', { flat: true });
    assert.deepEqual(flat, [2, 1, 0]);
    const tuples = await Writer.all().annotate({ n: Count('books') }).orderBy('name').valuesList('name', 'n');
    assert.deepEqual(tuples, [['Ann', 2], ['Bob', 1], ['Cy', 0]]);
    const top = await Writer.all().annotate({ n: Count('books') }).orderBy('-n').first();
    assert.equal(top?.name, 'Ann');
    assert.equal(top?.n, 2);
    const one = await Writer.all().annotate({ n: Count('books') }).get({ id: cy.id });
    assert.equal(one.n, 0);
  });

  it('aggregate() names may repeat field names; it takes aggregates only', async () => {
    const result = await Title.all().aggregate({ price: Sum('price'), pages: Max('pages'), views: Avg('views') });
    assert.deepEqual(result, { price: '30.60', pages: 300, views: 17 / 3 });
    // Avg is a full-precision number everywhere (MySQL's own AVG of integers rounds to 4 places), also with a filter.
    const filtered = await Title.all().aggregate({ mean: Avg('views', { filter: { pages__gte: 50, views__gt: 0 } }), d: Avg('views', { distinct: true }) });
    assert.deepEqual(filtered, { mean: 8.5, d: 17 / 3 });
    assert.throws(() => Title.all().aggregate({ x: F('pages') }), errorMatching(ParamsError, /Title: aggregate\(\{ x \}\) takes an aggregate/));
    assert.throws(() => Title.all().aggregate({ x: 'pages' as never }), ParamsError);
  });

  it('grouping and ordering: Meta.ordering outside the groups is dropped, orderBy groups by its column', async () => {
    // Title's Meta.ordering is ['id'], which is not grouped here (PostgreSQL would refuse it).
    const rows = await Title.all().groupBy('authorId').annotate({ n: Count('id') }).values('authorId', 'n');
    assert.deepEqual(rows.map((r) => r.n).sort(), [1, 2]);
    // As in Django, ordering by a column adds it to the implicit grouping.
    const counts = await Writer.all().annotate({ n: Count('books') }).orderBy('name').valuesList('n', { flat: true });
    assert.deepEqual(counts, [2, 1, 0]);
    // Without it, the only selected column is the aggregate: one total over all rows.
    assert.deepEqual(await Writer.all().annotate({ n: Count('books') }).valuesList('n', { flat: true }), [3]);
    await assert.rejects(
      async () => Writer.all().groupBy('country').annotate({ n: Count('id') }).orderBy('name').values('country', 'n'),
      errorMatching(ParamsError, /Writer: cannot order by 'name' with groupBy\(\): it is not grouped/),
    );
  });
});
