import postgres from 'postgres';
import type { ConnectionSettings } from '../../config/db-url.js';
import type { DedicatedConnection, DriverPool, WriteResult } from '../../execution/driver.js';
import { OperationalError } from '../../errors.js';
import { translatePostgresError } from './errors.js';

type Sql = postgres.Sql<Record<string, never>>;
type Params = postgres.ParameterOrJSON<never>[];

/** Keep DATE, TIME and TIMESTAMP as the server's text so they round-trip without a timezone shift. */
const textual = (oid: number) => ({ to: oid, from: [oid], serialize: (x: unknown) => String(x), parse: (x: string) => x });

/**
 * postgres.js's (undocumented) per-query hook that receives the connection a query runs on. Its
 * result decides whether the connection takes the next query before this one is answered: a
 * falsy one (undefined included) parks the connection until then, which undoes pipelining.
 */
type QueryOptions = { prepare: true; onexecute?: (connection: PgConnection) => boolean };
interface PgConnection {
  onclose: ((error: Error) => void) | null;
}

const PREPARED: QueryOptions = { prepare: true };

async function runRows(sql: Sql, text: string, params: readonly unknown[], options: QueryOptions = PREPARED): Promise<unknown[][]> {
  try {
    return (await sql.unsafe(text, params as Params, options as { prepare: true }).values()) as unknown[][];
  } catch (error) {
    throw translatePostgresError(error, text);
  }
}

async function runWrite(sql: Sql, text: string, params: readonly unknown[], options: QueryOptions = PREPARED): Promise<WriteResult> {
  try {
    const result = await sql.unsafe(text, params as Params, options as { prepare: true });
    return { affected: result.count, insertId: undefined };
  } catch (error) {
    throw translatePostgresError(error, text);
  }
}

/**
 * Errors after which the connection is gone: postgres.js's own codes, socket errors, SQLSTATE
 * classes 08 (connection exception) and 57P (the server ended the session, e.g. pg_terminate_backend).
 */
function connectionLost(error: unknown): boolean {
  const code = ((error as { cause?: { code?: unknown } }).cause ?? (error as { code?: unknown }))?.code;
  return typeof code === 'string' && /^(CONNECTION_|CONNECT_TIMEOUT$|ECONNRESET$|EPIPE$|ETIMEDOUT$|08|57P)/.test(code);
}

/** How long a reservation may go unanswered before it is asked again, and how often (see reserve). */
const RESERVE_RETRY_MS = 100;
const RESERVE_ATTEMPTS = 20;

/** Seconds to wait before reconnecting after `retries` connections were lost in a row. */
export function reconnectDelay(retries: number): number {
  return Math.min(0.01 * 2 ** retries, 2);
}

/** A postgres.js pool: it pipelines concurrent queries and prepares each statement once per connection. */
export class PostgresPool implements DriverPool {
  private readonly sql: Sql;

  constructor(settings: ConnectionSettings, _connectionName: string) {
    this.sql = postgres({
      host: settings.host,
      port: settings.port,
      user: settings.user || 'postgres',
      password: settings.password,
      database: settings.database || 'postgres',
      max: settings.pool.max,
      idle_timeout: settings.pool.idleTimeout,
      connect_timeout: settings.pool.connectTimeout,
      onnotice: () => {},
      // postgres.js counts every connection lost with an error into one shared retry count and
      // waits (0.5–1) × 3^count / 100 s before reconnecting: after a server restart drops a pool
      // of 4, the next connection waited up to 0.8 s, longer than a short acquire_timeout. Grow
      // gently instead and cap at 2 s; the count resets once a connection is ready again.
      backoff: reconnectDelay,
      connection: { TimeZone: 'UTC', ...settings.options },
      types: {
        bigint: postgres.BigInt,
        date: textual(1082),
        time: textual(1083),
        // TIMESTAMP (no zone) as text: the driver would read it in the process's local zone.
        timestamp: textual(1114),
      },
    }) as unknown as Sql;
  }

  rows(text: string, params: readonly unknown[]): Promise<unknown[][]> {
    return runRows(this.sql, text, params);
  }

  write(text: string, params: readonly unknown[]): Promise<WriteResult> {
    return runWrite(this.sql, text, params);
  }

  /**
   * sql.reserve(), asked again while unanswered. postgres.js 3.4.9 loses a reservation that has to
   * reconnect when another dead connection closes meanwhile (after the server killed every
   * connection of the pool): the close hands the queued reservation to a reconnect, which drops it
   * once the connection is up. A reservation asked again finds that connection open. Whichever
   * reservations come through late are given back at once.
   */
  private reserve(): Promise<postgres.ReservedSql> {
    return new Promise<postgres.ReservedSql>((resolve, reject) => {
      let settled = false;
      let asked = 0;
      let timer: ReturnType<typeof setTimeout> | undefined;
      const ask = (): void => {
        asked++;
        this.sql.reserve().then(
          (reserved) => {
            if (settled) {
              reserved.release();
              return;
            }
            settled = true;
            clearTimeout(timer);
            resolve(reserved);
          },
          (error: unknown) => {
            if (settled) return;
            settled = true;
            clearTimeout(timer);
            reject(error);
          },
        );
        if (asked < RESERVE_ATTEMPTS) timer = setTimeout(ask, RESERVE_RETRY_MS);
      };
      ask();
    });
  }

  async acquire(): Promise<DedicatedConnection> {
    let reserved: postgres.ReservedSql;
    try {
      reserved = await this.reserve();
    } catch (error) {
      throw translatePostgresError(error, 'reserve connection');
    }
    const sql = reserved as unknown as Sql;
    // postgres.js 3.4.9 crashes the process (TypeError in nextWrite) or hangs when a reserved
    // connection is used after its socket closed, and release() would put that dead connection back
    // in its open queue. So once a statement reports the connection lost, refuse further ones (the
    // ROLLBACK) and leave the connection to postgres.js, which already moved it to its closed queue.
    let lost: Error | undefined;
    // The first statement tells us which connection we hold; its close (the server ending the
    // session while the transaction sits idle) is then noticed before the next statement is sent.
    let held: PgConnection | undefined;
    const options: QueryOptions = {
      prepare: true,
      onexecute: (connection) => {
        if (held === undefined) {
          held = connection;
          connection.onclose = (error) => {
            lost ??= error;
          };
        }
        // Keep pipelining: BEGIN and the first statement go out together (see TransactionSession).
        return true;
      },
    };
    const guard = async <T>(text: string, run: () => Promise<T>): Promise<T> => {
      if (lost !== undefined) {
        throw new OperationalError(`PostgreSQL: the connection was lost (${lost.message}), so this statement did not run.`, { cause: lost, sql: text });
      }
      try {
        return await run();
      } catch (error) {
        if (connectionLost(error)) lost = error as Error;
        throw error;
      }
    };
    return {
      rows: (text, params) => guard(text, () => runRows(sql, text, params, options)),
      write: (text, params) => guard(text, () => runWrite(sql, text, params, options)),
      release: () => {
        if (held !== undefined && lost === undefined) held.onclose = null;
        if (lost === undefined) reserved.release();
      },
    };
  }

  async close(): Promise<void> {
    await this.sql.end({ timeout: 5 });
  }
}
