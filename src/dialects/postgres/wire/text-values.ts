/**
 * Values in PostgreSQL's text format: JavaScript values to Bind parameters, and result columns
 * (always requested as text) to JavaScript by the column's type OID. Types without a decoder stay
 * strings: numeric (exact decimals), date, time, timestamp without zone, uuid, interval, text.
 */
import { isoString } from '../../../config/iso-time.js';

export type WireValue = string | Uint8Array | null;

/** An element of an array literal: double-quoted, with quotes and backslashes escaped. */
function arrayElement(value: unknown): string {
  if (value === null || value === undefined) return 'NULL';
  if (Array.isArray(value)) return arrayLiteral(value);
  const text = encodeParameter(value);
  const plain = typeof text === 'string' ? text : `\\x${Buffer.from(text as Uint8Array).toString('hex')}`;
  return `"${plain.replace(/[\\"]/g, '\\$&')}"`;
}

function arrayLiteral(values: readonly unknown[]): string {
  return `{${values.map(arrayElement).join(',')}}`;
}

/**
 * The text (or, for byte arrays, binary) form of a parameter; the server infers each parameter's
 * type from the statement. JSON documents reach here already wrapped (see ../values.ts), so a
 * JavaScript array is a PostgreSQL array.
 */
export function encodeParameter(value: unknown): WireValue {
  switch (typeof value) {
    case 'string':
      return value;
    case 'number':
      return Object.is(value, -0) ? '-0' : String(value);
    case 'bigint':
      return String(value);
    case 'boolean':
      return value ? 't' : 'f';
    case 'undefined':
      return null;
  }
  if (value === null) return null;
  if (value instanceof Uint8Array) return value;
  if (value instanceof Date) return dateText(value);
  if (Array.isArray(value)) return arrayLiteral(value);
  const json = typeof value === 'function' || typeof value === 'symbol' ? undefined : (JSON.stringify(value) as string | undefined);
  if (json === undefined) throw new TypeError(`PostgreSQL cannot take ${typeof value === 'symbol' ? 'a symbol' : `a ${typeof value}`} as a parameter; pass a string, number, bigint, boolean, Date, Buffer, array, plain object or null.`);
  return json;
}

export type Decoder = (text: string) => unknown;

const number: Decoder = (text) => +text;

/** PostgreSQL's ISO text of a timestamp: with an offset (timestamptz) or without (timestamp), any era. */
const TIMESTAMP = /^(\d{4,})-(\d\d)-(\d\d) (\d\d):(\d\d):(\d\d)(?:\.(\d+))?(?:([+-])(\d\d)(?::(\d\d))?(?::(\d\d))?)?( BC)?$/;

/**
 * PostgreSQL's 'infinity' and '-infinity' timestamps have no Date of their own: they read as the
 * latest and earliest instants a Date holds (±8.64e15 ms, years +275760 and -271821), and those
 * two Dates are written back as 'infinity' and '-infinity' — asyncpg's mapping to datetime.max
 * and datetime.min, which Tortoise users know. An invalid Date would be a silent wrong value.
 */
export const LATEST_DATE_MS = 8.64e15;

/**
 * A Date as a timestamp parameter: ISO-8601 for years 1–9999, PostgreSQL's own form beyond them
 * (it reads neither '+012020-…' nor '-000043-…', ISO's expanded years, but '12020-… +00' and
 * '0044-… +00 BC'), and ±infinity for the two extreme Dates.
 */
export function dateText(value: Date): string {
  const ms = value.getTime();
  if (ms === LATEST_DATE_MS) return 'infinity';
  if (ms === -LATEST_DATE_MS) return '-infinity';
  const year = value.getUTCFullYear();
  if (year >= 1 && year <= 9999) return isoString(value);
  // An invalid Date ends up here too, and toISOString throws its RangeError.
  const time = value.toISOString().replace(/^[+-]?\d+/, '').replace('T', ' ').replace('Z', '+00');
  return year > 9999 ? `${year}${time}` : `${String(1 - year).padStart(4, '0')}${time} BC`;
}

/** The Date for PostgreSQL's infinite timestamps, or undefined for any other text. */
export function infiniteDate(text: string): Date | undefined {
  if (text === 'infinity') return new Date(LATEST_DATE_MS);
  if (text === '-infinity') return new Date(-LATEST_DATE_MS);
  return undefined;
}

/**
 * timestamptz text ('2020-01-01 12:00:00.123456+00') read field by field: years past 9999 and
 * BC, and offsets with seconds (local mean time, before 1900) included; ±infinity as above.
 */
const timestamptz: Decoder = (text) => {
  // The common case, a UTC session's 'YYYY-MM-DD HH:MM:SS[.ffffff]+00' from year 100 on, by digits.
  const length = text.length;
  if (length >= 22 && text.charCodeAt(length - 3) === 43 && text.charCodeAt(length - 2) === 48 && text.charCodeAt(length - 1) === 48 && text.charCodeAt(4) === 45 && text.charCodeAt(0) !== 48) {
    const digits = (from: number, count: number): number => {
      let n = 0;
      for (let i = from; i < from + count; i++) n = n * 10 + text.charCodeAt(i) - 48;
      return n;
    };
    const ms = length > 23 ? digits(20, Math.min(3, length - 23)) * (length - 23 >= 3 ? 1 : length - 23 === 2 ? 10 : 100) : 0;
    return new Date(Date.UTC(digits(0, 4), digits(5, 2) - 1, digits(8, 2), digits(11, 2), digits(14, 2), digits(17, 2), ms));
  }
  return parseTimestampText(text) ?? new Date(Number.NaN);
};

/**
 * A timestamp's text as PostgreSQL writes it (ISO DateStyle), field by field: an offset, or none
 * (a timestamp without zone, read as UTC); years past 9999 and BC; ±infinity as above.
 * Undefined when the text is not one.
 */
export function parseTimestampText(text: string): Date | undefined {
  const match = TIMESTAMP.exec(text);
  if (match === null) return infiniteDate(text);
  const [, year, month, day, hour, minute, second, fraction = '', sign, offsetHours = '0', offsetMinutes = '0', offsetSeconds = '0', bc] = match;
  const date = new Date(0);
  // setUTCFullYear, unlike Date.UTC, leaves years 0–99 as they are; 1 BC is year 0.
  date.setUTCFullYear(bc === undefined ? Number(year) : 1 - Number(year), Number(month) - 1, Number(day));
  date.setUTCHours(Number(hour), Number(minute), Number(second), Number(fraction.padEnd(3, '0').slice(0, 3)));
  const offset = (Number(offsetHours) * 3600 + Number(offsetMinutes) * 60 + Number(offsetSeconds)) * 1000;
  return new Date(date.getTime() - (sign === '-' ? -offset : offset));
}

/** bytea in the default hex output ('\x0aff'). */
const bytea: Decoder = (text) => Buffer.from(text.slice(2), 'hex');

const SCALAR_DECODERS = new Map<number, Decoder>([
  [16, (text) => text === 't'],
  [17, bytea],
  [20, BigInt],
  [21, number],
  [23, number],
  [26, number],
  [700, number],
  [701, number],
  [114, JSON.parse],
  [3802, JSON.parse],
  [1184, timestamptz],
]);

/** Array type OIDs and the OIDs of their elements. */
const ARRAY_ELEMENTS = new Map<number, number>([
  [1000, 16],
  [1001, 17],
  [1016, 20],
  [1005, 21],
  [1007, 23],
  [1028, 26],
  [1021, 700],
  [1022, 701],
  [199, 114],
  [3807, 3802],
  [1185, 1184],
  [1009, 25],
  [1015, 1043],
  [1014, 1042],
  [1231, 1700],
  [2951, 2950],
  [1182, 1082],
  [1115, 1114],
]);

/** Parses an array's text form ('{1,2,NULL}', '{"a b","c\\"d"}', nested '{{1},{2}}'). */
function parseArray(text: string, element: Decoder | undefined): unknown[] {
  let at = 0;
  const read = (): unknown[] => {
    const out: unknown[] = [];
    at++; // '{'
    while (at < text.length) {
      const char = text[at];
      if (char === '}') {
        at++;
        return out;
      }
      if (char === ',') {
        at++;
        continue;
      }
      if (char === '{') {
        out.push(read());
        continue;
      }
      if (char === '"') {
        let value = '';
        at++;
        while (text[at] !== '"') {
          if (text[at] === '\\') at++;
          value += text[at++];
        }
        at++;
        out.push(element ? element(value) : value);
        continue;
      }
      let stop = at;
      while (text[stop] !== ',' && text[stop] !== '}') stop++;
      const raw = text.slice(at, stop);
      at = stop;
      out.push(raw === 'NULL' ? null : element ? element(raw) : raw);
    }
    return out;
  };
  // A lower bound other than 1 is written first ('[0:1]={…}'); the elements are what matter here.
  const brace = text.indexOf('{');
  at = brace;
  return brace === -1 ? [] : read();
}

/** The decoder for a column type, or undefined when the text is the value. */
export function decoderFor(oid: number): Decoder | undefined {
  const scalar = SCALAR_DECODERS.get(oid);
  if (scalar !== undefined) return scalar;
  const element = ARRAY_ELEMENTS.get(oid);
  if (element === undefined) return undefined;
  const decodeElement = SCALAR_DECODERS.get(element);
  return (text) => parseArray(text, decodeElement);
}
