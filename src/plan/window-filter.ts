/**
 * Filters on window annotations. SQL computes windows after WHERE, so `filter({ rn__lte: 3 })`
 * after `annotate({ rn: Window(RowNumber(), …) })` wraps the query, as Django does:
 * `SELECT _w._c0, … FROM (SELECT …, ROW_NUMBER() OVER (…) AS _c3 FROM t WHERE …) _w WHERE _w._c3 <= 3
 * ORDER BY … LIMIT …`. The inner query keeps the other filters, joins and grouping; ordering,
 * slicing and DISTINCT move to the outer one, since they apply to the rows that pass the filter.
 */
import type { Dialect } from '../dialects/dialect.js';
import { NotSupportedError } from '../errors.js';
import type { Condition } from '../lookups/resolve.js';
import type { ModelMeta, OrderSpec } from '../model/meta.js';
import type { QueryState, ValueColumn } from '../query/state.js';
import { column, emptySelect, type Expr, type SelectNode } from '../sql/ast.js';
import { conditionsToExpr, onlyWindow, onWindow } from './conditions.js';
import { JoinContext } from './joins.js';

/** The derived table's alias. */
const WRAPPED = '_w';

/** The conditions to evaluate in a wrapping query, or none; mixed conditions are refused. */
export function windowConditions(state: QueryState): readonly Condition[] {
  if (state.annotations.length === 0) return [];
  const outer = state.where.filter(onWindow);
  for (const condition of outer) {
    if (!onlyWindow(condition)) {
      throw new NotSupportedError(
        `${state.meta.name}: a filter mixes a window annotation with other fields in one Q; a window is filtered in a wrapping query, so put the condition on the window in a filter() of its own.`,
      );
    }
  }
  if (outer.length > 0 && state.lock !== undefined) {
    throw new NotSupportedError(`${state.meta.name}: selectForUpdate() cannot lock rows read through a filter on a window annotation (the query is wrapped); lock the rows by primary key first.`);
  }
  return outer;
}

type PlanSelect = (state: QueryState, dialect: Dialect, limitOverride: number | undefined, extraColumns: readonly ValueColumn[]) => SelectNode;

/** The query of `state` with its window conditions (`outer`) applied in a wrapping query. */
export function planWindowFiltered(
  state: QueryState,
  dialect: Dialect,
  outer: readonly Condition[],
  selected: readonly ValueColumn[],
  ordering: readonly OrderSpec[],
  limit: number | undefined,
  planSelect: PlanSelect,
): SelectNode {
  const annotations = new Map(state.annotations.map((a) => [a.name, a]));
  const filtered = new Set<string>();
  collectAnnotations(outer, filtered);
  const windowColumns: ValueColumn[] = [...filtered].map((name) => {
    const annotation = annotations.get(name)!;
    return { path: [], field: annotation.field, annotation };
  });
  const orderColumns: ValueColumn[] = ordering.map((o) => {
    const annotation = o.annotation === undefined ? undefined : annotations.get(o.annotation.name);
    return annotation === undefined ? { path: o.path, field: o.field } : { path: [], field: o.field, annotation };
  });
  const innerState: QueryState = {
    ...state,
    where: state.where.filter((c) => !outer.includes(c)),
    ordering: [],
    limit: undefined,
    offset: undefined,
    distinct: false,
    lock: undefined,
  };
  const inner = planSelect(innerState, dialect, undefined, [...windowColumns, ...orderColumns]);
  const aliasOf = (index: number) => `_c${index}`;
  const cells = (from: number, count: number) => Array.from({ length: count }, (_, i) => column(WRAPPED, aliasOf(from + i)));
  const innerSelected = inner.columns.length - windowColumns.length - orderColumns.length;
  if (innerSelected !== selected.length) throw new Error(`unreachable: the wrapped query selects ${innerSelected} columns, expected ${selected.length}`);
  const windowAt = new Map([...filtered].map((name, i) => [name, column(WRAPPED, aliasOf(selected.length + i))]));
  const orderCells = cells(selected.length + windowColumns.length, orderColumns.length);
  const where = conditionsToExpr(outer, new JoinContext(state.meta as ModelMeta, WRAPPED), dialect.values, (name) => windowAt.get(name)!);
  const orderBy = ordering.map((o, i) => {
    const cell: Expr = orderCells[i]!;
    return {
      expr: o.field.kind === 'decimal' ? { kind: 'decimalValue' as const, expr: cell } : cell,
      desc: o.desc,
      nullable: o.annotation !== undefined || o.field.nullable || o.path.some((r) => r.kind !== 'fk' || r.nullable),
    };
  });
  return {
    ...emptySelect({ name: WRAPPED, alias: undefined }),
    fromSelect: { ...inner, columns: inner.columns.map((c, i) => ({ expr: c.expr, alias: aliasOf(i) })) },
    columns: inner.columns.slice(0, selected.length).map((c, i) => ({ expr: column(WRAPPED, aliasOf(i)), alias: c.alias })),
    distinct: state.distinct,
    where,
    orderBy,
    limit,
    offset: state.offset,
  };
}

function collectAnnotations(conditions: readonly Condition[], into: Set<string>): void {
  for (const c of conditions) {
    if (c.kind === 'lookup') into.add(c.annotation!.name);
    else collectAnnotations(c.children, into);
  }
}
