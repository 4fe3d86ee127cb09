import { TransactionManagementError } from '../errors.js';
import type { Dialect } from '../dialects/dialect.js';
import type { DedicatedConnection, RowsOptions, WriteResult } from '../execution/driver.js';
import type { Target } from '../execution/target.js';
import type { QueryLog } from '../execution/query-log.js';

/**
 * The connection of one transaction (or savepoint). `inTransaction` hands it to its callback;
 * it can be passed as `usingDb`, and it refuses work once its transaction has ended.
 */
export class TransactionClient implements Target {
  private active = true;

  constructor(
    readonly connectionName: string,
    readonly dialect: Dialect,
    private readonly connection: DedicatedConnection,
    /** 0 for the outer transaction, 1+ for savepoints inside it. */
    readonly depth: number,
    private readonly log: QueryLog,
  ) {}

  get isActive(): boolean {
    return this.active;
  }

  end(): void {
    this.active = false;
  }

  private check(sql: string): void {
    if (!this.active) {
      throw new TransactionManagementError(
        `The transaction on connection '${this.connectionName}' has already ended (committed or rolled back), so '${sql.slice(0, 60)}' cannot run on it. Run the query inside the inTransaction callback, or without usingDb.`,
      );
    }
  }

  rows(sql: string, params: readonly unknown[], options?: RowsOptions): Promise<unknown[][]> {
    this.check(sql);
    if (this.log.active) return this.log.run(this.connectionName, sql, params, () => this.connection.rows(sql, params, options));
    return this.connection.rows(sql, params, options);
  }

  write(sql: string, params: readonly unknown[]): Promise<WriteResult> {
    this.check(sql);
    if (this.log.active) return this.log.run(this.connectionName, sql, params, () => this.connection.write(sql, params));
    return this.connection.write(sql, params);
  }

  /** Same connection, one savepoint deeper. */
  nested(): TransactionClient {
    return new TransactionClient(this.connectionName, this.dialect, this.connection, this.depth + 1, this.log);
  }
}
