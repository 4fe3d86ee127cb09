import type { LiveColumn } from '../../schema/live-schema.js';
import { sizedField, typeParts, writtenType, type ColumnField } from '../../schema/column-field.js';

/** The types Terrapin's MySQL DDL writes, and the field that writes each. */
const EXACT: Readonly<Record<string, ColumnField>> = {
  int: { factory: 'IntField' },
  smallint: { factory: 'SmallIntField' },
  bigint: { factory: 'BigIntField' },
  double: { factory: 'FloatField' },
  bool: { factory: 'BooleanField' },
  longtext: { factory: 'TextField' },
  json: { factory: 'JSONField' },
  longblob: { factory: 'BinaryField' },
  'char(36)': { factory: 'UUIDField' },
  'datetime(6)': { factory: 'DatetimeField' },
  date: { factory: 'DateField' },
  'time(6)': { factory: 'TimeField' },
};

const NEAR: Readonly<Record<string, ColumnField['factory']>> = {
  tinyint: 'SmallIntField',
  mediumint: 'IntField',
  float: 'FloatField',
  real: 'FloatField',
  text: 'TextField',
  mediumtext: 'TextField',
  tinytext: 'TextField',
  blob: 'BinaryField',
  mediumblob: 'BinaryField',
  tinyblob: 'BinaryField',
  varbinary: 'BinaryField',
  binary: 'BinaryField',
  datetime: 'DatetimeField',
  timestamp: 'DatetimeField',
  time: 'TimeField',
};

/** MySQL/MariaDB: the field for a column's type (as introspectSchema spells it). */
export function mysqlColumnField(column: LiveColumn): ColumnField {
  const exact = EXACT[column.type];
  if (exact !== undefined) return exact;
  const { name, args, rest } = typeParts(column.type);
  const was = `was ${column.type}`;
  if (rest !== '') {
    // 'int unsigned', 'enum(...)' and the like: the base type's field, with what it loses said.
    if (/^(tiny|small|medium|big)?int$/.test(name) && /unsigned/.test(rest)) {
      const factory = name === 'bigint' || name === 'int' ? 'BigIntField' : 'IntField';
      return { factory, note: `${was}; ${factory} writes a signed type wide enough for its values` };
    }
  }
  const sized = rest === '' ? sizedField(name, args) : undefined;
  if (sized !== undefined) return sized;
  if (name === 'enum' || name === 'set') {
    return { factory: 'CharField', options: { maxLength: 255 }, note: `${was}; CharField writes varchar (a CharEnumField with a TypeScript enum of the members keeps values in check)` };
  }
  const near = NEAR[name];
  if (near !== undefined) return { factory: near, note: `${was}; ${near} writes ${writtenType(EXACT, near)}` };
  return { factory: 'TextField', unmapped: true, note: `no field stores the MySQL type '${column.type}'` };
}
