import type { ValueConventions } from '../dialects/dialect.js';
import type { Condition, ExpressionValue } from '../lookups/resolve.js';
import type { Field } from '../fields/base.js';
import { and, column, emptySelect, or, type ComparisonOp, type Expr, type SelectNode } from '../sql/ast.js';
import { JoinContext } from './joins.js';

/** Turns checked conditions into one AST condition, encoding values for the backend and adding joins. */
export function conditionsToExpr(
  conditions: readonly Condition[],
  joins: JoinContext,
  conventions: ValueConventions,
  annotationColumn?: AnnotationColumn,
): Expr | undefined {
  if (conditions.length === 0) return undefined;
  return and(conditions.map((c) => conditionToExpr(c, joins, conventions, annotationColumn)));
}

/** Where a wrapping query reads an annotation computed by the query it wraps (a window's column). */
export type AnnotationColumn = (name: string) => Expr;

function conditionToExpr(condition: Condition, joins: JoinContext, conventions: ValueConventions, annotationColumn?: AnnotationColumn): Expr {
  if (condition.kind === 'lookup') {
    const { path, field, lookup, value, annotation, expression } = condition;
    const target =
      annotation === undefined
        ? joins.column(path, field)
        : annotationColumn !== undefined
          ? annotationColumn(annotation.name)
          : annotation.expression.toExpr({ meta: joins.root, joins, conventions, where: 'filter', annotations: annotation.scope });
    if (expression !== undefined) return compareWithExpression(target, field, lookup.name, expression, joins, conventions);
    return lookup.build(target, field, value, field.canonicalEncoder(conventions));
  }
  if (condition.negated && usesRelations(condition.children)) return excludeMatching(condition.children, joins, conventions);
  const children = condition.children.map((c) => conditionToExpr(c, joins, conventions, annotationColumn));
  let expr: Expr;
  // An empty AND holds for every row; an empty OR ("any of nothing") for none.
  if (children.length === 0) expr = { kind: 'bool', value: condition.connector === 'AND' };
  else expr = condition.connector === 'AND' ? and(children) : or(children);
  return condition.negated ? { kind: 'not', item: expr } : expr;
}

const EXPRESSION_OPS: Readonly<Record<string, ComparisonOp>> = { exact: '=', gt: '>', gte: '>=', lt: '<', lte: '<=' };

/** `price__gt: F('cost')`, `id__in: Subquery(…)`: the column compared with SQL, not a bound value. */
function compareWithExpression(target: Expr, field: Field, lookup: string, value: ExpressionValue, joins: JoinContext, conventions: ValueConventions): Expr {
  const right = value.expression.toExpr({ meta: joins.root, joins, conventions, where: `filter (${lookup})`, annotations: value.scope });
  if (lookup === 'in' || lookup === 'not_in') {
    if (right.kind !== 'subquery') throw new Error(`unreachable: ${lookup} takes a Subquery (checked when the filter was made)`);
    const inSelect: Expr = { kind: 'inSelect', expr: target, select: right.select };
    // As not_in with a list: rows whose value is NULL are kept.
    return lookup === 'in' ? inSelect : or([{ kind: 'not', item: { kind: 'definite', item: inSelect } }, { kind: 'isNull', expr: target, negated: false }]);
  }
  const left = field.kind === 'decimal' && target.kind !== 'decimalValue' ? { kind: 'decimalValue' as const, expr: target } : target;
  if (lookup === 'not') return or([{ kind: 'compare', op: '<>', left, right }, { kind: 'isNull', expr: target, negated: false }]);
  return { kind: 'compare', op: EXPRESSION_OPS[lookup]!, left, right };
}

/**
 * NOT over joined columns gives wrong rows twice: a missing related row makes the condition NULL
 * (so NOT drops the row too), and over a reverse or many-to-many join one non-matching related
 * row keeps a root row that another related row matches. As in Django, exclude the root keys
 * that match instead: `pk NOT IN (SELECT pk … JOIN … WHERE conditions)`.
 */
function excludeMatching(children: readonly Condition[], joins: JoinContext, conventions: ValueConventions): Expr {
  const { root } = joins;
  const inner = new JoinContext(root, root.table);
  const where = and(children.map((c) => conditionToExpr(c, inner, conventions)));
  const select: SelectNode = {
    ...emptySelect({ name: root.table, alias: undefined }),
    joins: inner.joins,
    columns: [{ expr: column(root.table, root.pk.column), alias: undefined }],
    where,
  };
  return { kind: 'not', item: { kind: 'inSelect', expr: joins.column([], root.pk), select } };
}

/** True when any condition reaches through a relation (the query needs joins). */
export function usesRelations(conditions: readonly Condition[]): boolean {
  return conditions.some((c) => (c.kind === 'lookup' ? c.path.length > 0 : usesRelations(c.children)));
}

/** True when a condition filters on an aggregate annotation: it belongs in HAVING. */
export function onAggregate(condition: Condition): boolean {
  return condition.kind === 'lookup' ? condition.annotation?.aggregate === true : condition.children.some(onAggregate);
}

/** True when a condition filters on a window annotation: it belongs in a wrapping query. */
export function onWindow(condition: Condition): boolean {
  return condition.kind === 'lookup'
    ? (condition.annotation?.expression as { isWindow?: boolean } | undefined)?.isWindow === true
    : condition.children.some(onWindow);
}

/** True when a condition reads only window annotations (so a wrapping query can evaluate it alone). */
export function onlyWindow(condition: Condition): boolean {
  return condition.kind === 'lookup' ? onWindow(condition) : condition.children.every(onlyWindow);
}
