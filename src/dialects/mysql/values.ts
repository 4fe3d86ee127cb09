import type { ValueConventions } from '../dialect.js';

/** mysql2 is set to read DATETIME as UTC and BIGINT/DECIMAL as strings; booleans are TINYINT(1). */
export const mysqlValues: ValueConventions = {
  encodeBoolean: (value) => (value ? 1 : 0),
  encodeDatetime: (value) => value,
  decodeDatetime: (raw) => (raw instanceof Date ? raw : new Date(`${String(raw).replace(' ', 'T')}Z`)),
  encodeBigInt: (value) => value.toString(),
  encodeJson: (value) => JSON.stringify(value),
  // The pool sets jsonStrings, so JSON columns always arrive as their text, on MySQL and every MariaDB.
  decodeJson: (raw) => JSON.parse(raw as string),
  jsonText: (raw) => raw as string,
  encodeDecimal: (value) => value,
  encodeInt64: (value) => value,
};
