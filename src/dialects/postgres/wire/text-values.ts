/**
 * Values in PostgreSQL's text format: JavaScript values to Bind parameters, and result columns
 * (always requested as text) to JavaScript by the column's type OID. Types without a decoder stay
 * strings: numeric (exact decimals), date, time, timestamp without zone, uuid, interval, text.
 */

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
    case 'bigint':
      return String(value);
    case 'boolean':
      return value ? 't' : 'f';
    case 'undefined':
      return null;
  }
  if (value === null) return null;
  if (value instanceof Uint8Array) return value;
  if (value instanceof Date) return value.toISOString();
  if (Array.isArray(value)) return arrayLiteral(value);
  return JSON.stringify(value);
}

export type Decoder = (text: string) => unknown;

const number: Decoder = (text) => +text;

/** timestamptz text ('2020-01-01 12:00:00.123456+00') as ISO 8601, which V8 reads exactly (year 1 included). */
const timestamptz: Decoder = (text) => {
  const iso = text.replace(' ', 'T');
  return new Date(/[+-]\d\d$/.test(iso) ? `${iso}:00` : iso);
};

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
