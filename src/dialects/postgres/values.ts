import type { ValueConventions } from '../dialect.js';

const hasToJson = (value: unknown): value is { toJSON(): unknown } =>
  typeof (value as { toJSON?: unknown } | null)?.toJSON === 'function';

/** The server's text of a timestamp with an offset ('…+00', '…+05:30'). */
const TEXT_WITH_OFFSET = /(Z|[+-]\d{2}(:?\d{2})?)$/;

/** postgres.js serialises by the parameter types the server describes, so most values pass through. */
export const postgresValues: ValueConventions = {
  encodeBoolean: (value) => value,
  encodeDatetime: (value) => value,
  // TIMESTAMPTZ arrives as a Date; a TIMESTAMP (read as text) without an offset is UTC, as everywhere.
  decodeDatetime: (raw) => (raw instanceof Date ? raw : new Date(TEXT_WITH_OFFSET.test(raw as string) ? (raw as string) : `${String(raw).replace(' ', 'T')}Z`)),
  encodeBigInt: (value) => value,
  // postgres.js types a parameter by its JS type before the server's jsonb applies (true → bool,
  // Date → timestamptz, [true] → bool[]); a plain wrapper has none, and its JSON.stringify calls toJSON.
  encodeJson: (value) => ({ toJSON: () => (hasToJson(value) ? value.toJSON() : value) }),
  decodeJson: (raw) => raw,
  encodeDecimal: (value) => value,
  encodeInt64: (value) => value,
};
