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
