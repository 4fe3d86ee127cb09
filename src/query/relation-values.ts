import { ValidationError } from '../errors.js';
import { describeValue, type Field } from '../fields/base.js';
import type { ModelMeta } from '../model/meta.js';

/**
 * `update({ author: writer })`: a forward relation's name with a related instance (or null) stands
 * for its key column (`authorId`) and the instance's key, as in create() and filter().
 * Any other name is looked up as a field and its value passed through.
 */
export function relationAsKey(meta: ModelMeta, name: string, value: unknown): { field: Field; value: unknown } {
  const relation = meta.relations.get(name);
  if (relation === undefined || (relation.kind !== 'fk' && relation.kind !== 'o2o')) return { field: meta.field(name, 'update()'), value };
  const { idField, targetField, target } = relation;
  if (value === null) return { field: idField, value: null };
  if (typeof value !== 'object' || !(value instanceof (target.cls as unknown as abstract new () => object))) {
    throw new ValidationError(
      `${meta.name}.${name}: update() takes a ${target.name} instance (or null) for '${name}'; got ${describeValue(value)}. To set the key itself, use '${idField.name}'.`,
      meta.name,
      name,
      value,
    );
  }
  const key = (value as Record<string, unknown>)[targetField.name];
  if (key === undefined || key === null) {
    throw new ValidationError(`${meta.name}.${name}: the ${target.name} passed to update() is not saved yet (it has no ${targetField.name}); save it first.`, meta.name, name, value);
  }
  return { field: idField, value: key };
}

