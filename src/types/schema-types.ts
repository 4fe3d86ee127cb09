/**
 * Type-level views of generated schemas (src/validation): the wire shape `z.infer` gives, the
 * JSON `fromOrm` returns, and the model values `parse` returns — inferred from the model's field
 * brands and the literal options (`exclude: ['passwordHash']`). Plain fields are precise; relations
 * are loose (`Record<string, unknown>`), since which ones survive cycles and depth is decided at run time.
 */
import type { z } from 'zod';
import type { FieldKeys, InfoOf, ModelData, ValueOf } from './model-types.js';
import type { ForwardKeys, RelationKeys } from './relation-types.js';
import type { JsonValue } from '../fields/misc.js';

/**
 * A model value as JSON carries it out: bigint, Date and bytes (base64) become strings. Bytes are
 * tested as `Uint8Array`, which Buffer extends, so that the test means the same without Node's types.
 */
export type WireOut<T> = T extends bigint ? string : T extends Date ? string : T extends Uint8Array ? string : T;
/** A model value as an input may carry it: bigints also as (safe) integers. */
export type WireIn<T> = T extends bigint ? string | number : WireOut<T>;

// `& {}` makes editors show the object's properties instead of the alias `Simplify<…>`.
type Simplify<T> = { [K in keyof T]: T[K] } & {};

/** Literal names in an option list; a widened `string[]` says nothing, so it selects nothing. */
type Names<L> = L extends readonly (infer E extends string)[] ? (string extends E ? never : E) : never;
type NonEmpty<L> = L extends readonly [unknown, ...unknown[]] ? true : false;
type Head<P> = P extends `${infer H}__${string}` ? H : P;
type Flat<P> = P extends `${string}__${string}` ? never : P;

/** The options that shape the type, as `modelSchema` merges them (the model's `schemaMeta` first). */
export interface TypedOptions {
  readonly include?: readonly string[];
  readonly exclude?: readonly string[];
  readonly optional?: readonly string[];
  readonly computed?: unknown;
  readonly excludeReadonly?: boolean;
}

/** The class's `static schemaMeta` (declare it `as const` for its names to reach the types). */
export type SchemaMetaOf<C> = C extends { readonly schemaMeta: infer S } ? S : {};

/** Merges a model's schemaMeta with call options the way the run time does (lists add up). */
export type MergeOptions<S, O> = {
  readonly include: [...ListOf<S, 'include'>, ...ListOf<O, 'include'>];
  readonly exclude: [...ListOf<S, 'exclude'>, ...ListOf<O, 'exclude'>];
  readonly optional: [...ListOf<S, 'optional'>, ...ListOf<O, 'optional'>];
  readonly computed: ComputedOf<S> & ComputedOf<O>;
  readonly excludeReadonly: O extends { readonly excludeReadonly: true } ? true : false;
};
type ListOf<O, K extends string> = O extends { readonly [P in K]: infer L extends readonly string[] } ? L : [];

type ComputedValue<T> = T extends 'string' | 'datetime' | 'date'
  ? string
  : T extends 'number' | 'integer'
    ? number
    : T extends 'boolean'
      ? boolean
      : T extends z.ZodType
        ? z.output<T>
        : JsonValue;
type ComputedOf<O> = O extends { readonly computed: infer C }
  ? C extends readonly (infer N extends string)[]
    ? { [K in N]: JsonValue }
    : { [K in keyof C]: ComputedValue<C[K]> }
  : {};

type Selected<K, O extends TypedOptions> = (NonEmpty<O['include']> extends true ? (K extends Head<Names<O['include']>> ? K : never) : K) extends infer S
  ? Exclude<S, Flat<Names<O['exclude']>>>
  : never;

type PkKeys<M> = { [K in FieldKeys<M>]: InfoOf<M[K]> extends { readonly pk: true } ? K : never }[FieldKeys<M>];
type ImplicitId<M> = [PkKeys<M>] extends [never] ? 'id' : never;
type IsInputSchema<O> = O extends { readonly excludeReadonly: true } ? true : false;

/** Data fields in the schema (the primary key dropped from an input schema). */
type DataKeys<M, O extends TypedOptions> = Extract<Selected<IsInputSchema<O> extends true ? Exclude<FieldKeys<M>, PkKeys<M>> : FieldKeys<M>, O>, FieldKeys<M>>;
/** Relations in the schema: none in an input schema. */
type RelKeys<M, O extends TypedOptions> = IsInputSchema<O> extends true ? never : Extract<Selected<RelationKeys<M>, O>, RelationKeys<M>>;
/** Key columns (`authorId`): in an input schema, or where the relation object is left out. */
type IdKeys<M, O extends TypedOptions> = Extract<
  Selected<{ [K in ForwardKeys<M>]: K extends RelKeys<M, O> ? never : `${K}Id` }[ForwardKeys<M>], O>,
  string
>;

type IsOptional<M, K, O extends TypedOptions> = K extends Names<O['optional']>
  ? true
  : K extends FieldKeys<M>
    ? InfoOf<M[K]> extends { readonly optional: true }
      ? true
      : false
    : false;
type OptionalKeys<M, O extends TypedOptions, Keys> = { [K in Keys & string]: IsOptional<M, K, O> extends true ? K : never }[Keys & string];

type IdValue<M, K> = K extends keyof ModelData<M> ? ModelData<M>[K] : never;
type Loose<M, K extends keyof M> = NonNullable<M[K]> extends readonly unknown[] | { readonly related: unknown }
  ? Record<string, unknown>[]
  : Record<string, unknown> | null;

type ImplicitIdOut<M, O extends TypedOptions> = IsInputSchema<O> extends true ? {} : { [K in ImplicitId<M>]: number };
type ComputedOut<O extends TypedOptions> = IsInputSchema<O> extends true ? {} : O["computed"] extends infer C ? { -readonly [K in keyof C]: C[K] } : {};

/** The JSON `fromOrm` / `serialize` returns: every property present. */
export type SchemaOutputOf<M, O extends TypedOptions> = Simplify<
  { [K in DataKeys<M, O>]: WireOut<ValueOf<M, K>> } & { [K in IdKeys<M, O>]: WireOut<IdValue<M, K>> } & {
    [K in RelKeys<M, O>]?: Loose<M, K>;
  } & ImplicitIdOut<M, O> &
    ComputedOut<O>
>;

type Inputs<M, O extends TypedOptions, Map extends Record<string, unknown>> = Simplify<
  { [K in Exclude<keyof Map & string, OptionalKeys<M, O, keyof Map>>]: Map[K] } & {
    [K in OptionalKeys<M, O, keyof Map>]?: Map[K];
  }
>;

/** What the schema accepts on the wire: `z.infer<typeof schema.zod>`. */
export type SchemaInputOf<M, O extends TypedOptions> = Simplify<
  Inputs<M, O, { [K in DataKeys<M, O>]: WireIn<ValueOf<M, K>> } & { [K in IdKeys<M, O>]: WireIn<IdValue<M, K>> }> & {
    [K in RelKeys<M, O>]?: Loose<M, K>;
  } & { [K in ImplicitId<M> as IsInputSchema<O> extends true ? never : K]?: number } & Partial<ComputedOut<O>>
>;

/** What `parse` returns: model values (Date, bigint, Buffer), ready for `Model.create()`; computed properties dropped. */
export type SchemaValueOf<M, O extends TypedOptions> = Simplify<
  Inputs<M, O, { [K in DataKeys<M, O>]: ValueOf<M, K> } & { [K in IdKeys<M, O>]: IdValue<M, K> }> & {
    [K in RelKeys<M, O>]?: Loose<M, K>;
  } & { [K in ImplicitId<M> as IsInputSchema<O> extends true ? never : K]?: number }
>;

/** A Zod object shape whose `z.infer` is T (optional keys as `.optional()`). */
export type ZodShapeOf<T> = {
  [K in keyof T]-?: {} extends Pick<T, K> ? z.ZodOptional<z.ZodType<Exclude<T[K], undefined>>> : z.ZodType<T[K]>;
};
