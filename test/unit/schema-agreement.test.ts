/**
 * The Zod schema and the JSON Schema generated for a field must accept and refuse exactly the same
 * wire values (a route validated by Fastify/Ajv and a handler using `parse` cannot disagree).
 * fast-check throws valid and near-valid values of every field type, nullable or not, at both.
 * No database: the fields are described on their own, as describe.ts does for a model's fields.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { Ajv2020 } from 'ajv/dist/2020.js';
import * as formats from 'ajv-formats';
import { fields, type Field } from '../../src/index.js';
import { fieldShape, type ObjectDesc, type PropertyDesc } from '../../src/validation/describe.js';
import { objectSchema } from '../../src/validation/json-schema.js';
import { objectZod } from '../../src/validation/zod.js';
import type { ModelMeta } from '../../src/model/meta.js';

const addFormats = (formats as unknown as { default: (ajv: Ajv2020) => Ajv2020 }).default;
const ajv = new Ajv2020({ strict: true, allErrors: true });
addFormats(ajv);

enum Role {
  Admin = 'admin',
  Reader = 'reader',
}
enum Level {
  Low = 1,
  High = 2,
}

const FIELDS: Record<string, (nullable: boolean) => unknown> = {
  IntField: (n) => fields.IntField({ null: n }),
  SmallIntField: (n) => fields.SmallIntField({ null: n }),
  BigIntField: (n) => fields.BigIntField({ null: n }),
  FloatField: (n) => fields.FloatField({ null: n }),
  'DecimalField(8,2)': (n) => fields.DecimalField({ maxDigits: 8, decimalPlaces: 2, null: n }),
  'DecimalField(3,3)': (n) => fields.DecimalField({ maxDigits: 3, decimalPlaces: 3, null: n }),
  'DecimalField(5,0)': (n) => fields.DecimalField({ maxDigits: 5, decimalPlaces: 0, null: n }),
  'CharField(5)': (n) => fields.CharField({ maxLength: 5, null: n }),
  TextField: (n) => fields.TextField({ null: n }),
  UUIDField: (n) => fields.UUIDField({ null: n }),
  CharEnumField: (n) => fields.CharEnumField(Role, { null: n }),
  IntEnumField: (n) => fields.IntEnumField(Level, { null: n }),
  BooleanField: (n) => fields.BooleanField({ null: n }),
  DatetimeField: (n) => fields.DatetimeField({ null: n }),
  DateField: (n) => fields.DateField({ null: n }),
  TimeField: (n) => fields.TimeField({ null: n }),
  TimeDeltaField: (n) => fields.TimeDeltaField({ null: n }),
  JSONField: (n) => (n ? fields.JSONField({ null: true }) : fields.JSONField()),
  BinaryField: (n) => fields.BinaryField({ null: n }),
};

/** A one-property object description `{ v }` for `field`, as describe.ts builds it for a model field. */
function describeField(field: Field, required: boolean): ObjectDesc {
  field.name = 'v';
  const property: PropertyDesc = {
    name: 'v',
    shape: fieldShape(field),
    nullable: field.nullable,
    optional: !required,
    description: undefined,
    role: 'field',
    field,
    relation: undefined,
  };
  return { name: 'T', model: { name: 'T' } as ModelMeta, description: undefined, properties: [property] };
}

const pad = (n: number, width: number) => String(n).padStart(width, '0');
const pick = <T>(...values: T[]) => fc.constantFrom(...values);

/** 'YYYY-MM-DD' with parts a little out of range now and then (month 13, day 30 of February, year 1900 vs 2000). */
const dateLike = fc
  .tuple(fc.oneof(fc.integer({ min: 0, max: 9999 }), pick(1900, 2000, 2023, 2024, 2100)), fc.integer({ min: 0, max: 13 }), fc.integer({ min: 0, max: 32 }))
  .map(([y, m, d]) => `${pad(y, 4)}-${pad(m, 2)}-${pad(d, 2)}`);
const timeLike = fc
  .tuple(fc.integer({ min: 0, max: 25 }), fc.integer({ min: 0, max: 61 }), fc.option(fc.integer({ min: 0, max: 61 })), pick('', '.5', '.123456', '.1234567', '.'))
  .map(([h, m, s, f]) => `${pad(h, 2)}:${pad(m, 2)}${s === null ? '' : `:${pad(s, 2)}${f}`}`);
const datetimeLike = fc
  .tuple(dateLike, pick('T', 't', ' '), timeLike, pick('Z', 'z', '', '+01:00', '-23:59', '+24:00', '+0100', '+05:60', '+01'))
  .map(([d, sep, t, zone]) => `${d}${sep}${t}${zone}`);
const uuidLike = fc
  .tuple(fc.uuid(), pick('same', 'upper', 'nohyphen', 'urn', 'short'))
  .map(([u, how]) => (how === 'upper' ? u.toUpperCase() : how === 'nohyphen' ? u.replace(/-/g, '') : how === 'urn' ? `urn:uuid:${u}` : how === 'short' ? u.slice(1) : u));
const base64Like = fc
  .tuple(fc.uint8Array({ maxLength: 12 }), pick('same', 'nopad', 'extra', 'url'))
  .map(([bytes, how]) => {
    const text = Buffer.from(bytes).toString('base64');
    return how === 'nopad' ? text.replace(/=+$/, '') : how === 'extra' ? `${text}=` : how === 'url' ? text.replace(/\+/g, '-') : text;
  });
const decimalLike = fc.oneof(
  fc.stringMatching(/^[-+]?\d{0,9}(\.\d{0,4})?$/),
  fc.stringMatching(/^-?0(\.\d{0,4})?$/),
  pick('0', '0.5', '-0.125', '12.50', '100', '1e5', '00.1', '.5', '5.'),
);

/** Values to try against every field: JSON of any kind plus strings shaped like each format. */
const candidates = fc.oneof(
  fc.jsonValue({ maxDepth: 2 }),
  fc.constant(null),
  fc.boolean(),
  fc.integer(),
  fc.integer({ min: -40000, max: 40000 }),
  fc.maxSafeInteger(),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.bigInt({ min: -(2n ** 70n), max: 2n ** 70n }).map(String),
  fc.string({ unit: 'binary', maxLength: 8 }),
  pick<unknown>('admin', 'reader', 'Admin', 1, 2, 3, '1', true, '', 'true'),
  fc.date({ min: new Date('0000-01-01T00:00:00Z'), max: new Date('9999-12-31T23:59:59Z'), noInvalidDate: true }).map((d) => d.toISOString()),
  dateLike,
  timeLike,
  datetimeLike,
  uuidLike,
  base64Like,
  decimalLike,
);

describe('schema agreement: Zod and JSON Schema (Ajv 2020) accept the same values', () => {
  for (const [label, make] of Object.entries(FIELDS)) {
    for (const nullable of [false, true]) {
      it(`${label}${nullable ? ' (null: true)' : ''}`, () => {
        const desc = describeField(make(nullable) as Field, true);
        const zod = objectZod(desc);
        const validate = ajv.compile(objectSchema(desc, '#/$defs/'));
        let accepted = 0;
        let refused = 0;
        fc.assert(
          fc.property(candidates, (value) => {
            const input = { v: value };
            const byZod = zod.safeParse(input).success;
            const byAjv = validate(input);
            if (byZod) accepted++;
            else refused++;
            return byZod === byAjv;
          }),
          { numRuns: 600 },
        );
        // Both outcomes were exercised, so the property says something (a nullable JSONField takes any JSON).
        assert.ok(accepted > 0 && (refused > 0 || label === 'JSONField'), `accepted ${accepted}, refused ${refused}`);
        // A missing required key and an unknown key: refused by both.
        for (const input of [{}, { v: null, w: 1 }, null, []]) {
          assert.equal(zod.safeParse(input).success, false);
          assert.equal(validate(input), false);
        }
      });
    }
  }
});
