import { ConfigurationError } from '../../errors.js';
import type { ConnectionSettings } from '../../config/db-url.js';
import type { DedicatedConnection, DriverPool, RowsOptions, WriteResult } from '../../execution/driver.js';
import { translateSqliteError } from './errors.js';
import { registerJsonFunctions } from './json-functions.js';
import { openSqlite, sqliteDriverName, type SqliteHandle, type SqliteStatementHandle } from './native.js';

type Statement = SqliteStatementHandle;

const PRAGMA_NAME = /^[a-z_]+$/;
const PRAGMA_VALUE = /^[A-Za-z0-9_-]+$/;
const ASCII = /^[\x00-\x7f]*$/;

/**
 * Upper case one code point at a time, as PostgreSQL's and MariaDB's UPPER do: a letter whose
 * full mapping is several letters ('ß' → 'SS') stays as it is, so 'STRASSE' never icontains 'ß'.
 */
function simpleUpper(text: string): string {
  if (ASCII.test(text)) return text.toUpperCase();
  let out = '';
  for (const ch of text) {
    const upper = ch.toUpperCase();
    out += upper.length === ch.length ? upper : ch;
  }
  return out;
}

/** Lower case one code point at a time, as PostgreSQL's and MariaDB's LOWER do. */
function simpleLower(text: string): string {
  if (ASCII.test(text)) return text.toLowerCase();
  let out = '';
  for (const ch of text) {
    const lower = ch.toLowerCase();
    out += lower.length === ch.length ? lower : ch;
  }
  return out;
}

/** The value of a synchronous call as a settled promise: cheaper than an async function's. */
function settled<T>(run: () => T): Promise<T> {
  try {
    return Promise.resolve(run());
  } catch (error) {
    return Promise.reject(error);
  }
}

/**
 * One SQLite connection per named connection (SQLite has one writer anyway), through
 * better-sqlite3, bun:sqlite or node:sqlite (native.ts).
 * A transaction takes the connection exclusively: other callers wait until it is released,
 * so their statements never land inside somebody else's transaction.
 */
export class SqlitePool implements DriverPool {
  private readonly db: SqliteHandle;
  private readonly rowStatements = new Map<string, Statement>();
  private readonly bigintStatements = new Map<string, Statement>();
  private readonly writeStatements = new Map<string, Statement>();
  private holder: DedicatedConnection | undefined;
  private readonly waiting: (() => void)[] = [];

  constructor(settings: ConnectionSettings, connectionName: string) {
    const { driver, ...pragmaOptions } = settings.options;
    const library = sqliteDriverName(driver, `connection '${connectionName}'`);
    try {
      this.db = openSqlite(library, settings.path);
    } catch (cause) {
      if (cause instanceof ConfigurationError) throw cause;
      throw new ConfigurationError(
        `connection '${connectionName}': cannot open the SQLite database '${settings.path}': ${(cause as Error).message}`,
        { cause },
      );
    }
    const pragmas: Record<string, string> = {
      foreign_keys: 'ON',
      busy_timeout: String(Math.round(settings.pool.connectTimeout * 1000)),
      ...(settings.path === ':memory:' ? {} : { journal_mode: 'WAL' }),
      ...pragmaOptions,
    };
    for (const [name, value] of Object.entries(pragmas)) {
      if (!PRAGMA_NAME.test(name) || !PRAGMA_VALUE.test(value)) {
        throw new ConfigurationError(
          `connection '${connectionName}': '${name}=${value}' is not a valid SQLite pragma; names are lower_case words and values are words or numbers.`,
        );
      }
      // Checked above: both parts are plain words, so the text is safe to run.
      this.db.exec(`PRAGMA ${name} = ${value}`);
    }
    this.db.function('terrapin_upper', (value: unknown) => (value === null ? null : simpleUpper(String(value))));
    this.db.function('terrapin_lower', (value: unknown) => (value === null ? null : simpleLower(String(value))));
    registerJsonFunctions((name, fn) => this.db.function(name, fn));
    this.provideMathFunctions();
  }

  /**
   * F().pow() compiles to POWER, one of SQLite's math functions, which some builds leave out
   * (Deno's node:sqlite). Where it is missing the driver provides it; where it exists SQLite's own
   * is kept, so results do not depend on which one ran.
   */
  private provideMathFunctions(): void {
    try {
      this.db.prepare('SELECT POWER(2, 3)', 'rows');
    } catch {
      this.db.function('POWER', (base: unknown, exponent: unknown) => (base === null || exponent === null ? null : Math.pow(Number(base), Number(exponent))));
    }
  }

  private statement(cache: Map<string, Statement>, sql: string, mode: 'rows' | 'bigint' | 'write'): Statement {
    let stmt = cache.get(sql);
    if (stmt === undefined) {
      stmt = this.db.prepare(sql, mode);
      cache.set(sql, stmt);
    }
    return stmt;
  }

  runRows(sql: string, params: readonly unknown[], options?: RowsOptions): unknown[][] {
    try {
      const stmt =
        options?.bigint === true
          ? this.statement(this.bigintStatements, sql, 'bigint')
          : this.statement(this.rowStatements, sql, 'rows');
      return stmt.rows(params);
    } catch (error) {
      throw translateSqliteError(error, sql);
    }
  }

  runWrite(sql: string, params: readonly unknown[]): WriteResult {
    try {
      const info = this.statement(this.writeStatements, sql, 'write').run(params);
      return { affected: Number(info.changes), insertId: info.lastInsertRowid };
    } catch (error) {
      throw translateSqliteError(error, sql);
    }
  }

  rows(sql: string, params: readonly unknown[], options?: RowsOptions): Promise<unknown[][]> {
    if (this.holder !== undefined) return this.rowsAfterHolder(sql, params, options);
    // Not an async function: with no transaction holding the connection (most calls) the
    // statement runs now, and one settled promise is all the caller needs.
    return settled(() => this.runRows(sql, params, options));
  }

  write(sql: string, params: readonly unknown[]): Promise<WriteResult> {
    if (this.holder !== undefined) return this.writeAfterHolder(sql, params);
    return settled(() => this.runWrite(sql, params));
  }

  private async rowsAfterHolder(sql: string, params: readonly unknown[], options?: RowsOptions): Promise<unknown[][]> {
    while (this.holder !== undefined) await this.nextTurn();
    return this.runRows(sql, params, options);
  }

  private async writeAfterHolder(sql: string, params: readonly unknown[]): Promise<WriteResult> {
    while (this.holder !== undefined) await this.nextTurn();
    return this.runWrite(sql, params);
  }

  /**
   * Resolves when the holder releases the connection. Callers loop on `holder` themselves and act
   * with no await between the check and their statement: a helper awaited in between would leave
   * a gap in which another waiter takes the connection (two BEGINs, or a query inside its transaction).
   */
  private nextTurn(): Promise<void> {
    return new Promise<void>((resolve) => this.waiting.push(resolve));
  }

  async acquire(): Promise<DedicatedConnection> {
    for (;;) {
      const connection = this.tryAcquire();
      if (connection !== undefined) return connection;
      await this.nextTurn();
    }
  }

  tryAcquire(): DedicatedConnection | undefined {
    if (this.holder !== undefined) return undefined;
    const pool = this;
    const connection: DedicatedConnection = {
      rows: (sql, params, options) => settled(() => pool.runRows(sql, params, options)),
      write: (sql, params) => settled(() => pool.runWrite(sql, params)),
      release() {
        if (pool.holder !== connection) return;
        pool.holder = undefined;
        const waiters = pool.waiting.splice(0);
        for (const wake of waiters) wake();
      },
    };
    this.holder = connection;
    return connection;
  }

  async close(): Promise<void> {
    this.rowStatements.clear();
    this.bigintStatements.clear();
    this.writeStatements.clear();
    this.db.close();
  }
}
