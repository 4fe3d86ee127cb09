import { IntegrityError, OperationalError } from '../../errors.js';
import { MISSING_TABLE_HINT } from '../missing-table.js';

/** Maps a better-sqlite3 error to the Terrapin hierarchy, keeping it as `cause`. */
export function translateSqliteError(error: unknown, sql: string): Error {
  const code = (error as { code?: unknown }).code;
  const message = error instanceof Error ? error.message : String(error);
  if (typeof code === 'string' && code.startsWith('SQLITE_CONSTRAINT')) {
    return new IntegrityError(`${message} (SQLite ${code})`, { cause: error, sql });
  }
  if (message.startsWith('no such table:')) return new OperationalError(`SQLite: ${message}. ${MISSING_TABLE_HINT}`, { cause: error, sql });
  return new OperationalError(`SQLite: ${message}`, { cause: error, sql });
}
