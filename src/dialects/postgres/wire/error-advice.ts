/**
 * What to do about the server errors a URL setting can fix: those a connection pooler causes or
 * sends, and a URL option the server does not know. PgBouncer's own errors carry
 * no SQLSTATE of their own (08P01 mostly), so they are told apart by their text, which has been
 * stable across its releases.
 */
import type { PostgresServerError } from './backend.js';

const PREPARE_FALSE = 'add prepare=false to the database URL (statement_cache_size=0 means the same)';

const MESSAGES: readonly (readonly [RegExp, string])[] = [
  [
    /^unrecognized configuration parameter/,
    'Terrapin sends the URL options that are not its own (prepare, statement_cache_size, sslmode, ssl, sslrootcert, the pool sizes and timeouts) ' +
      'to PostgreSQL as run-time parameters: correct or remove that one',
  ],
  [
    /^unsupported startup parameter/,
    'PgBouncer passes on only client_encoding, DateStyle, TimeZone, standard_conforming_strings and application_name when a client connects: ' +
      "drop that option from the URL and set it on the server instead (ALTER ROLE … SET or ALTER DATABASE … SET), or list it in pgbouncer.ini's ignore_startup_parameters",
  ],
  [
    /^query_wait_timeout/,
    "PgBouncer found no free server connection for this client within its query_wait_timeout: its pool (default_pool_size) is smaller than its clients' demand. " +
      "In pool_mode=session every Terrapin connection holds a server connection for as long as it is open, so keep the sum of every process's maxsize within the pool size; " +
      `or run PgBouncer in pool_mode=transaction and ${PREPARE_FALSE}`,
  ],
  [/^no more connections allowed/, "PgBouncer's max_client_conn is reached: raise it, or lower maxsize in the URL of each process"],
  [/^pgbouncer cannot connect to server|^server login has been failing/, 'PgBouncer cannot reach the PostgreSQL server behind it; check that server and the [databases] entry'],
  [/^transaction blocks not allowed in statement pooling mode/, 'Terrapin needs transactions: run PgBouncer in pool_mode=transaction (with prepare=false in the URL) or session'],
];

/**
 * A sentence to append to `error`'s message when a setting is the likely cause, else undefined.
 * `named` says whether the connection uses named statements (the default), which a transaction-mode
 * pooler breaks: their names then meet server sessions that never prepared them.
 */
export function errorAdvice(error: PostgresServerError, named: boolean): string | undefined {
  if (named && (error.code === '26000' || error.code === '42P05') && /prepared statement/.test(error.message)) {
    return (
      'A connection pooler in transaction mode (PgBouncer pool_mode=transaction) sends each transaction to any server connection, ' +
      `where this connection's named statements do not exist; ${PREPARE_FALSE}`
    );
  }
  for (const [pattern, advice] of MESSAGES) if (pattern.test(error.message)) return advice;
  return undefined;
}
