/**
 * Type-level views of a model class, inferred from its field declarations (no code generation).
 * Everything here keys off the phantom field brand (see field-brand.ts).
 */
import type { AnyFieldInfo, FieldBrand, FieldInfo, FieldKind } from './field-brand.js';
import type { ForwardKeys, MaxDepth, RelatedOf, RelationKeys, RelationMayBeNull } from './relation-types.js';
import type { RelationInfo } from './relation-brand.js';
import type { RelationInfoOf } from './relation-types.js';
import type { Expression } from '../query/expressions.js';
import type { JsonValue } from '../fields/misc.js';

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

type Comparable = 'gt' | 'gte' | 'lt' | 'lte' | 'range';
type TextLookups = 'contains' | 'icontains' | 'startswith' | 'istartswith' | 'endswith' | 'iendswith' | 'iexact';
type DatePartLookups = 'year' | 'quarter' | 'month' | 'week' | 'day';
type TimePartLookups = 'hour' | 'minute' | 'second' | 'microsecond';
type Common = 'exact' | 'not' | 'in' | 'not_in' | 'isnull' | 'not_isnull';

/** The lookups each kind of field has; mirrors the run-time registry in lookups/builtin.ts. */
export type LookupsFor<K extends FieldKind> = K extends 'text' | 'uuid' | 'enum'
  ? Common | Comparable | TextLookups
  : K extends 'int' | 'bigint' | 'float' | 'decimal'
    ? Common | Comparable | TextLookups
    : K extends 'datetime'
      ? Common | Comparable | DatePartLookups | TimePartLookups
      : K extends 'date'
        ? Common | Comparable | DatePartLookups | TextLookups
        : K extends 'time'
          ? Common | Comparable | TimePartLookups | TextLookups
          : K extends 'timedelta'
            ? Common | Comparable
            : K extends 'bool' | 'binary'
              ? Common
              : K extends 'json'
                ? JsonLookups
                : 'isnull' | 'not_isnull';

type JsonLookups = 'exact' | 'not' | 'isnull' | 'not_isnull' | 'contains' | 'contained_by' | 'filter';

/**
 * `data__filter`: paths inside the document, each with an optional lookup at the end
 * (`{ 'owner__name__icontains': 'x', 'tags__0': 'a', 'age__gte': 18 }`).
 */
export type JsonPathFilter = Readonly<Record<string, unknown>>;

type JsonLookupValue<T, L extends string> = L extends 'filter'
  ? JsonPathFilter
  : L extends 'contains' | 'contained_by'
    ? JsonValue
    : L extends 'isnull' | 'not_isnull'
      ? boolean
      : T | null;

type LookupValue<T, L extends string> = L extends 'in' | 'not_in'
  ? readonly (T | null)[]
  : L extends 'range'
    ? readonly [T, T]
    : L extends 'isnull' | 'not_isnull'
      ? boolean
      : L extends TextLookups
        ? string
        : L extends DatePartLookups | TimePartLookups
          ? number
          : L extends 'gt' | 'gte' | 'lt' | 'lte'
            ? T
            : T | null;

type InfoValue<I> = I extends FieldInfo<infer T, FieldKind, boolean, boolean, boolean> ? T : never;
type InfoKind<I> = I extends FieldInfo<unknown, infer K, boolean, boolean, boolean> ? K : never;

/** Implicit `id` primary key, for models that do not declare one. */
type ImplicitPk = FieldInfo<number, 'int', true, false, true>;
type PkInfo<M> = [PkKeys<M>] extends [never] ? ImplicitPk : InfoOf<M[PkKeys<M>]>;

/** [name, info] for every field, plus 'pk'. */
type FilterEntries<M> = { [K in FieldKeys<M>]: [K, InfoOf<M[K]>] }[FieldKeys<M>] | ['pk', PkInfo<M>];

type LookupEntry<N extends string, I> = {
  [L in LookupsFor<InfoKind<I>>]: [`${N}__${L}`, InfoKind<I> extends 'json' ? JsonLookupValue<InfoValue<I>, L> : LookupValue<InfoValue<I>, L>];
}[LookupsFor<InfoKind<I>>];

type FieldFilterEntries<M> =
  FilterEntries<M> extends infer E
    ? E extends [infer N extends string, infer I]
      ? [N, InfoValue<I> | null] | LookupEntry<N, I>
      : never
    : never;

type Prefixed<P extends string, E> = E extends [infer N extends string, infer V] ? [`${P}__${N}`, V] : never;

/** A relation compared as a whole: an instance of the related model or its key. */
type RelationRef<T> = T | PkValue<T>;

/** Entries for one relation K: itself, its key column (forward ones), and the related model's keys one level down. */
type RelationFilterEntries<M, K extends RelationKeys<M>, D extends unknown[]> =
  | [K, RelationRef<RelatedOf<M[K]>> | null]
  | [`${K}__in` | `${K}__not_in`, readonly RelationRef<RelatedOf<M[K]>>[]]
  | [`${K}__not`, RelationRef<RelatedOf<M[K]>> | null]
  | [`${K}__isnull` | `${K}__not_isnull`, boolean]
  | (K extends ForwardKeys<M> ? [`${K}Id`, PkValue<RelatedOf<M[K]>> | null] | LookupEntry<`${K}Id`, PkInfo<RelatedOf<M[K]>>> : never)
  | (D['length'] extends MaxDepth ? never : Prefixed<K, AllFilterEntries<RelatedOf<M[K]>, [...D, 1]>>);

type AllFilterEntries<M, D extends unknown[] = []> =
  | FieldFilterEntries<M>
  | (D['length'] extends 0 ? PlainFilterEntries<M> : never)
  | { [K in RelationKeys<M>]: RelationFilterEntries<M, K, D> }[RelationKeys<M>];

/**
 * Filter keyword arguments: `{ name: 'x', name__icontains: 'x', age__gte: 18, pk__in: [1, 2] }`,
 * and across relations `{ author: someAuthor, author__name__icontains: 'x', books__tags__name: 't' }`.
 */
export type FilterInput<M> = { [E in AllFilterEntries<M> as E[0]]?: E[1] };

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

type PlainKind<V> = [NonNullable<V>] extends [number | bigint]
  ? 'int'
  : [NonNullable<V>] extends [string]
    ? 'text'
    : [NonNullable<V>] extends [Date]
      ? 'datetime'
      : [NonNullable<V>] extends [boolean]
        ? 'bool'
        : 'json';

/** Filter entries for plain attributes (annotations): the value and the lookups its type has. */
type PlainFilterEntries<M> = {
  [K in PlainKeys<M>]: [K, M[K] | null] | LookupEntry<K, FieldInfo<NonNullable<M[K]>, PlainKind<M[K]>, true, false, false>>;
}[PlainKeys<M>];

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
