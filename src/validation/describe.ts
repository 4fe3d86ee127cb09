/**
 * Model → schema description: which properties a schema has, of what shape, nullable or
 * optional, and nested descriptions for relations. Zod, JSON Schema, parsing and serialisation
 * are all generated from this one tree, so they cannot disagree about the fields.
 */
import type { z } from 'zod';
import { FieldError } from '../errors.js';
import type { Field } from '../fields/base.js';
import { CharFieldImpl } from '../fields/text.js';
import type { ModelMeta } from '../model/meta.js';
import type { AutoTimeField } from '../fields/temporal.js';
import type { ForwardRelation, Relation } from '../model/relations.js';
import { computedRecord, schemaMetaOf, type ComputedType, type ResolvedOptions } from './options.js';

export type Shape =
  | { readonly kind: 'integer'; readonly min: number; readonly max: number }
  | { readonly kind: 'decimal'; readonly maxDigits: number; readonly decimalPlaces: number }
  | { readonly kind: 'string'; readonly maxLength: number | undefined }
  | { readonly kind: 'enum'; readonly members: readonly (string | number)[] }
  | {
      readonly kind: 'bigint' | 'number' | 'uuid' | 'boolean' | 'date' | 'time' | 'timedelta' | 'json' | 'binary' | 'any';
    }
  /** `zone` is read when a value is written (the app's timezone is set at init, after schemas may be built). */
  | { readonly kind: 'datetime'; readonly zone?: () => string }
  | { readonly kind: 'custom'; readonly zod: z.ZodType }
  | { readonly kind: 'object' | 'array'; readonly of: ObjectDesc };

export interface PropertyDesc {
  readonly name: string;
  readonly shape: Shape;
  readonly nullable: boolean;
  /** May be left out of an input. */
  readonly optional: boolean;
  readonly description: string | undefined;
  readonly role: 'field' | 'relation' | 'computed';
  /** The model field, for role 'field'. */
  readonly field: Field | undefined;
  /** The relation, for role 'relation'. */
  readonly relation: Relation | undefined;
}

export interface ObjectDesc {
  /** Component name: the schema's name at the root, `<root>.<relation path>` for nested ones. */
  readonly name: string;
  readonly model: ModelMeta;
  readonly description: string | undefined;
  readonly properties: readonly PropertyDesc[];
}

export interface SchemaDescription {
  readonly root: ObjectDesc;
  /** Nested descriptions, each once, in the order they were first reached. */
  readonly defs: readonly ObjectDesc[];
}

/** Names one nesting level selects; paths (`books__title`) are handed down to the relation's level. */
interface Level {
  readonly include: readonly string[];
  readonly exclude: readonly string[];
  readonly optional: readonly string[];
  readonly computed: Readonly<Record<string, ComputedType | undefined>>;
}

interface Context {
  readonly options: ResolvedOptions;
  readonly schemaName: string;
  /** Signature → description, so identical nested shapes are one component. */
  readonly seen: Map<string, ObjectDesc>;
  readonly defs: ObjectDesc[];
}

const SAFE = Number.MAX_SAFE_INTEGER;

function computedShape(type: ComputedType | undefined): Shape {
  switch (type) {
    case undefined:
    case 'json':
      return { kind: 'any' };
    case 'string':
      return { kind: 'string', maxLength: undefined };
    case 'integer':
      return { kind: 'integer', min: -SAFE, max: SAFE };
    case 'number':
    case 'boolean':
    case 'datetime':
    case 'date':
      return { kind: type };
    default:
      return { kind: 'custom', zod: type };
  }
}

/** The wire shape of a data field. */
export function fieldShape(field: Field): Shape {
  const members = (field as unknown as { members?: readonly (string | number)[] }).members;
  if (members !== undefined) return { kind: 'enum', members };
  switch (field.kind) {
    case 'int': {
      // IntegerFamily keeps its bounds protected; they are the column's range.
      const { min, max } = field as unknown as { min: number; max: number };
      return { kind: 'integer', min, max };
    }
    case 'decimal': {
      const { maxDigits, decimalPlaces } = field as unknown as { maxDigits: number; decimalPlaces: number };
      return { kind: 'decimal', maxDigits, decimalPlaces };
    }
    case 'text':
      return { kind: 'string', maxLength: field instanceof CharFieldImpl ? field.maxLength : undefined };
    case 'float':
      return { kind: 'number' };
    case 'bool':
      return { kind: 'boolean' };
    case 'enum':
      return { kind: 'enum', members: [] };
    case 'datetime':
      return { kind: 'datetime', zone: () => (field as AutoTimeField<Date>).zone };
    default:
      return { kind: field.kind };
  }
}

const startsPath = (path: string, name: string) => path === name || path.startsWith(`${name}__`);

function selected(level: Level, name: string): boolean {
  return (level.include.length === 0 || level.include.some((p) => startsPath(p, name))) && !level.exclude.includes(name);
}

/** The paths below `name` (`books__title` → `title`); a bare `name` in include means "all of it". */
function below(paths: readonly string[], name: string, bareMeansAll: boolean): string[] {
  if (bareMeansAll && paths.includes(name)) return [];
  return paths.filter((p) => p.startsWith(`${name}__`)).map((p) => p.slice(name.length + 2));
}

function isBackward(relation: Relation): boolean {
  return relation.kind === 'reverseFk' || relation.kind === 'reverseO2o' || (relation.kind === 'm2m' && relation.reversed);
}

/** Checks include/exclude/optional/computed names against the model, so a typo is an error, not a silent no-op. */
function checkNames(meta: ModelMeta, level: Level, where: string): void {
  const fieldsAndRelations = () =>
    `Fields of ${meta.name}: ${meta.fieldNames.join(', ')}; relations: ${meta.relationNames.join(', ') || 'none'}`;
  for (const [option, paths] of [
    ['include', level.include],
    ['exclude', level.exclude],
  ] as const) {
    for (const path of paths) {
      let current = meta;
      const parts = path.split('__');
      parts.forEach((part, i) => {
        const last = i === parts.length - 1;
        const relation = current.relations.get(part);
        if (relation !== undefined && !(relation.kind === 'm2m' && relation.hidden)) current = relation.target;
        else if (!last || !current.fieldsByName.has(part)) {
          throw new FieldError(
            `${where}: ${option} names '${path}', but ${current.name} has no ${last ? 'field or relation' : 'relation'} '${part}'. ${current === meta ? fieldsAndRelations() : `Relations of ${current.name}: ${current.relationNames.join(', ') || 'none'}`}.`,
          );
        }
      });
    }
  }
  for (const name of level.optional) {
    if (!meta.fieldsByName.has(name)) {
      throw new FieldError(`${where}: optional names '${name}', which is not a field of ${meta.name}. Fields: ${meta.fieldNames.join(', ')}.`);
    }
  }
  for (const name of Object.keys(level.computed)) {
    if (meta.fieldsByName.has(name) || meta.relations.has(name) || !(name in (meta.cls.prototype as object))) {
      throw new FieldError(
        `${where}: computed names '${name}', which is not a getter or method of ${meta.name}. Declare it on the class (get ${name}() { … }), or remove it from computed.`,
      );
    }
  }
}

function fieldProperty(field: Field, level: Level): PropertyDesc {
  return {
    name: field.name,
    shape: fieldShape(field),
    nullable: field.nullable,
    optional: field.hasDefault || field.nullable || field.generated || field.automatic || level.optional.includes(field.name),
    description: field.description,
    role: 'field',
    field,
    relation: undefined,
  };
}

const zodIds = new WeakMap<object, number>();
let nextZodId = 0;

function shapeSignature(shape: Shape): unknown {
  if (shape.kind === 'object' || shape.kind === 'array') return [shape.kind, shape.of.name];
  if (shape.kind === 'custom') {
    let id = zodIds.get(shape.zod);
    if (id === undefined) zodIds.set(shape.zod, (id = ++nextZodId));
    return ['custom', id];
  }
  return shape;
}

function signature(meta: ModelMeta, properties: readonly PropertyDesc[]): string {
  return JSON.stringify([meta.name, properties.map((p) => [p.name, p.nullable, p.optional, p.role, shapeSignature(p.shape)])]);
}

function describeLevel(meta: ModelMeta, level: Level, ctx: Context, path: readonly ModelMeta[], names: readonly string[]): ObjectDesc {
  const { options } = ctx;
  const properties: PropertyDesc[] = [];

  const nested = (relation: Relation): PropertyDesc | undefined => {
    const target = relation.target;
    if (names.length + 1 > options.maxDepth) return undefined;
    if (!options.allowCycles && path.includes(target)) return undefined;
    const own = schemaMetaOf(target);
    const child: Level = {
      include: [...below(level.include, relation.name, true), ...(own.include ?? [])],
      exclude: [...below(level.exclude, relation.name, false), ...(own.exclude ?? [])],
      optional: [],
      computed: computedRecord(own.computed),
    };
    checkNames(target, { ...child, include: own.include ?? [], exclude: own.exclude ?? [] }, `${target.name}.schemaMeta`);
    const of = describeLevel(target, child, ctx, [...path, target], [...names, relation.name]);
    const many = relation.kind === 'reverseFk' || relation.kind === 'm2m';
    return {
      name: relation.name,
      shape: { kind: many ? 'array' : 'object', of },
      nullable: relation.kind === 'reverseO2o' || ((relation.kind === 'fk' || relation.kind === 'o2o') && relation.nullable),
      optional: true,
      description: undefined,
      role: 'relation',
      field: undefined,
      relation,
    };
  };

  const forwardByKey = new Map<Field, ForwardRelation>();
  for (const relation of meta.relations.values()) {
    if (relation.kind === 'fk' || relation.kind === 'o2o') forwardByKey.set(relation.idField, relation);
  }
  for (const field of meta.fields) {
    const relation = forwardByKey.get(field);
    // A forward relation sits where its key column is; the column shows only when the object does not (Tortoise's exclude_raw_fields).
    if (relation !== undefined && !options.excludeReadonly && selected(level, relation.name)) {
      const property = nested(relation);
      if (property !== undefined) {
        properties.push(property);
        continue;
      }
    }
    if (!selected(level, field.name)) continue;
    if (options.excludeReadonly && (field.pk || field.automatic || field.generated)) continue;
    properties.push(fieldProperty(field, level));
  }
  if (!options.excludeReadonly) {
    for (const relation of meta.relations.values()) {
      if (relation.kind === 'fk' || relation.kind === 'o2o' || (relation.kind === 'm2m' && relation.hidden)) continue;
      if (isBackward(relation) && !options.backwardRelations) continue;
      if (!selected(level, relation.name)) continue;
      const property = nested(relation);
      if (property !== undefined) properties.push(property);
    }
    for (const [name, type] of Object.entries(level.computed)) {
      properties.push({
        name,
        shape: computedShape(type),
        nullable: false,
        optional: true,
        description: undefined,
        role: 'computed',
        field: undefined,
        relation: undefined,
      });
    }
  }
  if (options.sortAlphabetically) properties.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));

  const key = signature(meta, properties);
  const existing = ctx.seen.get(key);
  if (existing !== undefined) return existing;
  const desc: ObjectDesc = {
    name: names.length === 0 ? ctx.schemaName : `${ctx.schemaName}.${names.join('.')}`,
    model: meta,
    description: meta.description,
    properties,
  };
  ctx.seen.set(key, desc);
  if (names.length > 0) ctx.defs.push(desc);
  return desc;
}

/** The description of `meta` under resolved options; FieldError for names the model does not have. */
export function describeModel(meta: ModelMeta, options: ResolvedOptions, schemaName: string): SchemaDescription {
  const level: Level = { include: options.include, exclude: options.exclude, optional: options.optional, computed: options.computed };
  checkNames(meta, level, `modelSchema(${meta.name})`);
  const ctx: Context = { options, schemaName, seen: new Map(), defs: [] };
  const root = describeLevel(meta, level, ctx, [meta], []);
  return { root, defs: ctx.defs };
}
