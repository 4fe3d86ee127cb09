/** Operations on one field (column) of a model: add, remove, alter, rename. */
import { ConfigurationError } from '../../errors.js';
import type { JsonValue } from '../../fields/misc.js';
import { appOf, columnOf, columnTypeOf, modelKey, type FieldState, type ModelState, type ProjectState } from '../state.js';
import { compact, fieldOf, modelEntry, refuseTaken, withModel } from '../state-edit.js';
import { encodeValue } from '../values.js';
import type { Hints, OperationKind, Where } from './operation.js';
import type { Dialect } from '../../dialects/dialect.js';

export interface AddField {
  readonly op: 'addField';
  readonly model: string;
  readonly field: FieldState;
  /** The value existing rows get when the field is NOT NULL without a database default (not kept as a default). */
  readonly fill?: JsonValue;
}
export interface RemoveField {
  readonly op: 'removeField';
  readonly model: string;
  readonly name: string;
}
export interface AlterField {
  readonly op: 'alterField';
  readonly model: string;
  readonly name: string;
  /** The whole new definition (same name). */
  readonly field: FieldState;
  /** The value rows holding NULL get when the field becomes NOT NULL. */
  readonly fill?: JsonValue;
}
export interface RenameField {
  readonly op: 'renameField';
  readonly model: string;
  readonly from: string;
  readonly to: string;
}

/** A new column. */
export function addField(options: Omit<AddField, 'op'>): AddField {
  return { op: 'addField', ...options };
}
/** Drops a column; its values are lost (a downgrade adds it back, filled with its default). */
export function removeField(options: Omit<RemoveField, 'op'>): RemoveField {
  return { op: 'removeField', ...options };
}
/** A new definition for a column: type, null, default, unique, index, key target, description. */
export function alterField(options: Omit<AlterField, 'op'>): AlterField {
  return { op: 'alterField', ...options };
}
/** A renamed field; its column is renamed too unless the field names its column (sourceField). */
export function renameField(options: Omit<RenameField, 'op'>): RenameField {
  return { op: 'renameField', ...options };
}

/**
 * A value for rows that must hold something where a NOT NULL column has no default: the field's
 * constant default, else the type's zero ('' , 0, false, the epoch). Used when a downgrade brings
 * a removed column back or makes a column NOT NULL again.
 */
export function zeroFill(field: FieldState): JsonValue | undefined {
  if (field.null === true || field.dbDefault === true) return undefined;
  if (field.default !== undefined && field.default !== null) return field.default;
  switch (field.type) {
    case 'varchar':
    case 'text':
    case 'binary':
      return '';
    case 'boolean':
      return false;
    case 'decimal':
      return '0';
    case 'uuid':
      return '00000000-0000-0000-0000-000000000000';
    case 'datetime':
      return '1970-01-01T00:00:00.000Z';
    case 'date':
      return '1970-01-01';
    case 'time':
      return '00:00:00';
    case 'json':
      return {};
    default:
      return 0;
  }
}

function fillHints(state: ProjectState, op: AddField | AlterField, where: Where, dialect: Dialect): Hints {
  const [, model] = modelEntry(state, op.model, where);
  const fills = new Map<string, Map<string, unknown>>();
  if (op.fill !== undefined && op.fill !== null) {
    fills.set(model.table, new Map([[columnOf(op.field), encodeValue(columnTypeOf(op.field), op.fill, dialect)]]));
  }
  return { renames: { tables: new Map(), columns: new Map() }, fills };
}

function checkReference(state: ProjectState, key: string, field: FieldState, where: Where): void {
  if (field.references === undefined) return;
  if (state.models[modelKey(appOf(key), field.references.model)] === undefined) {
    throw new ConfigurationError(`${where.label}: ${field.name} points at the model '${field.references.model}', which does not exist at this point of the migrations.`);
  }
}

export const addFieldKind: OperationKind<AddField> = {
  describe: (op) => `Add field ${op.model}.${op.field.name}`,
  apply(op, state, where) {
    const [key, model] = modelEntry(state, op.model, where);
    refuseTaken(model, op.field.name, where);
    checkReference(state, key, op.field, where);
    return withModel(state, key, { ...model, fields: [...model.fields, op.field] });
  },
  hints: (op, before, where, dialect) => fillHints(before, op, where, dialect),
  reverse: (op) => removeField({ model: op.model, name: op.field.name }),
};

export const removeFieldKind: OperationKind<RemoveField> = {
  describe: (op) => `Remove field ${op.model}.${op.name}`,
  apply(op, state, where) {
    const [key, model] = modelEntry(state, op.model, where);
    const field = fieldOf(model, op.name, where);
    if (field.pk === true) throw new ConfigurationError(`${where.label}: ${op.model}.${op.name} is the primary key and cannot be removed.`);
    const grouped = [...(model.uniqueTogether ?? []), ...(model.indexes ?? [])].find((g) => g.includes(op.name));
    if (grouped !== undefined) {
      throw new ConfigurationError(`${where.label}: ${op.model}.${op.name} is in the group [${grouped.join(', ')}]; remove the group (removeUnique/removeIndex) first.`);
    }
    return withModel(state, key, { ...model, fields: model.fields.filter((f) => f.name !== op.name) });
  },
  reverse(op, before, where) {
    const [, model] = modelEntry(before, op.model, where);
    const field = fieldOf(model, op.name, where);
    return addField(compact({ model: op.model, field, fill: zeroFill(field) }));
  },
};

export const alterFieldKind: OperationKind<AlterField> = {
  describe: (op) => `Alter field ${op.model}.${op.name}`,
  apply(op, state, where) {
    const [key, model] = modelEntry(state, op.model, where);
    fieldOf(model, op.name, where);
    if (op.field.name !== op.name) {
      throw new ConfigurationError(`${where.label}: alterField cannot rename ${op.model}.${op.name} to ${op.field.name}; use renameField first.`);
    }
    checkReference(state, key, op.field, where);
    return withModel(state, key, { ...model, fields: model.fields.map((f) => (f.name === op.name ? op.field : f)) });
  },
  hints(op, before, where, dialect) {
    const hints = fillHints(before, op, where, dialect);
    // A new column name (sourceField) is the same column renamed, not a new one.
    const [, model] = modelEntry(before, op.model, where);
    const old = columnOf(fieldOf(model, op.name, where));
    const next = columnOf(op.field);
    if (old === next) return hints;
    return { renames: { tables: new Map(), columns: new Map([[model.table, new Map([[old, next]])]]) }, fills: hints.fills };
  },
  reverse(op, before, where) {
    const [, model] = modelEntry(before, op.model, where);
    const field = fieldOf(model, op.name, where);
    const fill = op.field.null === true && field.null !== true ? zeroFill(field) : undefined;
    return alterField(compact({ model: op.model, name: op.name, field, fill }));
  },
};

function renameInGroups(groups: readonly (readonly string[])[] | undefined, from: string, to: string): (readonly string[])[] | undefined {
  return groups?.map((g) => g.map((n) => (n === from ? to : n)));
}

/** The field renamed, its column with it unless it names its own, and a key's relation name (authorId → writerId: author → writer). */
function renamedField(field: FieldState, to: string): FieldState {
  let references = field.references;
  if (references !== undefined && `${references.relation}Id` === field.name && to.endsWith('Id') && to.length > 2) {
    references = { ...references, relation: to.slice(0, -2) };
  }
  return compact({ ...field, name: to, references });
}

export const renameFieldKind: OperationKind<RenameField> = {
  describe: (op) => `Rename field ${op.model}.${op.from} to ${op.to}`,
  apply(op, state, where) {
    const [key, model] = modelEntry(state, op.model, where);
    fieldOf(model, op.from, where);
    refuseTaken(model, op.to, where);
    const renamed: ModelState = compact({
      ...model,
      fields: model.fields.map((f) => (f.name === op.from ? renamedField(f, op.to) : f)),
      uniqueTogether: renameInGroups(model.uniqueTogether, op.from, op.to),
      indexes: renameInGroups(model.indexes, op.from, op.to),
    });
    let next = withModel(state, key, renamed);
    // Keys elsewhere that point at this field by name (toField) follow it.
    for (const [otherKey, other] of Object.entries(next.models)) {
      const points = other.fields.some((f) => f.references?.field === op.from && modelKey(appOf(otherKey), f.references.model) === key);
      if (!points) continue;
      next = withModel(next, otherKey, {
        ...other,
        fields: other.fields.map((f) =>
          f.references?.field === op.from && modelKey(appOf(otherKey), f.references.model) === key ? { ...f, references: { ...f.references, field: op.to } } : f,
        ),
      });
    }
    return next;
  },
  hints(op, before, where) {
    const [, model] = modelEntry(before, op.model, where);
    const field = fieldOf(model, op.from, where);
    const columns = new Map<string, Map<string, string>>();
    if (field.column === undefined) columns.set(model.table, new Map([[op.from, op.to]]));
    return { renames: { tables: new Map(), columns }, fills: new Map() };
  },
  reverse: (op) => renameField({ model: op.model, from: op.to, to: op.from }),
};
