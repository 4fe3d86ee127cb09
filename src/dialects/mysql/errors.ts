import { DatabaseUnavailableError, IntegrityError, OperationalError, QueryTimeoutError, TransactionRetryError } from '../../errors.js';
import { LOST_CONNECTION_CODES, UNREACHABLE_CODES } from '../../execution/lost-connection.js';
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

/**
 * Errors after which running the transaction again may succeed: a deadlock (InnoDB rolled the whole
 * transaction back; Galera reports a failed certification so too) and a lock wait timeout (InnoDB
 * undid the statement; Terrapin then rolls back the rest before a retry).
 */
const RETRYABLE_ERRNOS = new Set([1213, 1205]);

/** The client's connection codes: the server cannot be reached, or the connection went. */
const UNAVAILABLE_CODES = new RegExp(`^(${LOST_CONNECTION_CODES}|${UNREACHABLE_CODES})`);

/** Server errors of a database that cannot be used now: too many connections, shutting down, the session killed or timed out. */
const UNAVAILABLE_ERRNOS = new Set([1040, 1053, 1927, 4031]);

/** The server stopped the statement at its own limit: MariaDB's max_statement_time, MySQL's max_execution_time. */
const TIMEOUT_ERRNOS = new Set([1969, 3024]);

/** Maps an error of the wire client to the Terrapin hierarchy by errno, keeping it as `cause`. */
export function translateMysqlError(error: unknown, sql: string): Error {
  const errno = (error as { errno?: unknown }).errno;
  const message = error instanceof Error ? error.message : String(error);
  if (typeof errno === 'number' && INTEGRITY_ERRNOS.has(errno)) {
    return new IntegrityError(`${message} (MySQL errno ${errno})`, { cause: error, sql });
  }
  // 1146 ER_NO_SUCH_TABLE.
  if (errno === 1146) return new OperationalError(`MySQL: ${message}. ${MISSING_TABLE_HINT}`, { cause: error, sql });
  if (typeof errno === 'number' && RETRYABLE_ERRNOS.has(errno)) {
    return new TransactionRetryError(
      `MySQL: ${message} (errno ${errno}). Run the transaction again from the start (inTransaction(fn, { retry: { attempts: 3 } }) does).`,
      { cause: error, sql, code: String(errno) },
    );
  }
  const code = (error as { code?: unknown }).code;
  if (code === 'QUERY_TIMEOUT' || (typeof errno === 'number' && TIMEOUT_ERRNOS.has(errno))) return new QueryTimeoutError(`MySQL: ${message}`, { cause: error, sql });
  if ((typeof code === 'string' && UNAVAILABLE_CODES.test(code)) || (typeof errno === 'number' && UNAVAILABLE_ERRNOS.has(errno))) {
    return new DatabaseUnavailableError(`MySQL: ${message}`, { cause: error, sql });
  }
  return new OperationalError(`MySQL: ${message}`, { cause: error, sql });
}
