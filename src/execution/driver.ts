/**
 * The contract each dialect's driver adapter fulfils. Rows come back as arrays
 * in select-list order: the hydration plans index them, so column names never collide.
 */
export interface WriteResult {
  readonly affected: number;
  readonly insertId: number | bigint | undefined;
}

export interface RowsOptions {
  /** Read 64-bit integers exactly (BigIntField columns are selected). */
  readonly bigint?: boolean;
}

export interface DriverConnection {
  rows(sql: string, params: readonly unknown[], options?: RowsOptions): Promise<unknown[][]>;
  write(sql: string, params: readonly unknown[]): Promise<WriteResult>;
}

/** A connection taken out of the pool for a transaction; `release` gives it back. */
export interface DedicatedConnection extends DriverConnection {
  release(): void;
}

export interface DriverPool extends DriverConnection {
  acquire(): Promise<DedicatedConnection>;
  /**
   * A dedicated connection now, when one is ready without waiting; undefined otherwise (then
   * `acquire`). Optional: it spares a transaction the promises and timer of a wait.
   */
  tryAcquire?(): DedicatedConnection | undefined;
  close(): Promise<void>;
}
