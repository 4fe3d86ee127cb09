/**
 * The PostgreSQL URL's query parameters, split into the client's own settings and the run-time
 * parameters sent to the server at start-up (any other key: `application_name`, `search_path`,
 * `statement_timeout`…, which the server checks). The client's own:
 * - `sslmode`/`ssl`, `sslrootcert`: TLS (execution/tls-settings.ts);
 * - `prepare=false` (postgres.js's name) or `statement_cache_size=0` (asyncpg's): no named
 *   statements, for transaction-mode poolers (PgBouncer `pool_mode=transaction`);
 * - `statement_cache_size=N`: how many named statements a connection keeps (default 1000);
 * - `target_session_attrs`: which server of a host list to connect to (libpq's values).
 */
import { ConfigurationError } from '../../errors.js';
import { DEFAULT_STATEMENT_CACHE_SIZE } from './wire/connection.js';

/** libpq's target_session_attrs: what a server must be for a connection to stay on it. */
export const TARGET_SESSION_ATTRS = ['any', 'read-write', 'read-only', 'primary', 'standby', 'prefer-standby'] as const;
export type TargetSessionAttrs = (typeof TARGET_SESSION_ATTRS)[number];

export interface PostgresClientOptions {
  readonly statementCacheSize: number;
  readonly targetSessionAttrs: TargetSessionAttrs;
  /** Start-up parameters for the server. */
  readonly parameters: Readonly<Record<string, string>>;
}

const TLS_KEYS = new Set(['ssl', 'sslmode', 'sslrootcert']);
const TRUE = ['true', '1', 'yes', 'on'];
const FALSE = ['false', '0', 'no', 'off'];

function flag(where: string, key: string, value: string): boolean {
  if (TRUE.includes(value.toLowerCase())) return true;
  if (FALSE.includes(value.toLowerCase())) return false;
  throw new ConfigurationError(`${where}: '${key}' must be true or false, got '${value}'.`);
}

/** Reads the options of a PostgreSQL connection; a bad value of a client setting is a ConfigurationError. */
export function postgresClientOptions(options: Readonly<Record<string, string>>, connectionName: string): PostgresClientOptions {
  const where = `connection '${connectionName}'`;
  const parameters: Record<string, string> = {};
  let prepare: boolean | undefined;
  let cacheSize: number | undefined;
  let targetSessionAttrs: TargetSessionAttrs = 'any';
  for (const [key, value] of Object.entries(options)) {
    if (TLS_KEYS.has(key)) continue;
    if (key === 'target_session_attrs') {
      if (!(TARGET_SESSION_ATTRS as readonly string[]).includes(value)) {
        throw new ConfigurationError(`${where}: target_session_attrs=${value} is not one of ${TARGET_SESSION_ATTRS.join(', ')} (libpq's values).`);
      }
      targetSessionAttrs = value as TargetSessionAttrs;
    } else if (key === 'prepare') prepare = flag(where, key, value);
    else if (key === 'statement_cache_size') {
      const n = Number(value);
      if (value.trim() === '' || !Number.isInteger(n) || n < 0) {
        throw new ConfigurationError(`${where}: 'statement_cache_size' must be a whole number ≥ 0 (0 for no named statements, as behind PgBouncer in transaction mode), got '${value}'.`);
      }
      cacheSize = n;
    } else parameters[key] = value;
  }
  if (prepare === false && cacheSize !== undefined && cacheSize > 0) {
    throw new ConfigurationError(`${where}: prepare=false and statement_cache_size=${cacheSize} contradict each other; keep one (prepare=false is statement_cache_size=0).`);
  }
  const statementCacheSize = prepare === false ? 0 : (cacheSize ?? DEFAULT_STATEMENT_CACHE_SIZE);
  return { statementCacheSize, targetSessionAttrs, parameters };
}
