/** `bun:sqlite` as a SqliteHandle: `values()` gives rows as arrays; `safeIntegers` for bigint reads. */
import type { SqliteHandle } from './native.js';

interface BunStatement {
  values(...params: unknown[]): unknown[][];
  run(...params: unknown[]): { changes: number; lastInsertRowid: number | bigint };
  safeIntegers(enabled: boolean): BunStatement;
}
interface BunDatabase {
  prepare(sql: string): BunStatement;
  exec(sql: string): void;
  function(name: string, options: { deterministic: boolean }, fn: (...args: never[]) => unknown): void;
  close(): void;
}

export function openBunSqlite(module: unknown, path: string): SqliteHandle {
  const { Database } = module as { Database: new (path: string, options?: { strict?: boolean }) => BunDatabase };
  // strict: parameters bind by position as given, as with the other drivers.
  const db = new Database(path, { strict: true });
  let open = true;
  return {
    prepare(sql, mode) {
      const stmt = db.prepare(sql);
      if (mode === 'bigint') stmt.safeIntegers(true);
      return { rows: (params) => stmt.values(...params), run: (params) => stmt.run(...params) };
    },
    exec: (sql) => db.exec(sql),
    function: (name, fn) => db.function(name, { deterministic: true }, fn),
    close: () => {
      if (open) db.close();
      open = false;
    },
  };
}
