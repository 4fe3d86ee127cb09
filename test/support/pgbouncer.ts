/**
 * A PgBouncer (Debian's `pgbouncer` package) the tests start in front of a PostgreSQL server, on a
 * port of their own, in session or transaction pooling mode. Authentication is `trust` towards
 * the clients; towards the server it logs in with the user and password of `server`.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ChildProcess } from 'node:child_process';
import { findBinary, runCommand, removeDir, serviceDir, serviceUser, startProcess, stopProcess, waitForListening } from './services.js';

export const PGBOUNCER = findBinary('/usr/sbin/pgbouncer', '/usr/bin/pgbouncer');

/** Why pgbouncer tests cannot run here, or undefined. */
export const pgbouncerMissing = PGBOUNCER === undefined ? 'pgbouncer is not installed (apt-get install -y pgbouncer)' : undefined;

export interface PgbouncerOptions {
  readonly port: number;
  readonly mode: 'session' | 'transaction';
  /** The PostgreSQL server behind it: a postgres:// URL (user and password used to log in there). */
  readonly server: string;
  /** Server connections per database and user (default_pool_size). */
  readonly poolSize: number;
  /** Seconds a client waits for a server connection before PgBouncer's query_wait_timeout error. */
  readonly queryWaitTimeout?: number;
  /** Server connections of the user over all databases (max_user_connections), 0 for no limit. */
  readonly maxUserConnections?: number;
}

export interface Pgbouncer {
  readonly port: number;
  readonly mode: PgbouncerOptions['mode'];
  readonly log: string;
  /** A URL of `database` through the pooler, with `query` (e.g. 'prepare=false'). */
  url(database: string, query?: string): string;
  stop(): Promise<void>;
}

/** Starts PgBouncer and waits until it listens (at most 10 s). */
export async function startPgbouncer(options: PgbouncerOptions): Promise<Pgbouncer> {
  if (PGBOUNCER === undefined) throw new Error(pgbouncerMissing);
  const server = new URL(options.server);
  const user = decodeURIComponent(server.username) || 'postgres';
  const password = decodeURIComponent(server.password);
  const runAs = serviceUser('postgres');
  const dir = serviceDir('terrapin-pgbouncer-', runAs);
  const log = join(dir, 'pgbouncer.log');
  const ini = join(dir, 'pgbouncer.ini');
  writeFileSync(join(dir, 'users.txt'), `"${user}" "${password.replace(/"/g, '""')}"\n`);
  writeFileSync(
    ini,
    [
      '[databases]',
      `* = host=${server.hostname} port=${server.port || 5432}`,
      '[pgbouncer]',
      'listen_addr = 127.0.0.1',
      `listen_port = ${options.port}`,
      'unix_socket_dir =',
      'auth_type = trust',
      `admin_users = ${user}`,
      `auth_file = ${join(dir, 'users.txt')}`,
      `pool_mode = ${options.mode}`,
      `default_pool_size = ${options.poolSize}`,
      'max_client_conn = 500',
      `max_user_connections = ${options.maxUserConnections ?? 0}`,
      `query_wait_timeout = ${options.queryWaitTimeout ?? 120}`,
      // Idle server connections go back to the shared server soon.
      'server_idle_timeout = 10',
      'server_lifetime = 300',
      `pidfile = ${join(dir, 'pgbouncer.pid')}`,
      '',
    ].join('\n'),
  );
  let child: ChildProcess | undefined;
  try {
    // pgbouncer writes its own log to stderr when not daemonised; one file holds it all.
    child = startProcess(PGBOUNCER, [ini], { user: runAs, log });
    await waitForListening(child, options.port, log, 10_000);
  } catch (error) {
    if (child !== undefined) await stopProcess(child, 'SIGKILL');
    removeDir(dir);
    throw error;
  }
  const started = child;
  return {
    port: options.port,
    mode: options.mode,
    log,
    url(database: string, query = ''): string {
      const url = new URL(options.server);
      url.hostname = '127.0.0.1';
      url.port = String(options.port);
      url.pathname = `/${database}`;
      url.search = query;
      return url.toString();
    },
    async stop(): Promise<void> {
      // SIGINT would wait for clients to finish; SIGTERM closes at once.
      await stopProcess(started, 'SIGTERM');
      removeDir(dir);
    },
  };
}

/**
 * How many clients the PgBouncer at `url` (its admin console, as an admin user) has on `database`:
 * behind a pooler the server's own sessions belong to the pooler, not to the application.
 */
export async function poolerClients(url: string, database: string): Promise<number> {
  const at = new URL(url);
  const output = await runCommand('psql', ['-h', at.hostname, '-p', at.port, '-U', decodeURIComponent(at.username) || 'postgres', '-X', '-A', '-t', '-F', '\t', '-c', 'SHOW CLIENTS', 'pgbouncer'], { timeoutMs: 10_000 });
  // Columns: type, user, database, state, …
  return output.split('\n').filter((line) => line.split('\t')[2] === database).length;
}
