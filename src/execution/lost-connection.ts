/**
 * What both wire drivers do with a connection reserved for a transaction: once a statement
 * reports the connection lost, or the server closed it while the transaction sat idle, later
 * statements (the ROLLBACK included) fail at once, without being sent, with an OperationalError
 * that says so — instead of each waiting for a socket that will never answer.
 *
 * Likewise after a deadlock or serialization failure (TransactionRetryError): the database has
 * rolled the transaction back (MySQL then runs later statements outside any transaction), so
 * every later statement but ROLLBACK fails with a TransactionRetryError too, and a caller that
 * caught the first one cannot commit half a transaction.
 */
import { OperationalError, TransactionRetryError } from '../errors.js';
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

/** The matching patterns of error codes after which a connection is gone, for every wire client. */
export const LOST_CONNECTION_CODES = 'CONNECTION_|CONNECT_TIMEOUT$|ECONNRESET$|ECONNREFUSED$|EPIPE$|ETIMEDOUT$';

/**
 * `connection` as a DedicatedConnection that stops at a lost connection. `backend` names it in the
 * message ('PostgreSQL', 'MySQL'); `isLost` tells, from a translated error's `cause`, whether the
 * connection went with it.
 */
export function guardedConnection<R>(
  connection: ReservedConnection<R>,
  backend: string,
  isLost: (cause: unknown) => boolean,
  read: ResultReaders<R>,
  release: () => void,
): DedicatedConnection {
  let lost: Error | undefined;
  let doomed: TransactionRetryError | undefined;
  const guard = <T>(sql: string, run: () => Promise<T>): Promise<T> => {
    if (lost === undefined && connection.closed) lost = new Error('the server closed it');
    if (lost !== undefined) {
      return Promise.reject(new OperationalError(`${backend}: the connection was lost (${lost.message}), so this statement did not run.`, { cause: lost, sql }));
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
      if (isLost(cause)) lost = cause as Error;
      else if (error instanceof TransactionRetryError) doomed ??= error;
      throw error;
    });
  };
  return {
    rows: (sql, params) => guard(sql, () => read.rows(connection.query(sql, params), sql)),
    write: (sql, params) => guard(sql, () => read.write(connection.query(sql, params), sql)),
    release,
  };
}
