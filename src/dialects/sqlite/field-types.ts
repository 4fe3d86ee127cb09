import type { LiveColumn } from '../../schema/live-schema.js';
import { typeParts, writtenType, type ColumnField } from '../../schema/column-field.js';

const NUMBER_TEXT = /^'[+-]?(\d+(\.\d*)?|\.\d+)'$/;

/** The types Terrapin's SQLite DDL writes, and the field that writes each. */
const EXACT: Readonly<Record<string, ColumnField>> = {
  int: { factory: 'IntField' },
  smallint: { factory: 'SmallIntField' },
  bigint: { factory: 'BigIntField' },
  real: { factory: 'FloatField' },
  text: { factory: 'TextField' },
  blob: { factory: 'BinaryField' },
  'char(36)': { factory: 'UUIDField' },
  timestamp: { factory: 'DatetimeField' },
  date: { factory: 'DateField' },
  time: { factory: 'TimeField' },
};

/** Declared types others write, with the nearest field (SQLite stores by affinity, so the data fits). */
const NEAR: Readonly<Record<string, ColumnField['factory']>> = {
  boolean: 'BooleanField',
  bool: 'BooleanField',
  datetime: 'DatetimeField',
  double: 'FloatField',
  'double precision': 'FloatField',
  float: 'FloatField',
  json: 'JSONField',
  uuid: 'UUIDField',
  clob: 'TextField',
  integer: 'IntField',
  tinyint: 'SmallIntField',
  mediumint: 'IntField',
  int8: 'BigIntField',
};

/** SQLite: the field for a column's declared type. */
export function sqliteColumnField(column: LiveColumn): ColumnField {
  const type = column.type;
  if (type === 'integer' && column.autoIncrement) return { factory: 'IntField' };
  if (type === 'integer' && column.primaryKey) {
    return {
      factory: 'IntField',
      filled: true,
      note: 'was INTEGER PRIMARY KEY without AUTOINCREMENT (the rowid, which may reuse ids); IntField writes it with AUTOINCREMENT',
    };
  }
  const exact = EXACT[type];
  if (exact !== undefined) return exact;
  const { name, args } = typeParts(type);
  if (name === 'varchar' && args.length === 1) {
    // Terrapin keeps DecimalField as VARCHAR(40) text; a numeric default says this one is a decimal.
    if (args[0] === 40 && column.default !== null && NUMBER_TEXT.test(column.default)) {
      // The default is written with all its places, which is the one trace of decimalPlaces left.
      const places = column.default.slice(1, -1).split('.')[1]?.length ?? 0;
      return {
        factory: 'DecimalField',
        options: { maxDigits: 30, decimalPlaces: places },
        note: 'SQLite keeps decimals as VARCHAR(40) text without their precision: maxDigits is a guess, decimalPlaces comes from the default',
      };
    }
    return { factory: 'CharField', options: { maxLength: args[0]! } };
  }
  const was = `was ${type.toUpperCase()}`;
  if ((name === 'char' || name === 'nvarchar' || name === 'nchar' || name === 'character' || name === 'varchar') && args.length === 1) {
    return { factory: 'CharField', options: { maxLength: args[0]! }, note: `${was}; CharField writes VARCHAR(${args[0]})` };
  }
  if (name === 'decimal' || name === 'numeric') {
    const [digits, places] = args.length === 2 ? args : [30, 10];
    return {
      factory: 'DecimalField',
      options: { maxDigits: digits!, decimalPlaces: places! },
      note: `${was}; DecimalField writes VARCHAR(40) text${args.length === 2 ? '' : ', and maxDigits/decimalPlaces are a guess'}`,
    };
  }
  const near = NEAR[name];
  if (near !== undefined) return { factory: near, note: `${was}; ${near} writes ${writtenType(EXACT, near, { BooleanField: 'int', JSONField: 'text' }).toUpperCase()}` };
  if (name.includes('int')) return { factory: 'IntField', note: `${was}; IntField writes INT` };
  if (/char|clob|text/.test(name)) return { factory: 'TextField', note: `${was}; TextField writes TEXT` };
  return { factory: 'TextField', unmapped: true, note: `no field stores the SQLite type '${type || '(none)'}'` };
}
