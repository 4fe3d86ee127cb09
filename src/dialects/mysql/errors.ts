import { IntegrityError, OperationalError } from '../../errors.js';
import { MISSING_TABLE_HINT } from '../missing-table.js';

/** Server error numbers that mean a violated constraint. */
const INTEGRITY_ERRNOS = new Set([
  1022, // duplicate key
  1048, // column cannot be null
  1062, // duplicate entry
  1169, // unique constraint
  1216, // FK: no parent
  1217, // FK: row referenced
  1364, // field has no default value
  1451, // FK: row referenced
  1452, // FK: no parent
  1557, // FK duplicate
  3819, // MySQL CHECK
  4025, // MariaDB CHECK
]);

/** Maps a mysql2 error to the Terrapin hierarchy by errno, keeping it as `cause`. */
export function translateMysqlError(error: unknown, sql: string): Error {
  const errno = (error as { errno?: unknown }).errno;
  const message = error instanceof Error ? error.message : String(error);
  if (typeof errno === 'number' && INTEGRITY_ERRNOS.has(errno)) {
    return new IntegrityError(`${message} (MySQL errno ${errno})`, { cause: error, sql });
  }
  // 1146 ER_NO_SUCH_TABLE.
  if (errno === 1146) return new OperationalError(`MySQL: ${message}. ${MISSING_TABLE_HINT}`, { cause: error, sql });
  return new OperationalError(`MySQL: ${message}`, { cause: error, sql });
}
