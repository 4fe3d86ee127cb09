import type { ValueConventions } from '../dialects/dialect.js';
import type { Condition } from '../lookups/resolve.js';
import { and, or, type Expr } from '../sql/ast.js';
import type { JoinContext } from './joins.js';

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
    const { path, field, lookup, value } = condition;
    return lookup.build(joins.column(path, field), field, value, field.canonicalEncoder(conventions));
  }
  const children = condition.children.map((c) => conditionToExpr(c, joins, conventions));
  let expr: Expr;
  // An empty AND holds for every row; an empty OR ("any of nothing") for none.
  if (children.length === 0) expr = { kind: 'bool', value: condition.connector === 'AND' };
  else expr = condition.connector === 'AND' ? and(children) : or(children);
  return condition.negated ? { kind: 'not', item: expr } : expr;
}

/** True when any condition reaches through a relation (the query needs joins). */
export function usesRelations(conditions: readonly Condition[]): boolean {
  return conditions.some((c) => (c.kind === 'lookup' ? c.path.length > 0 : usesRelations(c.children)));
}
