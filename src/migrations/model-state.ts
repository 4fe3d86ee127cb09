/** The migration state of the registered models: what `makemigrations` compares the files' state with. */
import type { Field } from '../fields/base.js';
import type { JsonValue } from '../fields/misc.js';
import type { ModelMeta } from '../model/meta.js';
import type { ForwardRelation } from '../model/relations.js';
import { DDL_DEFAULT_KINDS } from '../schema/generate.js';
import { modelRef, type FieldState, type ManyToManyState, type ModelState, type ProjectState, type ReferenceState } from './state.js';

function keyOf(meta: ModelMeta): string {
  return `${meta.app}.${meta.name}`;
}

/** A constant default as JSON (in the field's canonical form), or undefined for none or a function. */
function constantDefault(field: Field): JsonValue | undefined {
  const d = field.defaultValue;
  if (d === undefined || d === null || typeof d === 'function') return undefined;
  let value: unknown = d;
  try {
    value = field.normalize(d);
  } catch {
    // A default the field itself refuses fails on first save; the state keeps it as written.
  }
  if (typeof value === 'bigint') return value.toString();
  if (value instanceof Date) return value.toISOString();
  if (typeof value === 'number' || typeof value === 'string' || typeof value === 'boolean') return value;
  try {
    const text = JSON.stringify(value);
    return text === undefined ? undefined : (JSON.parse(text) as JsonValue);
  } catch {
    return undefined;
  }
}

function fieldState(field: Field, app: string, relation: ForwardRelation | undefined): FieldState {
  const type = field.columnType();
  const out: Record<string, unknown> = {
    name: field.name,
    fieldType: relation === undefined ? field.fieldType : relation.kind === 'o2o' ? 'OneToOneField' : 'ForeignKeyField',
    type: type.type,
  };
  if (type.type === 'varchar') out.length = type.length;
  if (type.type === 'decimal') {
    out.digits = type.digits;
    out.places = type.places;
  }
  if (field.column !== field.name) out.column = field.column;
  if (field.pk) out.pk = true;
  if (field.generated) out.generated = true;
  if (field.nullable) out.null = true;
  if (field.unique && !field.pk) out.unique = true;
  if (field.index) out.index = true;
  const constant = constantDefault(field);
  if (constant !== undefined) {
    out.default = constant;
    if (DDL_DEFAULT_KINDS.has(field.kind)) out.dbDefault = true;
  }
  if (field.description !== undefined) out.description = field.description;
  if (relation !== undefined) {
    const references: Record<string, unknown> = { relation: relation.name, kind: relation.kind, model: modelRef(app, keyOf(relation.target)) };
    if (relation.targetField !== relation.target.pk) references.field = relation.targetField.name;
    references.onDelete = relation.onDelete;
    if (!relation.dbConstraint) references.dbConstraint = false;
    out.references = references as unknown as ReferenceState;
  }
  return out as unknown as FieldState;
}

export function modelState(meta: ModelMeta): ModelState {
  const forwards = new Map<Field, ForwardRelation>();
  const manyToMany: ManyToManyState[] = [];
  for (const relation of meta.relations.values()) {
    if (relation.kind === 'fk' || relation.kind === 'o2o') forwards.set(relation.idField, relation);
    if (relation.kind !== 'm2m' || relation.reversed) continue;
    const { through } = relation;
    const entry: Record<string, unknown> = {
      name: relation.name,
      model: modelRef(meta.app, keyOf(relation.target)),
      table: through.table,
      backwardKey: through.backwardKey,
      forwardKey: through.forwardKey,
      onDelete: through.onDelete,
    };
    if (!through.dbConstraint) entry.dbConstraint = false;
    if (!through.unique && through.model === undefined) entry.unique = false;
    if (through.model !== undefined) entry.through = modelRef(meta.app, keyOf(through.model));
    manyToMany.push(entry as unknown as ManyToManyState);
  }
  const out: Record<string, unknown> = {
    name: meta.name,
    table: meta.table,
    fields: meta.fields.map((f) => fieldState(f, meta.app, forwards.get(f))),
  };
  if (meta.description !== undefined) out.description = meta.description;
  if (meta.uniqueTogether.length > 0) out.uniqueTogether = meta.uniqueTogether.map((g) => g.map((f) => f.name));
  if (meta.indexes.length > 0) out.indexes = meta.indexes.map((g) => g.map((f) => f.name));
  if (manyToMany.length > 0) out.manyToMany = manyToMany;
  return out as unknown as ModelState;
}

/** The state of the registered models (all apps, or those given). */
export function stateFromModels(metas: readonly ModelMeta[]): ProjectState {
  const models: Record<string, ModelState> = {};
  for (const meta of metas) models[keyOf(meta)] = modelState(meta);
  return { models };
}
