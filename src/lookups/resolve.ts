import { FieldError, NotSupportedError, ParamsError } from '../errors.js';
import type { Field } from '../fields/base.js';
import type { ModelMeta } from '../model/meta.js';
import { QNode, type FilterDict } from '../query/q.js';
import type { Relation } from '../model/relations.js';
import type { Annotation } from '../query/state.js';
import type { Expression } from '../query/expressions.js';
import type { Lookup, LookupRegistry } from './registry.js';
import { walkPath } from './path.js';

/** A filter checked against its model: what `filter()` stores, and the planner turns into SQL. */
export type Condition =
  | {
      readonly kind: 'lookup';
      /** Relations from the queried model to the field's model (joins). */
      readonly path: readonly Relation[];
      readonly field: Field;
      readonly lookup: Lookup;
      readonly value: unknown;
      /** Set when the filter is on an annotation: its expression is the target. */
      readonly annotation?: Annotation;
      /** Set when the value is an expression (`price__gt: F('cost')`, `id__in: Subquery(…)`): compared in SQL. */
      readonly expression?: ExpressionValue;
    }
  | {
      readonly kind: 'group';
      readonly connector: 'AND' | 'OR';
      readonly negated: boolean;
      readonly children: readonly Condition[];
    };

/** The lookups whose value may be an expression, and what they compare with. */
const EXPRESSION_LOOKUPS = ['exact', 'not', 'gt', 'gte', 'lt', 'lte', 'in', 'not_in'];

/** An expression used as a filter value, with the annotations it may refer to. */
export interface ExpressionValue {
  readonly expression: Expression;
  readonly scope: ReadonlyMap<string, Annotation>;
  /** A Subquery: the only value `in`/`not_in` take besides a list. */
  readonly subquery: boolean;
}

/** Expressions are recognised by shape: importing the class here would make lookups/ depend on query/ at run time. */
function isExpression(value: unknown): value is Expression {
  return typeof value === 'object' && value !== null && typeof (value as Expression).toExpr === 'function' && typeof (value as Expression).outputField === 'function';
}

function expressionValue(meta: ModelMeta, key: string, field: Field, lookup: Lookup, value: Expression, annotations: ReadonlyMap<string, Annotation>): ExpressionValue {
  if (field.kind === 'json') {
    throw new ParamsError(`${meta.name}: filter '${key}' is on a JSON field, which cannot be compared with an expression; compare a JSON path (data__filter) with a value.`);
  }
  if (!EXPRESSION_LOOKUPS.includes(lookup.name)) {
    throw new ParamsError(`${meta.name}: filter '${key}' cannot take an expression; F(...) and Subquery(...) work with ${EXPRESSION_LOOKUPS.join(', ')}.`);
  }
  const subquery = 'query' in value && typeof (value as { query?: { state?: unknown } }).query?.state === 'object';
  if ((lookup.name === 'in' || lookup.name === 'not_in') && !subquery) {
    throw new ParamsError(`${meta.name}: filter '${key}' takes a list or a Subquery(...) of one column, not another expression.`);
  }
  value.check({ meta, where: `filter '${key}'`, annotations });
  return { expression: value, scope: annotations, subquery };
}

export interface ResolvedKey {
  readonly path: readonly Relation[];
  readonly field: Field;
  readonly lookup: Lookup;
  /** The model whose instances a relation-ending key accepts as values… */
  readonly relationTarget: ModelMeta | undefined;
  /** …and the attribute of theirs that is compared. */
  readonly relationKey: string | undefined;
}

/** Splits 'author__name__icontains' into relations, field and lookup, checking each. */
export function resolveKey(meta: ModelMeta, registry: LookupRegistry, key: string): ResolvedKey {
  const parts = key.split('__');
  const where = `filter key '${key}'`;
  const { fieldPath, rest } = walkPath(meta, parts, where, (name) => registry.get(name) !== undefined);
  const { path, field, relationTarget, relationKey } = fieldPath;
  if (rest.length === 0) return { path, field, lookup: registry.forField(field, 'exact', key), relationTarget, relationKey };
  if (rest.length > 1) {
    const owner = path.length === 0 ? meta : path[path.length - 1]!.target;
    throw new FieldError(
      `${meta.name}: filter key '${key}' has more parts than a field and a lookup; ${owner.name}.${field.name} is a ${field.fieldType}, not a relation.`,
    );
  }
  return { path, field, lookup: registry.forField(field, rest[0]!, key), relationTarget, relationKey };
}

/** Model instances given for a relation-ending key stand for their key values. */
function relationValue(value: unknown, target: ModelMeta, keyName: string, key: string, meta: ModelMeta): unknown {
  const one = (v: unknown): unknown => {
    if (v === null || typeof v !== 'object' || v instanceof Date || Buffer.isBuffer(v) || Array.isArray(v)) return v;
    if (!(v instanceof (target.cls as unknown as new () => object))) {
      throw new ParamsError(`${meta.name}: filter '${key}' takes ${target.name} instances or key values; got a ${v.constructor?.name ?? 'object'}.`);
    }
    const keyValue = (v as Record<string, unknown>)[keyName];
    if (keyValue === undefined || keyValue === null) {
      throw new ParamsError(`${meta.name}: filter '${key}' got an unsaved ${target.name}; save it first.`);
    }
    return keyValue;
  };
  return Array.isArray(value) ? value.map(one) : one(value);
}

export function resolveFilters(
  meta: ModelMeta,
  registry: LookupRegistry,
  filters: FilterDict,
  annotations: ReadonlyMap<string, Annotation> = NO_ANNOTATIONS,
): Condition[] {
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
    const parts = key.split('__');
    const annotation = annotations.get(parts[0]!);
    if (annotation !== undefined) {
      if (parts.length > 2) throw new FieldError(`${meta.name}: filter key '${key}' goes past the annotation '${parts[0]}'.`);
      if ((annotation.expression as { isWindow?: boolean }).isWindow === true && isExpression(value)) {
        throw new NotSupportedError(
          `${meta.name}: filter '${key}' compares the window annotation '${parts[0]}' with an expression; a window is filtered in a wrapping query, where only plain values can be compared. Pass a value.`,
        );
      }
      const lookup = registry.forField(annotation.field, parts[1] ?? 'exact', key);
      if (isExpression(value)) {
        conditions.push({ kind: 'lookup', path: [], field: annotation.field, lookup, value: undefined, annotation, expression: expressionValue(meta, key, annotation.field, lookup, value, annotations) });
        continue;
      }
      conditions.push({ kind: 'lookup', path: [], field: annotation.field, lookup, value: lookup.prepare(annotation.field, value, key), annotation });
      continue;
    }
    const { path, field, lookup, relationTarget, relationKey } = resolveKey(meta, registry, key);
    if (isExpression(value)) {
      conditions.push({ kind: 'lookup', path, field, lookup, value: undefined, expression: expressionValue(meta, key, field, lookup, value, annotations) });
      continue;
    }
    const given = relationTarget === undefined ? value : relationValue(value, relationTarget, relationKey!, key, meta);
    conditions.push({ kind: 'lookup', path, field, lookup, value: lookup.prepare(field, given, key) });
  }
  return conditions;
}

export function resolveQ(
  meta: ModelMeta,
  registry: LookupRegistry,
  node: QNode,
  annotations: ReadonlyMap<string, Annotation> = NO_ANNOTATIONS,
): Condition {
  const children: Condition[] = node.children.map((child) => resolveQ(meta, registry, child, annotations));
  if (node.filters !== undefined) {
    const own = resolveFilters(meta, registry, node.filters, annotations);
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
  annotations: ReadonlyMap<string, Annotation> = NO_ANNOTATIONS,
): Condition[] {
  const conditions: Condition[] = [];
  for (const arg of args) {
    if (arg instanceof QNode) conditions.push(resolveQ(meta, registry, arg, annotations));
    else conditions.push(...resolveFilters(meta, registry, arg, annotations));
  }
  return conditions;
}

const NO_ANNOTATIONS: ReadonlyMap<string, Annotation> = new Map();
