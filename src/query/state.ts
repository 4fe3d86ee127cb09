import type { Field } from '../fields/base.js';
import type { Condition } from '../lookups/resolve.js';
import type { ForwardRelation, Relation } from '../model/relations.js';
import type { AnnotationRef } from './expressions.js';
import type { ModelMeta, OrderSpec } from '../model/meta.js';
import type { LockOptions } from '../sql/ast.js';
import type { UsingDb } from '../execution/target.js';

/** What a query returns per row. */
export type Shape =
  | { readonly mode: 'objects' }
  | { readonly mode: 'values'; readonly columns: readonly ValueColumn[]; readonly keys: readonly string[] }
  | { readonly mode: 'list'; readonly columns: readonly ValueColumn[]; readonly flat: boolean };

/** A column of values()/valuesList(): a field, possibly across relations (`author__name`), or an annotation. */
export interface ValueColumn {
  readonly path: readonly Relation[];
  /** The field read, or (for an annotation) the field that decodes its result. */
  readonly field: Field;
  readonly annotation?: Annotation;
}

/** A named expression added by annotate(); `scope` holds the annotations declared before it. */
export interface Annotation extends AnnotationRef {
  readonly scope: ReadonlyMap<string, AnnotationRef>;
  /** Decodes its result and decides which lookups apply in filters on it. */
  readonly field: Field;
}

/** A relation to load with the query: its path of forward relations (selectRelated) … */
export type SelectRelatedPath = readonly ForwardRelation[];

/** … or, for prefetchRelated, a relation path with an optional QuerySet and attribute name. */
export interface PrefetchSpec {
  readonly path: readonly Relation[];
  /** Filters/ordering for the last level's rows (a QuerySet state of the related model). */
  readonly queryset: QueryState | undefined;
  /** Store the rows under this name instead of the relation's. */
  readonly toAttr: string | undefined;
}

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
  readonly selectRelated: readonly SelectRelatedPath[];
  readonly prefetch: readonly PrefetchSpec[];
  /** annotate(): named expressions, in the order given. */
  readonly annotations: readonly Annotation[];
  /** groupBy(): explicit grouping columns; otherwise an aggregate groups by every other selected column. */
  readonly groupBy: readonly ValueColumn[] | undefined;
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
    selectRelated: [],
    prefetch: [],
    annotations: [],
    groupBy: undefined,
  };
}
