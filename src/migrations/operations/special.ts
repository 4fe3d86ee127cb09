/**
 * The escape hatches: raw SQL (the user's own text, run as written — Terrapin neither checks nor
 * quotes it) and code, each with its own reverse. They leave the model state as it is.
 */
import type { MigrationContext, OperationKind, Step } from './operation.js';

export interface RunSql {
  readonly op: 'runSql';
  /** One statement per entry, run as written. */
  readonly sql: string | readonly string[];
  /** What undoes it; [] when nothing needs undoing; absent makes the migration irreversible. */
  readonly reverseSql?: string | readonly string[];
  readonly description?: string;
}
export type MigrationCode = (ctx: MigrationContext) => Promise<void> | void;
export interface RunCode {
  readonly op: 'runCode';
  readonly code: MigrationCode;
  /** What undoes it; absent makes the migration irreversible. */
  readonly reverse?: MigrationCode;
  readonly description?: string;
}

/** Raw SQL, yours: run as written, on whatever backend the migration runs on. */
export function runSql(options: Omit<RunSql, 'op'>): RunSql {
  return { op: 'runSql', ...options };
}
/** A function run inside the migration, on its connection (`ctx.rows`, `ctx.execute`). */
export function runCode(options: Omit<RunCode, 'op'>): RunCode {
  return { op: 'runCode', ...options };
}

const list = (sql: string | readonly string[]) => (typeof sql === 'string' ? [sql] : [...sql]);

export const runSqlKind: OperationKind<RunSql> = {
  describe: (op) => `Run SQL${op.description === undefined ? '' : `: ${op.description}`}`,
  apply: (_op, state) => state,
  steps: (op): Step[] => list(op.sql).map((sql) => ({ kind: 'sql', sql, params: [], raw: true })),
  reverse(op) {
    if (op.reverseSql === undefined) return { irreversible: 'runSql has no reverseSql' };
    return runSql({ sql: op.reverseSql, reverseSql: op.sql, ...(op.description === undefined ? {} : { description: `undo ${op.description}` }) });
  },
};

export const runCodeKind: OperationKind<RunCode> = {
  describe: (op) => `Run code${op.description === undefined ? '' : `: ${op.description}`}`,
  apply: (_op, state) => state,
  steps: (op): Step[] => [{ kind: 'code', description: op.description ?? 'runCode', run: op.code }],
  reverse(op) {
    if (op.reverse === undefined) return { irreversible: 'runCode has no reverse function' };
    return runCode({ code: op.reverse, reverse: op.code, ...(op.description === undefined ? {} : { description: `undo ${op.description}` }) });
  },
};
