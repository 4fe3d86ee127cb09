import type { Dialect, ValueConventions } from '../dialects/dialect.js';
import type { Field } from '../fields/base.js';
import type { ModelMeta } from '../model/meta.js';
import type { Expression } from '../query/expressions.js';
import type { QueryState } from '../query/state.js';
import { column, param, type Expr, type InsertNode, type OnConflict, type UpdateNode, type DeleteNode } from '../sql/ast.js';
import { conditionsToExpr, usesRelations } from './conditions.js';
import { JoinContext } from './joins.js';
import { planKeys } from './select.js';

/** INSERT of rows of already-encoded values, one per `columns` entry. */
export function planInsert(
  meta: ModelMeta,
  fields: readonly Field[],
  rows: readonly (readonly unknown[])[],
  returning: readonly Field[],
  onConflict: OnConflict | undefined,
): InsertNode {
  return {
    kind: 'insert',
    table: meta.table,
    columns: fields.map((f) => f.column),
    rows: rows.map((row) => row.map((value) => param(value))),
    returning: returning.map((f) => f.column),
    onConflict,
  };
}

/**
 * An expression assigned in an UPDATE's SET (`F('score').add(1)`), by QuerySet.update() and by
 * save(): computed from the row being updated, so it reads that row's columns and joins nothing.
 */
export function assignedExpr(meta: ModelMeta, expression: Expression, conventions: ValueConventions, where: string): Expr {
  return expression.toExpr({ meta, joins: new JoinContext(meta, undefined), conventions, annotations: new Map(), where });
}

/** UPDATE of encoded values where the primary key matches. */
export function planUpdateByPk(meta: ModelMeta, set: readonly [Field, Expr][], pkValue: unknown): UpdateNode {
  return {
    kind: 'update',
    table: { name: meta.table, alias: undefined },
    set: set.map(([field, value]) => ({ column: field.column, value })),
    where: { kind: 'compare', op: '=', left: column(undefined, meta.pk.column), right: param(pkValue) },
  };
}

export function planDeleteByPk(meta: ModelMeta, pkValue: unknown): DeleteNode {
  return {
    kind: 'delete',
    table: { name: meta.table, alias: undefined },
    where: { kind: 'compare', op: '=', left: column(undefined, meta.pk.column), right: param(pkValue) },
  };
}

/**
 * The WHERE of an UPDATE/DELETE: the conditions themselves on one table, or, when they reach
 * through relations, `pk IN (SELECT pk … JOIN …)` (UPDATE/DELETE cannot join portably).
 */
function writeWhere(state: QueryState, dialect: Dialect): Expr | undefined {
  if (!usesRelations(state.where)) return conditionsToExpr(state.where, new JoinContext(state.meta, undefined), dialect.values);
  const keys = planKeys({ ...state, distinct: false, ordering: [], shape: { mode: 'objects' } }, dialect);
  return { kind: 'inSelect', expr: column(undefined, state.meta.pk.column), select: keys };
}

/** QuerySet.update(): values (bound parameters or expressions such as F('n') + 1) for the rows the filters match. */
export function planUpdate(state: QueryState, dialect: Dialect, set: readonly [Field, Expr][]): UpdateNode {
  return {
    kind: 'update',
    table: { name: state.meta.table, alias: undefined },
    set: set.map(([field, value]) => ({ column: field.column, value })),
    where: writeWhere(state, dialect),
  };
}

export function planDelete(state: QueryState, dialect: Dialect): DeleteNode {
  return {
    kind: 'delete',
    table: { name: state.meta.table, alias: undefined },
    where: writeWhere(state, dialect),
  };
}

/**
 * bulkUpdate: one UPDATE per batch, each column set by CASE over the primary key.
 * `rows` pairs each encoded pk with the encoded values of `fields`.
 */
export function planBulkUpdate(
  meta: ModelMeta,
  fields: readonly Field[],
  rows: readonly { readonly pk: unknown; readonly values: readonly unknown[] }[],
): UpdateNode {
  const pk = column(undefined, meta.pk.column);
  return {
    kind: 'update',
    table: { name: meta.table, alias: undefined },
    set: fields.map((field, i) => ({
      column: field.column,
      value: {
        kind: 'case',
        whens: rows.map((row) => ({
          when: { kind: 'compare', op: '=', left: pk, right: param(row.pk) } as Expr,
          then: { kind: 'typed', expr: param(row.values[i]), type: field.columnType() } as Expr,
        })),
        else: column(undefined, field.column),
      },
    })),
    where: { kind: 'in', expr: pk, values: rows.map((row) => param(row.pk)), negated: false },
  };
}
