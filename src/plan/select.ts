import type { Dialect } from '../dialects/dialect.js';
import { ParamsError } from '../errors.js';
import type { Field } from '../fields/base.js';
import type { ModelMeta, OrderSpec } from '../model/meta.js';
import type { Annotation, QueryState, ValueColumn } from '../query/state.js';
import { emptySelect, type Expr, type SelectColumn, type SelectNode } from '../sql/ast.js';
import { conditionsToExpr, onAggregate } from './conditions.js';
import { JoinContext } from './joins.js';
import { planWindowFiltered, windowConditions } from './window-filter.js';

/**
 * The columns a query reads, in select-list order: the row mappers index rows by it. Objects
 * read their fields, then selectRelated models' fields, then annotations.
 */
export function selectedColumns(state: QueryState): readonly ValueColumn[] {
  if (state.shape.mode !== 'objects') return state.shape.columns;
  if (isPlainObjectQuery(state)) return ownColumns(state.meta);
  const own: ValueColumn[] = (state.only ?? state.meta.fields).map((field) => ({ path: [], field }));
  const related = state.selectRelated.flatMap((path) => path[path.length - 1]!.target.fields.map((field) => ({ path, field })));
  const annotations = state.annotations.map((annotation) => ({ path: [], field: annotation.field, annotation }));
  return [...own, ...related, ...annotations];
}

/** Whole instances of the model and nothing else: the common case, planned from cached pieces. */
function isPlainObjectQuery(state: QueryState): boolean {
  return state.only === undefined && state.selectRelated.length === 0 && state.annotations.length === 0;
}

const NO_ANNOTATIONS: ReadonlyMap<string, Annotation> = new Map();
const NO_EXPRS: readonly Expr[] = [];

// Per-model pieces of the common query, built once (DESIGN: hot paths read tables prepared ahead).
const ownColumnCache = new WeakMap<ModelMeta, readonly ValueColumn[]>();
const selectColumnCache = new WeakMap<ModelMeta, readonly SelectColumn[]>();

function ownColumns(meta: ModelMeta): readonly ValueColumn[] {
  let columns = ownColumnCache.get(meta);
  if (columns === undefined) ownColumnCache.set(meta, (columns = meta.fields.map((field) => ({ path: [], field }))));
  return columns;
}

/** The model's own columns as select-list nodes (the same array each time, so compilers can memo its text). */
function ownSelectColumns(meta: ModelMeta): readonly SelectColumn[] {
  let columns = selectColumnCache.get(meta);
  if (columns === undefined) {
    columns = meta.fields.map((field) => ({ expr: { kind: 'column', table: meta.table, name: field.column }, alias: undefined }));
    selectColumnCache.set(meta, columns);
  }
  return columns;
}

/** GROUP BY applies: an aggregate annotation, a filter on one, or an explicit groupBy(). */
export function isGrouped(state: QueryState): boolean {
  return state.groupBy !== undefined || state.annotations.some((a) => a.aggregate) || state.where.some(onAggregate);
}

/** The SQL of one selected column: a (joined) field, or an annotation's expression. */
function columnExpr(column: ValueColumn, joins: JoinContext, dialect: Dialect): Expr {
  const { annotation } = column;
  if (annotation === undefined) return joins.column(column.path, column.field);
  return annotation.expression.toExpr({
    meta: joins.root,
    joins,
    conventions: dialect.values,
    where: `annotate({ ${annotation.name} })`,
    annotations: annotation.scope,
  });
}

/** The fields of the selected columns, for decoders. */
export function selectedFields(state: QueryState): readonly Field[] {
  return selectedColumns(state).map((c) => c.field);
}

function magnitude(field: Field, expr: Expr): Expr {
  return field.kind === 'decimal' ? { kind: 'decimalValue', expr } : expr;
}

function samePath(a: readonly unknown[], b: readonly unknown[]): boolean {
  return a.length === b.length && a.every((step, i) => step === b[i]);
}

/**
 * The ordering to apply. With DISTINCT, ordering by a column outside the select list is not
 * portable (PostgreSQL refuses it, the others silently change what DISTINCT means), so
 * Meta.ordering keeps only the selected fields and an explicit orderBy on another field is an error.
 */
function effectiveOrdering(state: QueryState): readonly OrderSpec[] {
  if (!state.distinct) return state.ordering ?? state.meta.ordering;
  const selected = selectedColumns(state);
  const isSelected = (o: OrderSpec) => selected.some((c) => c.field === o.field && samePath(c.path, o.path));
  if (state.ordering === undefined) return state.meta.ordering.filter(isSelected);
  const outside = state.ordering.find((o) => !isSelected(o));
  if (outside !== undefined) {
    throw new ParamsError(
      `${state.meta.name}: distinct() cannot order by '${outside.field.name}', which is not selected; add it to values() or order by a selected field.`,
    );
  }
  return state.ordering;
}

/**
 * QueryState → SELECT. `limitOverride` lets get() ask for two rows to detect duplicates;
 * `extraColumns` are read after the usual ones (prefetching reads the through table's key).
 */
export function planSelect(
  state: QueryState,
  dialect: Dialect,
  limitOverride?: number,
  extraColumns: readonly ValueColumn[] = [],
): SelectNode {
  const { meta } = state;
  const joins = new JoinContext(meta, meta.table);
  const plain = state.shape.mode === 'objects' && isPlainObjectQuery(state) && extraColumns.length === 0;
  const selected = plain ? ownColumns(meta) : [...selectedColumns(state), ...extraColumns];
  const columns: readonly SelectColumn[] = plain
    ? ownSelectColumns(meta)
    : selected.map((c) => ({
        expr: columnExpr(c, joins, dialect),
        alias: c.annotation === undefined ? undefined : c.annotation.name,
      }));
  const windowed = windowConditions(state);
  if (windowed.length > 0) {
    let limit = state.limit;
    if (limitOverride !== undefined) limit = limit === undefined ? limitOverride : Math.min(limit, limitOverride);
    return planWindowFiltered(state, dialect, windowed, selected, effectiveOrdering(state), limit, planSelect);
  }
  const onAggregates = state.annotations.length > 0 && state.where.some(onAggregate);
  const where = conditionsToExpr(onAggregates ? state.where.filter((c) => !onAggregate(c)) : state.where, joins, dialect.values);
  const having = onAggregates ? conditionsToExpr(state.where.filter(onAggregate), joins, dialect.values) : undefined;
  const annotationsByName: ReadonlyMap<string, Annotation> =
    state.annotations.length === 0 ? NO_ANNOTATIONS : new Map(state.annotations.map((a) => [a.name, a]));
  // An aggregate groups by every other selected column (or by groupBy's columns when given).
  const aggregating = having !== undefined || (state.annotations.length > 0 && state.annotations.some((a) => a.aggregate));
  const groupColumns: ValueColumn[] = aggregating ? [...(state.groupBy ?? selected.filter((c) => c.annotation?.aggregate !== true))] : [];
  const grouped = (o: OrderSpec) => o.annotation !== undefined || groupColumns.some((c) => c.annotation === undefined && c.field === o.field && samePath(c.path, o.path));
  let ordering = effectiveOrdering(state);
  if (aggregating && state.ordering === undefined) {
    // Meta.ordering on a column outside the groups is an error on PostgreSQL: keep the grouped ones.
    ordering = ordering.filter(grouped);
  } else if (aggregating) {
    for (const o of ordering.filter((o) => !grouped(o))) {
      if (state.groupBy !== undefined) {
        throw new ParamsError(
          `${meta.name}: cannot order by '${o.field.name}' with groupBy(): it is not grouped; add it to groupBy() or order by a grouped field or an aggregate.`,
        );
      }
      // As in Django: ordering by another column groups by it too (the same on every backend).
      groupColumns.push({ path: o.path, field: o.field });
    }
  }
  const orderBy = ordering.map((o) => {
    const annotation = o.annotation === undefined ? undefined : annotationsByName.get(o.annotation.name);
    const target = annotation === undefined ? joins.column(o.path, o.field) : columnExpr({ path: [], field: o.field, annotation }, joins, dialect);
    return {
      expr: magnitude(o.field, target),
      desc: o.desc,
      nullable: annotation !== undefined || o.field.nullable || o.path.some((r) => r.kind !== 'fk' || r.nullable),
    };
  });
  const groupBy = groupColumns.length === 0 ? NO_EXPRS : groupColumns.map((c) => columnExpr(c, joins, dialect));
  let limit = state.limit;
  if (limitOverride !== undefined) limit = limit === undefined ? limitOverride : Math.min(limit, limitOverride);
  return {
    ...emptySelect({ name: meta.table, alias: undefined }),
    joins: joins.joins,
    columns,
    distinct: state.distinct,
    where,
    groupBy,
    ...(having === undefined ? {} : { having }),
    orderBy,
    limit,
    offset: state.offset,
    lock: state.lock,
  };
}

/** SELECT of the primary key only (or the distinct values), for exists(), count() and subqueries. */
export function planKeys(state: QueryState, dialect: Dialect): SelectNode {
  const select = planSelect({ ...state, selectRelated: [] }, dialect);
  const table = state.meta.table;
  // A grouped query keeps its select list: its groups are the rows to count.
  const keep = (state.shape.mode !== 'objects' && state.distinct) || isGrouped(state) || select.fromSelect !== undefined;
  return {
    ...select,
    columns: keep ? select.columns : [{ expr: { kind: 'column', table, name: state.meta.pk.column }, alias: undefined }],
    distinct: state.distinct,
    orderBy: [],
    lock: undefined,
  };
}
