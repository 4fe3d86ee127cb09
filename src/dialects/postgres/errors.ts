import { IntegrityError, OperationalError } from '../../errors.js';
import { MISSING_TABLE_HINT } from '../missing-table.js';

/** Maps an error of the wire client (server or connection) to the Terrapin hierarchy by SQLSTATE class, keeping it as `cause`. */
export function translatePostgresError(error: unknown, sql: string): Error {
  const code = (error as { code?: unknown }).code;
  const message = error instanceof Error ? error.message : String(error);
  if (typeof code === 'string' && code.startsWith('23')) {
    const detail = (error as { detail?: string }).detail;
    return new IntegrityError(`${message}${detail ? ` (${detail})` : ''}`, { cause: error, sql });
  }
  // 42P01 undefined_table.
  if (code === '42P01') return new OperationalError(`PostgreSQL: ${message}. ${MISSING_TABLE_HINT}`, { cause: error, sql });
  return new OperationalError(`PostgreSQL: ${message}`, { cause: error, sql });
}
