import { DatabaseUnavailableError, IntegrityError, OperationalError, QueryTimeoutError, TransactionRetryError } from '../../errors.js';
import { LOST_CONNECTION_CODES, UNREACHABLE_CODES } from '../../execution/lost-connection.js';
import { MISSING_TABLE_HINT } from '../missing-table.js';

/** SQLSTATEs after which PostgreSQL has given up on the transaction and a new run may succeed. */
const RETRYABLE = new Set([
  '40001', // serialization_failure (SERIALIZABLE, REPEATABLE READ)
  '40P01', // deadlock_detected
]);

/**
 * The database cannot be used now: the client's connection codes, SQLSTATE classes 08 (connection
 * exception) and 57P (the server shutting down, crashed, starting up), too many connections.
 */
const UNAVAILABLE = new RegExp(`^(${LOST_CONNECTION_CODES}|${UNREACHABLE_CODES}|08|57P|53300$)`);

/** Client timeouts, and 57014: the server cancelled the statement (statement_timeout, pg_cancel_backend). */
const TIMED_OUT = /^(QUERY_TIMEOUT|57014)$/;

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
  if (typeof code === 'string' && RETRYABLE.has(code)) {
    return new TransactionRetryError(
      `PostgreSQL: ${message} (SQLSTATE ${code}). The transaction was rolled back; run it again from the start (inTransaction(fn, { retry: { attempts: 3 } }) does).`,
      { cause: error, sql, code },
    );
  }
  if (typeof code === 'string' && TIMED_OUT.test(code)) return new QueryTimeoutError(`PostgreSQL: ${message}`, { cause: error, sql });
  if (typeof code === 'string' && UNAVAILABLE.test(code)) return new DatabaseUnavailableError(`PostgreSQL: ${message}`, { cause: error, sql });
  return new OperationalError(`PostgreSQL: ${message}`, { cause: error, sql });
}
