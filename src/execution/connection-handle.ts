import type { ConnectionSettings } from '../config/db-url.js';
import type { Dialect } from '../dialects/dialect.js';
import type { DedicatedConnection, DriverPool, RowsOptions, WriteResult } from './driver.js';
import type { Target } from './target.js';
import type { QueryLog } from './query-log.js';

/** One named connection: its settings, dialect and (lazily created) pool. */
export class ConnectionHandle implements Target {
  private poolInstance: DriverPool | undefined;

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
    if (this.log.active) return this.log.run(this.connectionName, sql, params, () => this.pool.rows(sql, params, options));
    return this.pool.rows(sql, params, options);
  }

  write(sql: string, params: readonly unknown[]): Promise<WriteResult> {
    if (this.log.active) return this.log.run(this.connectionName, sql, params, () => this.pool.write(sql, params));
    return this.pool.write(sql, params);
  }

  acquire(): Promise<DedicatedConnection> {
    return this.pool.acquire();
  }

  async close(): Promise<void> {
    const pool = this.poolInstance;
    this.poolInstance = undefined;
    if (pool !== undefined) await pool.close();
  }
}
