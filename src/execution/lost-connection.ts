/**
 * What both wire drivers do with a connection reserved for a transaction: once a statement
 * reports the connection lost, or the server closed it while the transaction sat idle, later
 * statements (the ROLLBACK included) fail at once, without being sent, with a DatabaseUnavailableError
 * that says so — instead of each waiting for a socket that will never answer.
 *
 * Likewise after an error that rolled the whole transaction back on the server (`isRolledBack`:
 * MySQL's deadlock, after which the server runs later statements outside any transaction): every
 * later statement but ROLLBACK fails with a TransactionRetryError too, so a caller that caught the
 * first one cannot commit half a transaction as if it were whole.
 */
import { CommitOutcomeUnknownError, DatabaseUnavailableError, TransactionRetryError } from '../errors.js';
import type { DedicatedConnection, WriteResult } from './driver.js';

/** A reserved wire connection: its state, and its one way to run a statement. */
export interface ReservedConnection<R> {
  readonly closed: boolean;
  query(sql: string, params: readonly unknown[]): Promise<R>;
}

/** How a driver turns the client's answer into rows or a write result (and its errors into Terrapin's). */
export interface ResultReaders<R> {
  rows(run: Promise<R>, sql: string): Promise<unknown[][]>;
  write(run: Promise<R>, sql: string): Promise<WriteResult>;
}

/** The one statement a given-up transaction still takes (not ROLLBACK TO SAVEPOINT). */
const ROLLBACK = /^\s*ROLLBACK\s*$/i;

const COMMIT = /^\s*COMMIT\s*$/i;

/**
 * COMMIT went out and the connection went before its answer came: the server may have committed
 * and failed to say so, or not. Reporting that as a failure would have a client redo work that is done.
 */
function commitOutcomeUnknown(backend: string, lost: Error, sql: string): CommitOutcomeUnknownError {
  return new CommitOutcomeUnknownError(
    `${backend}: the connection was lost (${lost.message}) after COMMIT was sent and before the server answered it, so the transaction may or may not have been committed. ` +
      'Check whether its writes are there before doing them again.',
    { cause: lost, sql },
  );
}

/** The matching patterns of error codes after which a connection is gone, for every wire client. */
export const LOST_CONNECTION_CODES = 'CONNECTION_|CONNECT_TIMEOUT$|QUERY_TIMEOUT$|ECONNRESET$|ECONNREFUSED$|EPIPE$|ETIMEDOUT$';

/** Codes of a server that cannot be reached at all (no connection was ever made). */
export const UNREACHABLE_CODES = 'ENOTFOUND$|EAI_AGAIN$|EHOSTUNREACH$|ENETUNREACH$|EHOSTDOWN$';

/** What a driver tells, from a translated error's `cause` (the client's own error). */
export interface ErrorClasses {
  /** The connection went with it. */
  isLost(cause: unknown): boolean;
  /** The server rolled the whole transaction back, savepoints included, and stays connected. */
  isRolledBack(cause: unknown): boolean;
  /**
   * As the answer to COMMIT, the server's own word that it did not commit (even if the session
   * ends with it): the outcome is known, though the connection is lost.
   */
  refusesCommit(cause: unknown): boolean;
}

/**
 * `connection` as a DedicatedConnection that stops at a lost connection. `backend` names it in the
 * message ('PostgreSQL', 'MySQL').
 */
export function guardedConnection<R>(
  connection: ReservedConnection<R>,
  backend: string,
  classify: ErrorClasses,
  read: ResultReaders<R>,
  release: () => void,
): DedicatedConnection {
  const { isLost, isRolledBack, refusesCommit } = classify;
  let lost: Error | undefined;
  let doomed: TransactionRetryError | undefined;
  const guard = <T>(sql: string, run: () => Promise<T>): Promise<T> => {
    if (lost === undefined && connection.closed) lost = new Error('the server closed it');
    if (lost !== undefined) {
      const what = COMMIT.test(sql) ? 'COMMIT was not sent and the server rolled the transaction back' : 'this statement did not run';
      return Promise.reject(new DatabaseUnavailableError(`${backend}: the connection was lost (${lost.message}), so ${what}.`, { cause: lost, sql }));
    }
    if (doomed !== undefined && !ROLLBACK.test(sql)) {
      return Promise.reject(
        new TransactionRetryError(`${backend}: this transaction was already given up after "${doomed.message}", so this statement did not run; run the whole transaction again.`, {
          cause: doomed,
          sql,
          code: doomed.code,
        }),
      );
    }
    return run().catch((error: unknown) => {
      const cause = (error as { cause?: unknown }).cause;
      if (isLost(cause)) {
        lost = cause as Error;
        if (COMMIT.test(sql) && !refusesCommit(cause)) throw commitOutcomeUnknown(backend, lost, sql);
      } else if (error instanceof TransactionRetryError && isRolledBack(cause)) doomed ??= error;
      throw error;
    });
  };
  return {
    rows: (sql, params) => guard(sql, () => read.rows(connection.query(sql, params), sql)),
    write: (sql, params) => guard(sql, () => read.write(connection.query(sql, params), sql)),
    release,
  };
}
