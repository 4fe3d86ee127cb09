/**
 * Type-level views of a model class, inferred from its field declarations (no code generation).
 * Everything here keys off the phantom field brand (see field-brand.ts).
 */
import type { AnyFieldInfo, FieldBrand, FieldInfo, FieldKind } from './field-brand.js';

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

/** What `Model.create()` takes: every field, required unless it has a default, is nullable, generated or automatic. */
export type CreateInput<M> = Simplify<
  { [K in RequiredCreateKeys<M>]: ValueOf<M, K> } & {
    [K in Exclude<FieldKeys<M>, RequiredCreateKeys<M>>]?: ValueOf<M, K>;
  }
>;

/** Field values as a partial object: `updateFromDict`, `update()`, `defaults`. */
export type UpdateInput<M> = { [K in FieldKeys<M>]?: ValueOf<M, K> };

/** A model's data as a plain object. */
export type ModelData<M> = { [K in FieldKeys<M>]: ValueOf<M, K> };

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
              : 'isnull' | 'not_isnull';

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
  [L in LookupsFor<InfoKind<I>>]: [`${N}__${L}`, LookupValue<InfoValue<I>, L>];
}[LookupsFor<InfoKind<I>>];

type AllFilterEntries<M> =
  FilterEntries<M> extends infer E
    ? E extends [infer N extends string, infer I]
      ? [N, InfoValue<I> | null] | LookupEntry<N, I>
      : never
    : never;

/** Filter keyword arguments: `{ name: 'x', name__icontains: 'x', age__gte: 18, pk__in: [1, 2] }`. */
export type FilterInput<M> = { [E in AllFilterEntries<M> as E[0]]?: E[1] };

/** `orderBy` arguments: a field name, optionally with '-' for descending. */
export type OrderKey<M> = FieldKeys<M> | `-${FieldKeys<M>}` | 'pk' | '-pk';

export type { AnyFieldInfo };
