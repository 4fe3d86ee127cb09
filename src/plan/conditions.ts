import type { ValueConventions } from '../dialects/dialect.js';
import type { Condition } from '../lookups/resolve.js';
import { and, column, or, type Expr } from '../sql/ast.js';

/** Turns checked conditions into one AST condition, encoding values for the backend. */
export function conditionsToExpr(
  conditions: readonly Condition[],
  table: string | undefined,
  conventions: ValueConventions,
): Expr | undefined {
  if (conditions.length === 0) return undefined;
  return and(conditions.map((c) => conditionToExpr(c, table, conventions)));
}

function conditionToExpr(condition: Condition, table: string | undefined, conventions: ValueConventions): Expr {
  if (condition.kind === 'lookup') {
    const { field, lookup, value } = condition;
    return lookup.build(column(table, field.column), field, value, field.canonicalEncoder(conventions));
  }
  const children = condition.children.map((c) => conditionToExpr(c, table, conventions));
  let expr: Expr;
  // An empty AND holds for every row; an empty OR ("any of nothing") for none.
  if (children.length === 0) expr = { kind: 'bool', value: condition.connector === 'AND' };
  else expr = condition.connector === 'AND' ? and(children) : or(children);
  return condition.negated ? { kind: 'not', item: expr } : expr;
}
