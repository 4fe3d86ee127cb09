/** better-sqlite3 (Node) as a SqliteHandle: raw rows, safeIntegers for bigint reads. */
import type BetterSqlite3 from 'better-sqlite3';
import type { SqliteHandle } from './native.js';

export function openBetterSqlite3(module: unknown, path: string): SqliteHandle {
  const Database = module as typeof BetterSqlite3;
  const db = new Database(path);
  return {
    prepare(sql, mode) {
      const stmt = db.prepare(sql);
      if (mode !== 'write') stmt.raw(true);
      if (mode === 'bigint') stmt.safeIntegers(true);
      return { rows: (params) => stmt.all(...params) as unknown[][], run: (params) => stmt.run(...params) };
    },
    exec: (sql) => void db.exec(sql),
    function: (name, fn) => void db.function(name, { deterministic: true }, fn as (...args: unknown[]) => unknown),
    close: () => {
      if (db.open) db.close();
    },
  };
}
