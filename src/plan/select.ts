import type { Dialect } from '../dialects/dialect.js';
import type { Field } from '../fields/base.js';
import type { QueryState } from '../query/state.js';
import { ParamsError } from '../errors.js';
import type { OrderSpec } from '../model/meta.js';
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

/**
 * The ordering to apply. With DISTINCT, ordering by a column outside the select list is not
 * portable (PostgreSQL refuses it, the others silently change what DISTINCT means), so
 * Meta.ordering keeps only the selected fields and an explicit orderBy on another field is an error.
 */
function effectiveOrdering(state: QueryState): readonly OrderSpec[] {
  if (!state.distinct) return state.ordering ?? state.meta.ordering;
  const selected = new Set(selectedFields(state));
  if (state.ordering === undefined) return state.meta.ordering.filter((o) => selected.has(o.field));
  const outside = state.ordering.find((o) => !selected.has(o.field));
  if (outside !== undefined) {
    throw new ParamsError(
      `${state.meta.name}: distinct() cannot order by '${outside.field.name}', which is not selected; add it to values() or order by a selected field.`,
    );
  }
  return state.ordering;
}

/** QueryState → SELECT. `limitOverride` lets get() ask for two rows to detect duplicates. */
export function planSelect(state: QueryState, dialect: Dialect, limitOverride?: number): SelectNode {
  const { meta } = state;
  const table = meta.table;
  const base = emptySelect({ name: table, alias: undefined });
  const ordering = effectiveOrdering(state);
  let limit = state.limit;
  if (limitOverride !== undefined) limit = limit === undefined ? limitOverride : Math.min(limit, limitOverride);
  return {
    ...base,
    columns: selectedFields(state).map((field) => ({ expr: column(table, field.column), alias: undefined })),
    distinct: state.distinct,
    where: conditionsToExpr(state.where, table, dialect.values),
    orderBy: ordering.map((o) => ({ expr: orderTarget(o.field, table), desc: o.desc, nullable: o.field.nullable })),
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
