import type { Model } from '../model/model.js';
import type { ManyToManyRelation } from '../model/related-manager.js';
import type { ForwardRelationType } from '../types/relation-brand.js';

/** What happens to rows pointing at a deleted row; enforced by the database's FK constraint. */
export type OnDelete = 'CASCADE' | 'RESTRICT' | 'SET_NULL' | 'SET_DEFAULT' | 'NO_ACTION';
export const OnDelete = {
  CASCADE: 'CASCADE',
  RESTRICT: 'RESTRICT',
  SET_NULL: 'SET_NULL',
  SET_DEFAULT: 'SET_DEFAULT',
  NO_ACTION: 'NO_ACTION',
} as const satisfies Record<OnDelete, OnDelete>;

/** The related model: a thunk (`() => Author`, typed) or a name (`'models.Author'` or `'Author'`). */
export type ModelRef<T extends Model> = (() => abstract new () => T) | string;

export interface ForeignKeyOptions {
  /** Name of the reverse relation on the related model; `false` for none. Default: `<model>s` (lower case). */
  relatedName?: string | false;
  onDelete?: OnDelete;
  /** The related field the key points at (unique); default its primary key. */
  toField?: string;
  null?: boolean;
  /** Create the FOREIGN KEY constraint (default true). */
  dbConstraint?: boolean;
  /** Column of the key; default `<name>Id`. */
  sourceField?: string;
  description?: string;
  /** Index the key column (default true; MySQL indexes FK columns anyway). */
  index?: boolean;
}

/** Every ForeignKeyOptions key, for the unknown-option check. */
export const FOREIGN_KEY_OPTIONS: readonly string[] = [
  'relatedName', 'onDelete', 'toField', 'null', 'dbConstraint', 'sourceField', 'description', 'index',
];

export interface ManyToManyOptions {
  /** Through table name (default `<table>_<relatedtable>`), or a model declaring the two foreign keys. */
  through?: string | (() => abstract new () => Model);
  /** Column in the through table pointing at the related model; default `<relatedmodel>Id`. */
  forwardKey?: string;
  /** Column in the through table pointing at this model; default `<model>Id`. */
  backwardKey?: string;
  /** Name of the reverse relation on the related model; `false` for none. */
  relatedName?: string | false;
  onDelete?: OnDelete;
  dbConstraint?: boolean;
  /** Unique (backward, forward) pair in the through table (default true). */
  createUniqueIndex?: boolean;
}

/** Every ManyToManyOptions key, for the unknown-option check. */
export const MANY_TO_MANY_OPTIONS: readonly string[] = [
  'through', 'forwardKey', 'backwardKey', 'relatedName', 'onDelete', 'dbConstraint', 'createUniqueIndex',
];

/** Declaration of a forward foreign key or one-to-one relation, resolved at Terrapin.init. */
export class ForeignKeyDecl {
  constructor(
    readonly kind: 'fk' | 'o2o',
    readonly to: ModelRef<Model>,
    readonly options: ForeignKeyOptions,
  ) {}
}

/** Declaration of a many-to-many relation, resolved at Terrapin.init. */
export class ManyToManyDecl {
  readonly kind = 'm2m' as const;
  constructor(
    readonly to: ModelRef<Model>,
    readonly options: ManyToManyOptions,
  ) {}
}

export type RelationDecl = ForeignKeyDecl | ManyToManyDecl;

/**
 * A foreign key: `author = fields.ForeignKeyField(() => Author, { relatedName: 'books' })`.
 * Reads as the related instance once fetched (`await book.author` fetches it); the key itself is
 * `book.authorId` (declare it with `declare authorId: number` to have it typed).
 */
export function ForeignKeyField<T extends Model>(
  to: ModelRef<T>,
  options: ForeignKeyOptions & { null: true },
): ForwardRelationType<T, 'fk', true>;
export function ForeignKeyField<T extends Model>(to: ModelRef<T>, options?: ForeignKeyOptions): ForwardRelationType<T, 'fk', false>;
export function ForeignKeyField(to: ModelRef<Model>, options: ForeignKeyOptions = {}): unknown {
  return new ForeignKeyDecl('fk', to, options);
}

/** A one-to-one relation: a unique foreign key whose reverse side is a single object. */
export function OneToOneField<T extends Model>(
  to: ModelRef<T>,
  options: ForeignKeyOptions & { null: true },
): ForwardRelationType<T, 'o2o', true>;
export function OneToOneField<T extends Model>(to: ModelRef<T>, options?: ForeignKeyOptions): ForwardRelationType<T, 'o2o', false>;
export function OneToOneField(to: ModelRef<Model>, options: ForeignKeyOptions = {}): unknown {
  return new ForeignKeyDecl('o2o', to, options);
}

/** A many-to-many relation through a table of key pairs; reads as a manager (`add`, `remove`, `clear`, queries). */
export function ManyToManyField<T extends Model>(to: ModelRef<T>, options: ManyToManyOptions = {}): ManyToManyRelation<T> {
  return new ManyToManyDecl(to, options) as unknown as ManyToManyRelation<T>;
}
