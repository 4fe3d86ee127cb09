/** Operations on whole models: create, delete, rename (the class), alter (table name, description). */
import { ConfigurationError } from '../../errors.js';
import { appOf, modelKey, modelRef, type ManyToManyState, type ModelState, type ProjectState } from '../state.js';
import { compact, modelEntry, withModel, withoutModel } from '../state-edit.js';
import type { OperationKind, Where } from './operation.js';

export interface CreateModel extends ModelState {
  readonly op: 'createModel';
}
export interface DeleteModel {
  readonly op: 'deleteModel';
  readonly name: string;
}
export interface RenameModel {
  readonly op: 'renameModel';
  readonly from: string;
  readonly to: string;
}
export interface AlterModel {
  readonly op: 'alterModel';
  readonly name: string;
  readonly table?: string;
  /** null removes the description. */
  readonly description?: string | null;
}

/** A new model and its table (with its many-to-many through tables). */
export function createModel(model: Omit<CreateModel, 'op'>): CreateModel {
  return { op: 'createModel', ...model };
}
/** Drops a model's table (and its through tables); its rows are lost. */
export function deleteModel(options: Omit<DeleteModel, 'op'>): DeleteModel {
  return { op: 'deleteModel', ...options };
}
/** A model class renamed; its table is left as it is (alterModel renames that). */
export function renameModel(options: Omit<RenameModel, 'op'>): RenameModel {
  return { op: 'renameModel', ...options };
}
/** A new table name or description for a model. */
export function alterModel(options: Omit<AlterModel, 'op'>): AlterModel {
  return { op: 'alterModel', ...options };
}

function stateModel(op: CreateModel): ModelState {
  const { op: _op, ...model } = op;
  return model;
}

export const createModelKind: OperationKind<CreateModel> = {
  describe: (op) => `Create model ${op.name}`,
  apply(op, state, where) {
    const key = modelKey(where.app, op.name);
    if (state.models[key] !== undefined) throw new ConfigurationError(`${where.label}: the model ${op.name} already exists.`);
    const table = Object.values(state.models).find((m) => m.table === op.table);
    if (table !== undefined) throw new ConfigurationError(`${where.label}: ${table.name} already uses the table '${op.table}'.`);
    return withModel(state, key, stateModel(op));
  },
  reverse: (op) => deleteModel({ name: op.name }),
};

/** Other models' keys and many-to-manys pointing at `key`. */
function referencesTo(state: ProjectState, key: string): string[] {
  const found: string[] = [];
  for (const [otherKey, model] of Object.entries(state.models)) {
    if (otherKey === key) continue;
    const at = (ref: string) => modelKey(appOf(otherKey), ref) === key;
    for (const field of model.fields) if (field.references !== undefined && at(field.references.model)) found.push(`${model.name}.${field.name}`);
    for (const m2m of model.manyToMany ?? []) if (at(m2m.model) || (m2m.through !== undefined && at(m2m.through))) found.push(`${model.name}.${m2m.name}`);
  }
  return found;
}

export const deleteModelKind: OperationKind<DeleteModel> = {
  describe: (op) => `Delete model ${op.name}`,
  apply(op, state, where) {
    const [key] = modelEntry(state, op.name, where);
    const pointing = referencesTo(state, key);
    if (pointing.length > 0) {
      throw new ConfigurationError(`${where.label}: ${op.name} cannot be deleted while ${pointing.join(', ')} point at it; remove those first.`);
    }
    return withoutModel(state, key);
  },
  reverse(op, before, where) {
    const [, model] = modelEntry(before, op.name, where);
    return createModel(model);
  },
};

/** `ref` (written in the app of `fromKey`) with `oldKey` renamed to `newKey`. */
function renamedRef(ref: string, fromKey: string, oldKey: string, newKey: string): string {
  const app = appOf(fromKey);
  return modelKey(app, ref) === oldKey ? modelRef(app, newKey) : ref;
}

export const renameModelKind: OperationKind<RenameModel> = {
  describe: (op) => `Rename model ${op.from} to ${op.to}`,
  apply(op, state, where) {
    const [oldKey, model] = modelEntry(state, op.from, where);
    const newKey = modelKey(where.app, op.to);
    if (state.models[newKey] !== undefined) throw new ConfigurationError(`${where.label}: the model ${op.to} already exists.`);
    const models: Record<string, ModelState> = {};
    for (const [key, other] of Object.entries(state.models)) {
      const current = key === oldKey ? { ...model, name: op.to } : other;
      const fields = current.fields.map((f) =>
        f.references === undefined ? f : { ...f, references: { ...f.references, model: renamedRef(f.references.model, key, oldKey, newKey) } },
      );
      const manyToMany = current.manyToMany?.map((m): ManyToManyState =>
        compact({ ...m, model: renamedRef(m.model, key, oldKey, newKey), through: m.through === undefined ? undefined : renamedRef(m.through, key, oldKey, newKey) }),
      );
      models[key === oldKey ? newKey : key] = compact({ ...current, fields, manyToMany });
    }
    return { models };
  },
  reverse: (op) => renameModel({ from: op.to, to: op.from }),
};

export const alterModelKind: OperationKind<AlterModel> = {
  describe: (op) => `Alter model ${op.name}${op.table === undefined ? '' : ` (table ${op.table})`}${op.description === undefined ? '' : ' (description)'}`,
  apply(op, state, where) {
    const [key, model] = modelEntry(state, op.name, where);
    if (op.table !== undefined && op.table !== model.table) {
      const taken = Object.values(state.models).find((m) => m.table === op.table);
      if (taken !== undefined) throw new ConfigurationError(`${where.label}: ${taken.name} already uses the table '${op.table}'.`);
    }
    const description = op.description === undefined ? model.description : (op.description ?? undefined);
    return withModel(state, key, compact({ ...model, table: op.table ?? model.table, description }));
  },
  hints(op, before, where: Where) {
    const [, model] = modelEntry(before, op.name, where);
    const tables = new Map<string, string>();
    if (op.table !== undefined && op.table !== model.table) tables.set(model.table, op.table);
    return { renames: { tables, columns: new Map() }, fills: new Map() };
  },
  reverse(op, before, where) {
    const [, model] = modelEntry(before, op.name, where);
    return alterModel(
      compact({
        name: op.name,
        table: op.table === undefined ? undefined : model.table,
        description: op.description === undefined ? undefined : (model.description ?? null),
      }),
    );
  },
};
