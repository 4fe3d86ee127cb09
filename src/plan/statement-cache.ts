import type { Dialect } from '../dialects/dialect.js';
import type { Field } from '../fields/base.js';
import { COMPARISONS, exact } from '../lookups/builtin.js';
import type { Lookup } from '../lookups/registry.js';
import type { Condition } from '../lookups/resolve.js';
import type { ModelMeta } from '../model/meta.js';
import type { QueryState } from '../query/state.js';
import type { CompiledQuery } from '../sql/compiler.js';

/**
 * Compiled statements for the commonest queries: equality and order comparisons (exact, gt, gte,
 * lt, lte) on the model's own columns — `get({ id })`, `filter({ email })` or
 * `filter({ id__gte })` returning instances or values, `filter({ id }).update({ age })`,
 * `filter({ id }).delete()`. Planning and compiling such a query gives the same SQL every time,
 * with the SET values and filter values first among the parameters; keeping it per model,
 * dialect and shape skips that work, and hands the driver's prepared-statement cache the same
 * string instance, whose hash V8 has already computed.
 *
 * Set TERRAPIN_VERIFY_QUERY_CACHE=1 (the test runner does) to compile every hit afresh as well
 * and fail loudly if the two differ.
 */
interface Template {
  readonly sql: string;
  /** Parameters after the leading values (the LIMIT of get/first). */
  readonly tail: readonly unknown[];
}

/** null: this shape did not compile to "leading values first"; always compile it. */
const templates = new WeakMap<ModelMeta, WeakMap<Dialect, Map<string, Template | null>>>();
const MAX_CONDITIONS = 4;
/** Lookups that compile to `column <op> ?` for any non-null value (null is IS NULL, or refused). */
const CACHEABLE: ReadonlySet<Lookup> = new Set([exact, ...COMPARISONS]);
/** TERRAPIN_VERIFY_QUERY_CACHE=1 (the test runner sets it): every cache hit is compared with a fresh compile. */
export const verifyCachedStatements = process.env['TERRAPIN_VERIFY_QUERY_CACHE'] === '1';

/** A plain QuerySet's SELECT (instances, or values of the model's own fields; Meta.ordering, no slicing). */
export function compileSelectCached(state: QueryState, dialect: Dialect, compileFresh: () => CompiledQuery): CompiledQuery {
  const shape = selectable(state) ? shapeKey(state) : undefined;
  const key = shape === undefined ? undefined : whereKey(state.where, `${state.single ?? 'all'}:${shape}`);
  return cached(state.meta, dialect, key, () => encodedValues(state.where, dialect), compileFresh);
}

/** QuerySet.update() with plain values (no expressions), already validated. */
export function compileUpdateCached(
  state: QueryState,
  dialect: Dialect,
  set: readonly (readonly [Field, unknown])[],
  compileFresh: () => CompiledQuery,
): CompiledQuery {
  let key: string | undefined = 'update';
  for (const [field, value] of set) {
    const type = plainType(value);
    if (type === undefined) {
      key = undefined;
      break;
    }
    key += `|${field.name}:${type}`;
  }
  if (key !== undefined) key = whereKey(state.where, key);
  const leading = (): unknown[] => [
    ...set.map(([field, value]) => field.canonicalEncoder(dialect.values)(value)),
    ...encodedValues(state.where, dialect),
  ];
  return cached(state.meta, dialect, key, leading, compileFresh);
}

export function compileDeleteCached(state: QueryState, dialect: Dialect, compileFresh: () => CompiledQuery): CompiledQuery {
  return cached(state.meta, dialect, whereKey(state.where, 'delete'), () => encodedValues(state.where, dialect), compileFresh);
}

function cached(
  meta: ModelMeta,
  dialect: Dialect,
  key: string | undefined,
  leadingValues: () => unknown[],
  compileFresh: () => CompiledQuery,
): CompiledQuery {
  if (key === undefined) return compileFresh();
  let byDialect = templates.get(meta);
  if (byDialect === undefined) templates.set(meta, (byDialect = new WeakMap()));
  let byShape = byDialect.get(dialect);
  if (byShape === undefined) byDialect.set(dialect, (byShape = new Map()));
  const template = byShape.get(key);
  if (template === null) return compileFresh();
  const values = leadingValues();
  if (template === undefined) {
    const fresh = compileFresh();
    byShape.set(key, startsWith(fresh.params, values) ? { sql: fresh.sql, tail: fresh.params.slice(values.length) } : null);
    return fresh;
  }
  const params = template.tail.length === 0 ? values : values.concat(template.tail);
  const hit = { sql: template.sql, params };
  if (verifyCachedStatements) checkAgainstFresh(meta, hit, compileFresh());
  return hit;
}

function selectable(state: QueryState): boolean {
  return (
    state.only === undefined &&
    state.ordering === undefined &&
    state.limit === undefined &&
    state.offset === undefined &&
    !state.distinct &&
    state.lock === undefined &&
    state.groupBy === undefined &&
    state.selectRelated.length === 0 &&
    state.annotations.length === 0
  );
}

/** What the SELECT list holds: instances, or values()/valuesList() of the model's own fields. */
function shapeKey(state: QueryState): string | undefined {
  const shape = state.shape;
  if (shape.mode === 'objects') return 'objects';
  let key: string = shape.mode;
  for (const column of shape.columns) {
    if (column.path.length > 0 || column.annotation !== undefined) return undefined;
    key += `,${column.field.name}`;
  }
  // values() keys name the result's properties; kept in the key in case they ever reach the SQL.
  return shape.mode === 'values' ? `${key}|${shape.keys.join(',')}` : key;
}

/** `prefix` plus each condition's field, lookup and value type; undefined unless all are plain comparisons. */
function whereKey(where: readonly Condition[], prefix: string): string | undefined {
  if (where.length > MAX_CONDITIONS) return undefined;
  let key = prefix;
  for (const condition of where) {
    if (condition.kind !== 'lookup' || !CACHEABLE.has(condition.lookup) || condition.path.length > 0 || condition.annotation !== undefined) {
      return undefined;
    }
    const type = plainType(condition.value);
    if (type === undefined) return undefined;
    key += `&${condition.field.name}__${condition.lookup.name}:${type}`;
  }
  return key;
}

/** null compiles to IS NULL; objects (dates, buffers, expressions) are left to the full path. */
function plainType(value: unknown): string | undefined {
  const type = typeof value;
  return type === 'number' || type === 'string' || type === 'boolean' || type === 'bigint' ? type : undefined;
}

function encodedValues(where: readonly Condition[], dialect: Dialect): unknown[] {
  const values = new Array<unknown>(where.length);
  for (let i = 0; i < where.length; i++) {
    const condition = where[i] as Extract<Condition, { kind: 'lookup' }>;
    values[i] = condition.field.canonicalEncoder(dialect.values)(condition.value);
  }
  return values;
}

function startsWith(params: readonly unknown[], values: readonly unknown[]): boolean {
  if (params.length < values.length) return false;
  return values.every((value, i) => Object.is(params[i], value));
}

/** Throws when a cached statement differs from a fresh compile (tests run with verification on). */
export function checkAgainstFresh(meta: ModelMeta, cached: CompiledQuery, fresh: CompiledQuery): void {
  const same =
    cached.sql === fresh.sql &&
    cached.params.length === fresh.params.length &&
    cached.params.every((value, i) => Object.is(value, fresh.params[i]));
  if (!same) {
    throw new Error(
      `${meta.name}: the statement cache gave ${JSON.stringify(cached, jsonSafe)} where compiling gives ${JSON.stringify(fresh, jsonSafe)}. This is a Terrapin bug; please report it.`,
    );
  }
}

function jsonSafe(_key: string, value: unknown): unknown {
  return typeof value === 'bigint' ? `${value}n` : value;
}
