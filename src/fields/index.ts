/**
 * The `fields` namespace: `fields.CharField({ maxLength: 50 })` and friends, as in Tortoise.
 */
export { BigIntField, DecimalField, FloatField, IntField, SmallIntField } from './numeric.js';
export { CharEnumField, CharField, IntEnumField, TextField, UUIDField } from './text.js';
export { DateField, DatetimeField, TimeDeltaField, TimeField } from './temporal.js';
export { BinaryField, BooleanField, JSONField } from './misc.js';
export { Field } from './base.js';
export { ForeignKeyField, OneToOneField, ManyToManyField, OnDelete } from './relational.js';
export type { ForeignKeyOptions, ManyToManyOptions, ModelRef } from './relational.js';
