import type { LiveColumn } from '../../schema/live-schema.js';
import { sizedField, typeParts, writtenType, type ColumnField } from '../../schema/column-field.js';

/** The types Terrapin's PostgreSQL DDL writes, and the field that writes each. */
const EXACT: Readonly<Record<string, ColumnField>> = {
  int: { factory: 'IntField' },
  smallint: { factory: 'SmallIntField' },
  bigint: { factory: 'BigIntField' },
  double: { factory: 'FloatField' },
  bool: { factory: 'BooleanField' },
  text: { factory: 'TextField' },
  jsonb: { factory: 'JSONField' },
  bytea: { factory: 'BinaryField' },
  uuid: { factory: 'UUIDField' },
  timestamptz: { factory: 'DatetimeField' },
  date: { factory: 'DateField' },
  time: { factory: 'TimeField' },
};

const NEAR: Readonly<Record<string, ColumnField['factory']>> = {
  real: 'FloatField',
  json: 'JSONField',
  timestamptz: 'DatetimeField',
  time: 'TimeField',
  timetz: 'TimeField',
  varchar: 'TextField',
  citext: 'TextField',
};

/** PostgreSQL: the field for a column's type (as introspectSchema spells it). */
export function postgresColumnField(column: LiveColumn): ColumnField {
  const exact = EXACT[column.type];
  if (exact !== undefined) return exact;
  const { name, args } = typeParts(column.type);
  const was = `was ${column.type}`;
  const sized = sizedField(name, args);
  if (sized !== undefined) return sized;
  if (name === 'decimal') {
    return { factory: 'DecimalField', options: { maxDigits: 30, decimalPlaces: 10 }, note: `${was} without a precision; DecimalField needs one (these are a guess)` };
  }
  if (name === 'timestamp') {
    return { factory: 'DatetimeField', note: `${was} (no time zone): DatetimeField writes it only with useTz: false, timestamptz otherwise` };
  }
  const near = NEAR[name];
  if (near !== undefined) return { factory: near, note: `${was}; ${near} writes ${writtenType(EXACT, near)}` };
  return { factory: 'TextField', unmapped: true, note: `no field stores the PostgreSQL type '${column.type}'` };
}
