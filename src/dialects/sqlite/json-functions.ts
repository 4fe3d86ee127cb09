type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

const isObject = (value: Json): value is { [key: string]: Json } =>
  value !== null && typeof value === 'object' && !Array.isArray(value);

/** Equal JSON values: numbers by value (1 and 1.0), objects whatever their key order, arrays in order. */
export function jsonValuesEqual(a: Json, b: Json): boolean {
  if (Array.isArray(a)) return Array.isArray(b) && a.length === b.length && a.every((item, i) => jsonValuesEqual(item, b[i]!));
  if (isObject(a)) {
    if (!isObject(b)) return false;
    const keys = Object.keys(a);
    return keys.length === Object.keys(b).length && keys.every((key) => key in b && jsonValuesEqual(a[key]!, b[key]!));
  }
  return a === b;
}

/** PostgreSQL's jsonb containment, below the top level: structure and contents must match. */
function contains(container: Json, candidate: Json): boolean {
  if (Array.isArray(container)) {
    return Array.isArray(candidate) && candidate.every((wanted) => container.some((item) => contains(item, wanted)));
  }
  if (isObject(container)) {
    return isObject(candidate) && Object.keys(candidate).every((key) => key in container && contains(container[key]!, candidate[key]!));
  }
  return container === candidate;
}

/**
 * `container @> candidate` as PostgreSQL defines it, including its one exception: at the top level
 * an array contains a scalar that is one of its elements (`["a","b"] @> "a"`).
 */
export function jsonContains(container: Json, candidate: Json): boolean {
  if (Array.isArray(container) && (candidate === null || typeof candidate !== 'object')) {
    return container.some((item) => item === candidate);
  }
  return contains(container, candidate);
}

const parse = (text: unknown): Json => JSON.parse(String(text)) as Json;

/** Registers the JSON functions the SQLite compiler uses (SQLite's json1 has neither). */
export function registerJsonFunctions(define: (name: string, fn: (...args: never[]) => unknown) => void): void {
  define('terrapin_json_contains', (container: unknown, candidate: unknown) =>
    container === null || candidate === null ? null : jsonContains(parse(container), parse(candidate)) ? 1 : 0,
  );
  define('terrapin_json_equals', (left: unknown, right: unknown) =>
    left === null || right === null ? null : jsonValuesEqual(parse(left), parse(right)) ? 1 : 0,
  );
}
