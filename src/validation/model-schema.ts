/**
 * The public schema classes (Tortoise's pydantic_model_creator / pydantic_queryset_creator):
 * `modelSchema(User, options)` and `querysetSchema(User, options)`. A schema is declared once at
 * module level, before Terrapin.init if you like: everything that needs the model's relations is
 * built on first use, per initialised model, and kept.
 */
import type { z } from 'zod';
import { ConfigurationError, ParamsError, type SchemaIssue, type SchemaValidationError } from '../errors.js';
import type { ModelMeta } from '../model/meta.js';
import { metaOf, type Model, type ModelClass } from '../model/model.js';
import type { QuerySet } from '../query/queryset.js';
import type { MergeOptions, SchemaInputOf, SchemaMetaOf, SchemaOutputOf, SchemaValueOf, TypedOptions, ZodShapeOf } from '../types/schema-types.js';
import { describeModel, type SchemaDescription } from './describe.js';
import { schemaError, schemaIssues } from './issues.js';
import { componentSchemas, objectSchema, type JsonSchema, type JsonSchemaOptions } from './json-schema.js';
import { loadFor, relationPaths } from './load.js';
import { checkSchemaOptions, optionsKey, resolveOptions, schemaName, type SchemaOptions } from './options.js';
import { parserFor, type ObjectParser } from './parse.js';
import { serializerFor, settle, type ObjectSerializer, type Pending } from './serialize.js';
import { objectZod } from './zod.js';

type Instance = Record<string, unknown>;

interface Built {
  readonly meta: ModelMeta;
  readonly description: SchemaDescription;
  readonly zod: z.ZodObject;
  readonly serialize: ObjectSerializer;
  readonly parse: ObjectParser;
  readonly paths: readonly string[];
}

export type SafeParseResult<T> = { success: true; data: T } | { success: false; error: SchemaValidationError };

/** What awaiting a QuerySet with result R gives once serialised: a list, or one object (or null). */
export type SerializedResult<R, Out> = R extends readonly unknown[] ? Out[] : null extends R ? Out | null : Out;

const DEFAULT_REF = '#/$defs/';
const COMPONENT_REF = '#/components/schemas/';

/**
 * A validation schema generated from a model: `zod`, `jsonSchema()`, `parse()` for inputs and
 * `fromOrm()` / `fromQueryset()` for outputs, all from one description of the model.
 */
export class ModelSchema<M extends Model = Model, O extends TypedOptions = {}> {
  private readonly builds = new WeakMap<ModelMeta, Built>();

  constructor(
    readonly model: ModelClass<M>,
    readonly options: SchemaOptions,
    /** The component name: stable, unique among schemas. */
    readonly name: string,
  ) {}

  private built(): Built {
    const meta = metaOf(this.model);
    let built = this.builds.get(meta);
    if (built === undefined) {
      const description = describeModel(meta, resolveOptions(meta, this.options), this.name);
      built = {
        meta,
        description,
        zod: objectZod(description.root),
        serialize: serializerFor(description.root),
        parse: parserFor(description.root),
        paths: relationPaths(description.root),
      };
      this.builds.set(meta, built);
    }
    return built;
  }

  /** The properties, their shapes and the nested descriptions (what everything else is generated from). */
  get description(): SchemaDescription {
    return this.built().description;
  }

  /** A strict Zod object schema of the wire (JSON) form; `z.infer<typeof s.zod>` is `SchemaInput<typeof s>`. */
  get zod(): z.ZodObject<ZodShapeOf<SchemaInputOf<M, O>>, z.core.$strict> {
    return this.built().zod as never;
  }

  /** The JSON Schema of the wire form; nested models are `$defs`, referenced by `$ref` (see JsonSchemaOptions.refPrefix). */
  jsonSchema(options: JsonSchemaOptions = {}): JsonSchema {
    const refPrefix = options.refPrefix ?? DEFAULT_REF;
    const { description } = this.built();
    const root = objectSchema(description.root, refPrefix, options.mode);
    if (refPrefix !== DEFAULT_REF) return root;
    return generated(description.defs.length === 0 ? root : { ...root, $defs: componentSchemas(description.defs, refPrefix, options.mode) }, this);
  }

  /** Named schemas of this model and every nested one, for OpenAPI `components.schemas` (refs to '#/components/schemas/' by default). */
  components(options: JsonSchemaOptions = {}): Record<string, JsonSchema> {
    const refPrefix = options.refPrefix ?? COMPONENT_REF;
    const { description } = this.built();
    return { [description.root.name]: objectSchema(description.root, refPrefix, options.mode), ...componentSchemas(description.defs, refPrefix, options.mode) };
  }

  /** @internal Validates and converts; issues are collected into `errors`. */
  parseInto(input: unknown, loc: (string | number)[], errors: SchemaIssue[]): SchemaValueOf<M, O> | undefined {
    const built = this.built();
    const checked = built.zod.safeParse(input);
    if (!checked.success) {
      errors.push(...schemaIssues(checked.error.issues, input).map((e) => ({ ...e, loc: [...loc, ...e.loc] })));
      return undefined;
    }
    return built.parse(input as Instance, loc, errors) as SchemaValueOf<M, O>;
  }

  /** Checks a wire value (a parsed JSON body) and returns model values; SchemaValidationError lists every problem. */
  parse(input: unknown): SchemaValueOf<M, O> {
    const result = this.safeParse(input);
    if (!result.success) throw result.error;
    return result.data;
  }

  safeParse(input: unknown): SafeParseResult<SchemaValueOf<M, O>> {
    const errors: SchemaIssue[] = [];
    const data = this.parseInto(input, [], errors);
    if (errors.length > 0) return { success: false, error: schemaError(this.name, this.model.name, errors, input) };
    return { success: true, data: data! };
  }

  private check(instances: readonly unknown[], built: Built): void {
    for (const instance of instances) {
      if (!(instance instanceof (built.meta.cls as unknown as typeof Model))) {
        throw new ParamsError(
          `${this.name} serialises ${built.meta.name} instances, got ${instance === null ? 'null' : typeof instance === 'object' ? `a ${instance.constructor.name}` : typeof instance}.`,
        );
      }
    }
  }

  /** An instance whose relations are loaded → JSON-ready object; NoValuesFetched when one is not (fromOrm loads them). */
  serialize(instance: M): SchemaOutputOf<M, O> {
    const built = this.built();
    this.check([instance], built);
    return built.serialize(instance as unknown as Instance, undefined) as SchemaOutputOf<M, O>;
  }

  /** @internal Loads what the schema needs, then serialises each instance. */
  async serializeList(instances: readonly M[]): Promise<SchemaOutputOf<M, O>[]> {
    const built = this.built();
    this.check(instances, built);
    await loadFor(instances as unknown as Instance[], built.description.root);
    const pending: Pending = [];
    const out = instances.map((instance) => built.serialize(instance as unknown as Instance, pending));
    if (pending.length > 0) await settle(pending);
    return out as SchemaOutputOf<M, O>[];
  }

  /**
   * Fetches the relations the schema includes that are not loaded yet (one query per level) and
   * returns a JSON-ready object with the schema's properties only.
   */
  fromOrm(instance: M): Promise<SchemaOutputOf<M, O>> {
    try {
      const built = this.built();
      // No relation to load and no computed value to wait for (the common response): one
      // promise instead of the five the general path makes, which every request would pay.
      if (built.paths.length === 0) {
        this.check([instance], built);
        const pending: Pending = [];
        const out = built.serialize(instance as unknown as Instance, pending) as SchemaOutputOf<M, O>;
        return pending.length === 0 ? Promise.resolve(out) : settle(pending).then(() => out);
      }
      return this.serializeList([instance]).then((list) => list[0]!);
    } catch (error) {
      return Promise.reject(error);
    }
  }

  /** @internal The QuerySet with every relation the schema includes prefetched. */
  prefetched<R>(qs: QuerySet<M, R>): QuerySet<M, R> {
    const built = this.built();
    if (qs.state.meta !== built.meta) {
      throw new ParamsError(`${this.name} serialises ${built.meta.name} rows; this QuerySet reads ${qs.state.meta.name}.`);
    }
    return built.paths.length === 0 ? qs : qs.prefetchRelated(...(built.paths as never[]));
  }

  /**
   * Runs the QuerySet with the schema's relations prefetched (one query per relation level) and
   * serialises every row; `.get()`/`.first()` QuerySets give one object (or null).
   */
  async fromQueryset<R>(qs: QuerySet<M, R>): Promise<SerializedResult<R, SchemaOutputOf<M, O>>> {
    const result = (await this.prefetched(qs)) as unknown;
    if (result === null) return null as never;
    const rows = Array.isArray(result) ? (result as M[]) : [result as M];
    const out = await this.serializeList(rows);
    return (Array.isArray(result) ? out : out[0]) as never;
  }
}

/** A schema that can stand as a named OpenAPI component. */
export interface NamedSchema {
  readonly name: string;
  components(options?: JsonSchemaOptions): Record<string, JsonSchema>;
}

/**
 * Each `jsonSchema()` result and the schema that made it, so an OpenAPI document can show a
 * route's generated schema as `$ref: '#/components/schemas/UserOut'` with the component listed
 * once, as FastAPI's are, instead of a copy inlined in every route.
 */
const generatedBy = new WeakMap<object, NamedSchema>();

function generated(schema: JsonSchema, source: NamedSchema): JsonSchema {
  generatedBy.set(schema, source);
  return schema;
}

/** The schema whose `jsonSchema()` returned `value`, if any. */
export function namedSchemaOf(value: object): NamedSchema | undefined {
  return generatedBy.get(value);
}

/** The same for lists: `zod` is an array of the item, `jsonSchema()` an array of the item's `$ref`. */
export class QuerysetSchema<M extends Model = Model, O extends TypedOptions = {}> {
  readonly name: string;

  constructor(readonly item: ModelSchema<M, O>) {
    this.name = `${item.name}_list`;
  }

  get zod(): z.ZodArray<ModelSchema<M, O>['zod']> {
    return this.item.zod.array() as never;
  }

  jsonSchema(options: JsonSchemaOptions = {}): JsonSchema {
    const refPrefix = options.refPrefix ?? DEFAULT_REF;
    const list = { title: this.name, type: 'array', items: { $ref: `${refPrefix}${this.item.name}` } };
    if (refPrefix !== DEFAULT_REF) return list;
    return generated({ ...list, $defs: this.item.components({ ...options, refPrefix }) }, this);
  }

  components(options: JsonSchemaOptions = {}): Record<string, JsonSchema> {
    const refPrefix = options.refPrefix ?? COMPONENT_REF;
    return { [this.name]: this.jsonSchema({ ...options, refPrefix }), ...this.item.components({ ...options, refPrefix }) };
  }

  parse(input: unknown): SchemaValueOf<M, O>[] {
    const result = this.safeParse(input);
    if (!result.success) throw result.error;
    return result.data;
  }

  safeParse(input: unknown): SafeParseResult<SchemaValueOf<M, O>[]> {
    const errors: SchemaIssue[] = [];
    let data: SchemaValueOf<M, O>[] = [];
    if (!Array.isArray(input)) errors.push({ loc: [], msg: 'Input should be a valid list', type: 'list_type' });
    else data = input.map((item, i) => this.item.parseInto(item, [i], errors)!);
    if (errors.length > 0) return { success: false, error: schemaError(this.name, this.item.model.name, errors, input) };
    return { success: true, data };
  }

  /** Loads what the schema includes for all instances at once (one query per relation level) and serialises them. */
  fromOrm(instances: readonly M[]): Promise<SchemaOutputOf<M, O>[]> {
    return this.item.serializeList(instances);
  }

  async fromQueryset(qs: QuerySet<M, M[]>): Promise<SchemaOutputOf<M, O>[]> {
    return this.item.serializeList(await this.item.prefetched(qs));
  }
}

const cache = new WeakMap<object, Map<string, ModelSchema>>();
/** Component names in use, so two different schemas never share one. */
const names = new Map<string, { model: object; key: string }>();

const NAME = /^[A-Za-z0-9._-]+$/;

function schemaFor(cls: ModelClass, options: SchemaOptions): ModelSchema {
  if (typeof cls !== 'function') throw new ParamsError(`modelSchema takes a model class, got ${cls === null ? 'null' : typeof cls}.`);
  checkSchemaOptions(`modelSchema(${cls.name})`, options, false);
  checkSchemaOptions(`${cls.name}.schemaMeta`, (cls as { schemaMeta?: unknown }).schemaMeta, true);
  const key = optionsKey(options);
  let perModel = cache.get(cls);
  if (perModel === undefined) cache.set(cls, (perModel = new Map()));
  const existing = perModel.get(key);
  if (existing !== undefined) return existing;
  const name = schemaName({ name: cls.name } as ModelMeta, options, key);
  if (!NAME.test(name)) {
    throw new ParamsError(`modelSchema(${cls.name}): the name '${name}' is not a valid component name; use letters, digits, '.', '-' and '_'.`);
  }
  const owner = names.get(name);
  if (owner !== undefined && (owner.model !== cls || owner.key !== key)) {
    throw new ConfigurationError(
      `modelSchema(${cls.name}): the name '${name}' is already used by another schema (of ${(owner.model as { name: string }).name}, with other options). Schema names become OpenAPI component names and must be unique; pass another name.`,
    );
  }
  names.set(name, { model: cls, key });
  const schema = new ModelSchema(cls, options, name);
  perModel.set(key, schema);
  return schema;
}

/**
 * A schema for one model instance: `const UserOut = modelSchema(User, { exclude: ['passwordHash'] })`.
 * The same model and options give the same object.
 */
export function modelSchema<C extends ModelClass, const O extends SchemaOptions = {}>(
  cls: C,
  options?: O,
): ModelSchema<InstanceType<C>, MergeOptions<SchemaMetaOf<C>, O>> {
  return schemaFor(cls, options ?? {}) as never;
}

/** A schema for a list of instances: `querysetSchema(User)`; its name is the item's plus '_list'. */
export function querysetSchema<C extends ModelClass, const O extends SchemaOptions = {}>(
  cls: C,
  options?: O,
): QuerysetSchema<InstanceType<C>, MergeOptions<SchemaMetaOf<C>, O>> {
  const item = schemaFor(cls, options ?? {});
  let list = lists.get(item);
  if (list === undefined) lists.set(item, (list = new QuerysetSchema(item)));
  return list as never;
}

const lists = new WeakMap<ModelSchema, QuerysetSchema>();

/** The wire input a schema accepts (`z.infer` of its `zod`). */
export type SchemaInput<S> = S extends ModelSchema<infer M, infer O> ? SchemaInputOf<M, O> : S extends QuerysetSchema<infer M, infer O> ? SchemaInputOf<M, O>[] : never;
/** The JSON-ready value `fromOrm` returns. */
export type SchemaOutput<S> = S extends ModelSchema<infer M, infer O> ? SchemaOutputOf<M, O> : S extends QuerysetSchema<infer M, infer O> ? SchemaOutputOf<M, O>[] : never;
/** The model values `parse` returns. */
export type SchemaValue<S> = S extends ModelSchema<infer M, infer O> ? SchemaValueOf<M, O> : S extends QuerysetSchema<infer M, infer O> ? SchemaValueOf<M, O>[] : never;
