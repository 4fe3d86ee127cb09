import type { ConnectionSettings } from '../../config/db-url.js';
import type { DedicatedConnection, DriverPool, WriteResult } from '../../execution/driver.js';
import { guardedConnection, LOST_CONNECTION_CODES } from '../../execution/lost-connection.js';
import { tlsFromOptions } from '../../execution/tls-settings.js';
import { translateMysqlError } from './errors.js';
import { CONNECTION_ENDING_ERRORS, MysqlServerError, type MysqlConnection, type MysqlResult } from './wire/connection.js';
import { MysqlWirePool } from './wire/pool.js';

/** Every connection reads and writes DATETIME in UTC and refuses bad data instead of truncating. */
const SESSION_SETTINGS = "SET time_zone = '+00:00', sql_mode = CONCAT(@@sql_mode, ',STRICT_ALL_TABLES')";

async function runRows(run: Promise<MysqlResult>, sql: string): Promise<unknown[][]> {
  try {
    return (await run).rows;
  } catch (error) {
    throw translateMysqlError(error, sql);
  }
}

async function runWrite(run: Promise<MysqlResult>, sql: string): Promise<WriteResult> {
  try {
    const result = await run;
    return { affected: result.affected, insertId: result.insertId };
  } catch (error) {
    throw translateMysqlError(error, sql);
  }
}

/** Errors after which the connection is gone: the client's own codes, socket errors, and the server's errors that end the session. */
const LOST = new RegExp(`^(${LOST_CONNECTION_CODES})`);

function connectionLost(error: unknown): boolean {
  const { code, errno } = (error ?? {}) as { code?: unknown; errno?: unknown };
  return (typeof code === 'string' && LOST.test(code)) || (typeof errno === 'number' && CONNECTION_ENDING_ERRORS.has(errno));
}

/**
 * InnoDB rolls the whole transaction back on a deadlock (Galera on a failed certification too), and
 * the session then runs later statements outside any transaction. A lock wait timeout (1205)
 * undoes only the statement.
 */
const ERROR_CLASSES = {
  isLost: connectionLost,
  isRolledBack: (error: unknown) => (error as { errno?: unknown } | undefined)?.errno === 1213,
  // A session killed or shut down during COMMIT may be told so after the commit took effect.
  refusesCommit: (error: unknown) => error instanceof MysqlServerError && !CONNECTION_ENDING_ERRORS.has(error.errno),
};

/**
 * Terrapin's own MySQL/MariaDB client (./wire): server-side prepared statements kept per
 * connection, pipelined requests, binary rows decoded straight into arrays. docs/benchmarks.md
 * has the measurements behind the choice over mysql2.
 */
export class MysqlPool implements DriverPool {
  private readonly pool: MysqlWirePool;

  constructor(settings: ConnectionSettings, connectionName: string) {
    const tls = tlsFromOptions(settings.options, connectionName);
    this.pool = new MysqlWirePool({
      host: settings.host || '127.0.0.1',
      port: settings.port,
      hosts: settings.hosts,
      user: settings.user || 'root',
      password: settings.password,
      database: settings.database,
      min: settings.pool.min,
      max: settings.pool.max,
      idleTimeoutMs: settings.pool.idleTimeout * 1000,
      connectTimeoutMs: settings.pool.connectTimeout * 1000,
      queryTimeoutMs: settings.pool.queryTimeout * 1000,
      initStatements: [SESSION_SETTINGS],
      ...(tls === undefined ? {} : { tls }),
    });
  }

  rows(sql: string, params: readonly unknown[]): Promise<unknown[][]> {
    return runRows(this.pool.query(sql, params), sql);
  }

  write(sql: string, params: readonly unknown[]): Promise<WriteResult> {
    return runWrite(this.pool.query(sql, params), sql);
  }

  async serverVersion(): Promise<string> {
    const rows = await this.rows('SELECT VERSION()', []);
    return String(rows[0]?.[0] ?? '');
  }

  async acquire(): Promise<DedicatedConnection> {
    let connection: MysqlConnection;
    try {
      connection = await this.pool.reserve();
    } catch (error) {
      throw translateMysqlError(error, 'get connection');
    }
    return guardedConnection(connection, 'MySQL', ERROR_CLASSES, { rows: runRows, write: runWrite }, () => this.pool.release(connection));
  }

  close(): Promise<void> {
    return this.pool.close();
  }
}
