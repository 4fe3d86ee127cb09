/**
 * Hand-built AST nodes shared by the per-dialect compile tests (test/unit/compile-*.test.ts).
 * Each dialect test compiles the same nodes and states the exact SQL it expects, so a
 * difference between backends is visible side by side. No database is involved.
 */
import assert from 'node:assert/strict';
import type { SqlCompiler } from '../../../src/sql/compiler.js';
import {
  column,
  emptySelect,
  param,
  type ColumnDef,
  type ColumnType,
  type CreateTableNode,
  type DatePart,
  type Expr,
  type InsertNode,
  type LikeMode,
  type LockOptions,
  type OnConflict,
  type SelectNode,
  type Statement,
  type TransactionNode,
} from '../../../src/sql/ast.js';

export const col = (name: string, table?: string): Expr => column(table, name);
export const p = param;
export const eq = (left: Expr, right: Expr): Expr => ({ kind: 'compare', op: '=', left, right });
export const gt = (left: Expr, right: Expr): Expr => ({ kind: 'compare', op: '>', left, right });
export const andOf = (...items: Expr[]): Expr => ({ kind: 'and', items });
export const orOf = (...items: Expr[]): Expr => ({ kind: 'or', items });
export const not = (item: Expr): Expr => ({ kind: 'not', item });
export const inList = (expr: Expr, values: unknown[], negated = false): Expr => ({
  kind: 'in',
  expr,
  values: values.map((v) => param(v)),
  negated,
});
export const isNull = (expr: Expr, negated = false): Expr => ({ kind: 'isNull', expr, negated });
export const between = (expr: Expr, low: unknown, high: unknown): Expr => ({
  kind: 'between',
  expr,
  low: param(low),
  high: param(high),
});
export const like = (
  value: string,
  mode: LikeMode,
  caseInsensitive: boolean,
  expr: Expr = col('name'),
  storage?: ColumnType['type'],
): Expr => ({
  kind: 'like',
  expr,
  value,
  mode,
  caseInsensitive,
  ...(storage === undefined ? {} : { storage }),
});
export const datePart = (part: DatePart, storage: 'datetime' | 'date' | 'time' = 'datetime', expr: Expr = col('at')): Expr => ({
  kind: 'datePart',
  part,
  expr,
  storage,
});

/** `SELECT "id", "name" FROM "users"` plus whatever the caller overrides. */
export function usersSelect(change: Partial<SelectNode> = {}): SelectNode {
  return {
    ...emptySelect({ name: 'users', alias: undefined }),
    columns: [
      { expr: col('id'), alias: undefined },
      { expr: col('name'), alias: undefined },
    ],
    ...change,
  };
}

/** `SELECT "id" FROM "users" WHERE <where>`: the shape used to test one condition. */
export const whereSelect = (where: Expr): SelectNode =>
  usersSelect({ columns: [{ expr: col('id'), alias: undefined }], where });

export const lock = (change: Partial<LockOptions> = {}): LockOptions => ({ nowait: false, skipLocked: false, of: [], ...change });

export function insert(change: Partial<InsertNode> = {}): InsertNode {
  return {
    kind: 'insert',
    table: 'users',
    columns: ['name', 'age'],
    rows: [
      [param('ann'), param(30)],
      [param('bob'), param(40)],
    ],
    returning: [],
    onConflict: undefined,
    ...change,
  };
}

export const ignoreConflicts: OnConflict = { action: 'ignore' };
export const upsert: OnConflict = { action: 'update', target: ['email'], update: ['name', 'age'] };

/** bulkUpdate's shape: SET "name" = CASE WHEN "id" = ? THEN <typed ?> … END WHERE "id" IN (…). */
export function caseUpdate(type: ColumnType): Statement {
  const typed = (value: unknown): Expr => ({ kind: 'typed', expr: param(value), type });
  return {
    kind: 'update',
    table: { name: 'users', alias: undefined },
    set: [
      {
        column: 'name',
        value: {
          kind: 'case',
          whens: [
            { when: eq(col('id'), p(1)), then: typed('ann') },
            { when: eq(col('id'), p(2)), then: typed('bob') },
          ],
          else: undefined,
        },
      },
    ],
    where: inList(col('id'), [1, 2]),
  };
}

export function columnDef(name: string, type: ColumnType, change: Partial<ColumnDef> = {}): ColumnDef {
  return {
    name,
    type,
    nullable: false,
    primaryKey: false,
    autoIncrement: false,
    unique: false,
    default: undefined,
    comment: undefined,
    ...change,
  };
}

/** CREATE TABLE with one column of `type` (NOT NULL). */
export function oneColumnTable(type: ColumnType, change: Partial<ColumnDef> = {}): CreateTableNode {
  return {
    kind: 'createTable',
    table: 't',
    ifNotExists: false,
    columns: [columnDef('c', type, change)],
    uniqueTogether: [],
    comment: undefined,
  };
}

export const autoIncrementPk = (type: ColumnType = { type: 'int' }): CreateTableNode =>
  oneColumnTable(type, { primaryKey: true, autoIncrement: true });

/** A table exercising nullability, uniqueness, defaults, comments and a composite unique constraint. */
export const fullTable: CreateTableNode = {
  kind: 'createTable',
  table: 'users',
  ifNotExists: true,
  columns: [
    columnDef('id', { type: 'int' }, { primaryKey: true, autoIncrement: true }),
    columnDef('name', { type: 'varchar', length: 50 }, { default: param("it's") }),
    columnDef('email', { type: 'varchar', length: 100 }, { nullable: true, unique: true }),
    columnDef('active', { type: 'boolean' }, { default: param(true), comment: 'is active' }),
    columnDef('score', { type: 'float' }, { default: param(0) }),
  ],
  uniqueTogether: [{ name: 'uq_users_name_email', columns: ['name', 'email'] }],
  comment: 'people',
};

export const tx = (action: TransactionNode['action'], savepoint?: string): TransactionNode => ({
  kind: 'transaction',
  action,
  savepoint,
});

export const ALL_COLUMN_TYPES: readonly ColumnType[] = [
  { type: 'int' },
  { type: 'bigint' },
  { type: 'smallint' },
  { type: 'float' },
  { type: 'boolean' },
  { type: 'text' },
  { type: 'json' },
  { type: 'binary' },
  { type: 'uuid' },
  { type: 'datetime' },
  { type: 'date' },
  { type: 'time' },
  { type: 'timedelta' },
  { type: 'varchar', length: 50 },
  { type: 'decimal', digits: 10, places: 2 },
];

export const ALL_DATE_PARTS: readonly DatePart[] = [
  'year',
  'quarter',
  'month',
  'week',
  'day',
  'hour',
  'minute',
  'second',
  'microsecond',
];

/** Asserts the exact SQL text and parameters of one statement. */
export function expectSql(compiler: SqlCompiler, node: Statement, sql: string, params: readonly unknown[] = []): void {
  const compiled = compiler.compile(node);
  assert.equal(compiled.sql, sql);
  assert.deepEqual(compiled.params, params);
}

/** A value that would break the statement (or worse) if it ever reached the SQL text. */
export const HOSTILE_VALUE = "x'); DROP TABLE users; -- \" ` \\";

/** Statements of every kind carrying HOSTILE_VALUE as a value (never as an identifier). */
export function statementsWithValue(value: unknown): Statement[] {
  return [
    usersSelect({ where: andOf(eq(col('name'), p(value)), orOf(inList(col('name'), [value]), between(col('name'), value, value))) }),
    usersSelect({ where: like(String(value), 'contains', false) }),
    usersSelect({ where: like(String(value), 'contains', true) }),
    { kind: 'count', inner: usersSelect({ where: eq(col('name'), p(value)) }) },
    insert({ rows: [[p(value), p(value)]], onConflict: upsert }),
    {
      kind: 'update',
      table: { name: 'users', alias: undefined },
      set: [{ column: 'name', value: p(value) }],
      where: eq(col('name'), p(value)),
    },
    { kind: 'delete', table: { name: 'users', alias: undefined }, where: eq(col('name'), p(value)) },
  ];
}

/** Every statement's text is free of the value, which is bound as a parameter instead. */
export function assertValuesAreParams(compiler: SqlCompiler): void {
  for (const statement of statementsWithValue(HOSTILE_VALUE)) {
    const { sql, params } = compiler.compile(statement);
    assert.ok(!sql.includes('DROP TABLE'), `value leaked into SQL: ${sql}`);
    assert.ok(
      params.some((value) => typeof value === 'string' && value.includes('DROP TABLE users')),
      `value missing from params of ${sql}`,
    );
  }
}
