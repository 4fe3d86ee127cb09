import type { Field } from '../fields/base.js';
import type { Condition } from '../lookups/resolve.js';
import type { ModelMeta, OrderSpec } from '../model/meta.js';
import type { LockOptions } from '../sql/ast.js';
import type { UsingDb } from '../execution/target.js';

/** What a query returns per row. */
export type Shape =
  | { readonly mode: 'objects' }
  | { readonly mode: 'values'; readonly fields: readonly Field[]; readonly keys: readonly string[] }
  | { readonly mode: 'list'; readonly fields: readonly Field[]; readonly flat: boolean };

/** `get` raises unless exactly one row matches; `getOrNone` allows none; `first` takes the first or null. */
export type Single = 'first' | 'get' | 'getOrNone' | undefined;

/** The frozen state behind a QuerySet. Every QuerySet method returns a new one. */
export interface QueryState {
  readonly meta: ModelMeta;
  readonly where: readonly Condition[];
  /** undefined: the model's Meta.ordering. */
  readonly ordering: readonly OrderSpec[] | undefined;
  readonly limit: number | undefined;
  readonly offset: number | undefined;
  readonly distinct: boolean;
  /** Fields loaded by `only()`; undefined loads all. */
  readonly only: readonly Field[] | undefined;
  readonly shape: Shape;
  readonly single: Single;
  readonly usingDb: UsingDb | undefined;
  readonly lock: LockOptions | undefined;
}

export function initialState(meta: ModelMeta): QueryState {
  return {
    meta,
    where: [],
    ordering: undefined,
    limit: undefined,
    offset: undefined,
    distinct: false,
    only: undefined,
    shape: { mode: 'objects' },
    single: undefined,
    usingDb: undefined,
    lock: undefined,
  };
}
