/**
 * The regular expressions behind every string format of the generated schemas. The Zod checks
 * and the JSON Schema `pattern`s are built from these same objects, which is what keeps the two
 * in agreement; they are ASCII-only so they mean the same with and without Ajv's `u` flag.
 */

/** A calendar date 'YYYY-MM-DD', impossible days (Feb 30, Feb 29 of a non-leap year) excluded. */
const DATE_BODY =
  '(?:(?:\\d\\d[2468][048]|\\d\\d[13579][26]|\\d\\d0[48]|[02468][048]00|[13579][26]00)-02-29|\\d{4}-(?:(?:0[13578]|1[02])-(?:0[1-9]|[12]\\d|3[01])|(?:0[469]|11)-(?:0[1-9]|[12]\\d|30)|02-(?:0[1-9]|1\\d|2[0-8])))';

export const DATE = new RegExp(`^${DATE_BODY}$`);

/**
 * An instant: date, 'T', time with seconds, optional fraction, and a zone ('Z' or ±HH:MM) — a zone
 * is required, since a wire value without one is ambiguous. What `Date.toISOString()` writes.
 */
export const DATETIME = new RegExp(
  `^${DATE_BODY}T(?:[01]\\d|2[0-3]):[0-5]\\d:[0-5]\\d(?:\\.\\d+)?(?:Z|[+-](?:[01]\\d|2[0-3]):[0-5]\\d)$`,
);

/** A time of day as TimeField stores it: 'HH:MM', 'HH:MM:SS' or 'HH:MM:SS.ffffff'. */
export const TIME = /^(?:[01]\d|2[0-3]):[0-5]\d(?::[0-5]\d(?:\.\d{1,6})?)?$/;

/** A UUID in hyphenated form (either case); UUIDField stores it lower-cased. */
export const UUID = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;

/** Standard base64 with padding (RFC 4648 §4), what `Buffer.toString('base64')` writes. */
export const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** A 64-bit integer as a string of digits (the range itself is checked by BigIntField on parse). */
export const BIGINT = /^-?\d{1,19}$/;

/**
 * A decimal with at most `maxDigits - decimalPlaces` digits before the point and `decimalPlaces`
 * after it, no exponent, no leading zeros ('0.50', '-12.5', '100').
 */
export function decimalPattern(maxDigits: number, decimalPlaces: number): RegExp {
  const whole = maxDigits - decimalPlaces;
  const integer = whole === 0 ? '0' : whole === 1 ? '\\d' : `(?:0|[1-9]\\d{0,${whole - 1}})`;
  const fraction = decimalPlaces === 0 ? '' : `(?:\\.\\d{1,${decimalPlaces}})?`;
  return new RegExp(`^-?${integer}${fraction}$`);
}

/** Whether a pattern's source is one `decimalPattern` writes (to name its failure as a decimal's). */
export function isDecimalPattern(source: string): boolean {
  return /^\^-\?(?:0|\\d|\(\?:0\|\[1-9\]\\d\{0,\d+\}\))(?:\(\?:\\\.\\d\{1,\d+\}\)\?)?\$$/.test(source);
}

/** Length in code points, as JSON Schema's maxLength and the databases' VARCHAR(n) count. */
export function codePoints(value: string): number {
  let count = 0;
  for (const _ of value) count++;
  return count;
}
