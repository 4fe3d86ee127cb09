/**
 * Shared pieces of the type tests (test/types/*.test.ts). Those files guard the public types:
 * tsc compiles them as part of `npm test`, so an `expectTypeOf` mismatch or an unused
 * `// @ts-expect-error` fails the build. Nothing here touches a database.
 */
import { Model, fields } from '../../src/index.js';

/**
 * Holds type checks that must compile but never run (they await queries on models that are not
 * bound to a database). Returns the number of check functions, so a test has something to assert.
 */
export function typeOnly(...checks: ((...args: never[]) => unknown)[]): number {
  return checks.length;
}

/**
 * `true` when A and B are assignable both ways. A field attribute's type carries an optional
 * phantom brand (`string & { [brand]?: … }`), so it is not *identical* to `string`, but it reads
 * and writes exactly as one; this is the check that says so. Never true for `any`, which the
 * callers exclude separately with `not.toBeAny()`.
 */
export type Interchangeable<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;

/** The seed's model. */
export class User extends Model {
  id = fields.IntField({ pk: true });
  name = fields.CharField({ maxLength: 50 });
  createdAt = fields.DatetimeField({ autoNowAdd: true });
  static override meta = { table: 'auth_user' };
}

export enum Status {
  Active = 'active',
  Banned = 'banned',
}

export enum Priority {
  Low = 1,
  High = 2,
}

export const Color = { Red: 'red', Green: 'green' } as const;

/** One field of every kind, required, optional (default / null / automatic) and a generated bigint pk. */
export class Everything extends Model {
  id = fields.BigIntField({ pk: true });
  small = fields.SmallIntField();
  age = fields.IntField({ null: true });
  big = fields.BigIntField();
  ratio = fields.FloatField({ default: 1 });
  price = fields.DecimalField({ maxDigits: 10, decimalPlaces: 2 });
  label = fields.CharField({ maxLength: 20, default: 'x' });
  body = fields.TextField({ null: true });
  token = fields.UUIDField();
  flag = fields.BooleanField();
  at = fields.DatetimeField();
  updatedAt = fields.DatetimeField({ autoNow: true });
  day = fields.DateField();
  clock = fields.TimeField();
  span = fields.TimeDeltaField();
  data = fields.JSONField<{ a: number }>();
  loose = fields.JSONField();
  blob = fields.BinaryField({ null: true });
  status = fields.CharEnumField(Status);
  priority = fields.IntEnumField(Priority, { default: Priority.Low });
  color = fields.CharEnumField(Color, { null: true });
  static override meta = { table: 'everything' };
}

/** A model whose primary key is not generated: it must be given to create(). */
export class Country extends Model {
  code = fields.CharField({ maxLength: 2, pk: true });
  name = fields.CharField({ maxLength: 50 });
  static override meta = { table: 'country' };
}
