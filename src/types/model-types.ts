/**
 * Type-level views of a model class, inferred from its field declarations (no code generation).
 * Everything here keys off the phantom field brand (see field-brand.ts).
 */
import type { AnyFieldInfo, FieldBrand, FieldInfo, FieldKind } from './field-brand.js';
import type { ForwardKeys, MaxDepth, RelatedOf, RelationKeys, RelationMayBeNull } from './relation-types.js';
import type { RelationInfo } from './relation-brand.js';
import type { RelationInfoOf } from './relation-types.js';
import type { Expression } from '../query/expressions.js';

/** The brand info of a field's declared type, or never for non-fields. */
export type InfoOf<V> =
  NonNullable<V> extends { readonly [K in FieldBrand]?: infer I } ? Exclude<I, undefined> : never;

/** The names of a model's data fields. */
export type FieldKeys<M> = {
  [K in keyof M]-?: K extends string ? (FieldBrand extends keyof NonNullable<M[K]> ? K : never) : never;
}[keyof M];

/** The plain value type of field K (no brand), `| null` when it is nullable. */
export type ValueOf<M, K extends keyof M> =
  InfoOf<M[K]> extends FieldInfo<infer T, FieldKind, boolean, infer N, boolean>
    ? T | (N extends true ? null : never)
    : never;

type Simplify<T> = { [K in keyof T]: T[K] } & {};

type RequiredCreateKeys<M> = {
  [K in FieldKeys<M>]: InfoOf<M[K]> extends { readonly optional: true } ? never : K;
}[FieldKeys<M>];

/** The type of a forward key's column attribute (`authorId`): the related primary key, `| null` when nullable. */
type KeyValue<M, K extends keyof M> =
  | PkValue<RelatedOf<M[K]>>
  | (RelationInfoOf<M[K]> extends RelationInfo<unknown, 'fk' | 'o2o', true> ? null : never);

/** Forward relations as create/update input: the related instance or its key (both optional in the type; a missing required key is a ValidationError). */
type RelationInput<M> = { [K in ForwardKeys<M>]?: M[K] } & { [K in ForwardKeys<M> as `${K}Id`]?: KeyValue<M, K> };

/** What `Model.create()` takes: every field, required unless it has a default, is nullable, generated or automatic. */
export type CreateInput<M> = Simplify<
  { [K in RequiredCreateKeys<M>]: ValueOf<M, K> } & {
    [K in Exclude<FieldKeys<M>, RequiredCreateKeys<M>>]?: ValueOf<M, K>;
  } & RelationInput<M>
>;

/** Field values as a partial object: `updateFromDict`, `update()`, `defaults`. */
export type UpdateInput<M> = Simplify<{ [K in FieldKeys<M>]?: ValueOf<M, K> } & RelationInput<M>>;

/** `QuerySet.update()` input: field values, or expressions computed by the database (`F('views').add(1)`). */
export type UpdateValues<M> = Simplify<
  { [K in FieldKeys<M>]?: ValueOf<M, K> | Expression } & RelationInput<M>
>;

/** Columns a model writes: its fields and each forward key's column attribute (`authorId`). */
export type WritableKeys<M> = FieldKeys<M> | `${ForwardKeys<M>}Id`;

/** A model's data as a plain object, as `values()` returns it. */
export type ModelData<M> = Simplify<
  { [K in FieldKeys<M>]: ValueOf<M, K> } & { [K in ForwardKeys<M> as `${K}Id`]: KeyValue<M, K> }
>;

type PkKeys<M> = { [K in FieldKeys<M>]: InfoOf<M[K]> extends { readonly pk: true } ? K : never }[FieldKeys<M>];

/** The primary key's value type (a number for the implicit `id`). */
export type PkValue<M> = [PkKeys<M>] extends [never] ? number : ValueOf<M, PkKeys<M>>;

export type { FilterInput, JsonPathFilter, LookupsFor } from './filter-types.js';

/**
 * Plain data attributes that are not declared fields: annotations added by annotate() and
 * `declare`d key columns (`authorId`). Methods and the Model base class's members are left out.
 */
export type PlainKeys<M> = {
  [K in keyof M]-?: K extends string
    ? K extends FieldKeys<M> | RelationKeys<M> | keyof ModelBase
      ? never
      : M[K] extends (...args: never[]) => unknown
        ? never
        : K
    : never;
}[keyof M];

/** The members every model has (their names are never annotations). */
interface ModelBase {
  pk: unknown;
  save: unknown;
  delete: unknown;
  refreshFromDb: unknown;
  updateFromDict: unknown;
  clone: unknown;
  fetchRelated: unknown;
}

/** Field names reachable for values()/orderBy(): own fields, key columns, annotations, and related fields (`author__name`). */
export type ValueKey<M, D extends unknown[] = []> =
  | FieldKeys<M>
  | PlainKeys<M>
  | 'pk'
  | `${ForwardKeys<M>}Id`
  | (D['length'] extends MaxDepth ? never : { [K in RelationKeys<M>]: `${K}__${ValueKey<RelatedOf<M[K]>, [...D, 1]>}` }[RelationKeys<M>]);

/** The value type at a values() key, `| null` when a relation on the way may be missing. */
export type ValueAtPath<M, P extends string> = P extends `${infer H}__${infer Rest}`
  ? H extends RelationKeys<M>
    ? ValueAtPath<RelatedOf<M[H]>, Rest> | (RelationMayBeNull<M[H]> extends true ? null : never)
    : never
  : P extends FieldKeys<M>
    ? ValueOf<M, P>
    : P extends PlainKeys<M>
      ? M[P]
      : P extends 'pk'
      ? PkValue<M>
      : P extends `${infer K}Id`
        ? K extends ForwardKeys<M>
          ? KeyValue<M, K>
          : never
        : never;

/** `orderBy` arguments: a field name (across relations too), optionally with '-' for descending. */
export type OrderKey<M> = ValueKey<M> | `-${ValueKey<M>}`;

export type { AnyFieldInfo, RelationKeys, ForwardKeys, RelatedOf };
