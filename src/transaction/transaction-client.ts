import { TransactionManagementError } from '../errors.js';
import type { Dialect } from '../dialects/dialect.js';
import type { DedicatedConnection, RowsOptions, WriteResult } from '../execution/driver.js';
import type { Target } from '../execution/target.js';
import type { QueryLog } from '../execution/query-log.js';

/** A statement to send. */
export interface Statement {
  readonly sql: string;
  readonly params: readonly unknown[];
}

/**
 * One physical transaction, shared by its client and the savepoint clients inside it. BEGIN waits
 * in `prelude` and goes out together with the first statement: drivers that pipeline (PostgreSQL's)
 * send both at once, saving a round trip, and a transaction that runs no statement sends nothing.
 */
export class TransactionSession {
  prelude: readonly Statement[] | undefined;
  /** BEGIN was sent: the transaction must end with COMMIT or ROLLBACK. */
  started = false;

  constructor(prelude: readonly Statement[]) {
    this.prelude = prelude;
  }
}

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
    readonly session: TransactionSession,
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
    return this.send(sql, params, () => this.connection.rows(sql, params, options));
  }

  write(sql: string, params: readonly unknown[]): Promise<WriteResult> {
    return this.send(sql, params, () => this.connection.write(sql, params));
  }

  private send<T>(sql: string, params: readonly unknown[], run: () => Promise<T>): Promise<T> {
    this.check(sql);
    const prelude = this.session.prelude;
    if (prelude === undefined) return this.logged(sql, params, run);
    this.session.prelude = undefined;
    this.session.started = true;
    return this.afterPrelude(prelude, () => this.logged(sql, params, run));
  }

  /** Issues BEGIN (and friends) without waiting, then the statement; BEGIN's error wins if both fail. */
  private afterPrelude<T>(prelude: readonly Statement[], run: () => Promise<T>): Promise<T> {
    let begun: Promise<unknown> | undefined;
    let main: Promise<T>;
    try {
      // One BEGIN is the rule (a separate SET TRANSACTION the exception): no Promise.all for it.
      begun = prelude.length === 1 ? this.sendPrelude(prelude[0]!) : Promise.all(prelude.map((q) => this.sendPrelude(q)));
      main = run();
      // Handled here too: the statement may fail before BEGIN is answered, and the chain below
      // only looks at it after BEGIN; its error still reaches the caller through that chain.
      main.catch(() => {});
    } catch (error) {
      begun?.catch(() => {});
      return Promise.reject(error);
    }
    return begun.then(
      () => main,
      (error: unknown) => {
        main.catch(() => {});
        throw error;
      },
    );
  }

  private sendPrelude(statement: Statement): Promise<unknown> {
    return this.logged(statement.sql, statement.params, () => this.connection.write(statement.sql, statement.params));
  }

  private logged<T>(sql: string, params: readonly unknown[], run: () => Promise<T>): Promise<T> {
    return this.log.active ? this.log.run(this.connectionName, sql, params, run) : run();
  }

  /** Same connection, one savepoint deeper. */
  nested(): TransactionClient {
    return new TransactionClient(this.connectionName, this.dialect, this.connection, this.depth + 1, this.log, this.session);
  }
}
