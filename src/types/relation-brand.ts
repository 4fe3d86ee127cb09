/**
 * Relation attributes carry a phantom brand, as data fields do (field-brand.ts): the related
 * model, the kind of relation and whether it may be null, for create inputs and typed lookups
 * across relations. The brand never exists at run time.
 */
declare const relationBrand: unique symbol;
export type RelationBrand = typeof relationBrand;

export type RelationKind = 'fk' | 'o2o' | 'm2m' | 'reverseFk' | 'reverseO2o';

export interface RelationInfo<T, K extends RelationKind, Nullable extends boolean> {
  readonly model: T;
  readonly kind: K;
  readonly nullable: Nullable;
}

/** A related model's instance type carrying the relation brand (named, so declaration files can print it). */
export type RelationBranded<T, I> = T & { readonly [relationBrand]?: I };

/** What a forward ForeignKeyField or OneToOneField attribute reads as: the related instance (or null). */
export type ForwardRelationType<T, K extends 'fk' | 'o2o', Nullable extends boolean> = Nullable extends true
  ? RelationBranded<T, RelationInfo<T, K, true>> | null
  : RelationBranded<T, RelationInfo<T, K, false>>;

/** Marks a manager class (reverse relations, many-to-many) with its relation info. */
export interface RelationMarker<T, K extends RelationKind> {
  readonly [relationBrand]?: RelationInfo<T, K, false>;
}

/** Declares the reverse side of a one-to-one: `declare profile: ReverseOneToOne<Profile>`. */
export type ReverseOneToOne<T> = RelationBranded<T, RelationInfo<T, 'reverseO2o', true>> | null;
