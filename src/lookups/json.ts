import { ParamsError } from '../errors.js';
import { describeValue, type Field } from '../fields/base.js';
import { describeUnstorable, findUnstorableInJson } from '../fields/unicode-text.js';
import { and, or, param, type ComparisonOp, type Expr, type JsonPathAs, type LikeMode } from '../sql/ast.js';
import type { Lookup, LookupRegistry } from './registry.js';

/**
 * Lookups on JSONField columns, as Tortoise has them: `data__contains`, `data__contained_by`,
 * equality of the whole document, and `data__filter: { 'owner__name__icontains': 'x' }` for the
 * values inside it. Every condition here is two-valued (a missing key is "no match", never NULL),
 * so `exclude()` returns exactly the other rows.
 */

const JSON_KINDS = ['json'] as const;

/** Path parts are object keys, or array indexes written as digits. */
const UNSAFE_KEY = /["\\\u0000-\u001f]/;

type PathOp =
  | { readonly op: 'equals'; readonly json: string }
  | { readonly op: 'isNull'; readonly negated: boolean }
  | { readonly op: 'in'; readonly values: readonly (string | null)[]; readonly negated: boolean }
  | { readonly op: 'compare'; readonly cmp: ComparisonOp; readonly value: number | string }
  | { readonly op: 'range'; readonly low: number | string; readonly high: number | string }
  | { readonly op: 'like'; readonly value: string; readonly mode: LikeMode; readonly caseInsensitive: boolean }
  | { readonly op: 'contains'; readonly json: string; readonly contained: boolean }
  | { readonly op: 'not'; readonly json: string | null };

interface PathCondition {
  readonly path: readonly string[];
  readonly test: PathOp;
}

const COMPARE: Record<string, ComparisonOp> = { gt: '>', gte: '>=', lt: '<', lte: '<=' };
const LIKE: Record<string, { mode: LikeMode; caseInsensitive: boolean }> = {
  startswith: { mode: 'startsWith', caseInsensitive: false },
  istartswith: { mode: 'startsWith', caseInsensitive: true },
  endswith: { mode: 'endsWith', caseInsensitive: false },
  iendswith: { mode: 'endsWith', caseInsensitive: true },
  icontains: { mode: 'contains', caseInsensitive: true },
  iexact: { mode: 'exact', caseInsensitive: true },
};
const PATH_OPERATORS = [
  'exact', 'not', 'in', 'not_in', 'isnull', 'not_isnull', 'gt', 'gte', 'lt', 'lte', 'range',
  'contains', 'contained_by', ...Object.keys(LIKE),
];

/** The JSON text of a filter value; refuses what JSON cannot hold rather than let JSON.stringify drop it. */
/** NUL and lone surrogates in a JSON filter value: the rule of src/fields/unicode-text.ts. */
function refuseUnstorable(field: Field, key: string, value: unknown): void {
  const hit = findUnstorableInJson(value);
  if (hit !== undefined) throw field.invalid(value, `filter '${key}' ${describeUnstorable(hit.found, ` of ${hit.path}`)}`);
}

function jsonText(field: Field, key: string, value: unknown): string {
  const check = (v: unknown): void => {
    if (v === null || typeof v === 'string' || typeof v === 'boolean') return;
    if (typeof v === 'number' && Number.isFinite(v)) return;
    if (Array.isArray(v)) return v.forEach(check);
    if (typeof v === 'object' && Object.getPrototypeOf(v) === Object.prototype) return Object.values(v as object).forEach(check);
    throw new ParamsError(
      `${field.modelName}: filter '${key}' takes JSON values (strings, finite numbers, booleans, null, arrays, plain objects); got ${describeValue(v)}.`,
    );
  };
  check(value);
  refuseUnstorable(field, key, value);
  return JSON.stringify(value);
}

function orderable(field: Field, key: string, value: unknown): number | string {
  if (typeof value === 'number' && Number.isFinite(value)) return value;
  if (typeof value === 'string') return value;
  if (value instanceof Date) return value.toISOString();
  throw new ParamsError(`${field.modelName}: filter '${key}' compares with a number or a string; got ${describeValue(value)}.`);
}

function boolean(field: Field, key: string, value: unknown): boolean {
  if (typeof value !== 'boolean') throw new ParamsError(`${field.modelName}: filter '${key}' takes true or false, got ${describeValue(value)}.`);
  return value;
}

function text(field: Field, key: string, value: unknown): string {
  if (typeof value !== 'string') throw new ParamsError(`${field.modelName}: filter '${key}' takes a string, got ${describeValue(value)}.`);
  return value;
}

function structured(field: Field, key: string, value: unknown): string {
  if (value === null || typeof value !== 'object') {
    throw new ParamsError(`${field.modelName}: filter '${key}' takes an object or an array to look for, got ${describeValue(value)}.`);
  }
  return jsonText(field, key, value);
}

function pathTest(field: Field, key: string, op: string, value: unknown): PathOp {
  if (op === 'exact') return value === null ? { op: 'isNull', negated: false } : { op: 'equals', json: jsonText(field, key, value) };
  if (op === 'not') return { op: 'not', json: value === null ? null : jsonText(field, key, value) };
  if (op === 'isnull' || op === 'not_isnull') return { op: 'isNull', negated: boolean(field, key, value) !== (op === 'isnull') };
  if (op === 'in' || op === 'not_in') {
    if (!Array.isArray(value)) throw new ParamsError(`${field.modelName}: filter '${key}' takes an array of values, got ${describeValue(value)}.`);
    return { op: 'in', values: value.map((v) => (v === null ? null : jsonText(field, key, v))), negated: op === 'not_in' };
  }
  const cmp = COMPARE[op];
  if (cmp !== undefined) return { op: 'compare', cmp, value: orderable(field, key, value) };
  if (op === 'range') {
    if (!Array.isArray(value) || value.length !== 2) {
      throw new ParamsError(`${field.modelName}: filter '${key}' takes a pair [low, high], got ${describeValue(value)}.`);
    }
    const [low, high] = [orderable(field, key, value[0]), orderable(field, key, value[1])];
    if (typeof low !== typeof high) throw new ParamsError(`${field.modelName}: filter '${key}' takes two numbers or two strings, got ${describeValue(value)}.`);
    return { op: 'range', low, high };
  }
  if (op === 'contains') {
    // A string is searched for inside string values; an object or array is JSON containment.
    if (typeof value === 'string') return { op: 'like', value, mode: 'contains', caseInsensitive: false };
    return { op: 'contains', json: structured(field, key, value), contained: false };
  }
  if (op === 'contained_by') return { op: 'contains', json: structured(field, key, value), contained: true };
  return { op: 'like', value: text(field, key, value), ...LIKE[op]! };
}

/** `{ 'owner__tags__0__gt': 3 }` → path ['owner', 'tags', '0'] and the test `> 3`. */
function parsePathFilters(field: Field, lookupKey: string, filters: unknown): PathCondition[] {
  if (filters === null || typeof filters !== 'object' || Array.isArray(filters)) {
    throw new ParamsError(
      `${field.modelName}: filter '${lookupKey}' takes an object of paths to values, e.g. { 'owner__name': 'x', 'age__gte': 18 }; got ${describeValue(filters)}.`,
    );
  }
  return Object.entries(filters as Record<string, unknown>).map(([pathKey, value]) => {
    const key = `${lookupKey}.${pathKey}`;
    if (value === undefined) throw new ParamsError(`${field.modelName}: filter '${key}' is undefined; pass null to match null, or leave the key out.`);
    const parts = pathKey.split('__');
    const op = PATH_OPERATORS.includes(parts[parts.length - 1]!) && parts.length > 1 ? parts.pop()! : 'exact';
    for (const part of parts) {
      if (part === '' || UNSAFE_KEY.test(part)) {
        throw new ParamsError(
          `${field.modelName}: filter '${key}' has the path part ${JSON.stringify(part)}; path parts are non-empty keys without quotes, backslashes or control characters (or array indexes).`,
        );
      }
    }
    refuseUnstorable(field, key, value);
    return { path: parts, test: pathTest(field, key, op, value) };
  });
}

const definite = (item: Expr): Expr => ({ kind: 'definite', item });

/** `value @> json`, or `json @> value` when `contained`. */
function containmentOf(value: Expr, json: string, contained: boolean): Expr {
  const literal: Expr = { kind: 'jsonLiteral', json };
  return contained ? { kind: 'jsonContains', container: literal, candidate: value } : { kind: 'jsonContains', container: value, candidate: literal };
}

function buildPathCondition(target: Expr, { path, test }: PathCondition): Expr {
  const at = (as: JsonPathAs): Expr => ({ kind: 'jsonPath', expr: target, path, as });
  const missing: Expr = { kind: 'isNull', expr: at('presence'), negated: false };
  const equals = (json: string): Expr => ({ kind: 'jsonEquals', left: at('json'), right: { kind: 'jsonLiteral', json } });
  switch (test.op) {
    case 'equals':
      return equals(test.json);
    case 'isNull':
      return { kind: 'isNull', expr: at('presence'), negated: test.negated };
    case 'not':
      // Null-inclusive, as the column lookup: a missing key or a null is "not" any value.
      return test.json === null ? { kind: 'isNull', expr: at('presence'), negated: true } : { kind: 'not', item: definite(equals(test.json)) };
    case 'in': {
      // A null in the list matches a missing key or a null; not_in keeps them unless null is listed.
      const present = test.values.filter((v): v is string => v !== null);
      const anyOf = or([...present.map(equals), ...(present.length < test.values.length ? [missing] : [])]);
      return test.negated ? { kind: 'not', item: definite(anyOf) } : anyOf;
    }
    case 'compare':
      return { kind: 'compare', op: test.cmp, left: at(typeof test.value === 'number' ? 'number' : 'string'), right: param(test.value) };
    case 'range':
      return { kind: 'between', expr: at(typeof test.low === 'number' ? 'number' : 'string'), low: param(test.low), high: param(test.high) };
    case 'like':
      // The extraction at 'string' is text on every backend, so it needs no cast.
      return { kind: 'like', expr: at('string'), value: test.value, mode: test.mode, caseInsensitive: test.caseInsensitive, storage: 'text' };
    case 'contains':
      return containmentOf(at('json'), test.json, test.contained);
  }
}

/** Equality of the whole document (`exact`), or its null-inclusive negation (`not`). */
function documentEquality(name: 'exact' | 'not'): Lookup {
  const negated = name === 'not';
  return {
    name,
    kinds: JSON_KINDS,
    prepare: (field, value, key) => (value === null ? null : jsonText(field, key, value)),
    build: (target, _field, json) => {
      if (json === null) return { kind: 'isNull', expr: target, negated };
      const equal = definite({ kind: 'jsonEquals', left: target, right: { kind: 'jsonLiteral', json: json as string } });
      return negated ? { kind: 'not', item: equal } : equal;
    },
  };
}

function containment(name: 'contains' | 'contained_by'): Lookup {
  return {
    name,
    kinds: JSON_KINDS,
    prepare: (field, value, key) => jsonText(field, key, value),
    build: (target, _field, json) => definite(containmentOf(target, json as string, name === 'contained_by')),
  };
}

const pathFilter: Lookup = {
  name: 'filter',
  kinds: JSON_KINDS,
  prepare: (field, value, key) => parsePathFilters(field, key, value),
  build: (target, _field, conditions) => and((conditions as PathCondition[]).map((c) => definite(buildPathCondition(target, c)))),
};

export function registerJsonLookups(registry: LookupRegistry): void {
  for (const lookup of [documentEquality('exact'), documentEquality('not'), containment('contains'), containment('contained_by'), pathFilter]) registry.register(lookup);
}
