/** Operations on groups of fields: indexes over several columns and unique-together constraints. */
import { ConfigurationError } from '../../errors.js';
import type { ModelState } from '../state.js';
import { compact, fieldOf, modelEntry, withModel } from '../state-edit.js';
import type { OperationKind, Where } from './operation.js';

export interface GroupOperation<K extends string> {
  readonly op: K;
  readonly model: string;
  readonly fields: readonly string[];
}
export type AddIndex = GroupOperation<'addIndex'>;
export type RemoveIndex = GroupOperation<'removeIndex'>;
export type AddUnique = GroupOperation<'addUnique'>;
export type RemoveUnique = GroupOperation<'removeUnique'>;

/** An index over several fields (Meta.indexes); a single field's index is its `index` option. */
export function addIndex(options: Omit<AddIndex, 'op'>): AddIndex {
  return { op: 'addIndex', ...options };
}
export function removeIndex(options: Omit<RemoveIndex, 'op'>): RemoveIndex {
  return { op: 'removeIndex', ...options };
}
/** Fields unique together (Meta.uniqueTogether). */
export function addUnique(options: Omit<AddUnique, 'op'>): AddUnique {
  return { op: 'addUnique', ...options };
}
export function removeUnique(options: Omit<RemoveUnique, 'op'>): RemoveUnique {
  return { op: 'removeUnique', ...options };
}

type GroupKey = 'indexes' | 'uniqueTogether';

const same = (a: readonly string[], b: readonly string[]) => a.length === b.length && a.every((n, i) => n === b[i]);

function groupKind<K extends string>(key: GroupKey, adding: boolean, label: string, reverse: (model: string, fields: readonly string[]) => { op: string }): OperationKind<GroupOperation<K>> {
  return {
    describe: (op) => `${adding ? 'Add' : 'Remove'} ${label} ${op.model} (${op.fields.join(', ')})`,
    apply(op, state, where: Where) {
      const [modelKey, model] = modelEntry(state, op.model, where);
      for (const name of op.fields) fieldOf(model, name, where);
      const groups = model[key] ?? [];
      const exists = groups.some((g) => same(g, op.fields));
      if (adding && exists) throw new ConfigurationError(`${where.label}: ${op.model} already has the ${label} (${op.fields.join(', ')}).`);
      if (!adding && !exists) throw new ConfigurationError(`${where.label}: ${op.model} has no ${label} (${op.fields.join(', ')}).`);
      const next = adding ? [...groups, op.fields] : groups.filter((g) => !same(g, op.fields));
      return withModel(state, modelKey, compact<ModelState>({ ...model, [key]: next.length === 0 ? undefined : next }));
    },
    reverse: (op) => reverse(op.model, op.fields),
  };
}

export const addIndexKind = groupKind<'addIndex'>('indexes', true, 'index', (model, fields) => removeIndex({ model, fields }));
export const removeIndexKind = groupKind<'removeIndex'>('indexes', false, 'index', (model, fields) => addIndex({ model, fields }));
export const addUniqueKind = groupKind<'addUnique'>('uniqueTogether', true, 'unique group', (model, fields) => removeUnique({ model, fields }));
export const removeUniqueKind = groupKind<'removeUnique'>('uniqueTogether', false, 'unique group', (model, fields) => addUnique({ model, fields }));
