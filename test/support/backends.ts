/**
 * Which databases the integration suites run on, and a fresh database per suite on each.
 * `test/run.ts` decides the list (TERRAPIN_TEST_BACKENDS); a suite file never skips a backend itself.
 */
import postgres from 'postgres';
import mysql from 'mysql2/promise';
import { after, before, describe } from 'node:test';
import { Terrapin, type ModelSource } from '../../src/index.js';
import type { WirePoolOptions } from '../../src/dialects/postgres/wire/pool.js';

export type BackendName = 'sqlite' | 'postgres' | 'mysql';

export const PG_ADMIN_URL = process.env.TERRAPIN_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
export const MYSQL_ADMIN_URL = process.env.TERRAPIN_MYSQL_URL ?? 'mysql://root@127.0.0.1:3306/test';
/**
 * Where Terrapin reaches the suites' PostgreSQL databases: the server itself, or a connection
 * pooler in front of it (TERRAPIN_PG_POOLER_URL, e.g. the PgBouncer that TERRAPIN_PG_POOLER makes
 * the runner start), with the URL's options ('?prepare=false'). Databases are still created and
 * dropped directly on the server (PG_ADMIN_URL).
 */
export const PG_APP_URL = process.env.TERRAPIN_PG_POOLER_URL ?? PG_ADMIN_URL;

/**
 * Every database the suite creates (and drops) on a shared server starts with this prefix, so a run
 * never touches databases of its own name from anyone else. TERRAPIN_TEST_DB_PREFIX sets it
 * (lower-case letters, digits and underscores); two runs against one server need two prefixes.
 */
export const TEST_DB_PREFIX = testDatabasePrefix(process.env.TERRAPIN_TEST_DB_PREFIX ?? 'terrapin_test_');

function testDatabasePrefix(prefix: string): string {
  if (!/^[a-z][a-z0-9_]{0,30}$/.test(prefix)) {
    throw new Error(`TERRAPIN_TEST_DB_PREFIX must be 1–31 lower-case letters, digits or underscores starting with a letter, got '${prefix}'`);
  }
  return prefix;
}

/** The host:port of an admin URL, as the wire clients name it in their messages. */
export function serverAddress(url: string): string {
  const parsed = new URL(url);
  return `${parsed.hostname}:${parsed.port || (parsed.protocol.startsWith('postgres') ? '5432' : '3306')}`;
}

/** `url` with more query options (`'maxsize=2&acquire_timeout=0.5'`), after any it has (a pooler's '?prepare=false'). */
export function withOptions(url: string, options: string): string {
  return `${url}${url.includes('?') ? '&' : '?'}${options}`;
}

/** A suite database's URL on the PostgreSQL server itself (for admin clients), whatever pooler `url` goes through. */
export function pgDirectUrl(url: string): string {
  const direct = new URL(PG_ADMIN_URL);
  direct.pathname = new URL(url).pathname;
  return direct.toString();
}

/** Options for the PostgreSQL wire pool itself on a database `url` (one connection, default statement cache). */
export function pgWireOptions(url: string): WirePoolOptions {
  const parsed = new URL(url);
  return {
    host: parsed.hostname,
    port: Number(parsed.port || 5432),
    user: decodeURIComponent(parsed.username) || 'postgres',
    password: decodeURIComponent(parsed.password),
    database: parsed.pathname.slice(1),
    max: 1,
    idleTimeoutMs: 0,
    connectTimeoutMs: 5000,
    parameters: { TimeZone: 'UTC' },
    statementCacheSize: 1000,
  };
}

/** The backends this run covers (SQLite always). */
export function activeBackends(): BackendName[] {
  const list = (process.env.TERRAPIN_TEST_BACKENDS ?? 'sqlite').split(',').map((s) => s.trim()).filter(Boolean);
  return list as BackendName[];
}

/** The name of a suite's own database on PostgreSQL and MySQL. */
export function databaseName(suite: string): string {
  if (!/^[a-z0-9_]+$/.test(suite)) throw new Error(`suite names are lower_snake_case, got '${suite}'`);
  return `${TEST_DB_PREFIX}${suite}`;
}

/** Drops and recreates the suite's own database, so suites can run in parallel. Returns its URL. */
export async function freshDatabase(backend: BackendName, suite: string): Promise<string> {
  const name = databaseName(suite);
  if (backend === 'sqlite') return 'sqlite://:memory:';
  if (backend === 'postgres') {
    const sql = postgres(PG_ADMIN_URL, { max: 1, onnotice: () => {} });
    try {
      await sql.unsafe(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      await sql.unsafe(`CREATE DATABASE "${name}"`);
    } finally {
      await sql.end();
    }
    const url = new URL(PG_APP_URL);
    url.pathname = `/${name}`;
    return url.toString();
  }
  const connection = await mysql.createConnection(MYSQL_ADMIN_URL);
  try {
    await connection.query(`DROP DATABASE IF EXISTS \`${name}\``);
    await connection.query(`CREATE DATABASE \`${name}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_bin`);
  } finally {
    await connection.end();
  }
  const url = new URL(MYSQL_ADMIN_URL);
  url.pathname = `/${name}`;
  return url.toString();
}

export interface BackendContext {
  readonly backend: BackendName;
  /** The URL of the suite's fresh database (set in `before`). */
  url: string;
}

/**
 * Declares `fn`'s tests once per active backend, inside `describe(backend)`, with the default
 * Terrapin instance initialised on a fresh database holding the models' tables.
 */
export function forEachBackend(
  suite: string,
  models: readonly ModelSource[],
  fn: (ctx: BackendContext) => void,
): void {
  for (const backend of activeBackends()) {
    describe(backend, () => {
      const ctx: BackendContext = { backend, url: '' };
      before(async () => {
        ctx.url = await freshDatabase(backend, suite);
        await Terrapin.init({ dbUrl: ctx.url, modules: { models } });
        await Terrapin.generateSchemas({ safe: false });
      });
      after(async () => {
        await Terrapin.close();
      });
      fn(ctx);
    });
  }
}
