/**
 * Keyset pagination for `for await`: each page asks for the rows after the last one read, by the
 * query's ordering with the primary key as the last tie-breaker, instead of skipping the rows
 * before it with OFFSET. Every page costs the same however deep the loop is (OFFSET made the
 * whole loop quadratic), and rows inserted or deleted elsewhere while the loop runs never make it
 * skip or repeat one: a row whose ordering values do not change is read exactly once.
 */
import type { Field } from '../fields/base.js';
import type { LookupRegistry } from '../lookups/registry.js';
import type { Condition } from '../lookups/resolve.js';
import type { OrderSpec } from '../model/meta.js';
import type { QueryState, Shape, ValueColumn } from './state.js';

/** How to page a query by keyset: its unique ordering, the page shape, and how to read and strip the cursor columns. */
export interface KeysetPlan {
  readonly ordering: readonly OrderSpec[];
  /** The shape pages are read in: the query's, plus any ordering column it does not select. */
  readonly shape: Shape;
  /** Fields loaded as instances (only()), plus the ordering fields. */
  readonly only: readonly Field[] | undefined;
  /** The ordering values of a page row, in ordering order. */
  cursor(row: unknown): readonly unknown[];
  /** The row as the caller asked for it (cursor columns added for paging removed). */
  output(row: unknown): unknown;
}

const CURSOR_KEY = '\u0000terrapin_cursor_';

/**
 * A keyset plan, or undefined when the ordering cannot serve as one: ordering across relations,
 * by annotations or by a field without `<`/`>` (a boolean), DISTINCT and GROUP BY queries keep
 * OFFSET pages.
 */
export function keysetPlan(
  state: QueryState,
  ordering: readonly OrderSpec[],
  comparable: (field: Field) => boolean,
): KeysetPlan | undefined {
  if (state.distinct || state.groupBy !== undefined || state.annotations.some((a) => a.aggregate)) return undefined;
  if (ordering.some((o) => o.path.length > 0 || o.annotation !== undefined || !comparable(o.field))) return undefined;
  const fields = ordering.map((o) => o.field);
  const shape = state.shape;
  if (shape.mode === 'objects') {
    const only = state.only === undefined ? undefined : [...state.only, ...fields.filter((f) => !state.only!.includes(f))];
    return {
      ordering,
      shape,
      only,
      cursor: (row) => fields.map((f) => (row as Record<string, unknown>)[f.name]),
      output: (row) => row,
    };
  }
  const own = (column: ValueColumn, field: Field) => column.path.length === 0 && column.annotation === undefined && column.field === field;
  const columns = [...shape.columns];
  const positions = fields.map((field) => {
    const at = columns.findIndex((c) => own(c, field));
    if (at >= 0) return at;
    columns.push({ path: [], field });
    return columns.length - 1;
  });
  const added = columns.length - shape.columns.length;
  if (shape.mode === 'values') {
    const keys = [...shape.keys, ...Array.from({ length: added }, (_, i) => `${CURSOR_KEY}${i}`)];
    return {
      ordering,
      shape: { mode: 'values', columns, keys },
      only: state.only,
      cursor: (row) => positions.map((at) => (row as Record<string, unknown>)[keys[at]!]),
      output: (row) => {
        for (let i = 0; i < added; i++) delete (row as Record<string, unknown>)[`${CURSOR_KEY}${i}`];
        return row;
      },
    };
  }
  const width = shape.columns.length;
  const flat = shape.flat;
  return {
    ordering,
    shape: { mode: 'list', columns, flat: false },
    only: state.only,
    cursor: (row) => positions.map((at) => (row as unknown[])[at]),
    output: (row) => (flat ? (row as unknown[])[0] : added === 0 ? row : (row as unknown[]).slice(0, width)),
  };
}

/**
 * The condition "after this row" in the plan's ordering: for ordering (a, b desc, pk) and last
 * values (x, y, k), `a > x OR (a = x AND b < y) OR (a = x AND b = y AND pk > k)`, with NULLs
 * placed as the backends sort them (first ascending, last descending).
 */
export function afterRow(plan: KeysetPlan, values: readonly unknown[], registry: LookupRegistry): Condition {
  const lookup = (field: Field, name: string, value: unknown): Condition => {
    const key = `${field.name}__${name}`;
    const found = registry.forField(field, name, key);
    return { kind: 'lookup', path: [], field, lookup: found, value: found.prepare(field, value, key) };
  };
  const group = (connector: 'AND' | 'OR', children: Condition[]): Condition => ({ kind: 'group', connector, negated: false, children });
  const branches: Condition[] = [];
  const equal: Condition[] = [];
  plan.ordering.forEach((order, i) => {
    const { field, desc } = order;
    const value = values[i];
    if (value === null || value === undefined) {
      // Ascending, NULLs come first: every non-null value is after a null. Descending, they come last: nothing is.
      if (!desc) branches.push(group('AND', [...equal, lookup(field, 'isnull', false)]));
      equal.push(lookup(field, 'isnull', true));
      return;
    }
    const past = lookup(field, desc ? 'lt' : 'gt', value);
    // Descending with NULLs last: the nulls of a nullable column are after every value.
    const after = desc && field.nullable ? group('OR', [past, lookup(field, 'isnull', true)]) : past;
    branches.push(group('AND', [...equal, after]));
    equal.push(lookup(field, 'exact', value));
  });
  return group('OR', branches);
}
