import type { Field } from '../fields/base.js';
import type { OnDelete } from '../fields/relational.js';
import type { ModelMeta } from './meta.js';

/** A forward foreign key or one-to-one: `book.author`, stored in `book.authorId`. */
export interface ForwardRelation {
  readonly kind: 'fk' | 'o2o';
  readonly name: string;
  /** The model declaring it. */
  readonly model: ModelMeta;
  readonly target: ModelMeta;
  /** The key column on `model` (`authorId`). */
  readonly idField: Field;
  /** The field on `target` it points at (its primary key, or `toField`). */
  readonly targetField: Field;
  readonly nullable: boolean;
  readonly onDelete: OnDelete;
  readonly dbConstraint: boolean;
  /** The reverse relation's name on `target`, if any. */
  readonly relatedName: string | undefined;
}

/** The other side of a foreign key (`author.books`) or one-to-one (`profile.user`). */
export interface BackwardRelation {
  readonly kind: 'reverseFk' | 'reverseO2o';
  readonly name: string;
  readonly model: ModelMeta;
  /** The model holding the key. */
  readonly target: ModelMeta;
  readonly forward: ForwardRelation;
}

/** The through table of a many-to-many relation. */
export interface ThroughTable {
  readonly table: string;
  /** Column pointing at the declaring model. */
  readonly backwardKey: string;
  /** Column pointing at the related model. */
  readonly forwardKey: string;
  /** Set when a model maps the table (its FKs are the two keys). */
  readonly model: ModelMeta | undefined;
  readonly onDelete: OnDelete;
  readonly dbConstraint: boolean;
  readonly unique: boolean;
}

/** A many-to-many relation, seen from `model` (either side). */
export interface ManyToManyRelationMeta {
  readonly kind: 'm2m';
  readonly name: string;
  readonly model: ModelMeta;
  readonly target: ModelMeta;
  readonly through: ThroughTable;
  /** Column of the through table pointing at `model` (the declared side's backwardKey, or forwardKey when reversed). */
  readonly ownKey: string;
  /** Column of the through table pointing at `target`. */
  readonly targetKey: string;
  /** False on the side that declared the field. */
  readonly reversed: boolean;
  /** A relation with no name a user can write (relatedName: false); used internally by managers. */
  readonly hidden: boolean;
}

export type Relation = ForwardRelation | BackwardRelation | ManyToManyRelationMeta;

/** Relations that hold many rows per instance: joins over them multiply rows. */
export function isMultiValued(relation: Relation): boolean {
  return relation.kind === 'reverseFk' || relation.kind === 'm2m';
}
