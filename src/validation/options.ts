/**
 * Schema options (Tortoise's pydantic_model_creator arguments and PydanticMeta), how a model's
 * `static schemaMeta` merges with them, and the stable key and name of each combination.
 */
import { createHash } from 'node:crypto';
import { z } from 'zod';
import { checkOptions } from '../config/check-options.js';
import { NotSupportedError } from '../errors.js';
import type { ModelMeta } from '../model/meta.js';

/** How a computed property is typed: a name for the common cases, or any Zod schema. */
export type ComputedType = 'string' | 'number' | 'integer' | 'boolean' | 'datetime' | 'date' | 'json' | z.ZodType;

/**
 * Getters or methods of the model exposed as read-only properties. A list of names types them as
 * any JSON; a record gives each a type: `{ fullName: 'string' }` or `{ tags: z.array(z.string()) }`.
 */
export type ComputedOption = readonly string[] | Readonly<Record<string, ComputedType>>;

/** Options declared once on a model, `static schemaMeta = { exclude: ['passwordHash'] }` (Tortoise's PydanticMeta). */
export interface SchemaMeta {
  /** Only these fields and relations (`'books__title'` reaches into a relation). */
  include?: readonly string[];
  /** Leave these out (`'books__author'` reaches into a relation). */
  exclude?: readonly string[];
  computed?: ComputedOption;
  /** Fields made optional on input (for PATCH bodies). */
  optional?: readonly string[];
  /** A model may reappear in its own nesting path (default false: the recursive relation is dropped). */
  allowCycles?: boolean;
  /** Relation hops from the root model (default 3). */
  maxDepth?: number;
  /** Properties in alphabetical order instead of declaration order. */
  sortAlphabetically?: boolean;
  /** Include reverse relations (`author.books`, reverse one-to-ones and the reverse side of many-to-many); default true. */
  backwardRelations?: boolean;
}

/** Options of `modelSchema()`: SchemaMeta plus a name and the "In" (input) variant. */
export interface SchemaOptions extends SchemaMeta {
  /** Component name; default the model's name, plus a short hash when options differ from the defaults. */
  name?: string;
  /** The input schema for create/update: no primary key, automatic or generated fields, relation objects or computed properties; key columns (`authorId`) stay. */
  excludeReadonly?: boolean;
}

/** Every SchemaMeta key, and SchemaOptions' own two: no option is silently ignored. */
const SCHEMA_META_OPTIONS = ['include', 'exclude', 'computed', 'optional', 'allowCycles', 'maxDepth', 'sortAlphabetically', 'backwardRelations'];
const SCHEMA_OPTIONS = [...SCHEMA_META_OPTIONS, 'name', 'excludeReadonly'];

/** Pydantic options with no counterpart here, refused with what to do instead. */
const REFUSED_SCHEMA_OPTIONS: Readonly<Record<string, string>> = {
  modelConfig: "Pydantic's model_config has no counterpart: change the generated Zod schema (schema.zod) instead",
  validators: "declare validators on the model's fields (fields.CharField({ validators: [...] })); parse() runs them",
};

/** Refuses unknown keys in a call's options (`where` names the call) or in a model's `schemaMeta`. */
export function checkSchemaOptions(where: string, options: unknown, isMeta: boolean): void {
  if (options !== null && typeof options === 'object') {
    for (const key of Object.keys(options)) {
      const refusal = REFUSED_SCHEMA_OPTIONS[key];
      if (refusal !== undefined) throw new NotSupportedError(`${where}: '${key}' is not supported; ${refusal}.`);
    }
  }
  checkOptions(where, options, isMeta ? SCHEMA_META_OPTIONS : SCHEMA_OPTIONS);
}

/** Options after merging the call's with the model's `schemaMeta`, defaults filled in. */
export interface ResolvedOptions {
  readonly include: readonly string[];
  readonly exclude: readonly string[];
  readonly computed: Readonly<Record<string, ComputedType | undefined>>;
  readonly optional: readonly string[];
  readonly allowCycles: boolean;
  readonly maxDepth: number;
  readonly sortAlphabetically: boolean;
  readonly backwardRelations: boolean;
  readonly excludeReadonly: boolean;
}

/** The model's own `static schemaMeta`, if it declares one (inherited from a parent model too). */
export function schemaMetaOf(meta: ModelMeta): SchemaMeta {
  const declared = (meta.cls as unknown as { schemaMeta?: SchemaMeta }).schemaMeta;
  return declared ?? {};
}

export function computedRecord(option: ComputedOption | undefined): Record<string, ComputedType | undefined> {
  if (option === undefined) return {};
  if (Array.isArray(option)) return Object.fromEntries((option as readonly string[]).map((name) => [name, undefined]));
  return { ...(option as Record<string, ComputedType>) };
}

/** Lists add up (as in Tortoise); single values from the call win over the model's. */
export function resolveOptions(meta: ModelMeta, options: SchemaOptions): ResolvedOptions {
  const declared = schemaMetaOf(meta);
  return {
    include: [...(declared.include ?? []), ...(options.include ?? [])],
    exclude: [...(declared.exclude ?? []), ...(options.exclude ?? [])],
    computed: { ...computedRecord(declared.computed), ...computedRecord(options.computed) },
    optional: [...(declared.optional ?? []), ...(options.optional ?? [])],
    allowCycles: options.allowCycles ?? declared.allowCycles ?? false,
    maxDepth: options.maxDepth ?? declared.maxDepth ?? 3,
    sortAlphabetically: options.sortAlphabetically ?? declared.sortAlphabetically ?? false,
    backwardRelations: options.backwardRelations ?? declared.backwardRelations ?? true,
    excludeReadonly: options.excludeReadonly ?? false,
  };
}

/** A stable text for a computed type: Zod schemas by their JSON Schema, so equal types give equal keys. */
function computedKey(type: ComputedType | undefined): unknown {
  if (type === undefined || typeof type === 'string') return type ?? null;
  try {
    return z.toJSONSchema(type, { unrepresentable: 'any' });
  } catch {
    return '<zod>';
  }
}

/** The cache key of a call: equal options (in any key order) give equal keys. */
export function optionsKey(options: SchemaOptions): string {
  const computed = computedRecord(options.computed);
  const normal = {
    name: options.name ?? null,
    include: options.include ?? [],
    exclude: options.exclude ?? [],
    computed: Object.keys(computed)
      .sort()
      .map((k) => [k, computedKey(computed[k])]),
    optional: options.optional ?? [],
    allowCycles: options.allowCycles ?? null,
    maxDepth: options.maxDepth ?? null,
    sortAlphabetically: options.sortAlphabetically ?? null,
    backwardRelations: options.backwardRelations ?? null,
    excludeReadonly: options.excludeReadonly ?? false,
  };
  return JSON.stringify(normal);
}

const DEFAULT_KEY = optionsKey({});

const READONLY_KEY = optionsKey({ excludeReadonly: true });

/** `User` for the defaults, `UserIn` for `{ excludeReadonly: true }` alone, `User_1a2b3c` otherwise (a hash of the options), or the given name. */
export function schemaName(meta: ModelMeta, options: SchemaOptions, key: string): string {
  if (options.name !== undefined) return options.name;
  if (key === DEFAULT_KEY) return meta.name;
  if (key === READONLY_KEY) return `${meta.name}In`;
  return `${meta.name}_${createHash('sha1').update(key).digest('hex').slice(0, 6)}`;
}
