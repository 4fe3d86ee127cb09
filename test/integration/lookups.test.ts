/**
 * Every built-in lookup against real rows, with the same expected ids on every backend:
 * case sensitivity (ASCII and not), LIKE/GLOB metacharacters, NULL handling, decimals,
 * date parts, injection attempts, and the errors for wrong use.
 */
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { FieldError, ParamsError, Q, ValidationError } from '../../src/index.js';
import { forEachBackend } from '../support/backends.js';
import { Item, Moment, Victim } from '../fixtures/catalog.js';
import { fails } from '../support/expect-errors.js';

type Filters = Record<string, unknown>;

const ITEMS = [
  { id: 1, name: 'Apple', note: 'Red fruit', qty: 10, price: '10.00', ratio: 1.5, active: true },
  { id: 2, name: 'apple pie', note: 'dessert', qty: 9, price: '9.50', ratio: 0.5, active: false },
  { id: 3, name: 'APPLE', qty: 100, price: '100.00', ratio: 2, active: true },
  { id: 4, name: 'Ärger', note: 'Ärger im Büro', qty: 1, price: '-1.25' },
  { id: 5, name: 'ärgerlich', qty: 2, price: '0.00' },
  { id: 6, name: 'STRASSE', qty: 3 },
  { id: 7, name: 'Straße', qty: 4 },
  { id: 8, name: '100% sure', qty: 5 },
  { id: 9, name: '100 percent', qty: 6 },
  { id: 10, name: 'a_b' },
  { id: 11, name: 'axb' },
  { id: 12, name: 'a!b' },
  { id: 13, name: 'a\\b' },
  { id: 14, name: 'star*x' },
  { id: 15, name: 'what?' },
  { id: 16, name: 'whatX' },
  { id: 17, name: '[abc]' },
  { id: 18, name: "O'Brien" },
  { id: 19, name: null },
];
const ALL = ITEMS.map((i) => i.id);
const without = (...excluded: number[]): number[] => ALL.filter((id) => !excluded.includes(id));

async function ids(...filters: (Filters | ReturnType<typeof Q>)[]): Promise<number[]> {
  return Item.filter(...(filters as never[])).orderBy('id').valuesList('id', { flat: true });
}

/** Runs each [filters, expected ids] case and reports every mismatch at once. */
async function check(cases: readonly (readonly [Filters, readonly number[]])[]): Promise<void> {
  const wrong: string[] = [];
  for (const [filters, expected] of cases) {
    const got = await ids(filters);
    if (JSON.stringify(got) !== JSON.stringify(expected)) {
      wrong.push(`${JSON.stringify(filters)}: expected [${expected.join(',')}], got [${got.join(',')}]`);
    }
  }
  assert.deepEqual(wrong, []);
}

forEachBackend('lookups', [{ Item, Moment, Victim }], () => {
  before(async () => {
    await Item.bulkCreate(ITEMS as never[]);
    await Victim.create({ id: 1, name: 'still here' });
    await Moment.bulkCreate([
      { id: 1, label: 'leap', at: new Date('2024-02-29T13:45:56.789Z'), day: '2024-02-29', clock: '13:45:56.789123' },
      { id: 2, label: 'iso53', at: new Date('2021-01-03T00:00:00.000Z'), day: '2021-01-03', clock: '00:00:00' },
      { id: 3, label: 'eve', at: new Date('2023-12-31T23:59:59.001Z'), day: '2023-12-31', clock: '23:59:59.5' },
      { id: 4, label: 'none', at: null, day: null, clock: null },
    ]);
  });

  describe('equality and NULL', () => {
    it('exact is case-sensitive; null means IS NULL', () =>
      check([
        [{ name: 'Apple' }, [1]],
        [{ name__exact: 'APPLE' }, [3]],
        [{ name: 'apple' }, []],
        [{ name: 'ärger' }, []],
        [{ name: 'Ärger' }, [4]],
        [{ name: null }, [19]],
        [{ name__exact: null }, [19]],
        [{ qty: 10 }, [1]],
        [{ active: true }, [1, 3]],
        [{ active: false }, [2]],
        [{ pk: 18 }, [18]],
      ]));

    it('exact does not ignore trailing spaces', () => check([[{ name: 'Apple ' }, []], [{ name__iexact: 'Apple ' }, []]]));

    it('iexact ignores case, ASCII and not', () =>
      check([
        [{ name__iexact: 'apple' }, [1, 3]],
        [{ name__iexact: 'ÄRGER' }, [4]],
        [{ name__iexact: 'ärger' }, [4]],
        [{ name__iexact: 'app' }, []],
        [{ name__iexact: 'a_b' }, [10]],
        [{ name__iexact: 'A%B' }, []],
      ]));

    it('not is null-inclusive; not null excludes only NULL', () =>
      check([
        [{ name__not: 'Apple' }, without(1)],
        [{ name__not: null }, without(19)],
        [{ qty__not: 10 }, without(1)],
        [{ active__not: true }, without(1, 3)],
      ]));

    it('isnull and not_isnull take booleans', () =>
      check([
        [{ name__isnull: true }, [19]],
        [{ name__isnull: false }, without(19)],
        [{ name__not_isnull: true }, without(19)],
        [{ name__not_isnull: false }, [19]],
        [{ active__isnull: false }, [1, 2, 3]],
      ]));
  });

  describe('in and not_in', () => {
    it('in matches listed values; empty matches nothing; null matches NULL', () =>
      check([
        [{ name__in: ['Apple', 'APPLE', 'missing'] }, [1, 3]],
        [{ name__in: [] }, []],
        [{ name__in: ['Apple', null] }, [1, 19]],
        [{ name__in: [null] }, [19]],
        [{ qty__in: new Set([1, 2]) }, [4, 5]],
        [{ id__in: [3, 1, 3] }, [1, 3]],
      ]));

    it('not_in keeps NULL rows unless null is listed; empty matches everything', () =>
      check([
        [{ name__not_in: ['Apple'] }, without(1)],
        [{ name__not_in: [] }, ALL],
        [{ name__not_in: ['Apple', null] }, without(1, 19)],
        [{ name__not_in: [null] }, without(19)],
        [{ qty__not_in: [10, 9] }, without(1, 2)],
      ]));
  });

  describe('comparisons', () => {
    it('gt/gte/lt/lte/range on integers and floats', () =>
      check([
        [{ qty__gt: 9 }, [1, 3]],
        [{ qty__gte: 9 }, [1, 2, 3]],
        [{ qty__lt: 2 }, [4]],
        [{ qty__lte: 2 }, [4, 5]],
        [{ qty__range: [3, 6] }, [6, 7, 8, 9]],
        [{ ratio__gt: 1 }, [1, 3]],
        [{ ratio__range: [0.5, 1.5] }, [1, 2]],
      ]));

    it('decimals compare by magnitude, not as text', () =>
      check([
        [{ price__gt: '9.50' }, [1, 3]],
        [{ price__gte: '9.5' }, [1, 2, 3]],
        [{ price__gt: 9.5 }, [1, 3]],
        [{ price__lt: '10' }, [2, 4, 5]],
        [{ price__lte: '0' }, [4, 5]],
        [{ price__range: ['0', '10'] }, [1, 2, 5]],
        [{ price: '9.5' }, [2]],
        [{ price__in: ['10', '100.0'] }, [1, 3]],
      ]));

    it('decimals order by magnitude', async () => {
      const prices = await Item.filter({ price__isnull: false }).orderBy('price').valuesList('price', { flat: true });
      assert.deepEqual(prices, ['-1.25', '0.00', '9.50', '10.00', '100.00']);
    });

    it('text compares by code point on every backend', () =>
      check([
        [{ name__gte: 'a', name__lt: 'b' }, [2, 10, 11, 12, 13]],
        [{ name__range: ['A', 'B'] }, [1, 3]],
      ]));
  });

  describe('pattern lookups', () => {
    it('contains/startswith/endswith are case-sensitive', () =>
      check([
        [{ name__contains: 'pple' }, [1, 2]],
        [{ name__contains: 'PP' }, [3]],
        [{ name__startswith: 'app' }, [2]],
        [{ name__startswith: 'A' }, [1, 3]],
        [{ name__endswith: 'LE' }, [3]],
        [{ name__endswith: 'le' }, [1]],
        [{ name__contains: 'ä' }, [5]],
        [{ name__contains: 'Ä' }, [4]],
        [{ note__contains: 'Büro' }, [4]],
        [{ note__contains: 'büro' }, []],
      ]));

    it('i-versions ignore case, ASCII and not', () =>
      check([
        [{ name__icontains: 'APPLE' }, [1, 2, 3]],
        [{ name__istartswith: 'app' }, [1, 2, 3]],
        [{ name__iendswith: 'le' }, [1, 3]],
        [{ name__icontains: 'ä' }, [4, 5]],
        [{ name__istartswith: 'ÄRG' }, [4, 5]],
        [{ note__icontains: 'BÜRO' }, [4]],
        [{ note__icontains: 'red' }, [1]],
      ]));

    it('ß and SS are different letters on every backend', () =>
      check([
        [{ name__icontains: 'straße' }, [7]],
        [{ name__icontains: 'strasse' }, [6]],
        [{ name__iexact: 'STRASSE' }, [6]],
        [{ name__contains: 'ß' }, [7]],
      ]));

    it('LIKE and GLOB metacharacters in values are literal', () =>
      check([
        [{ name__contains: '%' }, [8]],
        [{ name__icontains: '%' }, [8]],
        [{ name__startswith: '100%' }, [8]],
        [{ name__contains: '_' }, [10]],
        [{ name__icontains: 'A_' }, [10]],
        [{ name__contains: '!' }, [12]],
        [{ name__iendswith: '!B' }, [12]],
        [{ name__contains: '\\' }, [13]],
        [{ name__icontains: 'a\\B' }, [13]],
        [{ name__contains: '*' }, [14]],
        [{ name__endswith: '*x' }, [14]],
        [{ name__contains: '?' }, [15]],
        [{ name__endswith: '?' }, [15]],
        [{ name__iendswith: 'T?' }, [15]],
        [{ name__contains: '[' }, [17]],
        [{ name__contains: '[abc]' }, [17]],
        [{ name__startswith: '[a' }, [17]],
        [{ name__iexact: '[ABC]' }, [17]],
        [{ name__contains: "'" }, [18]],
        [{ name__icontains: "o'b" }, [18]],
      ]));

    it('applies to numbers and matches nothing on NULL', () =>
      check([
        [{ qty__contains: '0' }, [1, 3]],
        [{ qty__startswith: 1 }, [1, 3, 4]],
        [{ price__endswith: '.50' }, [2]],
        [{ name__contains: '' }, without(19)],
      ]));
  });

  describe('date parts', () => {
    async function moments(filters: Filters): Promise<number[]> {
      return Moment.filter(filters as never).orderBy('id').valuesList('id', { flat: true });
    }
    const cases: [Filters, number[]][] = [
      [{ at__year: 2024 }, [1]],
      [{ at__year: '2021' }, [2]],
      [{ day__year: 2023 }, [3]],
      [{ at__quarter: 1 }, [1, 2]],
      [{ day__quarter: 4 }, [3]],
      [{ at__month: 2 }, [1]],
      [{ day__month: 12 }, [3]],
      [{ at__week: 9 }, [1]],
      [{ at__week: 53 }, [2]],
      [{ day__week: 53 }, [2]],
      [{ day__week: 52 }, [3]],
      [{ at__day: 29 }, [1]],
      [{ day__day: 3 }, [2]],
      [{ at__hour: 13 }, [1]],
      [{ at__hour: 0 }, [2]],
      [{ clock__hour: 23 }, [3]],
      [{ at__minute: 45 }, [1]],
      [{ clock__minute: 59 }, [3]],
      [{ at__second: 56 }, [1]],
      [{ clock__second: 59 }, [3]],
      [{ at__microsecond: 789000 }, [1]],
      [{ at__microsecond: 1000 }, [3]],
      [{ at__microsecond: 0 }, [2]],
      [{ clock__microsecond: 789123 }, [1]],
      [{ clock__microsecond: 500000 }, [3]],
      [{ clock__microsecond: 0 }, [2]],
    ];
    it('year..microsecond on DatetimeField, DateField and TimeField', async () => {
      const wrong: string[] = [];
      for (const [filters, expected] of cases) {
        const got = await moments(filters);
        if (JSON.stringify(got) !== JSON.stringify(expected)) {
          wrong.push(`${JSON.stringify(filters)}: expected [${expected.join(',')}], got [${got.join(',')}]`);
        }
      }
      assert.deepEqual(wrong, []);
    });

    it('date parts apply only to kinds that have them, and take integers', () => {
      fails(() => Item.filter({ name__year: 2024 } as never), FieldError, /^Item: lookup 'year' does not apply to a CharField in filter key 'name__year'\. Lookups for name: exact, not, in, not_in, gt, gte, lt, lte, range, isnull, not_isnull, contains, icontains, startswith, istartswith, endswith, iendswith, iexact\.$/);
      fails(() => Moment.filter({ day__hour: 1 } as never), FieldError, /^Moment: lookup 'hour' does not apply to a DateField in filter key 'day__hour'\./);
      fails(() => Moment.filter({ clock__year: 1 } as never), FieldError, /^Moment: lookup 'year' does not apply to a TimeField in filter key 'clock__year'\./);
      fails(() => Moment.filter({ at__year: 'soon' } as never), ParamsError, `Moment: filter 'at__year' takes an integer, got "soon".`);
      fails(() => Moment.filter({ at__month: 2.5 } as never), ParamsError, `Moment: filter 'at__month' takes an integer, got 2.5.`);
    });

    it('temporal comparisons and ranges', async () => {
      assert.deepEqual(await moments({ at__gt: new Date('2022-01-01T00:00:00Z') }), [1, 3]);
      assert.deepEqual(await moments({ day__range: ['2021-01-01', '2023-12-31'] }), [2, 3]);
      assert.deepEqual(await moments({ clock__lt: '13:45:56.8' }), [1, 2]);
      assert.deepEqual(await moments({ day: '2024-02-29' }), [1]);
      assert.deepEqual(await moments({ at: null }), [4]);
    });
  });

  describe('injection attempts are data', () => {
    it('quotes and statements in values match literally and run nothing', async () => {
      const attacks = ["'; DROP TABLE x; --", "' OR '1'='1", '" OR "1"="1', "\\'; DROP TABLE x; --", '`x`; DROP TABLE x'];
      for (const value of attacks) {
        assert.deepEqual(await ids({ name: value }), []);
        assert.deepEqual(await ids({ name__icontains: value }), []);
        assert.deepEqual(await ids({ name__in: [value, "O'Brien"] }), [18]);
        assert.deepEqual(await ids(Q({ name__startswith: value }).or(Q({ id: 1 }))), [1]);
        assert.equal(await Item.filter({ name__not: value }).count(), ALL.length);
      }
      assert.deepEqual(await Victim.all().valuesList('name', { flat: true }), ['still here']);
      assert.deepEqual(await ids({ name: "O'Brien" }), [18]);
    });

    it('an attack stored as a value reads back unchanged', async () => {
      const value = "Robert'); DROP TABLE x;--";
      const victim = await Victim.create({ id: 2, name: value.slice(0, 20) });
      assert.equal((await Victim.get({ name: value.slice(0, 20) })).id, victim.id);
      assert.equal(await Victim.all().count(), 2);
      await Victim.filter({ id: 2 }).delete();
    });
  });

  describe('wrong use', () => {
    it('unknown lookup lists the lookups of the field', () => {
      fails(
        () => Item.filter({ name__like: 'x' } as never),
        FieldError,
        "Item: unknown lookup 'like' in filter key 'name__like'. Lookups for name: exact, not, in, not_in, gt, gte, lt, lte, range, isnull, not_isnull, contains, icontains, startswith, istartswith, endswith, iendswith, iexact.",
      );
      fails(
        () => Item.filter({ active__foo: true } as never),
        FieldError,
        "Item: unknown lookup 'foo' in filter key 'active__foo'. Lookups for active: exact, not, in, not_in, isnull, not_isnull.",
      );
    });

    it('a lookup that does not apply to the field kind', () => {
      fails(() => Item.filter({ active__contains: 'x' } as never), FieldError, /^Item: lookup 'contains' does not apply to a BooleanField in filter key 'active__contains'\. Lookups for active: exact, not, in, not_in, isnull, not_isnull\.$/);
      fails(() => Item.filter({ active__gt: true } as never), FieldError, /^Item: lookup 'gt' does not apply to a BooleanField/);
      fails(() => Item.filter({ note__hour: 1 } as never), FieldError, /^Item: lookup 'hour' does not apply to a TextField/);
    });

    it('bad values for in, range, isnull, comparisons and pattern lookups', () => {
      fails(() => Item.filter({ name__in: 'Apple' } as never), ParamsError, "Item: filter 'name__in' takes an array of values, got string.");
      fails(() => Item.filter({ name__not_in: 5 } as never), ParamsError, "Item: filter 'name__not_in' takes an array of values, got number.");
      fails(() => Item.filter({ qty__range: [1] } as never), ParamsError, "Item: filter 'qty__range' takes a pair [low, high] of non-null values.");
      fails(() => Item.filter({ qty__range: [1, 2, 3] } as never), ParamsError, /takes a pair \[low, high\]/);
      fails(() => Item.filter({ qty__range: [1, null] } as never), ParamsError, /takes a pair \[low, high\]/);
      fails(() => Item.filter({ name__isnull: 'yes' } as never), ParamsError, `Item: filter 'name__isnull' takes true or false, got "yes".`);
      fails(() => Item.filter({ name__not_isnull: 1 } as never), ParamsError, "Item: filter 'name__not_isnull' takes true or false, got 1.");
      fails(() => Item.filter({ qty__gt: null } as never), ParamsError, "Item: filter 'qty__gt' cannot compare with null; use 'qty__isnull'.");
      fails(() => Item.filter({ name__contains: null } as never), ParamsError, "Item: filter 'name__contains' takes a string, got null.");
      fails(() => Item.filter({ name__icontains: {} } as never), ParamsError, "Item: filter 'name__icontains' takes a string, got object.");
    });

    it('values of the wrong type for the field', () => {
      fails(() => Item.filter({ qty: 'many' } as never), ValidationError, /^Item\.qty: .*got 'many' \(string\)\.$/);
      fails(() => Item.filter({ qty__in: [1, 'two'] } as never), ValidationError, /^Item\.qty: .*got 'two' \(string\)\.$/);
      fails(() => Item.filter({ price__gt: 'cheap' } as never), ValidationError, /^Item\.price: expected a decimal string such as '12\.50'; got 'cheap' \(string\)\.$/);
      fails(() => Item.filter({ active: 'yes' } as never), ValidationError, /^Item\.active: /);
    });

    it('undefined is not a value', () => {
      fails(
        () => Item.filter({ name: undefined } as never),
        ParamsError,
        "Item: filter 'name' is undefined. Pass null to match NULL, or leave the key out.",
      );
      fails(() => Item.filter({ qty__gt: undefined } as never), ParamsError, /filter 'qty__gt' is undefined/);
    });

    it('unknown fields list the valid ones', () => {
      fails(
        () => Item.filter({ nmae: 'x' } as never),
        FieldError,
        "Item has no field 'nmae' (in filter key 'nmae'). Valid fields: id, name, note, qty, price, ratio, active, pk.",
      );
      fails(() => Item.filter({ nmae__icontains: 'x' } as never), FieldError, /^Item has no field 'nmae' \(in filter key 'nmae__icontains'\)/);
    });

    it('more parts than field__lookup', () => {
      fails(
        () => Item.filter({ name__icontains__x: 'x' } as never),
        FieldError,
        "Item: filter key 'name__icontains__x' has more parts than a field and a lookup; Item.name is a CharField, not a relation.",
      );
    });

    it('errors surface at filter() time, inside Q too, before any SQL', () => {
      fails(() => Item.filter(Q({ qty__gt: 1 }).or(Q({ name__nope: 'x' })) as never), FieldError, /unknown lookup 'nope'/);
      fails(() => Item.exclude({ name__in: 'x' } as never), ParamsError, /takes an array of values/);
    });
  });
});
