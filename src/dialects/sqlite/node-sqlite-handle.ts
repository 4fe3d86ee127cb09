/**
 * `node:sqlite` (Deno; Node ≥ 22.5) as a SqliteHandle: rows as arrays (`setReturnArrays`), so
 * that columns of the same name from joined tables stay apart, and `setReadBigInts` for bigint reads.
 */
import type { SqliteHandle } from './native.js';

interface StatementSync {
  all(...params: unknown[]): unknown[];
  run(...params: unknown[]): { changes: number | bigint; lastInsertRowid: number | bigint };
  setReturnArrays?(enabled: boolean): void;
  setReadBigInts(enabled: boolean): void;
}
interface DatabaseSync {
  prepare(sql: string): StatementSync;
  exec(sql: string): void;
  function(name: string, options: { deterministic: boolean; varargs?: boolean }, fn: (...args: never[]) => unknown): void;
  close(): void;
  readonly isOpen?: boolean;
}

export function openNodeSqlite(module: unknown, path: string): SqliteHandle {
  const { DatabaseSync } = module as { DatabaseSync: new (path: string) => DatabaseSync };
  const db = new DatabaseSync(path);
  let open = true;
  return {
    prepare(sql, mode) {
      const stmt = db.prepare(sql);
      if (mode !== 'write') {
        if (stmt.setReturnArrays === undefined) throw new Error('this node:sqlite has no setReturnArrays (Node ≥ 24 or Deno ≥ 2.5 has); use another driver');
        stmt.setReturnArrays(true);
      }
      if (mode === 'bigint') stmt.setReadBigInts(true);
      return { rows: (params) => stmt.all(...params) as unknown[][], run: (params) => stmt.run(...params) };
    },
    exec: (sql) => db.exec(sql),
    function: (name, fn) => db.function(name, { deterministic: true, varargs: true }, fn),
    close: () => {
      if (open) db.close();
      open = false;
    },
  };
}
