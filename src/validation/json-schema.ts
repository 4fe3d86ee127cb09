/**
 * Schema description → JSON Schema, for Ajv (Fastify's validator) and OpenAPI 3.1. The keywords
 * used mean the same in draft-07 and 2020-12 (no `$schema` is written, so either validator
 * takes it): nested models are `$ref`s to named components, nullable values `anyOf` with null,
 * and string formats carry the `pattern` of patterns.ts, which is what Zod checks too.
 */
import { z } from 'zod';
import type { ObjectDesc, PropertyDesc, Shape } from './describe.js';
import { BASE64, BIGINT, DATE, DATETIME, TIME, UUID, decimalPattern } from './patterns.js';

export type JsonSchema = Record<string, unknown>;

export interface JsonSchemaOptions {
  /** Prefix of `$ref`s to nested models; default '#/$defs/'. Use '#/components/schemas/' for OpenAPI components. */
  refPrefix?: string;
  /**
   * 'validation' (the default): what an input must have; properties with a default, nullable or
   * automatic ones are optional. 'serialization': what `fromOrm()` always writes, so every property
   * is required (Pydantic's `mode='serialization'`); OpenAPI documents responses this way, so that
   * generated clients do not type `id` or `createdAt` as optional.
   */
  mode?: 'validation' | 'serialization';
}

export type JsonSchemaMode = NonNullable<JsonSchemaOptions['mode']>;

const SAFE = Number.MAX_SAFE_INTEGER;

/** The JSON Schema of a custom computed Zod type, as Zod converts it (its `$schema` dropped). */
function customSchema(type: z.ZodType): JsonSchema {
  const { $schema: _, ...rest } = z.toJSONSchema(type, { unrepresentable: 'any' }) as JsonSchema;
  return rest;
}

function scalar(shape: Exclude<Shape, { kind: 'object' | 'array' }>, nullable: boolean): JsonSchema {
  switch (shape.kind) {
    case 'integer':
      return { type: 'integer', minimum: shape.min, maximum: shape.max };
    case 'bigint':
      return { anyOf: [{ type: 'string', pattern: BIGINT.source }, { type: 'integer', minimum: -SAFE, maximum: SAFE }] };
    case 'number':
      return { type: 'number' };
    case 'timedelta':
      return { type: 'number', description: 'A duration in milliseconds' };
    case 'decimal':
      return { type: 'string', pattern: decimalPattern(shape.maxDigits, shape.decimalPlaces).source };
    case 'string':
      return shape.maxLength === undefined ? { type: 'string' } : { type: 'string', maxLength: shape.maxLength };
    case 'uuid':
      return { type: 'string', format: 'uuid', pattern: UUID.source };
    case 'enum':
      return { enum: [...shape.members] };
    case 'boolean':
      return { type: 'boolean' };
    case 'datetime':
      return { type: 'string', format: 'date-time', pattern: DATETIME.source };
    case 'date':
      return { type: 'string', format: 'date', pattern: DATE.source };
    case 'time':
      return { type: 'string', pattern: TIME.source };
    case 'binary':
      return { type: 'string', contentEncoding: 'base64', pattern: BASE64.source };
    case 'json':
      return nullable ? {} : { not: { type: 'null' } };
    case 'any':
      return {};
    case 'custom':
      return customSchema(shape.zod);
  }
}

function propertySchema(property: PropertyDesc, ref: (desc: ObjectDesc) => JsonSchema): JsonSchema {
  const { shape } = property;
  let schema: JsonSchema;
  if (shape.kind === 'object') schema = ref(shape.of);
  else if (shape.kind === 'array') schema = { type: 'array', items: ref(shape.of) };
  else schema = scalar(shape as Exclude<Shape, { kind: 'object' | 'array' }>, property.nullable);
  if (property.nullable && shape.kind !== 'json' && shape.kind !== 'custom') schema = { anyOf: [schema, { type: 'null' }] };
  if (property.role === 'computed') schema = { ...schema, readOnly: true };
  if (property.description !== undefined) schema = { ...schema, description: property.description };
  return schema;
}

/** The object schema of one description; nested ones are `$ref`s. */
export function objectSchema(desc: ObjectDesc, refPrefix: string, mode: JsonSchemaMode = 'validation'): JsonSchema {
  const ref = (of: ObjectDesc) => ({ $ref: `${refPrefix}${of.name}` });
  const properties: Record<string, JsonSchema> = {};
  const required: string[] = [];
  for (const property of desc.properties) {
    properties[property.name] = propertySchema(property, ref);
    if (!property.optional || mode === 'serialization') required.push(property.name);
  }
  return {
    title: desc.name,
    ...(desc.description === undefined ? {} : { description: desc.description }),
    type: 'object',
    properties,
    // OpenAPI 3.0 refuses an empty list; leaving it out means the same.
    ...(required.length === 0 ? {} : { required }),
    additionalProperties: false,
  };
}

/** Every nested component by name. */
export function componentSchemas(defs: readonly ObjectDesc[], refPrefix: string, mode: JsonSchemaMode = 'validation'): Record<string, JsonSchema> {
  return Object.fromEntries(defs.map((desc) => [desc.name, objectSchema(desc, refPrefix, mode)]));
}
