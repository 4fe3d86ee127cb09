/** Validation schemas generated from models: Zod and JSON Schema, parsing inputs and serialising instances. */
export { modelSchema, querysetSchema, ModelSchema, QuerysetSchema } from './model-schema.js';
export type { SchemaInput, SchemaOutput, SchemaValue, SafeParseResult, SerializedResult } from './model-schema.js';
export type { SchemaOptions, SchemaMeta, ComputedOption, ComputedType } from './options.js';
export type { JsonSchema, JsonSchemaOptions } from './json-schema.js';
export type { SchemaDescription, ObjectDesc, PropertyDesc, Shape } from './describe.js';
