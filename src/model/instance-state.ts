/**
 * Per-instance bookkeeping, kept under symbols so it never shows in Object.keys, JSON or spreads.
 */
/** The row exists in the database (loaded, or saved once). */
export const SAVED = Symbol('terrapin.saved');
/** Names of the fields an `only()` query loaded; absent on full instances. */
export const LOADED = Symbol('terrapin.loaded');

export interface InstanceState {
  [SAVED]?: boolean;
  [LOADED]?: ReadonlySet<string>;
}
/** Fetched relations by name: related instances (or null), and relation managers. */
export const RELATED = Symbol('terrapin.related');

export interface RelatedCache {
  [RELATED]?: Record<string, unknown>;
}

export function relatedCache(instance: object): Record<string, unknown> {
  const holder = instance as RelatedCache;
  return (holder[RELATED] ??= {});
}

/** For forward relations: the key value each cached related instance was loaded for. */
export const RELATED_KEYS = Symbol('terrapin.relatedKeys');

interface RelatedKeysHolder {
  [RELATED_KEYS]?: Record<string, unknown>;
}

/**
 * Caches the related instance (or null: nothing found) of a forward relation, with the key it
 * belongs to, so a later change of the key column is noticed and a dangling key reads null.
 */
export function cacheForward(instance: object, name: string, key: unknown, value: unknown): void {
  relatedCache(instance)[name] = value;
  const holder = instance as RelatedKeysHolder;
  (holder[RELATED_KEYS] ??= {})[name] = key;
}

/** The cached related instance for `key`, or undefined when nothing (or another key's) is cached. */
export function cachedForward(instance: object, name: string, key: unknown): { value: unknown } | undefined {
  const cache = (instance as RelatedCache)[RELATED];
  if (cache === undefined || !(name in cache)) return undefined;
  const keys = (instance as RelatedKeysHolder)[RELATED_KEYS];
  const cachedKey = keys?.[name];
  const same = cachedKey === key || (cachedKey != null && key != null && String(cachedKey) === String(key));
  return same ? { value: cache[name] } : undefined;
}
