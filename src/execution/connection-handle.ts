import type { ConnectionSettings } from '../config/db-url.js';
import type { Dialect } from '../dialects/dialect.js';
import type { DedicatedConnection, DriverPool, RowsOptions, WriteResult } from './driver.js';
import type { Target } from './target.js';
import type { QueryLog } from './query-log.js';
import { OperationalError } from '../errors.js';

/** One named connection: its settings, dialect and (lazily created) pool. */
export class ConnectionHandle implements Target {
  private poolInstance: DriverPool | undefined;
  /** Connections taken out for transactions and not yet given back. */
  private held = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(
    readonly connectionName: string,
    readonly settings: ConnectionSettings,
    public dialect: Dialect,
    readonly log: QueryLog,
  ) {}

  get pool(): DriverPool {
    return (this.poolInstance ??= this.dialect.createPool(this.settings, this.connectionName));
  }

  get opened(): boolean {
    return this.poolInstance !== undefined;
  }

  rows(sql: string, params: readonly unknown[], options?: RowsOptions): Promise<unknown[][]> {
    if (this.held >= this.settings.pool.max) return this.afterWait(() => this.rows(sql, params, options));
    if (this.log.active) return this.log.run(this.connectionName, sql, params, () => this.pool.rows(sql, params, options));
    return this.pool.rows(sql, params, options);
  }

  write(sql: string, params: readonly unknown[]): Promise<WriteResult> {
    if (this.held >= this.settings.pool.max) return this.afterWait(() => this.write(sql, params));
    if (this.log.active) return this.log.run(this.connectionName, sql, params, () => this.pool.write(sql, params));
    return this.pool.write(sql, params);
  }

  /** Waits (within one acquire timeout in all) until a connection is free, then runs `work`. */
  private async afterWait<T>(work: () => Promise<T>): Promise<T> {
    const deadline = Date.now() + this.settings.pool.acquireTimeout * 1000;
    while (this.held >= this.settings.pool.max) await this.whenFree(deadline);
    return work();
  }

  private exhausted(): OperationalError {
    const { max, acquireTimeout } = this.settings.pool;
    return new OperationalError(
      `Connection '${this.connectionName}': all ${max} pooled connection${max === 1 ? ' is' : 's are'} held by transactions and none came free within ${acquireTimeout}s. Raise the pool size (?maxsize=N in the URL) or keep transactions shorter.`,
    );
  }

  /** Resolves when a held connection is given back; rejects once `deadline` (ms since epoch) passes. */
  private whenFree(deadline = Date.now() + this.settings.pool.acquireTimeout * 1000): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const wake = () => {
        clearTimeout(timer);
        resolve();
      };
      const timer = setTimeout(() => {
        const index = this.waiting.indexOf(wake);
        if (index !== -1) this.waiting.splice(index, 1);
        reject(this.exhausted());
      }, Math.max(0, deadline - Date.now()));
      this.waiting.push(wake);
    });
  }

  /** A connection of its own, for a transaction; OperationalError when none comes free in time. */
  async acquire(): Promise<DedicatedConnection> {
    const deadline = Date.now() + this.settings.pool.acquireTimeout * 1000;
    while (this.held >= this.settings.pool.max) await this.whenFree(deadline);
    this.held++;
    let connection: DedicatedConnection;
    try {
      connection = await this.acquireWithin(this.pool.acquire());
    } catch (error) {
      this.giveBack();
      throw error;
    }
    let released = false;
    return {
      rows: (sql, params, options) => connection.rows(sql, params, options),
      write: (sql, params) => connection.write(sql, params),
      release: () => {
        if (released) return;
        released = true;
        connection.release();
        this.giveBack();
      },
    };
  }

  /** The driver's own wait (SQLite's single connection, a pool still connecting) is bounded too. */
  private acquireWithin(pending: Promise<DedicatedConnection>): Promise<DedicatedConnection> {
    return new Promise<DedicatedConnection>((resolve, reject) => {
      let timedOut = false;
      const timer = setTimeout(() => {
        timedOut = true;
        reject(this.exhausted());
      }, this.settings.pool.acquireTimeout * 1000);
      pending.then(
        (connection) => {
          clearTimeout(timer);
          if (timedOut) connection.release();
          else resolve(connection);
        },
        (error: unknown) => {
          clearTimeout(timer);
          reject(error);
        },
      );
    });
  }

  /** Every waiter re-checks: a woken query takes no slot, so waking only one could strand a transaction. */
  private giveBack(): void {
    this.held--;
    for (const wake of this.waiting.splice(0)) wake();
  }

  async close(): Promise<void> {
    const pool = this.poolInstance;
    this.poolInstance = undefined;
    if (pool !== undefined) await pool.close();
  }
}
