/**
 * The SQLite library under a pool: better-sqlite3 on Node, `bun:sqlite` on Bun, `node:sqlite` on
 * Deno (and on Node ≥ 22.5 when asked for). The pool (driver.ts) sees only this small, synchronous
 * interface, and each library is loaded when a database is opened, so a runtime never loads one it
 * cannot run (Bun and Deno cannot load better-sqlite3's native addon).
 *
 * Chosen by the URL (`sqlite://db.sqlite3?driver=node:sqlite`) or, without it, by the runtime.
 */
import { createRequire } from 'node:module';
import { ConfigurationError } from '../../errors.js';
import { openBetterSqlite3 } from './better-sqlite3-handle.js';
import { openBunSqlite } from './bun-sqlite-handle.js';
import { openNodeSqlite } from './node-sqlite-handle.js';

export interface SqliteStatementHandle {
  /** Rows as arrays of column values, in SELECT order (names may repeat across joined tables). */
  rows(params: readonly unknown[]): unknown[][];
  run(params: readonly unknown[]): { changes: number | bigint; lastInsertRowid: number | bigint };
}

export interface SqliteHandle {
  /** `bigint`: integers read as bigint (for BigIntField columns); `write`: for run(). */
  prepare(sql: string, mode: 'rows' | 'bigint' | 'write'): SqliteStatementHandle;
  exec(sql: string): void;
  /** A deterministic scalar function callable from SQL. */
  function(name: string, fn: (...args: never[]) => unknown): void;
  close(): void;
}

export const SQLITE_DRIVERS = ['better-sqlite3', 'node:sqlite', 'bun:sqlite'] as const;
export type SqliteDriverName = (typeof SQLITE_DRIVERS)[number];

const load = createRequire(import.meta.url);

/** The runtime's own SQLite where it has one; better-sqlite3 on Node. */
export function defaultSqliteDriver(): SqliteDriverName {
  const globals = globalThis as { Bun?: unknown; Deno?: unknown };
  if (globals.Bun !== undefined) return 'bun:sqlite';
  if (globals.Deno !== undefined) return 'node:sqlite';
  return 'better-sqlite3';
}

export function sqliteDriverName(value: string | undefined, where: string): SqliteDriverName {
  if (value === undefined) return defaultSqliteDriver();
  if ((SQLITE_DRIVERS as readonly string[]).includes(value)) return value as SqliteDriverName;
  throw new ConfigurationError(`${where}: unknown SQLite driver '${value}' in the URL; use one of ${SQLITE_DRIVERS.join(', ')} (e.g. 'sqlite://db.sqlite3?driver=node:sqlite').`);
}

/** Opens `path` with the named library; a library the runtime lacks is a ConfigurationError saying which to use. */
export function openSqlite(driver: SqliteDriverName, path: string): SqliteHandle {
  let module: unknown;
  try {
    module = load(driver);
  } catch (cause) {
    throw new ConfigurationError(
      `the SQLite driver '${driver}' cannot be loaded here (${String((cause as Error).message).split('\n')[0]}); ` +
        `use ?driver=${defaultSqliteDriver()} in the URL, the one this runtime has${driver === 'node:sqlite' ? ' (node:sqlite needs Node ≥ 22.5)' : ''}.`,
      { cause },
    );
  }
  if (driver === 'better-sqlite3') return openBetterSqlite3(module, path);
  if (driver === 'bun:sqlite') return openBunSqlite(module, path);
  return openNodeSqlite(module, path);
}
