/**
 * Field value types carry a phantom brand: `name = fields.CharField({ maxLength: 50 })` reads
 * as `string` in user code, while mapped types (create input, lookups, values) can still see
 * what kind of field it is, whether it may be omitted on create and whether it is nullable.
 * The brand property is optional and never exists at run time.
 */
declare const fieldBrand: unique symbol;
export type FieldBrand = typeof fieldBrand;

/** Families of fields, as far as lookups and schemas care. */
export type FieldKind =
  | 'int'
  | 'bigint'
  | 'float'
  | 'decimal'
  | 'text'
  | 'uuid'
  | 'bool'
  | 'datetime'
  | 'date'
  | 'time'
  | 'timedelta'
  | 'json'
  | 'binary'
  | 'enum';

export interface FieldInfo<T, K extends FieldKind, Optional extends boolean, Nullable extends boolean, Pk extends boolean> {
  readonly value: T;
  readonly kind: K;
  /** May be left out of `create()`: has a default, is nullable, generated or automatic. */
  readonly optional: Optional;
  readonly nullable: Nullable;
  readonly pk: Pk;
}

export type AnyFieldInfo = FieldInfo<unknown, FieldKind, boolean, boolean, boolean>;

export type Branded<T, I> = T & { readonly [fieldBrand]?: I };

/**
 * The value type of a `BinaryField`: Node's `Buffer` where Node's types are loaded (the run time
 * always hands out Buffers), a plain `Uint8Array` where they are not (`"types": []`, Deno, a
 * browser bundle). Asked through `globalThis` so that the name `Buffer` never appears in the
 * published declarations: without @types/node it would be an error, or `any` under skipLibCheck.
 */
export type Bytes = typeof globalThis extends { readonly Buffer: { isBuffer(value: any): value is infer B extends Uint8Array } } ? B : Uint8Array;

/** Options every field takes, as the type system sees them. */
export interface CommonFieldOptions<T> {
  /** This field is the primary key (`primaryKey` is the same). */
  pk?: boolean;
  primaryKey?: boolean;
  /** The column accepts NULL; the value type becomes `T | null`. */
  null?: boolean;
  /** A constant, or a function called for each new instance. */
  default?: T | (() => T) | null;
  unique?: boolean;
  index?: boolean;
  /** Column name when it differs from the attribute name. */
  sourceField?: string;
  description?: string;
  validators?: readonly ((value: T) => unknown)[];
  /** The database generates the value (auto-increment); only integer fields. */
  generated?: boolean;
}

type Truthy<O, K extends string> = O extends { readonly [P in K]: true } ? true : false;

/** Whether a field with options O may be left out of `create()`. `Auto` is set for autoNow-like fields. */
export type IsOptional<O, Auto extends boolean, PkGenerated extends boolean> = Auto extends true
  ? true
  : O extends { readonly default: unknown }
    ? true
    : Truthy<O, 'null'> extends true
      ? true
      : Truthy<O, 'generated'> extends true
        ? true
        : PkGenerated extends true
          ? IsPk<O> extends true
            ? O extends { readonly generated: false }
              ? false
              : true
            : false
          : false;

export type IsPk<O> = Truthy<O, 'pk'> extends true ? true : Truthy<O, 'primaryKey'>;

/**
 * The declared type of a field attribute.
 * `PkGenerated`: a primary key of this family gets a value by itself (integers, UUIDs).
 */
export type FieldType<T, K extends FieldKind, O, Auto extends boolean = false, PkGenerated extends boolean = false> =
  Truthy<O, 'null'> extends true
    ? Branded<T, FieldInfo<T, K, true, true, IsPk<O>>> | null
    : Branded<T, FieldInfo<T, K, IsOptional<O, Auto, PkGenerated>, false, IsPk<O>>>;
