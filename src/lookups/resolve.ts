import { FieldError, ParamsError } from '../errors.js';
import type { Field } from '../fields/base.js';
import type { ModelMeta } from '../model/meta.js';
import { QNode, type FilterDict } from '../query/q.js';
import type { Lookup, LookupRegistry } from './registry.js';

/** A filter checked against its model: what `filter()` stores, and the planner turns into SQL. */
export type Condition =
  | { readonly kind: 'lookup'; readonly field: Field; readonly lookup: Lookup; readonly value: unknown }
  | {
      readonly kind: 'group';
      readonly connector: 'AND' | 'OR';
      readonly negated: boolean;
      readonly children: readonly Condition[];
    };

/** Splits 'name__icontains' into the field and the lookup, checking both. */
export function resolveKey(meta: ModelMeta, registry: LookupRegistry, key: string): { field: Field; lookup: Lookup } {
  const parts = key.split('__');
  const field = meta.field(parts[0]!, `filter key '${key}'`);
  if (parts.length === 1) return { field, lookup: registry.get('exact')! };
  if (parts.length > 2) {
    throw new FieldError(
      `${meta.name}: filter key '${key}' has more parts than a field and a lookup; ${field.name} is a ${field.fieldType}, not a relation.`,
    );
  }
  return { field, lookup: registry.forField(field, parts[1]!, key) };
}

export function resolveFilters(meta: ModelMeta, registry: LookupRegistry, filters: FilterDict): Condition[] {
  if (filters === null || typeof filters !== 'object') {
    throw new ParamsError(`${meta.name}: filters are an object such as { name: 'x' }, got ${String(filters)}.`);
  }
  const conditions: Condition[] = [];
  for (const key of Object.keys(filters)) {
    const value = filters[key];
    if (value === undefined) {
      throw new ParamsError(
        `${meta.name}: filter '${key}' is undefined. Pass null to match NULL, or leave the key out.`,
      );
    }
    const { field, lookup } = resolveKey(meta, registry, key);
    conditions.push({ kind: 'lookup', field, lookup, value: lookup.prepare(field, value, key) });
  }
  return conditions;
}

export function resolveQ(meta: ModelMeta, registry: LookupRegistry, node: QNode): Condition {
  const children: Condition[] = node.children.map((child) => resolveQ(meta, registry, child));
  if (node.filters !== undefined) {
    const own = resolveFilters(meta, registry, node.filters);
    // Kwargs inside an OR node are AND-ed among themselves, then join the OR as one child.
    if (node.connector === 'OR' && own.length > 1) children.push({ kind: 'group', connector: 'AND', negated: false, children: own });
    else children.push(...own);
  }
  return { kind: 'group', connector: node.connector, negated: node.negated, children };
}

/** filter()/exclude() arguments: any mix of Q nodes and filter objects, AND-ed. */
export function resolveArgs(
  meta: ModelMeta,
  registry: LookupRegistry,
  args: readonly (QNode | FilterDict)[],
): Condition[] {
  const conditions: Condition[] = [];
  for (const arg of args) {
    if (arg instanceof QNode) conditions.push(resolveQ(meta, registry, arg));
    else conditions.push(...resolveFilters(meta, registry, arg));
  }
  return conditions;
}
