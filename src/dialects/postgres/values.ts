import type { ValueConventions } from '../dialect.js';

/** postgres.js serialises by the parameter types the server describes, so most values pass through. */
export const postgresValues: ValueConventions = {
  encodeBoolean: (value) => value,
  encodeDatetime: (value) => value,
  decodeDatetime: (raw) => (raw instanceof Date ? raw : new Date(raw as string)),
  encodeBigInt: (value) => value,
  encodeJson: (value) => value,
  decodeJson: (raw) => raw,
  encodeDecimal: (value) => value,
  encodeInt64: (value) => value,
};
