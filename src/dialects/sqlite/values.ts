import type { ValueConventions } from '../dialect.js';
import { isoString, parseIsoString } from '../../config/iso-time.js';

/** SQLite has no boolean, date or JSON types: booleans are 0/1, datetimes ISO-8601 UTC text, JSON text. */
export const sqliteValues: ValueConventions = {
  encodeBoolean: (value) => (value ? 1 : 0),
  encodeDatetime: (value) => isoString(value),
  decodeDatetime: (raw) => (raw instanceof Date ? raw : parseIsoString(raw as string)),
  encodeBigInt: (value) => value,
  encodeJson: (value) => JSON.stringify(value),
  decodeJson: (raw) => (typeof raw === 'string' ? JSON.parse(raw) : raw),
  jsonText: (raw) => (typeof raw === 'string' ? raw : JSON.stringify(raw)),
  encodeDecimal: (value) => value,
  encodeInt64: (value) => value,
};
