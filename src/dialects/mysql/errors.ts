import { IntegrityError, OperationalError, TransactionRetryError } from '../../errors.js';

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

/** Maps an error of the wire client to the Terrapin hierarchy by errno, keeping it as `cause`. */
export function translateMysqlError(error: unknown, sql: string): Error {
  const errno = (error as { errno?: unknown }).errno;
  const message = error instanceof Error ? error.message : String(error);
  if (typeof errno === 'number' && INTEGRITY_ERRNOS.has(errno)) {
    return new IntegrityError(`${message} (MySQL errno ${errno})`, { cause: error, sql });
  }
  if (typeof errno === 'number' && RETRYABLE_ERRNOS.has(errno)) {
    return new TransactionRetryError(
      `MySQL: ${message} (errno ${errno}). Run the transaction again from the start (inTransaction(fn, { retry: { attempts: 3 } }) does).`,
      { cause: error, sql, code: String(errno) },
    );
  }
  return new OperationalError(`MySQL: ${message}`, { cause: error, sql });
}
