import { IntegrityError, OperationalError, TransactionRetryError } from '../../errors.js';
import { MISSING_TABLE_HINT } from '../missing-table.js';

/**
 * The names of SQLite's primary result codes this module tells apart, by number (extended codes
 * keep the primary one in the low byte): node:sqlite reports only the number.
 */
const PRIMARY_CODES: Readonly<Record<number, string>> = { 5: 'SQLITE_BUSY', 19: 'SQLITE_CONSTRAINT' };

/**
 * Maps a SQLite error to the Terrapin hierarchy, keeping it as `cause`. better-sqlite3 and
 * bun:sqlite name the result code (`SQLITE_CONSTRAINT_UNIQUE`); node:sqlite gives its number as `errcode`.
 */
export function translateSqliteError(error: unknown, sql: string): Error {
  const { code: named, errcode } = error as { code?: unknown; errcode?: unknown };
  const code = typeof errcode === 'number' ? (PRIMARY_CODES[errcode & 0xff] ?? named) : named;
  const message = error instanceof Error ? error.message : String(error);
  if (typeof code === 'string' && code.startsWith('SQLITE_CONSTRAINT')) {
    return new IntegrityError(`${message} (SQLite ${code})`, { cause: error, sql });
  }
  if (message.startsWith('no such table:')) return new OperationalError(`SQLite: ${message}. ${MISSING_TABLE_HINT}`, { cause: error, sql });
  // The database stayed locked by another connection past busy_timeout (or a read snapshot went
  // stale): nothing was written, and the transaction can run again once the lock clears.
  if (typeof code === 'string' && code.startsWith('SQLITE_BUSY')) {
    return new TransactionRetryError(
      `SQLite: ${message} (${code}): another connection held the database past busy_timeout. Raise ?busy_timeout=ms, keep write transactions short, or run the transaction again (inTransaction(fn, { retry: { attempts: 3 } })).`,
      { cause: error, sql, code },
    );
  }
  return new OperationalError(`SQLite: ${message}`, { cause: error, sql });
}
