import type { Dialect } from '../dialects/dialect.js';
import type { DriverConnection, RowsOptions, WriteResult } from './driver.js';

/**
 * Where a statement runs: a pool or a transaction's dedicated connection, with its dialect.
 * Both the connection handles and transaction clients implement it.
 */
export interface Target extends DriverConnection {
  readonly dialect: Dialect;
  readonly connectionName: string;
}

/** `usingDb` takes a transaction client (from `inTransaction`) or a connection name. */
export type UsingDb = Target | string;

export type { RowsOptions, WriteResult };
