/**
 * JSONField lookups — containment, equality of whole documents and `__filter` paths — with the
 * same ids expected on every backend, and the errors for values JSON cannot hold.
 */
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { FieldError, Model, ParamsError, Q, fields, type JsonValue, type ReverseRelation } from '../../src/index.js';
import { forEachBackend } from '../support/backends.js';
import { fails } from '../support/expect-errors.js';

export class Doc extends Model {
  id = fields.IntField({ pk: true });
  data = fields.JSONField<JsonValue>({ null: true });
  declare notes: ReverseRelation<DocNote>;
  static override meta = { table: 'json_doc' };
}

/** Points at a Doc, for JSON lookups reached through a relation. */
export class DocNote extends Model {
  id = fields.IntField({ pk: true });
  doc = fields.ForeignKeyField(() => Doc, { relatedName: 'notes' });
  static override meta = { table: 'json_doc_note' };
}

const DOCS: { id: number; data: JsonValue }[] = [
  { id: 1, data: { name: 'Rex', breed: 'labrador', age: 3, tags: ['good', 'loud'], owner: { name: 'Ann', city: 'Oslo' } } },
  { id: 2, data: { name: 'Tom', breed: 'siamese', age: 12.5, tags: ['calm'], owner: { name: 'bob', city: 'Bergen' }, vet: null } },
  { id: 3, data: { name: 'rex', age: '7', tags: [], owner: null, weird: 'a%b_c' } },
  { id: 4, data: ['a', 'b', { x: 1 }] },
  { id: 5, data: 'plain string' },
  { id: 6, data: 42 },
  { id: 7, data: null },
  { id: 8, data: { 'dotted.key': 'dot', 'with space': 'sp', '0': 'zero', nested: [[1, 2], [3]] } },
];
const ALL = DOCS.map((d) => d.id);
const without = (...excluded: number[]): number[] => ALL.filter((id) => !excluded.includes(id));

async function ids(...filters: unknown[]): Promise<number[]> {
  return Doc.filter(...(filters as never[])).orderBy('id').valuesList('id', { flat: true });
}

async function check(cases: readonly (readonly [Record<string, unknown>, readonly number[]])[]): Promise<void> {
  const wrong: string[] = [];
  for (const [filters, expected] of cases) {
    const got = await ids(filters);
    if (JSON.stringify(got) !== JSON.stringify(expected)) wrong.push(`${JSON.stringify(filters)}: expected [${expected}], got [${got}]`);
    // exclude() is the exact complement: a missing key is "no match", never unknown.
    const excluded = await Doc.exclude(filters as never).orderBy('id').valuesList('id', { flat: true });
    const complement = ALL.filter((id) => !expected.includes(id));
    if (JSON.stringify(excluded) !== JSON.stringify(complement)) {
      wrong.push(`exclude ${JSON.stringify(filters)}: expected [${complement}], got [${excluded}]`);
    }
  }
  assert.deepEqual(wrong, []);
}

forEachBackend('json_lookups', [{ Doc, DocNote }], () => {
  before(async () => {
    await Doc.bulkCreate(DOCS.map((d) => Doc.build(d as never)));
  });

  describe('containment', () => {
    it('contains: objects by keys (recursively), arrays by elements, and a scalar element of a top-level array', async () => {
      await check([
        [{ data__contains: { breed: 'labrador' } }, [1]],
        [{ data__contains: { owner: { city: 'Bergen' } } }, [2]],
        [{ data__contains: { tags: ['loud'] } }, [1]],
        [{ data__contains: { tags: [] } }, [1, 2, 3]],
        [{ data__contains: { name: 'REX' } }, []],
        [{ data__contains: ['b', 'a'] }, [4]],
        [{ data__contains: [{ x: 1 }] }, [4]],
        [{ data__contains: 'a' }, [4]],
        [{ data__contains: {} }, [1, 2, 3, 8]],
        [{ data__contains: 42 }, [6]],
        [{ data__contains: { vet: null } }, [2]],
      ]);
    });

    it('contained_by: the row is inside the given document', async () => {
      await check([
        [{ data__contained_by: ['a', 'b', { x: 1 }, 'c'] }, [4]],
        [{ data__contained_by: { name: 'rex', age: '7', tags: [], owner: null, weird: 'a%b_c', extra: 1 } }, [3]],
        [{ data__contained_by: { name: 'rex' } }, []],
      ]);
    });

    it('types must match at the top: an array does not contain an object, only its own scalar elements', async () => {
      await check([
        [{ data__contains: { x: 1 } }, []],
        [{ data__contains: 'plain' }, []],
        [{ data__contains: ['a', 'zzz'] }, []],
      ]);
    });
  });

  describe('equality of the whole document', () => {
    it('ignores key order, keeps array order and types; null means SQL NULL', async () => {
      await check([
        [{ data: { tags: ['calm'], name: 'Tom', breed: 'siamese', age: 12.5, owner: { city: 'Bergen', name: 'bob' }, vet: null } }, [2]],
        [{ data: ['a', 'b', { x: 1 }] }, [4]],
        [{ data: ['b', 'a', { x: 1 }] }, []],
        [{ data: 'plain string' }, [5]],
        [{ data: 42 }, [6]],
        [{ data: '42' }, []],
        [{ data: null }, [7]],
        [{ data__isnull: true }, [7]],
      ]);
    });

    it('not is null-inclusive, as on other fields', async () => {
      assert.deepEqual(await ids({ data__not: 42 }), without(6));
      assert.deepEqual(await ids({ data__not: null }), without(7));
    });
  });

  describe('paths (data__filter)', () => {
    it('equality at a key, a nested key and an array index', async () => {
      await check([
        [{ data__filter: { breed: 'labrador' } }, [1]],
        [{ data__filter: { owner__name: 'Ann' } }, [1]],
        [{ data__filter: { tags__0: 'good' } }, [1]],
        [{ data__filter: { tags__1: 'loud', name: 'Rex' } }, [1]],
        [{ data__filter: { age: 7 } }, []],
        [{ data__filter: { age: '7' } }, [3]],
        [{ data__filter: { tags: ['calm'] } }, [2]],
        [{ data__filter: { owner: { city: 'Oslo', name: 'Ann' } } }, [1]],
        [{ data__filter: { 'dotted.key': 'dot', 'with space': 'sp' } }, [8]],
        [{ data__filter: { nested__1__0: 3 } }, [8]],
        [{ data__filter: {} }, ALL],
      ]);
    });

    it('null, isnull and not: a missing key and a JSON null are both "null"', async () => {
      await check([
        [{ data__filter: { vet: null } }, ALL],
        [{ data__filter: { vet__isnull: false } }, []],
        [{ data__filter: { owner__isnull: true } }, without(1, 2)],
        [{ data__filter: { owner__not_isnull: true } }, [1, 2]],
        [{ data__filter: { owner__isnull: false } }, [1, 2]],
        [{ data__filter: { breed__not: 'labrador' } }, without(1)],
        [{ data__filter: { breed__not: null } }, [1, 2]],
      ]);
    });

    it('in and not_in, with null meaning missing', async () => {
      await check([
        [{ data__filter: { name__in: ['Rex', 'Tom'] } }, [1, 2]],
        [{ data__filter: { name__in: ['Rex', null] } }, without(2, 3)],
        [{ data__filter: { name__not_in: ['Rex'] } }, without(1)],
        [{ data__filter: { name__not_in: ['Rex', null] } }, [2, 3]],
        [{ data__filter: { name__in: [] } }, []],
      ]);
    });

    it('gt/gte/lt/lte/range compare numbers with numbers and strings with strings only', async () => {
      await check([
        [{ data__filter: { age__gt: 3 } }, [2]],
        [{ data__filter: { age__gte: 3 } }, [1, 2]],
        [{ data__filter: { age__lt: 100 } }, [1, 2]],
        [{ data__filter: { age__range: [3, 12.5] } }, [1, 2]],
        [{ data__filter: { age__gt: '5' } }, [3]],
        [{ data__filter: { age: 12.5 } }, [2]],
        [{ data__filter: { owner__city__gte: 'Oslo' } }, [1]],
        [{ data__filter: { owner__city__range: ['A', 'C'] } }, [2]],
        [{ data__filter: { owner__city__lt: 'Oslo' } }, [2]],
      ]);
    });

    it('text lookups match string values, case-sensitively unless i…, with LIKE characters literal', async () => {
      await check([
        [{ data__filter: { name__contains: 'ex' } }, [1, 3]],
        [{ data__filter: { name__startswith: 'R' } }, [1]],
        [{ data__filter: { name__istartswith: 'R' } }, [1, 3]],
        [{ data__filter: { name__iexact: 'REX' } }, [1, 3]],
        [{ data__filter: { owner__name__icontains: 'B' } }, [2]],
        [{ data__filter: { owner__name__endswith: 'B' } }, []],
        [{ data__filter: { owner__name__iendswith: 'B' } }, [2]],
        [{ data__filter: { weird__contains: '%b_' } }, [3]],
        [{ data__filter: { weird__contains: 'x%' } }, []],
        [{ data__filter: { age__contains: '3' } }, []],
      ]);
    });

    it('contains and contained_by with an object or array look inside the value at the path', async () => {
      await check([
        [{ data__filter: { tags__contains: ['good'] } }, [1]],
        [{ data__filter: { owner__contains: { name: 'bob' } } }, [2]],
        [{ data__filter: { tags__contained_by: ['calm', 'other'] } }, [2, 3]],
      ]);
    });

    it('combines with Q, other filters and across OR', async () => {
      assert.deepEqual(await ids(Q({ data__filter: { name: 'Rex' } }).or(Q({ data__contains: 42 }))), [1, 6]);
      assert.deepEqual(await ids({ id__gt: 1, data__filter: { name__iexact: 'rex' } }), [3]);
      assert.equal(await Doc.filter({ data__filter: { age__gte: 3 } }).count(), 2);
    });

    it('values are bound, never SQL text: quotes and SQL in keys and values are data', async () => {
      await check([
        [{ data__filter: { "name') OR 1=1 --": 'x' } }, []],
        [{ data__filter: { name: "x' OR '1'='1" } }, []],
        [{ data__contains: { "a'b": "'; DROP TABLE json_doc; --" } }, []],
      ]);
      assert.equal(await Doc.all().count(), DOCS.length);
    });
  });

  describe('with relations and writes', () => {
    it('reaches a JSON field through a relation, both ways', async () => {
      await DocNote.bulkCreate([1, 2, 4].map((docId) => DocNote.build({ docId })));
      assert.deepEqual(await DocNote.filter({ doc__data__filter: { owner__name: 'Ann' } }).valuesList('docId', { flat: true }), [1]);
      assert.deepEqual(await DocNote.filter({ doc__data__contains: [{ x: 1 }] }).valuesList('docId', { flat: true }), [4]);
      assert.deepEqual(await Doc.filter({ notes__id__gt: 0, data__filter: { age__gte: 3 } }).orderBy('id').valuesList('id', { flat: true }), [1, 2]);
    });

    it('filters update() and delete() by JSON, changing only the matching rows', async () => {
      assert.equal(await DocNote.filter({ doc__data__filter: { name__iexact: 'tom' } }).delete(), 1);
      assert.equal(await Doc.filter({ data__filter: { weird__contains: '%' } }).update({ data: { replaced: true } }), 1);
      assert.deepEqual((await Doc.get({ id: 3 })).data, { replaced: true });
      assert.equal(await Doc.filter({ data: { replaced: true } }).delete(), 1);
      assert.deepEqual(await Doc.all().orderBy('id').valuesList('id', { flat: true }), without(3));
      assert.deepEqual(await DocNote.all().orderBy('id').valuesList('docId', { flat: true }), [1, 4]);
    });
  });

  describe('wrong use', () => {
    it('refuses values JSON cannot hold, naming the model, filter and value', () => {
      fails(() => Doc.filter({ data__contains: { n: 1n } as never }), ParamsError, "Doc: filter 'data__contains' takes JSON values (strings, finite numbers, booleans, null, arrays, plain objects); got 1n (bigint).");
      fails(() => Doc.filter({ data: new Map() as never }), ParamsError, /^Doc: filter 'data' takes JSON values .*; got a Map\.$/);
      fails(() => Doc.filter({ data__filter: { age__gt: true } }), ParamsError, "Doc: filter 'data__filter.age__gt' compares with a number or a string; got true (boolean).");
      fails(() => Doc.filter({ data__filter: { age__range: [1, 'z'] } }), ParamsError, /^Doc: filter 'data__filter.age__range' takes two numbers or two strings/);
      fails(() => Doc.filter({ data__filter: { name__icontains: 3 } }), ParamsError, "Doc: filter 'data__filter.name__icontains' takes a string, got 3 (number).");
      fails(() => Doc.filter({ data__filter: { tags__contained_by: 'x' } }), ParamsError, /takes an object or an array to look for, got 'x' \(string\)\.$/);
      fails(() => Doc.filter({ data__filter: { owner__isnull: 'yes' } }), ParamsError, /takes true or false, got 'yes' \(string\)\.$/);
      fails(() => Doc.filter({ data__filter: { name: undefined } }), ParamsError, /'data__filter.name' is undefined/);
    });

    it('refuses a path filter that is not an object, and unsafe path parts', () => {
      fails(() => Doc.filter({ data__filter: 'name' as never }), ParamsError, /takes an object of paths to values/);
      fails(() => Doc.filter({ data__filter: { 'a"b': 1 } }), ParamsError, /path part "a\\"b"/);
      fails(() => Doc.filter({ data__filter: { a____b: 1 } }), ParamsError, /path part ""/);
    });

    it('text lookups on the column itself are refused with the list of JSON lookups', () => {
      fails(
        () => Doc.filter({ data__icontains: 'x' } as never),
        FieldError,
        /Doc: lookup 'icontains' does not apply to a JSONField .* Lookups for data: .*contains, contained_by, filter/,
      );
    });
  });
});
