/**
 * The QuerySet API on real rows: chaining, Q trees, ordering, slicing, shapes, single-row
 * accessors, counts, writes, only(), streaming, explain/sql, immutability and re-awaiting.
 */
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import {
  DoesNotExist,
  FieldError,
  IncompleteInstanceError,
  MultipleObjectsReturned,
  NotSupportedError,
  ParamsError,
  Q,
  QuerySet,
  ValidationError,
} from '../../src/index.js';
import { forEachBackend } from '../support/backends.js';
import { Note, Ranked, Row } from '../fixtures/catalog.js';
import { fails, rejects } from '../support/expect-errors.js';

const RANKED = [
  { id: 1, name: 'a', category: 'x', rank: 3 },
  { id: 2, name: 'b', category: 'y', rank: 1 },
  { id: 3, name: 'c', category: 'x', rank: 2 },
  { id: 4, name: 'd', category: 'z', rank: 5 },
  { id: 5, name: 'e', category: 'y', rank: 4 },
];
/** Meta.ordering is '-rank'. */
const BY_RANK = [4, 5, 1, 3, 2];
const ROWS = 3000;

const idsOf = (rows: readonly { id: number }[]): number[] => rows.map((r) => r.id);

forEachBackend('queryset', [{ Ranked, Row, Note }], () => {
  before(async () => {
    await Ranked.bulkCreate(RANKED);
    // n runs opposite to id, so ordering by n is visibly not ordering by pk; every third tag is NULL.
    await Row.bulkCreate(
      Array.from({ length: ROWS }, (_, i) => ({ id: i + 1, n: ROWS - i, tag: i % 3 === 0 ? null : `t${i % 7}` })),
    );
  });

  describe('repeated query shapes (compiled once, src/plan/statement-cache.ts)', () => {
    it('the same equality filters with new values find the new rows', async () => {
      for (const [id, name] of [[1, 'a'], [4, 'd'], [2, 'b']] as const) {
        assert.equal((await Ranked.get({ id })).name, name);
        assert.equal((await Ranked.getOrNone({ id, name }))?.id, id);
        assert.equal(await Ranked.getOrNone({ id, name: 'zz' }), null);
      }
      assert.deepEqual(idsOf(await Ranked.filter({ category: 'x' })), [1, 3]);
      assert.deepEqual(idsOf(await Ranked.filter({ category: 'y' })), [5, 2]);
      assert.equal(Ranked.filter({ category: 'x' }).sql(), Ranked.filter({ category: 'y' }).sql());
    });

    it('order comparisons (gt, gte, lt, lte) with new values', async () => {
      for (const [low, high] of [[1, 3], [2, 5], [4, 4]] as const) {
        const expected = RANKED.filter((r) => r.rank >= low && r.rank < high).sort((a, b) => b.rank - a.rank).map((r) => r.id);
        assert.deepEqual(idsOf(await Ranked.filter({ rank__gte: low, rank__lt: high })), expected);
        assert.deepEqual(
          await Ranked.filter({ rank__gt: low, rank__lte: high }).valuesList('rank', { flat: true }),
          RANKED.filter((r) => r.rank > low && r.rank <= high).map((r) => r.rank).sort((a, b) => b - a),
        );
      }
      assert.equal(await Note.filter({ id__gte: 999_000, id__lt: 999_010 }).update({ views: 1 }), 0);
      assert.equal(await Note.filter({ id__gt: 999_000 }).delete(), 0);
    });

    it('values() and valuesList() of the same filters with new values', async () => {
      for (const category of ['x', 'y', 'z']) {
        const expected = RANKED.filter((r) => r.category === category).sort((a, b) => b.rank - a.rank);
        assert.deepEqual(await Ranked.filter({ category }).values('id', 'name'), expected.map(({ id, name }) => ({ id, name })));
        assert.deepEqual(await Ranked.filter({ category }).valuesList('id', { flat: true }), expected.map((r) => r.id));
        assert.deepEqual(await Ranked.filter({ category }).valuesList('name', 'rank'), expected.map((r) => [r.name, r.rank]));
      }
      assert.deepEqual(await Ranked.filter({ id: 2 }).values('name'), [{ name: 'b' }]);
      assert.deepEqual(await Ranked.filter({ id: 2 }).values('rank'), [{ rank: 1 }]);
    });

    it('null after a value (and a value after null) switches between = and IS NULL', async () => {
      const tagged = await Row.filter({ tag: 't1' }).count();
      const untagged = await Row.filter({ tag: null }).count();
      assert.equal(untagged, ROWS / 3);
      for (let i = 0; i < 3; i++) {
        assert.equal((await Row.filter({ tag: 't1' })).length, tagged);
        assert.equal((await Row.filter({ tag: null })).length, untagged);
        assert.ok((await Row.filter({ tag: null })).every((row) => row.tag === null));
      }
      assert.match(Row.filter({ tag: null }).sql(), /IS NULL/);
      assert.doesNotMatch(Row.filter({ tag: 't1' }).sql(), /IS NULL/);
    });

    it('update() and delete() by the same filters with new values touch only the matching rows', async () => {
      await Note.bulkCreate([
        { id: 901, title: 'p', views: 1 },
        { id: 902, title: 'q', views: 2 },
        { id: 903, title: 'r', views: 3 },
      ]);
      assert.equal(await Note.filter({ id: 901 }).update({ views: 10 }), 1);
      assert.equal(await Note.filter({ id: 902 }).update({ views: 20 }), 1);
      assert.equal(await Note.filter({ id: 903, title: 'nope' }).update({ views: 99 }), 0);
      assert.equal(await Note.filter({ id: 903 }).update({ body: null }), 1);
      assert.equal(await Note.filter({ id: 903 }).update({ body: 'text' }), 1);
      assert.equal(await Note.filter({ body: null, id: 901 }).update({ title: 'pp' }), 1);
      assert.deepEqual(
        (await Note.filter({ id__in: [901, 902, 903] }).orderBy('id')).map((n) => [n.id, n.title, n.views, n.body]),
        [[901, 'pp', 10, null], [902, 'q', 20, null], [903, 'r', 3, 'text']],
      );
      assert.equal(await Note.filter({ id: 902 }).delete(), 1);
      assert.equal(await Note.filter({ id: 902 }).delete(), 0);
      assert.equal(await Note.filter({ id: 903 }).delete(), 1);
      assert.deepEqual(idsOf(await Note.filter({ id__in: [901, 902, 903] })), [901]);
      await Note.filter({ id: 901 }).delete();
    });

    it('get() and first() keep their own limits; ordering and slicing change the SQL', async () => {
      await rejects(Ranked.get({ category: 'x' }), MultipleObjectsReturned, /More than one Ranked/);
      assert.equal((await Ranked.first())?.id, 4);
      assert.equal((await Ranked.filter({ category: 'y' }).first())?.id, 5);
      assert.equal((await Ranked.filter({ category: 'y' }).orderBy('rank').first())?.id, 2);
      assert.deepEqual(idsOf(await Ranked.filter({ category: 'x' }).limit(1)), [1]);
      assert.deepEqual(idsOf(await Ranked.filter({ category: 'x' })), [1, 3]);
    });
  });

  describe('filter, exclude and Q', () => {
    it('filter() calls chain with AND; Meta.ordering applies', async () => {
      assert.deepEqual(idsOf(await Ranked.all()), BY_RANK);
      assert.deepEqual(idsOf(await Ranked.filter({ category: 'x' })), [1, 3]);
      assert.deepEqual(idsOf(await Ranked.filter({ category: 'x' }).filter({ rank__gte: 3 })), [1]);
      assert.deepEqual(idsOf(await Ranked.filter({ category: 'x' }, { rank__lt: 3 })), [3]);
      assert.deepEqual(idsOf(await Ranked.filter({ category: 'x', rank: 3 })), [1]);
      assert.deepEqual(idsOf(await Ranked.filter()), BY_RANK);
    });

    it('exclude() negates all its arguments together and chains', async () => {
      assert.deepEqual(idsOf(await Ranked.exclude({ category: 'x' })), [4, 5, 2]);
      assert.deepEqual(idsOf(await Ranked.exclude({ category: 'x', rank: 3 })), [4, 5, 3, 2]);
      assert.deepEqual(idsOf(await Ranked.exclude({ category: 'x' }).exclude({ rank: 1 })), [4, 5]);
      assert.deepEqual(idsOf(await Ranked.filter({ rank__gt: 1 }).exclude({ category: 'z' })), [5, 1, 3]);
    });

    it('Q: and, or, not and the static forms, nested', async () => {
      const x = Q<Ranked>({ category: 'x' });
      const top = Q<Ranked>({ rank__gte: 5 });
      assert.deepEqual(idsOf(await Ranked.filter(x.or(top))), [4, 1, 3]);
      assert.deepEqual(idsOf(await Ranked.filter(Q.or(x, top))), [4, 1, 3]);
      assert.deepEqual(idsOf(await Ranked.filter(x.and(Q({ rank: 2 })))), [3]);
      assert.deepEqual(idsOf(await Ranked.filter(Q.and(x, Q({ rank: 2 })))), [3]);
      assert.deepEqual(idsOf(await Ranked.filter(x.not())), [4, 5, 2]);
      assert.deepEqual(idsOf(await Ranked.filter(Q.not(x))), [4, 5, 2]);
      assert.deepEqual(idsOf(await Ranked.filter(Q.not({ category: 'x' }))), [4, 5, 2]);
      assert.deepEqual(idsOf(await Ranked.filter(x.not().not())), [1, 3]);
      assert.deepEqual(idsOf(await Ranked.filter(Q.not(x.or(top)))), [5, 2]);
      const nested = Q.or<Ranked>(Q.and<Ranked>(Q({ category: 'y' }), Q({ rank__lt: 2 })), Q.not<Ranked>(Q({ rank__lt: 5 })));
      assert.deepEqual(idsOf(await Ranked.filter(nested)), [4, 2]);
      // Several keys inside one Q of an OR are AND-ed among themselves.
      assert.deepEqual(idsOf(await Ranked.filter(Q.or(Q({ category: 'x', rank: 3 }), Q({ name: 'e' })))), [5, 1]);
      // Q and keyword filters mix in one call (AND).
      assert.deepEqual(idsOf(await Ranked.filter(x.or(top), { rank__lt: 5 })), [1, 3]);
      assert.deepEqual(idsOf(await Ranked.exclude(x.or(top))), [5, 2]);
    });

    it('Q refuses what is not a Q or a filter object', () => {
      fails(() => Q({ a: 1 }).or({ b: 2 } as never), ParamsError, 'Q objects combine only with other Q objects, got object.');
      fails(() => Q.and(Q({ a: 1 }), null as never), ParamsError, 'Q objects combine only with other Q objects, got null.');
      fails(() => Q(null as never), ParamsError, 'Q() takes an object of filters, e.g. Q({ name__icontains: "x" }).');
      fails(() => Ranked.filter(Q({ nope: 1 }) as never), FieldError, /^Ranked has no field 'nope' \(in filter key 'nope'\)\. Valid fields: id, name, category, rank, pk\.$/);
    });
  });

  describe('ordering and slicing', () => {
    it("orderBy with '-', several keys, replacing Meta.ordering", async () => {
      assert.deepEqual(idsOf(await Ranked.all().orderBy('name')), [1, 2, 3, 4, 5]);
      assert.deepEqual(idsOf(await Ranked.all().orderBy('-name')), [5, 4, 3, 2, 1]);
      assert.deepEqual(idsOf(await Ranked.all().orderBy('category', '-rank')), [1, 3, 5, 2, 4]);
      assert.deepEqual(idsOf(await Ranked.all().orderBy('-rank').orderBy('name')), [1, 2, 3, 4, 5], 'the last orderBy wins');
      assert.deepEqual(idsOf(await Ranked.all().orderBy('pk')), [1, 2, 3, 4, 5]);
      fails(() => Ranked.all().orderBy('-nope' as never), FieldError, "Ranked has no field 'nope' (in orderBy('-nope')). Valid fields: id, name, category, rank, pk.");
      fails(() => Ranked.all().orderBy(3 as never), ParamsError, 'Ranked: orderBy takes field names, got number.');
    });

    it('limit and offset, alone and together', async () => {
      const byName = Ranked.all().orderBy('name');
      assert.deepEqual(idsOf(await byName.limit(2)), [1, 2]);
      assert.deepEqual(idsOf(await byName.offset(1).limit(2)), [2, 3]);
      assert.deepEqual(idsOf(await byName.limit(2).offset(1)), [2, 3]);
      assert.deepEqual(idsOf(await byName.offset(3)), [4, 5]);
      assert.deepEqual(idsOf(await byName.offset(10)), []);
      assert.deepEqual(idsOf(await byName.limit(0)), []);
      assert.deepEqual(idsOf(await Ranked.all().limit(2)), [4, 5], 'Meta.ordering applies before the limit');
    });

    it('limit and offset refuse negative and fractional counts', () => {
      fails(() => Ranked.all().limit(-1), ParamsError, 'Ranked: limit() takes a non-negative integer, got -1.');
      fails(() => Ranked.all().offset(-5), ParamsError, 'Ranked: offset() takes a non-negative integer, got -5.');
      fails(() => Ranked.all().limit(1.5), ParamsError, 'Ranked: limit() takes a non-negative integer, got 1.5.');
      fails(() => Ranked.all().limit('2' as never), ParamsError, 'Ranked: limit() takes a non-negative integer, got "2".');
    });

    it('distinct with values and valuesList', async () => {
      assert.deepEqual(await Ranked.all().orderBy('category').distinct().values('category'), [
        { category: 'x' },
        { category: 'y' },
        { category: 'z' },
      ]);
      assert.deepEqual(await Ranked.all().distinct().orderBy('-category').valuesList('category', { flat: true }), ['z', 'y', 'x']);
      assert.equal(await Ranked.all().distinct().values('category').count(), 3);
      assert.equal(await Ranked.filter({ rank__lt: 5 }).distinct().valuesList('category').count(), 2);
      assert.equal(await Ranked.all().distinct().count(), 5, 'distinct objects are distinct by primary key');
    });
  });

  describe('single rows', () => {
    it('first(): current ordering, else Meta.ordering, else primary key; null when empty', async () => {
      assert.equal((await Ranked.first())?.id, 4);
      assert.equal((await Ranked.all().orderBy('name').first())?.id, 1);
      assert.equal((await Row.first())?.id, 1, 'no ordering: by primary key');
      assert.equal((await Row.filter({ n__lte: 10 }).first())?.id, 2991);
      assert.equal((await Row.all().orderBy('n').first())?.n, 1);
      assert.equal(await Ranked.filter({ name: 'zz' }).first(), null);
      assert.deepEqual(await Ranked.all().orderBy('name').first().values('name'), { name: 'a' });
      assert.equal(await Ranked.all().orderBy('name').offset(2).first().valuesList('name', { flat: true }), 'c');
    });

    it('get() and getOrNone()', async () => {
      assert.equal((await Ranked.get({ name: 'a' })).id, 1);
      assert.equal((await Ranked.filter({ category: 'x' }).get({ rank: 2 })).name, 'c');
      assert.deepEqual(await Ranked.get({ id: 2 }).values('name', 'rank'), { name: 'b', rank: 1 });
      assert.equal((await Ranked.getOrNone({ name: 'e' }))?.id, 5);
      assert.equal(await Ranked.getOrNone({ name: 'zz' }), null);
      await rejects(Ranked.get({ name: 'zz' }), DoesNotExist, "No Ranked matches name='zz'.");
      await rejects(Ranked.all().get(), MultipleObjectsReturned, /^More than one Ranked matches the query \(no filters\); get\(\) expects exactly one\./);
      await rejects(
        Ranked.get({ category: 'x', rank__gte: 2 }),
        MultipleObjectsReturned,
        "More than one Ranked matches category='x', rank__gte=2; get() expects exactly one. Narrow the filters, or use first() or filter().",
      );
      await rejects(Ranked.getOrNone({ category: 'y' }), MultipleObjectsReturned, /^More than one Ranked matches category='y'/);
      assert.equal((await Ranked.all().orderBy('name').limit(1).get()).id, 1, 'a limit narrows get()');
    });

    it('count() and exists(), with filters, limit and offset', async () => {
      assert.equal(await Ranked.all().count(), 5);
      assert.equal(await Ranked.filter({ category: 'x' }).count(), 2);
      assert.equal(await Ranked.all().limit(2).count(), 2);
      assert.equal(await Ranked.all().offset(4).count(), 1);
      assert.equal(await Ranked.all().offset(1).limit(10).count(), 4);
      assert.equal(await Ranked.all().offset(9).count(), 0);
      assert.equal(await Row.all().count(), ROWS);
      assert.equal(await Ranked.filter({ name: 'a' }).exists(), true);
      assert.equal(await Ranked.exists({ name: 'zz' }), false);
      assert.equal(await Ranked.all().offset(4).exists(), true);
      assert.equal(await Ranked.all().offset(5).exists(), false);
      assert.equal(await Ranked.all().limit(0).exists(), false);
    });
  });

  describe('row shapes', () => {
    it('values(): all fields or the named ones, in order', async () => {
      assert.deepEqual(await Ranked.filter({ id: 1 }).values(), [{ id: 1, name: 'a', category: 'x', rank: 3 }]);
      assert.deepEqual(await Ranked.all().orderBy('id').limit(2).values('rank', 'name'), [
        { rank: 3, name: 'a' },
        { rank: 1, name: 'b' },
      ]);
      assert.deepEqual(await Ranked.filter({ id: 3 }).values('pk' as never), [{ pk: 3 }]);
      const [row] = await Ranked.filter({ id: 1 }).values();
      assert.ok(!(row instanceof Ranked));
      fails(() => Ranked.all().values('nope' as never), FieldError, "Ranked has no field 'nope' (in values('nope')). Valid fields: id, name, category, rank, pk.");
      fails(() => Ranked.all().values('name', 'name'), FieldError, "Ranked: values() names 'name' twice.");
    });

    it('valuesList(): tuples, and flat values for one field', async () => {
      assert.deepEqual(await Ranked.all().orderBy('id').limit(2).valuesList('name', 'rank'), [
        ['a', 3],
        ['b', 1],
      ]);
      assert.deepEqual(await Ranked.all().orderBy('id').valuesList('name', { flat: true }), ['a', 'b', 'c', 'd', 'e']);
      assert.deepEqual(await Ranked.filter({ id: 2 }).valuesList(), [[2, 'b', 'y', 1]]);
      assert.deepEqual(await Ranked.filter({ id: 2 }).valuesList('name', { flat: false } as never), [['b']]);
      fails(
        () => Ranked.all().valuesList('name', 'rank', { flat: true } as never),
        ParamsError,
        'Ranked: valuesList with { flat: true } takes exactly one field, got 2.',
      );
    });
  });

  describe('writes', () => {
    before(async () => {
      await Note.bulkCreate([
        { id: 1, title: 'one', body: 'b1', views: 1 },
        { id: 2, title: 'two', body: null, views: 2 },
        { id: 3, title: 'three', body: 'b3', views: 3 },
        { id: 4, title: 'four', body: 'b4', views: 4 },
      ]);
    });

    it('update() returns the number of matched rows and writes them', async () => {
      assert.equal(await Note.filter({ views__gte: 3 }).update({ body: 'big' }), 2);
      assert.deepEqual(await Note.all().orderBy('id').valuesList('body', { flat: true }), ['b1', null, 'big', 'big']);
      assert.equal(await Note.filter({ views__gte: 3 }).update({ body: 'big' }), 2, 'rows set to the value they had still count');
      assert.equal(await Note.filter({ title: 'none' }).update({ views: 9 }), 0);
      assert.equal(await Note.filter({ id: 2 }).update({ body: null, views: 20 }), 1);
      assert.deepEqual(await Note.get({ id: 2 }).values('body', 'views'), { body: null, views: 20 });
    });

    it('update() validates values first and writes nothing when one is bad', async () => {
      const before = await Note.all().orderBy('id').values();
      fails(
        () => Note.all().update({ views: 0, title: 'x'.repeat(11) }),
        ValidationError,
        "Note.title: is 11 characters long, at most 10 are allowed; got 'xxxxxxxxxxx' (string).",
      );
      fails(() => Note.all().update({ title: null } as never), ValidationError, /^Note\.title: title cannot be null; give it a value or declare the field with 'null: true'; got null\.$/);
      fails(() => Note.all().update({ views: 'many' } as never), ValidationError, /^Note\.views: .*got 'many' \(string\)\.$/);
      fails(() => Note.all().update({ id: 99 } as never), FieldError, "Note: update() cannot change the primary key 'id'; create a new row instead.");
      fails(() => Note.all().update({ pk: 99 } as never), FieldError, "Note: update() cannot change the primary key 'id'; create a new row instead.");
      fails(() => Note.all().update({ nope: 1 } as never), FieldError, "Note has no field 'nope' (in update()). Valid fields: id, title, body, views, pk.");
      fails(() => Note.all().update({}), ParamsError, 'Note: update() needs at least one field to set.');
      assert.deepEqual(await Note.all().orderBy('id').values(), before);
    });

    it('update() and delete() with limit or offset are refused', () => {
      const message = (m: string): string =>
        `Note: ${m}() with limit/offset is not supported on every backend; select the keys first and ${m} with pk__in.`;
      fails(() => Note.all().limit(1).update({ views: 0 }), NotSupportedError, message('update'));
      fails(() => Note.all().offset(1).update({ views: 0 }), NotSupportedError, message('update'));
      fails(() => Note.all().limit(1).delete(), NotSupportedError, message('delete'));
      fails(() => Note.all().offset(2).delete(), NotSupportedError, message('delete'));
    });

    it('only(): partial instances that refuse to read or save what they lack', async () => {
      const note = await Note.get({ id: 1 }).only('title');
      assert.equal(note.id, 1);
      assert.equal(note.title, 'one');
      fails(() => note.body, IncompleteInstanceError, "Note.body was not loaded: the query used only('id', 'title'). Add it to only(), or call refreshFromDb().");
      note.title = 'uno';
      // The message is the one for reading a missing field (save() reads them all); see the report.
      await rejects(note.save(), IncompleteInstanceError, /^Note.* only\('id', 'title'\)/);
      await note.save({ updateFields: ['title'] });
      assert.deepEqual(await Note.get({ id: 1 }).values('title', 'body', 'views'), { title: 'uno', body: 'b1', views: 1 });
      note.body = 'set later';
      assert.equal(note.body, 'set later', 'assigning a missing field makes it readable');
      const many = await Note.all().orderBy('id').only('views');
      assert.deepEqual(many.map((n) => [n.id, n.views]), [[1, 1], [2, 20], [3, 3], [4, 4]]);
      fails(() => Note.all().only('nope' as never), FieldError, "Note has no field 'nope' (in only('nope')). Valid fields: id, title, body, views, pk.");
    });

    it('delete() returns the number of rows removed', async () => {
      assert.equal(await Note.filter({ id__in: [3, 4] }).delete(), 2);
      assert.equal(await Note.filter({ id__in: [3, 4] }).delete(), 0);
      assert.deepEqual(await Note.all().orderBy('id').valuesList('id', { flat: true }), [1, 2]);
      assert.equal(await Note.all().delete(), 2);
      assert.equal(await Note.all().count(), 0);
    });
  });

  describe('streaming', () => {
    it(`for await yields all ${ROWS} rows once each, in order`, async () => {
      const seen: number[] = [];
      let previous = 0;
      for await (const row of Row.all().orderBy('n')) {
        assert.ok(row instanceof Row);
        assert.equal(row.n, previous + 1);
        previous = row.n;
        seen.push(row.id);
      }
      assert.equal(seen.length, ROWS);
      assert.equal(new Set(seen).size, ROWS);
    });

    it('without ordering it goes by primary key; ties are broken by primary key', async () => {
      const ids: number[] = [];
      for await (const row of Row.all()) ids.push(row.id);
      assert.deepEqual(ids, Array.from({ length: ROWS }, (_, i) => i + 1));
      const tagged: number[] = [];
      for await (const row of Row.filter({ tag__isnull: false }).orderBy('-tag')) tagged.push(row.id);
      assert.equal(tagged.length, ROWS - ROWS / 3);
      assert.equal(new Set(tagged).size, tagged.length);
      const expected = (await Row.filter({ tag__isnull: false }).values('id', 'tag'))
        .sort((a, b) => (a.tag! < b.tag! ? 1 : a.tag! > b.tag! ? -1 : a.id - b.id))
        .map((r) => r.id);
      assert.deepEqual(tagged, expected);
    });

    it('honours filters, limit, offset and row shapes', async () => {
      const ns: number[] = [];
      for await (const n of Row.filter({ n__gt: 100 }).orderBy('n').offset(10).limit(1500).valuesList('n', { flat: true })) {
        ns.push(n);
      }
      assert.deepEqual(ns, Array.from({ length: 1500 }, (_, i) => 111 + i));
      const ranked: string[] = [];
      for await (const r of Ranked.all().values('name')) ranked.push(r.name);
      assert.deepEqual(ranked, ['d', 'e', 'a', 'c', 'b'], 'Meta.ordering applies');
      const single: number[] = [];
      for await (const r of Ranked.filter({ name: 'c' }).first()) single.push(r!.id);
      assert.deepEqual(single, [3]);
      for await (const _ of Ranked.filter({ name: 'zz' })) assert.fail('no rows expected');
    });
  });

  describe('inspection', () => {
    it('explain() returns the plan rows', async () => {
      const plan = await Ranked.filter({ category: 'x' }).orderBy('name').explain();
      assert.ok(Array.isArray(plan) && plan.length > 0);
      assert.ok(Array.isArray(plan[0]) && plan[0].length > 0);
    });

    it('sql() shows placeholders and never the values', () => {
      const secret = "s3cr3t'value";
      const text = Ranked.filter({ name: secret, rank__in: [1234567, 7654321] }).limit(3).sql();
      assert.match(text, /^SELECT /);
      assert.match(text, /\?|\$1/);
      assert.ok(!text.includes('s3cr3t'), text);
      assert.ok(!text.includes('1234567') && !text.includes('7654321'), text);
      assert.match(text, /catalog_ranked/);
    });
  });

  describe('QuerySet semantics', () => {
    it('no method mutates its receiver', async () => {
      const base = Ranked.filter({ category__in: ['x', 'y'] });
      const snapshot = { ...base.state };
      const expected = idsOf(await base);
      const derived: unknown[] = [
        base.filter({ rank: 1 }),
        base.exclude({ name: 'a' }),
        base.all(),
        base.orderBy('name'),
        base.limit(1),
        base.offset(2),
        base.distinct(),
        base.only('name'),
        base.usingDb('default'),
        base.values('name'),
        base.valuesList('name', { flat: true }),
        base.first(),
        base.get({ id: 1 }),
        base.getOrNone({ id: 1 }),
        base.selectForUpdate(),
        base.count(),
        base.exists(),
      ];
      for (const qs of derived) assert.notEqual(qs, base);
      await Promise.all(derived.filter((d) => !(d instanceof QuerySet && d.state.lock !== undefined)) as PromiseLike<unknown>[]);
      assert.deepEqual({ ...base.state }, snapshot);
      assert.deepEqual(idsOf(await base), expected);
      assert.deepEqual(expected, [5, 1, 3, 2]);
      assert.equal(await base.count(), 4);
    });

    it('a QuerySet and a LazyResult can be awaited more than once', async () => {
      const qs = Ranked.filter({ category: 'y' });
      const first = idsOf(await qs);
      const second = idsOf(await qs);
      assert.deepEqual(first, [5, 2]);
      assert.deepEqual(second, first);
      const count = Ranked.filter({ category: 'y' }).count();
      assert.equal(await count, 2);
      assert.equal(await count, 2);
      const one = Ranked.get({ name: 'a' });
      assert.equal((await one).id, 1);
      assert.equal((await one).id, 1);
      assert.deepEqual(idsOf(await qs.then((rows) => rows)), [5, 2]);
    });

    it("usingDb('default') runs on the default connection", async () => {
      assert.equal(await Ranked.all().usingDb('default').count(), 5);
      assert.deepEqual(idsOf(await Ranked.usingDb('default').filter({ category: 'x' })), [1, 3]);
    });
  });
});
