/**
 * Every data field round-trips exactly (create → instance, get, values, valuesList) on every
 * backend; nulls, defaults, automatic timestamps and sourceField columns behave alike.
 */
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { ValidationError } from '../../src/index.js';
import { forEachBackend } from '../support/backends.js';
import { AllFields, Color, Defaults, Priority, Renamed, RequiredFields, Stamped, UuidKeyed, requiredValues } from '../fixtures/all-fields.js';

type Key = Exclude<keyof AllFields, keyof import('../../src/index.js').Model | 'id'>;

/** Stores `input` in `field` and checks every read path gives back exactly `expected`. */
async function roundTrip(field: Key, input: unknown, expected: unknown): Promise<void> {
  const row = await AllFields.create({ [field]: input } as never);
  const label = `${field} = ${String(input)}`;
  assert.deepEqual(row[field], expected, `${label}: the created instance holds the canonical value`);
  const loaded = await AllFields.get({ id: row.id });
  assert.deepEqual(loaded[field], expected, `${label}: get()`);
  const [asValues] = await AllFields.filter({ id: row.id }).values(field);
  assert.deepEqual((asValues as Record<string, unknown>)[field], expected, `${label}: values()`);
  const asList = await AllFields.filter({ id: row.id }).valuesList(field, { flat: true });
  assert.deepEqual(asList, [expected], `${label}: valuesList(flat)`);
  const [tuple] = await AllFields.filter({ id: row.id }).valuesList('id', field);
  assert.deepEqual(tuple, [row.id, expected], `${label}: valuesList()`);
}

async function roundTripAll(field: Key, cases: readonly (readonly [unknown, unknown])[]): Promise<void> {
  for (const [input, expected] of cases) await roundTrip(field, input, expected);
}

/** The same value in and out. */
const same = (...values: unknown[]) => values.map((v) => [v, v] as const);

forEachBackend('fields', [{ AllFields, RequiredFields, Defaults, Stamped, Renamed, UuidKeyed }], () => {
  it('IntField and SmallIntField keep their extremes', async () => {
    await roundTripAll('int', same(0, -1, 2147483647, -2147483648));
    await roundTrip('int', 42n, 42);
    await roundTripAll('small', same(0, 32767, -32768));
  });

  it('BigIntField keeps ±(2^63-1) and 2^53+1 as bigint', async () => {
    await roundTripAll('big', same(2n ** 63n - 1n, -(2n ** 63n), -(2n ** 63n - 1n), 2n ** 53n + 1n, 0n, -1n));
    await roundTrip('big', 12, 12n);
    await roundTrip('big', '9007199254740993', 9007199254740993n);
  });

  it('FloatField keeps doubles bit for bit', async () => {
    await roundTripAll('float', same(0.1 + 0.2, -1.5, 1e300, -1.7976931348623157e308, 2.2250738585072014e-308, 123456789.123456789, 0));
  });

  it('DecimalField keeps every digit and returns the canonical string', async () => {
    await roundTripAll('dec', [
      ['12345678901234567890.0123456789', '12345678901234567890.0123456789'],
      ['-12345678901234567890.0123456789', '-12345678901234567890.0123456789'],
      ['99999999999999999999.9999999999', '99999999999999999999.9999999999'],
      ['0', '0.0000000000'],
      ['0.0000000001', '0.0000000001'],
    ]);
    await roundTripAll('money', [
      ['12.5', '12.50'],
      [12.5, '12.50'],
      ['-0.00', '0.00'],
      ['+3', '3.00'],
      ['.5', '0.50'],
      ['00012.50', '12.50'],
      ['-99999999.99', '-99999999.99'],
      [0.1, '0.10'],
    ]);
    await roundTripAll('whole', [
      ['99999', '99999'],
      [12345n, '12345'],
      ['-7', '-7'],
      ['0', '0'],
    ]);
  });

  it('DecimalField compares and orders by value, not as text', async () => {
    for (const money of ['9', '10', '-5', '100.5']) await AllFields.create({ money, char: 'decimal-order' });
    const tagged = AllFields.filter({ char: 'decimal-order' });
    assert.deepEqual(await tagged.filter({ money__gt: '9.5' }).orderBy('money').valuesList('money', { flat: true }), ['10.00', '100.50']);
    assert.deepEqual(await tagged.orderBy('-money').valuesList('money', { flat: true }), ['100.50', '10.00', '9.00', '-5.00']);
    assert.deepEqual(await tagged.filter({ money: '10.0' }).valuesList('money', { flat: true }), ['10.00']);
  });

  it('CharField and TextField keep unicode, empty strings and special characters', async () => {
    const emoji50 = '🐢'.repeat(50);
    const tricky = `It's "quoted" \\ back\\slash 100% _under_ ; -- '' \n\t`;
    await roundTripAll('char', same(emoji50, '', tricky, '漢字かなカナ한글', 'x'.repeat(50), 'e\u0301 combining'));
    await roundTripAll('text', same(emoji50.repeat(20), '', tricky, '漢字'.repeat(5000), 'a'.repeat(100_000)));
  });

  it('special characters are matched literally by filters', async () => {
    const pct = await AllFields.create({ char: 'ratio 100%_x' });
    const plain = await AllFields.create({ char: 'ratio 1000ax' });
    assert.deepEqual(await AllFields.filter({ char: 'ratio 100%_x' }).valuesList('id', { flat: true }), [pct.id]);
    assert.deepEqual(await AllFields.filter({ char__contains: '0%_' }).valuesList('id', { flat: true }), [pct.id]);
    assert.deepEqual(await AllFields.filter({ char__startswith: 'ratio 1000' }).valuesList('id', { flat: true }), [plain.id]);
    const slash = await AllFields.create({ text: 'C:\\dir\\file' });
    assert.deepEqual(await AllFields.filter({ text: 'C:\\dir\\file' }).valuesList('id', { flat: true }), [slash.id]);
  });

  it('UUIDField normalises to lower-case hyphenated form', async () => {
    await roundTripAll('uuid', [
      ['1B4E28BA-2FA1-11D2-883F-0016D3CCA427', '1b4e28ba-2fa1-11d2-883f-0016d3cca427'],
      ['1b4e28ba2fa111d2883f0016d3cca427', '1b4e28ba-2fa1-11d2-883f-0016d3cca427'],
      ['00000000-0000-0000-0000-000000000000', '00000000-0000-0000-0000-000000000000'],
    ]);
    const row = await AllFields.create({ uuid: 'ffffffff-ffff-ffff-ffff-fffffffffffe' });
    const found = await AllFields.filter({ uuid: 'FFFFFFFF-FFFF-FFFF-FFFF-FFFFFFFFFFFE' }).valuesList('id', { flat: true });
    assert.deepEqual(found, [row.id], 'a filter value is normalised too');
  });

  it('a UUID primary key defaults to a random lower-case UUID and is found by any spelling', async () => {
    const row = await UuidKeyed.create({ name: 'a' });
    assert.match(row.id, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    assert.equal((await UuidKeyed.get({ id: row.id.toUpperCase() })).name, 'a');
    const given = await UuidKeyed.create({ id: 'AAAAAAAA-BBBB-4CCC-8DDD-EEEEEEEEEEEE', name: 'b' });
    assert.equal(given.id, 'aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee');
    assert.equal((await UuidKeyed.get({ pk: given.id })).name, 'b');
  });

  it('CharEnumField and IntEnumField keep every member', async () => {
    await roundTripAll('color', same(Color.Red, Color.Green, Color.Blue));
    await roundTripAll('priority', same(Priority.Low, Priority.Normal, Priority.High));
  });

  it('BooleanField keeps true and false', async () => {
    await roundTripAll('flag', same(true, false));
    const yes = await AllFields.create({ flag: true, char: 'bool-filter' });
    assert.deepEqual(await AllFields.filter({ flag: true, char: 'bool-filter' }).valuesList('id', { flat: true }), [yes.id]);
  });

  it('DatetimeField keeps milliseconds and reads offsets and zoneless strings as instants', async () => {
    await roundTripAll('at', same(
      new Date('2024-02-29T23:59:59.999Z'),
      new Date('1969-07-20T20:17:40.123Z'),
      new Date('2038-01-19T03:14:08.001Z'),
      new Date('2000-01-01T00:00:00.000Z'),
    ));
    await roundTripAll('at', [
      ['2024-03-01T12:34:56.789+05:30', new Date('2024-03-01T07:04:56.789Z')],
      ['2024-03-01T12:34:56.789-08:00', new Date('2024-03-01T20:34:56.789Z')],
      ['2024-03-01 12:00:00.5', new Date('2024-03-01T12:00:00.500Z')],
      ['2024-03-01T12:00:00Z', new Date('2024-03-01T12:00:00.000Z')],
      ['2024-02-29T23:30:00-01:00', new Date('2024-03-01T00:30:00.000Z')],
      [Date.UTC(2020, 5, 15, 1, 2, 3, 456), new Date('2020-06-15T01:02:03.456Z')],
    ]);
    const row = await AllFields.create({ at: '2024-03-01T12:34:56.789+05:30' as never });
    assert.ok(row.at instanceof Date);
    const found = await AllFields.filter({ at: new Date('2024-03-01T07:04:56.789Z'), id: row.id }).count();
    assert.equal(found, 1, 'the same instant matches however it was written');
  });

  it('DateField keeps calendar dates, including a leap day', async () => {
    await roundTripAll('day', same('2024-02-29', '2000-02-29', '1999-12-31', '1000-01-01', '9999-12-31', '1970-01-01'));
    await roundTrip('day', new Date('2023-06-15T23:30:00.000Z'), '2023-06-15');
  });

  it('TimeField keeps fractions of a second in canonical form', async () => {
    await roundTripAll('clock', same('23:59:59.999999', '00:00:00', '12:30:15.5', '01:02:03.000001'));
    await roundTripAll('clock', [
      ['00:00', '00:00:00'],
      ['12:30:15.500', '12:30:15.5'],
      ['08:00:00.000000', '08:00:00'],
    ]);
  });

  it('TimeDeltaField keeps durations down to a microsecond', async () => {
    await roundTripAll('span', same(0, 1500, 0.001, -2500.25, 86_400_000 * 365 * 100, 1.234));
  });

  it('JSONField keeps objects, arrays, strings, numbers, booleans and unicode', async () => {
    await roundTripAll('data', same(
      { a: 1, nested: { list: [1, 'two', null, false], empty: {} } },
      [1, 2, 3],
      [],
      [{ a: 1 }, [2, [3]]],
      {},
      'a plain string',
      '',
      42.5,
      0,
      -17,
      true,
      false,
      { '键': '值 🐢', quote: 'a"b\\c\'d', pct: '100%_' },
      '🐢 "quoted" \\',
      '123',
      'true',
      'null',
      [true, false],
      [null],
      ['a', 'b'],
    ));
  });

  it('BinaryField keeps all 256 byte values', async () => {
    const all = Buffer.from(Array.from({ length: 256 }, (_, i) => i));
    await roundTripAll('blob', [
      [all, all],
      [Buffer.alloc(0), Buffer.alloc(0)],
      [new Uint8Array([0, 255, 0, 39, 92]), Buffer.from([0, 255, 0, 39, 92])],
      [Buffer.concat([all, all, all, all]), Buffer.concat([all, all, all, all])],
    ]);
  });

  it('nullable fields store and return null on every read path', async () => {
    const row = await AllFields.create({});
    const names = Object.keys(requiredValues()).concat('money', 'whole') as Key[];
    const loaded = await AllFields.get({ id: row.id });
    const [values] = await AllFields.filter({ id: row.id }).values();
    for (const name of names) {
      assert.equal(row[name], null, `${name} on the created instance`);
      assert.equal(loaded[name], null, `${name} after get()`);
      assert.equal((values as Record<string, unknown>)[name], null, `${name} in values()`);
    }
    assert.equal(await AllFields.filter({ id: row.id, big__isnull: true, data__isnull: true }).count(), 1);
    // Setting a value back to null writes NULL.
    const full = await AllFields.create({ int: 1, data: { a: 1 }, blob: Buffer.from([1]), at: new Date() });
    full.int = null;
    full.data = null;
    full.blob = null;
    full.at = null;
    await full.save();
    const reread = await AllFields.get({ id: full.id });
    assert.deepEqual([reread.int, reread.data, reread.blob, reread.at], [null, null, null, null]);
  });

  it('a non-null field refuses null and a missing value, naming model and field', async () => {
    for (const name of Object.keys(requiredValues()) as (keyof ReturnType<typeof requiredValues>)[]) {
      await assert.rejects(
        RequiredFields.create({ ...requiredValues(), [name]: null } as never),
        (error: unknown) => {
          assert.ok(error instanceof ValidationError, `${name}: ValidationError`);
          assert.equal(error.model, 'RequiredFields');
          assert.equal(error.field, name);
          assert.match(error.message, new RegExp(`^RequiredFields\\.${name}: ${name} cannot be null; .*'null: true'.*got null\\.$`));
          return true;
        },
      );
      const partial: Record<string, unknown> = requiredValues();
      delete partial[name];
      await assert.rejects(RequiredFields.create(partial as never), (error: unknown) => {
        assert.ok(error instanceof ValidationError);
        assert.equal(error.field, name);
        assert.match(error.message, new RegExp(`RequiredFields\\.${name}: ${name} is required; pass it to create\\(\\)`));
        return true;
      });
    }
    assert.equal(await RequiredFields.all().count(), 0, 'nothing was written');
    const ok = await RequiredFields.create(requiredValues());
    const loaded = await RequiredFields.get({ id: ok.id });
    for (const [name, value] of Object.entries(requiredValues())) {
      assert.deepEqual(loaded[name as keyof typeof loaded], value, `${name} after get()`);
    }
    await assert.rejects(async () => RequiredFields.filter({ id: ok.id }).update({ text: null as never }), (error: unknown) => {
      assert.ok(error instanceof ValidationError);
      assert.equal(error.field, 'text');
      assert.match(error.message, /RequiredFields\.text: text cannot be null/);
      return true;
    });
    ok.char = null as never;
    await assert.rejects(ok.save(), /RequiredFields\.char: char cannot be null/);
  });

  it('constant and function defaults fill omitted fields; given values win', async () => {
    const a = await Defaults.create({});
    assert.equal(a.status, 'new');
    assert.equal(a.count, 7);
    assert.equal(a.price, '1.50', 'a default is normalised like any value');
    assert.equal(a.active, false);
    assert.deepEqual(a.tags, []);
    assert.equal(a.token, 'abcdef00-0000-4000-8000-00000000000a');
    assert.equal(a.color, Color.Green);
    const b = await Defaults.create({ status: 'given', count: 0, active: true, tags: ['x'] });
    assert.notEqual(a.tags, b.tags, 'a function default makes a fresh value per instance');
    const loadedA = await Defaults.get({ id: a.id });
    assert.deepEqual(
      [loadedA.status, loadedA.count, loadedA.price, loadedA.active, loadedA.tags, loadedA.token, loadedA.color],
      ['new', 7, '1.50', false, [], 'abcdef00-0000-4000-8000-00000000000a', 'green'],
    );
    const loadedB = await Defaults.get({ id: b.id });
    assert.deepEqual([loadedB.status, loadedB.count, loadedB.active, loadedB.tags], ['given', 0, true, ['x']]);
    const built = Defaults.build({});
    assert.equal(built.count, 7, 'build() fills defaults before save');
  });

  it('autoNowAdd is set once; autoNow changes on every save, with or without updateFields', async () => {
    const before = Date.now();
    const row = await Stamped.create({ name: 'a' });
    assert.ok(row.createdAt instanceof Date && row.updatedAt instanceof Date);
    assert.ok(row.createdAt.getTime() >= before && row.createdAt.getTime() <= Date.now());
    assert.equal(row.createdAt.getTime(), row.updatedAt.getTime(), 'one clock reading per insert');
    const created = row.createdAt.getTime();
    const loaded = await Stamped.get({ id: row.id });
    assert.equal(loaded.createdAt.getTime(), created);

    await new Promise((resolve) => setTimeout(resolve, 5));
    row.name = 'b';
    await row.save();
    const afterSave = await Stamped.get({ id: row.id });
    assert.equal(afterSave.createdAt.getTime(), created, 'autoNowAdd does not change on update');
    assert.ok(afterSave.updatedAt.getTime() > created, 'autoNow moved on save()');
    assert.equal(afterSave.updatedAt.getTime(), row.updatedAt.getTime(), 'the instance holds what was written');

    await new Promise((resolve) => setTimeout(resolve, 5));
    const previous = afterSave.updatedAt.getTime();
    afterSave.name = 'c';
    await afterSave.save({ updateFields: ['name'] });
    const afterPartial = await Stamped.get({ id: row.id });
    assert.equal(afterPartial.name, 'c');
    assert.ok(afterPartial.updatedAt.getTime() > previous, 'autoNow moved with updateFields too');
    assert.equal(afterPartial.createdAt.getTime(), created);

    const given = new Date('2001-01-01T00:00:00.000Z');
    const explicit = await Stamped.create({ name: 'd', createdAt: given });
    assert.equal((await Stamped.get({ id: explicit.id })).createdAt.getTime(), given.getTime(), 'a given autoNowAdd value is kept');
  });

  it('sourceField renames the column; attribute names still filter, order, update and read', async () => {
    const a = await Renamed.create({ key: 10, displayName: 'Ann', amount: '3.5' });
    await Renamed.create({ key: 11, displayName: 'Bob', isOn: false });
    assert.equal(a.isOn, true);
    const sql = Renamed.filter({ displayName: 'Ann' }).sql();
    assert.match(sql, /display_name/);
    assert.match(sql, /renamed_key/);
    assert.doesNotMatch(sql, /displayName/);
    const loaded = await Renamed.get({ displayName: 'Ann' });
    assert.deepEqual([loaded.key, loaded.displayName, loaded.amount, loaded.isOn], [10, 'Ann', '3.50', true]);
    assert.deepEqual(await Renamed.filter({ isOn: false }).values('key', 'displayName'), [{ key: 11, displayName: 'Bob' }]);
    assert.deepEqual(await Renamed.all().orderBy('-displayName').valuesList('displayName', { flat: true }), ['Bob', 'Ann']);
    assert.deepEqual(await Renamed.filter({ amount__gt: '3' }).valuesList('key', { flat: true }), [10]);
    assert.equal(await Renamed.filter({ pk: 11 }).update({ displayName: 'Bobby', amount: '7' }), 1);
    assert.deepEqual(await Renamed.filter({ key: 11 }).values(), [{ key: 11, displayName: 'Bobby', amount: '7.00', isOn: false }]);
    loaded.displayName = 'Anne';
    await loaded.save();
    assert.equal((await Renamed.get({ pk: 10 })).displayName, 'Anne');
    await loaded.delete();
    assert.equal(await Renamed.all().count(), 1);
  });
});
