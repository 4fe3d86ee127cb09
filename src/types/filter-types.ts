/**
 * Filter keys, checked the cheap way: `filter()` infers the keys it is given and parses each one as
 * `head__rest` against the model (a field and a lookup, or a relation and a key of the related
 * model, two relation hops deep), instead of spelling out every key a model could take — a union
 * of over a thousand keys per model with a parent and children, which cost 96 % of an
 * application's type-checking. A key that does not parse gets an error type that names it; the
 * editor still completes the model's own fields, their lookups and its relations.
 */
import type { FieldInfo, FieldKind } from './field-brand.js';
import type { ForwardKeys, MaxDepth, RelatedOf, RelationKeys } from './relation-types.js';
import type { FieldKeys, InfoOf, PkValue, PlainKeys } from './model-types.js';
import type { JsonValue } from '../fields/misc.js';
import type { QNode } from '../query/q.js';
import type { Expression } from '../query/expressions.js';

type Comparable = 'gt' | 'gte' | 'lt' | 'lte' | 'range';
type TextLookups = 'contains' | 'icontains' | 'startswith' | 'istartswith' | 'endswith' | 'iendswith' | 'iexact';
type DatePartLookups = 'year' | 'quarter' | 'month' | 'week' | 'day';
type TimePartLookups = 'hour' | 'minute' | 'second' | 'microsecond';
type Common = 'exact' | 'not' | 'in' | 'not_in' | 'isnull' | 'not_isnull';
type JsonLookups = 'exact' | 'not' | 'isnull' | 'not_isnull' | 'contains' | 'contained_by' | 'filter';

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
  ? readonly (T | null)[] | Expression
  : L extends 'range'
    ? readonly [T, T]
    : L extends 'isnull' | 'not_isnull'
      ? boolean
      : L extends TextLookups
        ? string
        : L extends DatePartLookups | TimePartLookups
          ? number
          : L extends 'gt' | 'gte' | 'lt' | 'lte'
            ? T | Expression
            : T | null | Expression;

type InfoValue<I> = I extends FieldInfo<infer T, FieldKind, boolean, boolean, boolean> ? T : never;
type InfoKind<I> = I extends FieldInfo<unknown, infer K, boolean, boolean, boolean> ? K : never;

/** Implicit `id` primary key, for models that do not declare one. */
type ImplicitPk = FieldInfo<number, 'int', true, false, true>;
type PkKeys<M> = { [K in FieldKeys<M>]: InfoOf<M[K]> extends { readonly pk: true } ? K : never }[FieldKeys<M>];
type PkInfo<M> = [PkKeys<M>] extends [never] ? ImplicitPk : InfoOf<M[PkKeys<M>]>;

type PlainKind<V> = [NonNullable<V>] extends [number | bigint]
  ? 'int'
  : [NonNullable<V>] extends [string]
    ? 'text'
    : [NonNullable<V>] extends [Date]
      ? 'datetime'
      : [NonNullable<V>] extends [boolean]
        ? 'bool'
        : 'json';
/** A plain attribute (an annotation) seen as a field of the kind its value type suggests. */
type PlainInfo<V> = FieldInfo<NonNullable<V>, PlainKind<V>, true, false, false>;

/**
 * What the compiler says about a key that does not parse: a string type naming the key and the
 * reason, e.g. `Type 'string' is not assignable to type '"filter key 'nme': User has no field or
 * relation 'nme'"'` (the model is named by the caller's context; types do not know class names).
 */
export type NotAFilterKey<Key extends string, Why extends string> = `filter key '${Key}': ${Why}`;

/** The value a lookup `L` ('' for none) of a field described by `I` takes. */
type LookupOn<I, L extends string, Key extends string, H extends string> = L extends ''
  ? InfoValue<I> | null | Expression
  : L extends LookupsFor<InfoKind<I>>
    ? InfoKind<I> extends 'json'
      ? JsonLookupValue<InfoValue<I>, L>
      : LookupValue<InfoValue<I>, L>
    : NotAFilterKey<Key, `'${L}' is not a lookup of '${H}' (a ${InfoKind<I>} field)`>;

/** A relation compared as a whole: an instance of the related model or its key. */
type RelationRef<T> = T | PkValue<T>;

/** After a relation: a lookup on the relation itself, or a key of the related model one hop on. */
type RelationFilter<T, H extends string, L extends string, Key extends string, D extends unknown[]> = L extends '' | 'not'
  ? RelationRef<T> | null | Expression
  : L extends 'in' | 'not_in'
    ? readonly RelationRef<T>[]
    : L extends 'isnull' | 'not_isnull'
      ? boolean
      : D['length'] extends MaxDepth
        ? NotAFilterKey<Key, `'${H}__${L}' goes past ${MaxDepth} relations, the depth filter keys are typed to (use a Q object)`>
        : FilterValueOf<T, L, Key, [...D, 1]>;

/** The head of a key (before the first `__`) against the model, with the rest as the lookup. */
type HeadFilter<M, H extends string, L extends string, Key extends string, D extends unknown[]> = H extends FieldKeys<M>
  ? LookupOn<InfoOf<M[H]>, L, Key, H>
  : H extends 'pk'
    ? LookupOn<PkInfo<M>, L, Key, H>
    : H extends RelationKeys<M>
      ? RelationFilter<RelatedOf<M[H]>, H, L, Key, D>
      : H extends `${infer F extends ForwardKeys<M>}Id`
        ? LookupOn<PkInfo<RelatedOf<M[F]>>, L, Key, H>
        : D['length'] extends 0
          ? H extends PlainKeys<M>
            ? LookupOn<PlainInfo<M[H]>, L, Key, H>
            : NotAFilterKey<Key, `no field, relation or annotation '${H}'`>
          : NotAFilterKey<Key, `no field or relation '${H}' on the related model`>;

/**
 * The value type filter key `K` takes on model M (`Key` is the whole key, for messages; `D` counts
 * relation hops). A key that is not a literal (a `Record<string, …>` built at run time) is left to
 * the run-time check, which raises FieldError.
 */
export type FilterValueOf<M, K extends string, Key extends string = K, D extends unknown[] = []> = string extends K
  ? unknown
  : K extends `${infer H}__${infer L}`
    ? HeadFilter<M, H, L, Key, D>
    : HeadFilter<M, K, '', Key, D>;

/** A filter object with each key checked against M (the value types the keys take). */
export type CheckedFilter<M, F> = { [K in keyof F]: K extends string ? FilterValueOf<M, K> : never };

/**
 * The keys the editor completes in `filter({ … })`: the model's fields with their lookups, `pk`,
 * its relations, key columns and annotations. Every property is optional, so it adds names, not
 * requirements; keys across relations (`author__name__icontains`) are checked by CheckedFilter.
 */
export type FilterHint<M> = { readonly [K in FirstLevelKey<M>]?: unknown };

/**
 * Kept to what is cheap to compute per model (measured on bench/types): key columns (`authorId`),
 * lookups on `pk` other than `in` and annotations are still checked, only not offered.
 */
type FirstLevelKey<M> =
  | { [K in FieldKeys<M>]: K | `${K}__${LookupsFor<InfoKind<InfoOf<M[K]>>>}` }[FieldKeys<M>]
  | 'pk'
  | 'pk__in'
  | RelationKeys<M>;

/**
 * filter()/exclude()/get() arguments, `filter<A extends readonly object[]>(...args: FilterArgs<M, A>)`:
 * each object checked key by key (and offered the model's own keys for completion), Q trees as
 * they are. The constraint names no model on purpose: a per-model constraint made TypeScript
 * instantiate array types for every model that is filtered (3× the cost, measured).
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- any Q tree fits, as in FilterArg
export type FilterArgs<M, A extends readonly unknown[]> = { [I in keyof A]: A[I] extends QNode<any> ? A[I] : CheckedFilter<M, A[I]> & FilterHint<M> };

/**
 * Filter keyword arguments as a type of its own: `{ name: 'x', name__icontains: 'x', pk__in: [1, 2],
 * author: someAuthor, authorId: 1 }` — the model's own fields with their lookups, and its
 * relations compared as a whole. Keys across relations (`author__name`) are accepted with any
 * value here and checked at run time; pass filters straight to `filter()` to have them checked
 * by the compiler.
 */
export type FilterInput<M> = {
  [K in FirstLevelKey<M> | `pk__${LookupsFor<InfoKind<PkInfo<M>>>}` | `${ForwardKeys<M>}Id` | PlainKeys<M>]?: FilterValueOf<M, K>;
} & { [K in RelationKeys<M> as `${K}__${string}`]?: unknown };
