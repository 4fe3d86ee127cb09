import { FieldError } from '../errors.js';
import type { Field } from '../fields/base.js';
import type { ModelMeta } from '../model/meta.js';
import type { Relation } from '../model/relations.js';

/** A field reached from a model through zero or more relations: `author__publisher__name`. */
export interface FieldPath {
  readonly path: readonly Relation[];
  readonly field: Field;
  /** Set when the path ends on a relation itself (`author`, `books`): values may be instances of this model… */
  readonly relationTarget: ModelMeta | undefined;
  /** …standing for their value of this attribute. */
  readonly relationKey: string | undefined;
}

/**
 * Walks `parts` from `meta` through relations to a field, leaving unused parts (the lookup) to
 * the caller. A part naming a relation followed by nothing else compares the relation's key:
 * a forward key's own column (no join), otherwise the related primary key.
 */
export function walkPath(meta: ModelMeta, parts: readonly string[], where: string, isLookup: (name: string) => boolean): { fieldPath: FieldPath; rest: string[] } {
  const path: Relation[] = [];
  let current = meta;
  for (let i = 0; i < parts.length; i++) {
    const part = parts[i]!;
    const relation = current.relations.get(part);
    if (relation === undefined) {
      const field = current.field(part, where);
      return { fieldPath: { path, field, relationTarget: undefined, relationKey: undefined }, rest: parts.slice(i + 1) };
    }
    const next = parts[i + 1];
    if (next === undefined || isLookup(next)) {
      const rest = parts.slice(i + 1);
      if (relation.kind === 'fk' || relation.kind === 'o2o') {
        const fieldPath = { path, field: relation.idField, relationTarget: relation.target, relationKey: relation.targetField.name };
        return { fieldPath, rest };
      }
      path.push(relation);
      return { fieldPath: { path, field: relation.target.pk, relationTarget: relation.target, relationKey: relation.target.pk.name }, rest };
    }
    path.push(relation);
    current = relation.target;
  }
  throw new FieldError(`${meta.name}: '${parts.join('__')}' (in ${where}) names no field.`);
}

/** A path for values()/orderBy(): must end on a field (or a forward key, meaning its column). */
export function fieldPath(meta: ModelMeta, name: string, where: string): FieldPath {
  const parts = name.split('__');
  const { fieldPath: found, rest } = walkPath(meta, parts, where, () => false);
  if (rest.length > 0) {
    throw new FieldError(`${meta.name}: '${name}' (in ${where}) goes past the field '${found.field.name}', which is not a relation.`);
  }
  return found;
}
