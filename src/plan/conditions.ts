import type { ValueConventions } from '../dialects/dialect.js';
import type { Condition } from '../lookups/resolve.js';
import { and, column, emptySelect, or, type Expr, type SelectNode } from '../sql/ast.js';
import { JoinContext } from './joins.js';

/** Turns checked conditions into one AST condition, encoding values for the backend and adding joins. */
export function conditionsToExpr(
  conditions: readonly Condition[],
  joins: JoinContext,
  conventions: ValueConventions,
): Expr | undefined {
  if (conditions.length === 0) return undefined;
  return and(conditions.map((c) => conditionToExpr(c, joins, conventions)));
}

function conditionToExpr(condition: Condition, joins: JoinContext, conventions: ValueConventions): Expr {
  if (condition.kind === 'lookup') {
    const { path, field, lookup, value, annotation } = condition;
    const target =
      annotation === undefined
        ? joins.column(path, field)
        : annotation.expression.toExpr({ meta: joins.root, joins, conventions, where: 'filter', annotations: annotation.scope });
    return lookup.build(target, field, value, field.canonicalEncoder(conventions));
  }
  if (condition.negated && usesRelations(condition.children)) return excludeMatching(condition.children, joins, conventions);
  const children = condition.children.map((c) => conditionToExpr(c, joins, conventions));
  let expr: Expr;
  // An empty AND holds for every row; an empty OR ("any of nothing") for none.
  if (children.length === 0) expr = { kind: 'bool', value: condition.connector === 'AND' };
  else expr = condition.connector === 'AND' ? and(children) : or(children);
  return condition.negated ? { kind: 'not', item: expr } : expr;
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
