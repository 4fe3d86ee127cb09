/**
 * Type-level views of relations: which attributes are relations, what they point at, and the
 * keys (`author__name`, `books__tags`) lookups, values, ordering and prefetching accept.
 * Depth across relations is capped (MaxDepth) to keep type-checking cheap.
 */
import type { RelationBrand, RelationInfo, RelationKind } from './relation-brand.js';

/** Relation hops typed keys may take (`books__tags__name` is two). */
export type MaxDepth = 2;

export type RelationInfoOf<V> =
  NonNullable<V> extends { readonly [K in RelationBrand]?: infer I } ? Exclude<I, undefined> : never;

/** Attributes that are relations (forward keys, reverse relations, many-to-many). */
export type RelationKeys<M> = {
  [K in keyof M]-?: K extends string ? (RelationBrand extends keyof NonNullable<M[K]> ? K : never) : never;
}[keyof M];

/** Forward foreign keys and one-to-ones: the ones with a key column (`authorId`). */
export type ForwardKeys<M> = {
  [K in RelationKeys<M>]: RelationInfoOf<M[K]> extends RelationInfo<unknown, 'fk' | 'o2o', boolean> ? K : never;
}[RelationKeys<M>];

/** The model a relation attribute points at. */
export type RelatedOf<V> = RelationInfoOf<V> extends RelationInfo<infer T, RelationKind, boolean> ? T : never;

/** Whether reading across the relation can give NULL (a nullable key, or a reverse/many side that has no row). */
export type RelationMayBeNull<V> =
  RelationInfoOf<V> extends RelationInfo<unknown, infer K, infer N> ? (K extends 'fk' | 'o2o' ? N : true) : never;

/** `author__publisher`-style relation paths, for prefetchRelated/fetchRelated. */
export type RelationPath<M, D extends unknown[] = []> = D['length'] extends MaxDepth
  ? never
  : { [K in RelationKeys<M>]: K | `${K}__${RelationPath<RelatedOf<M[K]>, [...D, 1]>}` }[RelationKeys<M>];

/** Paths of forward relations only, for selectRelated. */
export type ForwardPath<M, D extends unknown[] = []> = D['length'] extends MaxDepth
  ? never
  : { [K in ForwardKeys<M>]: K | `${K}__${ForwardPath<RelatedOf<M[K]>, [...D, 1]>}` }[ForwardKeys<M>];
