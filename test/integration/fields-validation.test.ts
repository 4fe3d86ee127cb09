/**
 * Bad values raise ValidationError naming model, field and value before any SQL runs;
 * user validators; option combinations that cannot work raise ConfigurationError at init.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConfigurationError, Model, Terrapin, ValidationError, fields } from '../../src/index.js';
import { forEachBackend } from '../support/backends.js';
import { AllFields, Validated } from '../fixtures/all-fields.js';

type Key = Exclude<keyof AllFields, keyof Model | 'id'>;

/** `create({ [field]: value })` rejects with a ValidationError whose message matches `reason`. */
async function refuses(field: Key, value: unknown, reason: RegExp): Promise<void> {
  await assert.rejects(AllFields.create({ [field]: value } as never), (error: unknown) => {
    assert.ok(error instanceof ValidationError, `${field} = ${String(value)}: expected a ValidationError, got ${String(error)}`);
    assert.equal(error.model, 'AllFields');
    assert.equal(error.field, field);
    assert.equal(error.value, value);
    assert.match(error.message, new RegExp(`^AllFields\\.${field}: `));
    assert.match(error.message, reason);
    return true;
  });
}

const cyclic: Record<string, unknown> = { name: 'loop' };
cyclic.self = cyclic;

forEachBackend('fields_validation', [{ AllFields, Validated }], () => {
  it('numbers: wrong types and out-of-range values', async () => {
    await refuses('int', '5', /expected an integer; got '5' \(string\)/);
    await refuses('int', 1.5, /expected an integer; got 1\.5 \(number\)/);
    await refuses('int', true, /expected an integer/);
    await refuses('int', 2147483648, /must be between -2147483648 and 2147483647; got 2147483648/);
    await refuses('int', -2147483649, /must be between -2147483648 and 2147483647/);
    await refuses('int', 2n ** 40n, /must be between/);
    await refuses('small', 32768, /must be between -32768 and 32767; got 32768 \(number\)/);
    await refuses('small', -32769, /must be between -32768 and 32767/);
    await refuses('big', 2n ** 63n, /must fit in a signed 64-bit integer; got 9223372036854775808n \(bigint\)/);
    await refuses('big', -(2n ** 63n) - 1n, /must fit in a signed 64-bit integer/);
    await refuses('big', 2 ** 53, /expected a bigint \(or a safe integer number\)/);
    await refuses('big', 1.5, /expected a bigint/);
    await refuses('big', '12abc', /expected a bigint/);
    await refuses('float', Number.NaN, /expected a finite number; got NaN \(number\)/);
    await refuses('float', Number.POSITIVE_INFINITY, /expected a finite number; got Infinity/);
    await refuses('float', Number.NEGATIVE_INFINITY, /expected a finite number/);
    await refuses('float', '1.5', /expected a finite number/);
    await refuses('span', Number.NaN, /expected a duration in milliseconds/);
    await refuses('span', '10s', /expected a duration in milliseconds/);
  });

  it('decimals: too many places or digits, and non-decimals', async () => {
    await refuses('money', '1.234', /has 3 decimal places, at most 2 are allowed; got '1\.234' \(string\)/);
    await refuses('money', '123456789.00', /has 9 digits before the point, at most 8 fit/);
    await refuses('dec', '123456789012345678901.5', /has 21 digits before the point, at most 20 fit/);
    await refuses('dec', '0.00000000001', /has 11 decimal places, at most 10/);
    await refuses('whole', '0.5', /has 1 decimal places, at most 0 are allowed/);
    await refuses('whole', '100000', /has 6 digits before the point, at most 5 fit/);
    await refuses('money', 'abc', /expected a decimal string such as '12\.50'/);
    await refuses('money', '1e5', /expected a decimal string/);
    await refuses('money', '', /expected a decimal string/);
    await refuses('money', '.', /expected a decimal string/);
    await refuses('money', '1.2.3', /expected a decimal string/);
    await refuses('money', Number.NaN, /expected a decimal string/);
    await refuses('money', Number.POSITIVE_INFINITY, /expected a decimal string/);
    await refuses('money', true, /expected a decimal string/);
  });

  it('text: wrong types and too long values, counted in code points', async () => {
    await refuses('char', 42, /expected a string; got 42 \(number\)/);
    await refuses('char', ['a'], /expected a string; got an array/);
    await refuses('text', 7, /expected a string; got 7 \(number\)/);
    await refuses('char', 'x'.repeat(51), /is 51 characters long, at most 50 are allowed/);
    await refuses('char', '🐢'.repeat(51), /is 51 characters long, at most 50 are allowed/);
    const fits = await AllFields.create({ char: '🐢'.repeat(50) });
    assert.equal((await AllFields.get({ id: fits.id })).char, '🐢'.repeat(50), "50 emoji (100 UTF-16 units) fit maxLength 50");
  });

  it('uuids, enums and booleans refuse what they do not hold', async () => {
    await refuses('uuid', 'not-a-uuid', /expected a UUID string such as '1b4e28ba-2fa1-11d2-883f-0016d3cca427'; got 'not-a-uuid'/);
    await refuses('uuid', '1b4e28ba-2fa1-11d2-883f-0016d3cca42', /expected a UUID string/);
    await refuses('uuid', 'zb4e28ba-2fa1-11d2-883f-0016d3cca427', /expected a UUID string/);
    await refuses('uuid', 123, /expected a UUID string/);
    await refuses('color', 'purple', /must be one of 'red', 'green', 'blue'; got 'purple' \(string\)/);
    await refuses('color', 'RED', /must be one of 'red', 'green', 'blue'/);
    await refuses('color', 1, /must be one of 'red', 'green', 'blue'/);
    await refuses('priority', 4, /must be one of 1, 2, 3; got 4 \(number\)/);
    await refuses('priority', '1', /must be one of 1, 2, 3/);
    await refuses('priority', 'Low', /must be one of 1, 2, 3/);
    await refuses('flag', 1, /expected true or false; got 1 \(number\)/);
    await refuses('flag', 'true', /expected true or false/);
  });

  it('dates and times refuse impossible values', async () => {
    await refuses('day', '2023-02-29', /expected a date string 'YYYY-MM-DD'.*; got '2023-02-29'/);
    await refuses('day', '2024-13-01', /expected a date string 'YYYY-MM-DD'/);
    await refuses('day', '2024-04-31', /expected a date string/);
    await refuses('day', '2024-1-5', /expected a date string/);
    await refuses('day', 20240101, /expected a date string/);
    await refuses('day', new Date('nope'), /expected a date string/);
    await refuses('clock', '24:00:00', /expected a time string 'HH:MM', 'HH:MM:SS' or 'HH:MM:SS\.ffffff'; got '24:00:00'/);
    await refuses('clock', '12:60', /expected a time string/);
    await refuses('clock', '12:30:61', /expected a time string/);
    await refuses('clock', '12:30:00.1234567', /expected a time string/);
    await refuses('clock', '1:02:03', /expected a time string/);
    await refuses('clock', 3600, /expected a time string/);
    await refuses('at', 'yesterday', /is not a valid date and time; got 'yesterday'/);
    await refuses('at', '2023-02-30T00:00:00Z', /is not a valid date and time/);
    await refuses('at', '2023-02-29 10:00:00', /is not a valid date and time/);
    await refuses('at', '2023-04-31T12:00:00+02:00', /is not a valid date and time/);
    await refuses('at', '2023-13-01T00:00:00Z', /is not a valid date and time/);
    await refuses('at', new Date(Number.NaN), /is not a valid date and time; got Invalid Date \(Date\)/);
    await refuses('at', true, /expected a Date or an ISO-8601 string/);
  });

  it('JSON and binary refuse what cannot be stored', async () => {
    await refuses('data', { n: 10n }, /cannot be stored as JSON \(.*BigInt.*\)/);
    // V8 says "circular structure", JavaScriptCore (Bun) "cyclic structures".
    await refuses('data', cyclic, /cannot be stored as JSON \(.*(circular|cyclic).*\)/is);
    await refuses('data', () => 1, /cannot be stored as JSON/);
    await refuses('data', Symbol('s'), /cannot be stored as JSON/);
    await refuses('blob', 'bytes', /expected a Buffer or Uint8Array; got 'bytes'/);
    await refuses('blob', [1, 2, 3], /expected a Buffer or Uint8Array/);
  });

  it('nothing reaches the database when a value is refused; update() and save() validate too', async () => {
    const before = await AllFields.all().count();
    await refuses('int', 'x', /expected an integer/);
    assert.equal(await AllFields.all().count(), before);
    const row = await AllFields.create({ int: 1 });
    await assert.rejects(async () => AllFields.filter({ id: row.id }).update({ small: 40000 }), (error: unknown) => {
      assert.ok(error instanceof ValidationError);
      assert.equal(error.field, 'small');
      assert.match(error.message, /AllFields\.small: must be between -32768 and 32767; got 40000/);
      return true;
    });
    row.color = 'mauve' as never;
    await assert.rejects(row.save(), /AllFields\.color: must be one of 'red', 'green', 'blue'/);
    assert.equal((await AllFields.get({ id: row.id })).color, null);
  });

  it('filters check value types too', async () => {
    await assert.rejects(async () => AllFields.filter({ int: 'x' as never }), (error: unknown) => {
      assert.ok(error instanceof ValidationError);
      assert.equal(error.field, 'int');
      return true;
    });
    await assert.rejects(async () => AllFields.filter({ uuid: 'nope' }), /AllFields\.uuid: expected a UUID string/);
    assert.equal(await AllFields.filter({ char: 'y'.repeat(80) }).count(), 0, 'maxLength is not applied to filter values');
  });

  it('validators: false, a string or a throw refuses the value; passing values are saved', async () => {
    const check = async (data: Record<string, unknown>, field: string, reason: RegExp) => {
      await assert.rejects(Validated.create(data as never), (error: unknown) => {
        assert.ok(error instanceof ValidationError, String(error));
        assert.equal(error.model, 'Validated');
        assert.equal(error.field, field);
        assert.match(error.message, new RegExp(`^Validated\\.${field}: `));
        assert.match(error.message, reason);
        return true;
      });
    };
    await check({ even: 3 }, 'even', /rejected by a validator; got 3 \(number\)/);
    await check({ slug: 'Not A Slug' }, 'slug', /use lower-case letters and hyphens only; got 'Not A Slug'/);
    await check({ code: 'xyz' }, 'code', /codes cannot start with x; got 'xyz'/);
    await check({ slug: 'a'.repeat(21) }, 'slug', /is 21 characters long, at most 20/);
    assert.equal(await Validated.all().count(), 0);
    const ok = await Validated.create({ even: 4, slug: 'a-slug', code: 'abc' });
    const loaded = await Validated.get({ id: ok.id });
    assert.deepEqual([loaded.even, loaded.slug, loaded.code], [4, 'a-slug', 'abc']);
    assert.equal((await Validated.create({})).even, null, 'validators do not run on null');
    await assert.rejects(async () => Validated.filter({ id: ok.id }).update({ even: 5 }), /Validated\.even: rejected by a validator/);
    loaded.code = 'xx';
    await assert.rejects(loaded.save(), /Validated\.code: codes cannot start with x/);
  });
});

/** Registers `model` on a throw-away instance and expects a ConfigurationError matching `message`. */
async function misconfigured(model: new () => object, message: RegExp): Promise<void> {
  const instance = new Terrapin();
  await assert.rejects(instance.init({ dbUrl: 'sqlite://:memory:', modules: { models: [{ Bad: model }] } }), (error: unknown) => {
    assert.ok(error instanceof ConfigurationError, `expected a ConfigurationError, got ${String(error)}`);
    assert.match(error.message, message);
    return true;
  });
  await instance.close();
}

describe('field configuration errors', () => {
  it('a validator may throw its own ValidationError, which is kept', async () => {
    class OwnError extends Model {
      id = fields.IntField({ pk: true });
      v = fields.IntField({
        validators: [
          (n: number) => {
            if (n < 0) throw new ValidationError('custom: negative', 'OwnError', 'v', n);
          },
        ],
      });
      static override meta = { table: 'field_own_error' };
    }
    const instance = new Terrapin();
    await instance.init({ dbUrl: 'sqlite://:memory:', modules: { models: [{ OwnError }] } });
    try {
      await instance.generateSchemas();
      await assert.rejects(OwnError.create({ v: -1 }), (error: unknown) => {
        assert.ok(error instanceof ValidationError);
        assert.equal(error.message, 'custom: negative');
        return true;
      });
    } finally {
      await instance.close();
    }
  });

  it('two primary keys', async () => {
    class TwoPks extends Model {
      a = fields.IntField({ pk: true });
      b = fields.CharField({ maxLength: 5, pk: true });
    }
    await misconfigured(TwoPks, /^TwoPks declares 2 primary keys \(a, b\); only one is supported\.$/);
  });

  it('a nullable primary key', async () => {
    class NullPk extends Model {
      id = fields.IntField({ pk: true, null: true });
    }
    await misconfigured(NullPk, /^NullPk\.id \(IntField\): a primary key cannot be nullable; remove 'null: true'\.$/);
  });

  it('a unique or indexed TextField, JSONField or BinaryField', async () => {
    class UniqueText extends Model {
      body = fields.TextField({ unique: true });
    }
    await misconfigured(UniqueText, /^UniqueText\.body \(TextField\): TextField cannot be unique or indexed; use a CharField with maxLength/);
    class IndexedJson extends Model {
      doc = fields.JSONField({ index: true });
    }
    await misconfigured(IndexedJson, /^IndexedJson\.doc \(JSONField\): JSONField cannot be unique or indexed/);
    class BinaryPk extends Model {
      id = fields.BinaryField({ pk: true });
    }
    await misconfigured(BinaryPk, /^BinaryPk\.id \(BinaryField\): BinaryField cannot be unique or indexed/);
  });

  it('generated: true on a non-integer field', async () => {
    class GeneratedChar extends Model {
      id = fields.IntField({ pk: true });
      code = fields.CharField({ maxLength: 5, generated: true });
    }
    await misconfigured(GeneratedChar, /^GeneratedChar\.code \(CharField\): only integer fields can be generated; remove 'generated: true'\.$/);
  });

  it('autoNow together with autoNowAdd', async () => {
    class BothAuto extends Model {
      id = fields.IntField({ pk: true });
      at = fields.DatetimeField({ autoNow: true, autoNowAdd: true });
    }
    await misconfigured(BothAuto, /DatetimeField: autoNow and autoNowAdd are exclusive/);
    class BothAutoTime extends Model {
      id = fields.IntField({ pk: true });
      at = fields.TimeField({ autoNow: true, autoNowAdd: true });
    }
    await misconfigured(BothAutoTime, /TimeField: autoNow and autoNowAdd are exclusive/);
  });

  it('DecimalField with decimalPlaces > maxDigits, or no digits', async () => {
    class BadDecimal extends Model {
      id = fields.IntField({ pk: true });
      amount = fields.DecimalField({ maxDigits: 4, decimalPlaces: 5 });
    }
    await misconfigured(BadDecimal, /BadDecimal: DecimalField: decimalPlaces must be an integer from 0 to maxDigits \(4\), got 5\./);
    class NoDigits extends Model {
      id = fields.IntField({ pk: true });
      amount = fields.DecimalField({ maxDigits: 0, decimalPlaces: 0 });
    }
    await misconfigured(NoDigits, /DecimalField: maxDigits must be an integer ≥ 1, got 0\./);
  });

  it('CharField with maxLength 0', async () => {
    class ZeroLength extends Model {
      id = fields.IntField({ pk: true });
      name = fields.CharField({ maxLength: 0 });
    }
    await misconfigured(ZeroLength, /ZeroLength: CharField: maxLength must be an integer ≥ 1, got 0\./);
  });

  it('enums with no members or out-of-range members', async () => {
    class EmptyEnum extends Model {
      id = fields.IntField({ pk: true });
      kind = fields.CharEnumField({} as Record<string, string>);
    }
    await misconfigured(EmptyEnum, /CharEnumField: the enum has no string members\./);
    class WideEnum extends Model {
      id = fields.IntField({ pk: true });
      kind = fields.IntEnumField({ Big: 40000 } as const);
    }
    await misconfigured(WideEnum, /IntEnumField: member value 40000 does not fit in a SMALLINT/);
  });

  it('a failed registration leaves the default instance alone', async () => {
    class StillBad extends Model {
      id = fields.IntField({ pk: true, null: true });
    }
    await misconfigured(StillBad, /cannot be nullable/);
    await assert.rejects(async () => StillBad.all(), ConfigurationError);
  });
});
