import type { ConnectionSettings } from '../../config/db-url.js';
import type { DedicatedConnection, DriverPool, WriteResult } from '../../execution/driver.js';
import { OperationalError } from '../../errors.js';
import { guardedConnection, LOST_CONNECTION_CODES } from '../../execution/lost-connection.js';
import { tlsFromOptions } from '../../execution/tls-settings.js';
import { postgresClientOptions } from './client-options.js';
import { translatePostgresError } from './errors.js';
import type { QueryResult, WireConnection } from './wire/connection.js';
import { WirePool } from './wire/pool.js';
import { PostgresServerError } from './wire/backend.js';

/**
 * Errors after which the connection is gone: the wire client's own codes, socket errors, SQLSTATE
 * classes 08 (connection exception) and 57P (the server ended the session, e.g. pg_terminate_backend).
 */
const LOST = new RegExp(`^(${LOST_CONNECTION_CODES}|08|57P)`);

function connectionLost(error: unknown): boolean {
  const code = (error as { code?: unknown } | undefined)?.code;
  return typeof code === 'string' && LOST.test(code);
}

/**
 * PostgreSQL keeps a transaction after an error (in the aborted state, refusing all but a ROLLBACK
 * or a ROLLBACK TO SAVEPOINT that recovers it), so no error rolls it back behind Terrapin's back.
 * An ErrorResponse in answer to COMMIT, a FATAL included (pg_terminate_backend), means it did not
 * commit: PostgreSQL commits before it sends COMMIT's CommandComplete, and takes no interrupt in between.
 */
const ERROR_CLASSES = {
  isLost: connectionLost,
  isRolledBack: () => false,
  refusesCommit: (error: unknown) => error instanceof PostgresServerError,
};

async function runRows(run: Promise<QueryResult>, text: string): Promise<unknown[][]> {
  try {
    return (await run).rows;
  } catch (error) {
    throw translatePostgresError(error, text);
  }
}

async function runWrite(run: Promise<QueryResult>, text: string): Promise<WriteResult> {
  let result: QueryResult;
  try {
    result = await run;
  } catch (error) {
    throw translatePostgresError(error, text);
  }
  // PostgreSQL answers COMMIT in a transaction aborted by an earlier error with ROLLBACK, not an error.
  if (result.command === 'ROLLBACK' && /^\s*COMMIT\b/i.test(text)) {
    throw new OperationalError(
      'PostgreSQL rolled the transaction back instead of committing it: a statement in it failed earlier, and PostgreSQL aborts the whole transaction on an error. ' +
        'To recover from an expected error and keep the rest, run that statement in a nested inTransaction (a savepoint).',
      { sql: text },
    );
  }
  return { affected: result.affected, insertId: undefined };
}

/**
 * Terrapin's own PostgreSQL client (./wire): statements prepared once per connection, requests
 * pipelined, one socket write per tick. docs/benchmarks.md has the measurements behind the choice
 * over `pg` (no pipelining) and postgres.js (a loop turn per write).
 */
export class PostgresPool implements DriverPool {
  private readonly pool: WirePool;

  constructor(settings: ConnectionSettings, connectionName: string) {
    // The client's own settings (TLS, statement preparation) are not sent to the server.
    const { statementCacheSize, targetSessionAttrs, parameters } = postgresClientOptions(settings.options, connectionName);
    const tls = tlsFromOptions(settings.options, connectionName);
    this.pool = new WirePool({
      host: settings.host || '127.0.0.1',
      port: settings.port,
      hosts: settings.hosts,
      targetSessionAttrs,
      user: settings.user || 'postgres',
      password: settings.password,
      database: settings.database || 'postgres',
      min: settings.pool.min,
      max: settings.pool.max,
      idleTimeoutMs: settings.pool.idleTimeout * 1000,
      connectTimeoutMs: settings.pool.connectTimeout * 1000,
      queryTimeoutMs: settings.pool.queryTimeout * 1000,
      parameters: { TimeZone: 'UTC', ...parameters },
      statementCacheSize,
      // Without named statements the client relies on nothing a session keeps between
      // transactions, and so sends no statement while one outside a transaction is unanswered.
      pipeline: statementCacheSize > 0,
      ...(tls === undefined ? {} : { tls }),
    });
  }

  rows(text: string, params: readonly unknown[]): Promise<unknown[][]> {
    return runRows(this.pool.query(text, params), text);
  }

  write(text: string, params: readonly unknown[]): Promise<WriteResult> {
    return runWrite(this.pool.query(text, params), text);
  }

  async acquire(): Promise<DedicatedConnection> {
    let connection: WireConnection;
    try {
      connection = await this.pool.reserve();
    } catch (error) {
      throw translatePostgresError(error, 'reserve connection');
    }
    return guardedConnection(connection, 'PostgreSQL', ERROR_CLASSES, { rows: runRows, write: runWrite }, () => this.pool.release(connection));
  }

  close(): Promise<void> {
    return this.pool.close();
  }
}
