/** Many-to-many relations: their through tables come and go with them. */
import { ConfigurationError } from '../../errors.js';
import { appOf, modelKey, type ManyToManyState } from '../state.js';
import { compact, modelEntry, refuseTaken, withModel } from '../state-edit.js';
import type { OperationKind, Where } from './operation.js';

export interface AddManyToMany {
  readonly op: 'addManyToMany';
  readonly model: string;
  readonly field: ManyToManyState;
}
export interface RemoveManyToMany {
  readonly op: 'removeManyToMany';
  readonly model: string;
  readonly name: string;
}
export interface AlterManyToMany {
  readonly op: 'alterManyToMany';
  readonly model: string;
  readonly name: string;
  readonly field: ManyToManyState;
}

/** A many-to-many relation, and its through table (unless a through model maps it). */
export function addManyToMany(options: Omit<AddManyToMany, 'op'>): AddManyToMany {
  return { op: 'addManyToMany', ...options };
}
/** Drops a many-to-many relation's through table; its pairs are lost. */
export function removeManyToMany(options: Omit<RemoveManyToMany, 'op'>): RemoveManyToMany {
  return { op: 'removeManyToMany', ...options };
}
/** A new definition for a many-to-many: its through table is renamed, its keys changed. */
export function alterManyToMany(options: Omit<AlterManyToMany, 'op'>): AlterManyToMany {
  return { op: 'alterManyToMany', ...options };
}

function relation(list: readonly ManyToManyState[] | undefined, name: string, modelName: string, where: Where): ManyToManyState {
  const found = list?.find((m) => m.name === name);
  if (found === undefined) throw new ConfigurationError(`${where.label}: ${modelName} has no many-to-many '${name}' at this point of the migrations.`);
  return found;
}

function checkTarget(state: Parameters<OperationKind['apply']>[1], key: string, field: ManyToManyState, where: Where): void {
  if (state.models[modelKey(appOf(key), field.model)] === undefined) {
    throw new ConfigurationError(`${where.label}: ${field.name} relates to the model '${field.model}', which does not exist at this point of the migrations.`);
  }
}

export const addManyToManyKind: OperationKind<AddManyToMany> = {
  describe: (op) => `Add many-to-many ${op.model}.${op.field.name}`,
  apply(op, state, where) {
    const [key, model] = modelEntry(state, op.model, where);
    refuseTaken(model, op.field.name, where);
    checkTarget(state, key, op.field, where);
    return withModel(state, key, { ...model, manyToMany: [...(model.manyToMany ?? []), op.field] });
  },
  reverse: (op) => removeManyToMany({ model: op.model, name: op.field.name }),
};

export const removeManyToManyKind: OperationKind<RemoveManyToMany> = {
  describe: (op) => `Remove many-to-many ${op.model}.${op.name}`,
  apply(op, state, where) {
    const [key, model] = modelEntry(state, op.model, where);
    relation(model.manyToMany, op.name, model.name, where);
    const rest = (model.manyToMany ?? []).filter((m) => m.name !== op.name);
    return withModel(state, key, compact({ ...model, manyToMany: rest.length === 0 ? undefined : rest }));
  },
  reverse(op, before, where) {
    const [, model] = modelEntry(before, op.model, where);
    return addManyToMany({ model: op.model, field: relation(model.manyToMany, op.name, model.name, where) });
  },
};

export const alterManyToManyKind: OperationKind<AlterManyToMany> = {
  describe: (op) => `Alter many-to-many ${op.model}.${op.name}`,
  apply(op, state, where) {
    const [key, model] = modelEntry(state, op.model, where);
    relation(model.manyToMany, op.name, model.name, where);
    if (op.field.name !== op.name) throw new ConfigurationError(`${where.label}: alterManyToMany cannot rename ${op.model}.${op.name}.`);
    checkTarget(state, key, op.field, where);
    return withModel(state, key, { ...model, manyToMany: (model.manyToMany ?? []).map((m) => (m.name === op.name ? op.field : m)) });
  },
  hints(op, before, where) {
    const [, model] = modelEntry(before, op.model, where);
    const old = relation(model.manyToMany, op.name, model.name, where);
    const tables = new Map<string, string>();
    const columns = new Map<string, Map<string, string>>();
    if (old.through === undefined && op.field.through === undefined) {
      if (old.table !== op.field.table) tables.set(old.table, op.field.table);
      const keys = new Map<string, string>();
      if (old.backwardKey !== op.field.backwardKey) keys.set(old.backwardKey, op.field.backwardKey);
      if (old.forwardKey !== op.field.forwardKey) keys.set(old.forwardKey, op.field.forwardKey);
      if (keys.size > 0) columns.set(op.field.table, keys);
    }
    return { renames: { tables, columns }, fills: new Map() };
  },
  reverse(op, before, where) {
    const [, model] = modelEntry(before, op.model, where);
    return alterManyToMany({ model: op.model, name: op.name, field: relation(model.manyToMany, op.name, model.name, where) });
  },
};
