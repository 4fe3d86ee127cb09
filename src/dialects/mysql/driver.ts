import mysql from 'mysql2';
import type { ConnectionSettings } from '../../config/db-url.js';
import type { DedicatedConnection, DriverPool, WriteResult } from '../../execution/driver.js';
import { translateMysqlError } from './errors.js';

type Executor = Pick<mysql.Pool, 'execute'>;

/**
 * mysql2's callback API, promised here: its own promise wrapper captures a stack trace (an
 * `Error`) on every call to decorate failures, a measurable share of a short query. The error is
 * translated in the awaiting async function, whose async stack trace leads back to the caller.
 */
function execute<T>(target: Executor, options: mysql.QueryOptions, params: readonly unknown[]): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    target.execute(options, params as never, (error: unknown, result: unknown) => (error ? reject(error) : resolve(result as T)));
  });
}

async function runRows(target: Executor, sql: string, params: readonly unknown[]): Promise<unknown[][]> {
  try {
    return await execute<unknown[][]>(target, { sql, rowsAsArray: true }, params);
  } catch (error) {
    throw translateMysqlError(error, sql);
  }
}

async function runWrite(target: Executor, sql: string, params: readonly unknown[]): Promise<WriteResult> {
  try {
    const header = await execute<mysql.ResultSetHeader>(target, { sql }, params);
    return { affected: header.affectedRows, insertId: header.insertId };
  } catch (error) {
    throw translateMysqlError(error, sql);
  }
}

/** A mysql2 pool using server-side prepared statements (values never enter the SQL text). */
export class MysqlPool implements DriverPool {
  private readonly pool: mysql.Pool;

  constructor(settings: ConnectionSettings, _connectionName: string) {
    this.pool = mysql.createPool({
      host: settings.host,
      port: settings.port,
      user: settings.user || 'root',
      password: settings.password,
      database: settings.database || undefined,
      connectionLimit: settings.pool.max,
      maxIdle: settings.pool.max,
      idleTimeout: settings.pool.idleTimeout * 1000,
      connectTimeout: settings.pool.connectTimeout * 1000,
      supportBigNumbers: true,
      bigNumberStrings: true,
      dateStrings: ['DATE'],
      jsonStrings: true,
      timezone: 'Z',
      charset: 'utf8mb4_bin',
    });
    // Every connection reads and writes DATETIME in UTC and refuses bad data instead of truncating.
    this.pool.on('connection', (connection) => {
      connection.query("SET time_zone = '+00:00', sql_mode = CONCAT(@@sql_mode, ',STRICT_ALL_TABLES')");
    });
  }

  rows(sql: string, params: readonly unknown[]): Promise<unknown[][]> {
    return runRows(this.pool, sql, params);
  }

  write(sql: string, params: readonly unknown[]): Promise<WriteResult> {
    return runWrite(this.pool, sql, params);
  }

  async serverVersion(): Promise<string> {
    const rows = await runRows(this.pool, 'SELECT VERSION()', []);
    return String(rows[0]?.[0] ?? '');
  }

  async acquire(): Promise<DedicatedConnection> {
    let connection: mysql.PoolConnection;
    try {
      connection = await new Promise<mysql.PoolConnection>((resolve, reject) => {
        this.pool.getConnection((error, taken) => (error ? reject(error) : resolve(taken)));
      });
    } catch (error) {
      throw translateMysqlError(error, 'get connection');
    }
    return {
      rows: (sql, params) => runRows(connection, sql, params),
      write: (sql, params) => runWrite(connection, sql, params),
      release: () => connection.release(),
    };
  }

  close(): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.pool.end((error) => (error ? reject(error) : resolve()));
    });
  }
}
