import type { ValueConventions } from '../dialect.js';
import { parseTimestampText } from './wire/text-values.js';

const hasToJson = (value: unknown): value is { toJSON(): unknown } =>
  typeof (value as { toJSON?: unknown } | null)?.toJSON === 'function';

/** The server's text of a timestamp with an offset ('…+00', '…+05:30'). */
const TEXT_WITH_OFFSET = /(Z|[+-]\d{2}(:?\d{2})?)$/;

/** The wire client sends parameters as text and the server infers their types, so most values pass through (see wire/text-values.ts). */
export const postgresValues: ValueConventions = {
  encodeBoolean: (value) => value,
  encodeDatetime: (value) => value,
  // TIMESTAMPTZ arrives as a Date; a TIMESTAMP (read as text) without an offset is UTC, as everywhere.
  decodeDatetime: (raw) =>
    raw instanceof Date
      ? raw
      : (parseTimestampText(String(raw)) ?? new Date(TEXT_WITH_OFFSET.test(raw as string) ? (raw as string) : `${String(raw).replace(' ', 'T')}Z`)),
  encodeBigInt: (value) => value,
  // A JavaScript array or boolean would be sent as a PostgreSQL array or bool; the wrapper is sent
  // as JSON text (JSON.stringify calls its toJSON), whatever the document is.
  encodeJson: (value) => ({ toJSON: () => (hasToJson(value) ? value.toJSON() : value) }),
  decodeJson: (raw) => raw,
  // The client parses json and jsonb columns itself.
  jsonText: (raw) => JSON.stringify(raw),
  encodeDecimal: (value) => value,
  encodeInt64: (value) => value,
};
