/**
 * Operations are data: plain objects such as `{ op: 'addField', model: 'User', field: {…} }`, made by
 * the functions migration files call (`addField({ … })`) and printed back by the writer. What an
 * operation does lives in its kind (one file per family): how it changes the model state, which
 * renames and fills the schema editor must know, and the operation that undoes it.
 */
import type { Dialect } from '../../dialects/dialect.js';
import type { Fills, Renames } from '../../schema/table-diff.js';
import type { ProjectState } from '../state.js';

export interface OperationBase {
  readonly op: string;
}

/** What the executor hands runCode functions: the migration's own connection. */
export interface MigrationContext {
  /** 'sqlite', 'postgres' or 'mysql': raw SQL may need to differ per backend. */
  readonly dialect: Dialect['name'];
  /** Runs a statement (`?` placeholders on SQLite and MySQL, `$1` on PostgreSQL) and returns its rows as arrays. */
  rows(sql: string, params?: readonly unknown[]): Promise<unknown[][]>;
  /** Runs a statement and returns how many rows it changed. */
  execute(sql: string, params?: readonly unknown[]): Promise<number>;
}

/** One thing an operation does when it runs: a statement, or a function (runCode). */
export type Step =
  | { readonly kind: 'sql'; readonly sql: string; readonly params: readonly unknown[]; readonly raw: boolean }
  | { readonly kind: 'code'; readonly description: string; readonly run: (ctx: MigrationContext) => Promise<void> | void };

export interface Hints {
  readonly renames: Renames;
  readonly fills: Fills;
}

export interface Where {
  /** The app whose migration holds the operation: bare model names are looked up in it. */
  readonly app: string;
  /** 'models/0002_add_email, operation 3 (addField)', for messages. */
  readonly label: string;
}

/** An operation that cannot be undone, and why. */
export interface Irreversible {
  readonly irreversible: string;
}

export interface OperationKind<O extends OperationBase = OperationBase> {
  /** 'Add field User.email', for listings and the SQL command. */
  describe(op: O): string;
  /** The state after the operation; throws a ConfigurationError naming `where` when it does not apply. */
  apply(op: O, state: ProjectState, where: Where): ProjectState;
  /** Renames and fills for the schema editor (default: none). */
  hints?(op: O, before: ProjectState, where: Where, dialect: Dialect): Hints;
  /** Steps that are not a schema change (runSql, runCode); default: the schema editor's statements. */
  steps?(op: O, dialect: Dialect): Step[];
  /** The operation that undoes `op`, run on the state after it (`before` is the state before `op`). */
  reverse(op: O, before: ProjectState, where: Where): OperationBase | Irreversible;
}
