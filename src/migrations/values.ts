import type { Dialect } from '../dialects/dialect.js';
import type { ColumnType } from '../sql/ast.js';

/**
 * A value written in a migration file (JSON: a default, or a one-off fill for existing rows) in the
 * form the dialect's driver takes for a column of `type`, as the field's own codec would give it.
 * Datetimes are ISO-8601 strings, 64-bit integers strings or numbers, binary values base64.
 */
export function encodeValue(type: ColumnType, value: unknown, dialect: Dialect): unknown {
  if (value === null || value === undefined) return null;
  const conventions = dialect.values;
  switch (type.type) {
    case 'boolean':
      return conventions.encodeBoolean(value === true || value === 1 || value === 'true');
    case 'datetime':
      return conventions.encodeDatetime(value instanceof Date ? value : new Date(String(value)));
    case 'bigint':
      return conventions.encodeBigInt(BigInt(value as string | number));
    case 'json':
      return conventions.encodeJson(value);
    case 'decimal':
      return conventions.encodeDecimal(String(value));
    case 'timedelta':
      return conventions.encodeInt64(Number(value));
    case 'binary':
      return typeof value === 'string' ? Buffer.from(value, 'base64') : value;
    default:
      return value;
  }
}
