/**
 * The model state migrations work on: every model of every app as plain, serialisable data — what
 * the database needs to know (column types, null, defaults, unique, indexes, keys, through tables)
 * and the constant defaults and descriptions around it. Migration files never store it: it is
 * rebuilt by replaying their operations in order (as Django does), so the files stay the one
 * source of truth; `stateFromModels` builds the same shape from the registered models, and the
 * autodetector compares the two.
 */
import type { ColumnType } from '../sql/ast.js';
import type { OnDelete } from '../fields/relational.js';
import type { JsonValue } from '../fields/misc.js';

export type ColumnTypeName = ColumnType['type'];

/** A foreign key or one-to-one: the relation a key column belongs to. */
export interface ReferenceState {
  /** The relation's name on the model (`author` for the column field `authorId`). */
  readonly relation: string;
  readonly kind: 'fk' | 'o2o';
  /** The related model: 'Author' in the same app, 'app.Author' in another. */
  readonly model: string;
  /** The related field the key points at, when it is not the related model's primary key. */
  readonly field?: string;
  readonly onDelete: OnDelete;
  /** false: no FOREIGN KEY constraint in the database. */
  readonly dbConstraint?: false;
}

/** One column of a model. Options at their default value are left out. */
export interface FieldState {
  readonly name: string;
  /** The field factory ('CharField', 'ForeignKeyField'), for readers and rename questions. */
  readonly fieldType: string;
  readonly type: ColumnTypeName;
  /** VARCHAR length. */
  readonly length?: number;
  /** DECIMAL precision and scale. */
  readonly digits?: number;
  readonly places?: number;
  /** The column name, when it differs from `name` (sourceField). */
  readonly column?: string;
  readonly pk?: true;
  readonly generated?: true;
  readonly null?: true;
  readonly unique?: true;
  readonly index?: true;
  /** A constant default (a default computed by a function is not part of the state). */
  readonly default?: JsonValue;
  /** The default is also the column's DEFAULT in the database (numbers, booleans, decimals, int enums). */
  readonly dbDefault?: true;
  readonly description?: string;
  readonly references?: ReferenceState;
}

/** A many-to-many relation declared on a model. */
export interface ManyToManyState {
  readonly name: string;
  /** The related model, as in ReferenceState. */
  readonly model: string;
  /** The through table. */
  readonly table: string;
  /** Its column pointing at the declaring model. */
  readonly backwardKey: string;
  /** Its column pointing at the related model. */
  readonly forwardKey: string;
  readonly onDelete: OnDelete;
  readonly dbConstraint?: false;
  /** false: no unique (backwardKey, forwardKey) pair. */
  readonly unique?: false;
  /** A model that maps the through table itself (then this relation creates no table). */
  readonly through?: string;
}

export interface ModelState {
  readonly name: string;
  readonly table: string;
  readonly description?: string;
  readonly fields: readonly FieldState[];
  /** Field names that are unique together, per group. */
  readonly uniqueTogether?: readonly (readonly string[])[];
  /** Field names indexed together, per group. */
  readonly indexes?: readonly (readonly string[])[];
  readonly manyToMany?: readonly ManyToManyState[];
}

/** Every model by 'app.Model'. */
export interface ProjectState {
  readonly models: Readonly<Record<string, ModelState>>;
}

export const EMPTY_STATE: ProjectState = { models: {} };

/** The key of a model reference written in `app`'s migrations ('Author' or 'other.Author'). */
export function modelKey(app: string, ref: string): string {
  return ref.includes('.') ? ref : `${app}.${ref}`;
}

/** The app of a model key. */
export function appOf(key: string): string {
  return key.slice(0, key.lastIndexOf('.'));
}

/** A model reference as written in `app`'s migrations: the bare name inside the app. */
export function modelRef(app: string, key: string): string {
  return appOf(key) === app ? key.slice(key.lastIndexOf('.') + 1) : key;
}

export function columnOf(field: FieldState): string {
  return field.column ?? field.name;
}

export function columnTypeOf(field: FieldState): ColumnType {
  switch (field.type) {
    case 'varchar':
      return { type: 'varchar', length: field.length ?? 255 };
    case 'decimal':
      return { type: 'decimal', digits: field.digits ?? 10, places: field.places ?? 0 };
    default:
      return { type: field.type };
  }
}

/** A primary key is unique whether or not it says so. */
export function isUnique(field: FieldState): boolean {
  return field.unique === true || field.pk === true;
}

export function pkOf(model: ModelState): FieldState {
  const pk = model.fields.find((f) => f.pk === true);
  if (pk === undefined) throw new TypeError(`model ${model.name} has no primary key in the migration state`);
  return pk;
}
