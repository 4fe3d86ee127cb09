/**
 * Type tests for field options: validators infer their parameter, and an explicitly typed
 * JSONField still reads `null` and `default` from its options.
 */
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { expectTypeOf } from 'expect-type';
import { Model, fields, type CreateInput, type ValueOf } from '../../src/index.js';
import { typeOnly } from './support.js';

class Settings extends Model {
  id = fields.IntField({ pk: true });
  // No annotation on the validator parameters: they are inferred from the field.
  age = fields.IntField({ validators: [(value) => value >= 0] });
  email = fields.CharField({ maxLength: 50, validators: [(value) => value.includes('@')] });
  prefs = fields.JSONField<{ theme: string }>({ null: true });
  tags = fields.JSONField<string[]>({ default: () => [] });
  extra = fields.JSONField<{ n: number }>();
  static override meta = { table: 'settings' };
}

it('infers validator parameters and explicit JSONField types with their options', () => {
  expectTypeOf<ValueOf<Settings, 'prefs'>>().toEqualTypeOf<{ theme: string } | null>();
  expectTypeOf<ValueOf<Settings, 'tags'>>().toEqualTypeOf<string[]>();
  expectTypeOf<ValueOf<Settings, 'extra'>>().toEqualTypeOf<{ n: number }>();
  expectTypeOf<CreateInput<Settings>>().toEqualTypeOf<{
    age: number;
    email: string;
    extra: { n: number };
    id?: number;
    prefs?: { theme: string } | null;
    tags?: string[];
  }>();
  const checks = typeOnly(async () => {
    await Settings.create({ age: 1, email: 'a@b', extra: { n: 1 } });
    // @ts-expect-error extra is required: a JSONField without null or default
    await Settings.create({ age: 1, email: 'a@b' });
    // @ts-expect-error the validator's value is a number, so this field's validators take numbers
    fields.IntField({ validators: [(value: string) => value.length > 0] });
  });
  assert.equal(checks, 1);
});
