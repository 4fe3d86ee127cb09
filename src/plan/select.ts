import type { Dialect } from '../dialects/dialect.js';
import type { Field } from '../fields/base.js';
import type { QueryState } from '../query/state.js';
import { column, emptySelect, type Expr, type SelectNode } from '../sql/ast.js';
import { conditionsToExpr } from './conditions.js';

/** The fields a query reads, in select-list order: the hydration plan indexes rows by it. */
export function selectedFields(state: QueryState): readonly Field[] {
  if (state.shape.mode !== 'objects') return state.shape.fields;
  return state.only ?? state.meta.fields;
}

function orderTarget(field: Field, table: string): Expr {
  const target = column(table, field.column);
  return field.kind === 'decimal' ? { kind: 'decimalValue', expr: target } : target;
}

/** QueryState → SELECT. `limitOverride` lets get() ask for two rows to detect duplicates. */
export function planSelect(state: QueryState, dialect: Dialect, limitOverride?: number): SelectNode {
  const { meta } = state;
  const table = meta.table;
  const base = emptySelect({ name: table, alias: undefined });
  const ordering = state.ordering ?? meta.ordering;
  let limit = state.limit;
  if (limitOverride !== undefined) limit = limit === undefined ? limitOverride : Math.min(limit, limitOverride);
  return {
    ...base,
    columns: selectedFields(state).map((field) => ({ expr: column(table, field.column), alias: undefined })),
    distinct: state.distinct,
    where: conditionsToExpr(state.where, table, dialect.values),
    orderBy: ordering.map((o) => ({ expr: orderTarget(o.field, table), desc: o.desc })),
    limit,
    offset: state.offset,
    lock: state.lock,
  };
}

/** SELECT of the primary key only, for exists() and as the inner query of count(). */
export function planKeys(state: QueryState, dialect: Dialect): SelectNode {
  const select = planSelect(state, dialect);
  const fields = state.shape.mode === 'objects' || !state.distinct ? [state.meta.pk] : state.shape.fields;
  return {
    ...select,
    columns: fields.map((f) => ({ expr: column(state.meta.table, f.column), alias: undefined })),
    orderBy: [],
    lock: undefined,
  };
}
