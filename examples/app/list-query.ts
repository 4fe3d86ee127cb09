/**
 * The query string of a list route: `limit` (default 20, at most 100) and `offset`, plus the
 * filters the route declares — and nothing else. An unknown key (`?is_admin=1`, a misspelt filter,
 * a lookup through a relation the route does not offer) is a 422 `extra_forbidden`, and only the
 * declared keys ever reach `filter()`, so a client cannot filter on hidden columns or ask for an
 * unbounded page (issue 17: 50 000 books were 9.6 MB in one response).
 */
/** Filter keys to values, for `filter()` (the keys come from the route's allow-list). */
type FilterDict = Readonly<Record<string, unknown>>;

export const DEFAULT_LIMIT = 20;
export const MAX_LIMIT = 100;

/** A filter a route allows: a string with a bounded length (query values are text). */
export interface StringFilter {
  readonly type: 'string';
  readonly maxLength: number;
  readonly description?: string;
}

/** The querystring schema for a list route allowing `filters` (keys are filter keys, e.g. 'name__icontains'). */
export function listQuerySchema<const F extends Record<string, StringFilter>>(filters: F) {
  return {
    type: 'object',
    additionalProperties: false,
    properties: {
      limit: { type: 'integer', minimum: 1, maximum: MAX_LIMIT, default: DEFAULT_LIMIT },
      offset: { type: 'integer', minimum: 0, default: 0 },
      ...filters,
    },
  } as const;
}

/** The validated query of a list route: the page and the allowed filters that were given. */
export type ListQuery<K extends string = never> = { limit: number; offset: number } & { [P in K]?: string };

/**
 * The filters for `Model.filter()`, taken from `query` by the route's allow-list only: `allowed`
 * maps each query key to the filter key it stands for (`{ tag: 'tags__name' }`). The schema has
 * refused other keys already; this keeps a schema edit from widening what reaches SQL.
 */
export function allowedFilters(query: object, allowed: Readonly<Record<string, string>>): FilterDict {
  const given = query as Record<string, unknown>;
  const filters: Record<string, unknown> = {};
  for (const [queryKey, filterKey] of Object.entries(allowed)) {
    if (Object.hasOwn(given, queryKey) && given[queryKey] !== undefined) filters[filterKey] = given[queryKey];
  }
  return filters as FilterDict;
}
