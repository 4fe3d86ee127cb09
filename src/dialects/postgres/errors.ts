import { IntegrityError, OperationalError, TransactionRetryError } from '../../errors.js';

/** SQLSTATEs after which PostgreSQL has given up on the transaction and a new run may succeed. */
const RETRYABLE = new Set([
  '40001', // serialization_failure (SERIALIZABLE, REPEATABLE READ)
  '40P01', // deadlock_detected
]);

/** Maps an error of the wire client (server or connection) to the Terrapin hierarchy by SQLSTATE class, keeping it as `cause`. */
export function translatePostgresError(error: unknown, sql: string): Error {
  const code = (error as { code?: unknown }).code;
  const message = error instanceof Error ? error.message : String(error);
  if (typeof code === 'string' && code.startsWith('23')) {
    const detail = (error as { detail?: string }).detail;
    return new IntegrityError(`${message}${detail ? ` (${detail})` : ''}`, { cause: error, sql });
  }
  if (typeof code === 'string' && RETRYABLE.has(code)) {
    return new TransactionRetryError(
      `PostgreSQL: ${message} (SQLSTATE ${code}). The transaction was rolled back; run it again from the start (inTransaction(fn, { retry: { attempts: 3 } }) does).`,
      { cause: error, sql, code },
    );
  }
  return new OperationalError(`PostgreSQL: ${message}`, { cause: error, sql });
}
