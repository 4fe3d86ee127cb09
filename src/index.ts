/**
 * Terrapin's public API. Everything a user imports comes from here; this file is the API review.
 */
export { Terrapin, inTransaction, atomic } from './terrapin.js';
export type { InitOptions, TerrapinConfig, AppConfig, ModelSource, MigrateOptions } from './terrapin.js';
export { Model, metaOf } from './model/model.js';
export type { ModelClass, SaveOptions, DbOptions } from './model/model.js';
export type { ModelOptions, Manager } from './model/meta.js';
export { Index, IndexSpec } from './model/index-spec.js';
export type { IndexOptions } from './model/index-spec.js';
export * as fields from './fields/index.js';
export { Field } from './fields/base.js';
export type { JsonValue } from './fields/misc.js';
export { localtime, makeAware, type TimeSettings } from './config/timezone.js';
export { QuerySet } from './query/queryset.js';
export { ReverseRelation, ManyToManyRelation } from './model/related-manager.js';
export { OnDelete } from './fields/relational.js';
export { Prefetch } from './model/prefetch.js';
export type { ModelDescription, FieldDescription, RelationDescription } from './model/describe.js';
export type { SignalName, Listener, SaveSignal, PostSaveSignal, DeleteSignal } from './model/signals.js';
export type { ReverseOneToOne } from './types/relation-brand.js';
// What field and schema types are made of, exported so that a consumer's declaration files
// (`declaration: true`) can name them: `export class User extends Model { id = fields.IntField() }`.
export type { Branded, Bytes, CommonFieldOptions, FieldBrand, FieldInfo, FieldKind, FieldType } from './types/field-brand.js';
export type { ForwardRelationType, RelationBrand, RelationBranded, RelationInfo, RelationKind } from './types/relation-brand.js';
export type { MergeOptions, SchemaMetaOf, TypedOptions, WireIn, WireOut } from './types/schema-types.js';
export type { RelationPath, ForwardPath, RelationKeys, ForwardKeys, RelatedOf } from './types/relation-types.js';
export type { ValueKey, ValueAtPath, WritableKeys, UpdateValues } from './types/model-types.js';
export type { FilterArg, SelectForUpdateOptions } from './query/queryset.js';
export { Q, QNode } from './query/q.js';
export { F, FieldRef, Expression, Combined, Power, Value } from './query/expressions.js';
export {
  Aggregate,
  Func,
  Count,
  Sum,
  Avg,
  Min,
  Max,
  Lower,
  Upper,
  Trim,
  Length,
  Coalesce,
  Concat,
  Random,
  RawSQL,
  RawSQLExpression,
  Case,
  CaseExpression,
  When,
  WhenClause,
  Subquery,
  SubqueryExpression,
  Exists,
  ExistsExpression,
  OuterRef,
  OuterRefExpression,
} from './query/functions.js';
export type { AggregateOptions } from './query/functions.js';
export { Window, WindowExpression, WindowFunction, RowNumber, Rank, DenseRank, Lag, Lead, FirstValue, LastValue, NthValue } from './query/window.js';
export type { Frame, WindowOptions } from './query/window.js';
export type { AnnotationValues, ExpressionResult } from './types/annotation-types.js';
export { LazyResult } from './query/lazy-result.js';
export type { BulkCreateOptions, BulkUpdateOptions } from './model/bulk.js';
export type { Lookup } from './lookups/registry.js';
export { TransactionClient } from './transaction/transaction-client.js';
export type { TransactionOptions, RetryOptions } from './transaction/run-in-transaction.js';
export type { IsolationLevel } from './sql/ast.js';
export type { Router } from './terrapin.js';
export { ReadReplicaRouter, type ReadReplicaOptions } from './execution/read-replica-router.js';
export type { GenerateSchemasOptions } from './schema/generate.js';
export { introspectSchema } from './schema/introspect.js';
export type { IntrospectOptions } from './schema/introspect.js';
export { diffSchemas } from './schema/diff-schemas.js';
export type { DiffSchemasOptions } from './schema/diff-schemas.js';
export { inspectdb } from './inspectdb/inspectdb.js';
export type { InspectdbOptions } from './inspectdb/inspectdb.js';
export type { LiveSchema, LiveTable, LiveColumn, LiveUnique, LiveIndex, LiveForeignKey, LiveReferentialAction } from './schema/live-schema.js';
export { parseDbUrl } from './config/db-url.js';
export type { ConnectionSettings, ConnectionObject } from './config/db-url.js';
export {
  TerrapinError,
  ConfigurationError,
  FieldError,
  ParamsError,
  ValidationError,
  TransactionManagementError,
  NotSupportedError,
  OperationalError,
  IntegrityError,
  TransactionRetryError,
  DatabaseUnavailableError,
  QueryTimeoutError,
  CommitOutcomeUnknownError,
  DoesNotExist,
  MultipleObjectsReturned,
  IncompleteInstanceError,
  NoValuesFetched,
  SchemaValidationError,
} from './errors.js';
export type { SchemaIssue } from './errors.js';
export { modelSchema, querysetSchema, ModelSchema, QuerysetSchema } from './validation/index.js';
export type {
  SchemaInput,
  SchemaOutput,
  SchemaValue,
  SchemaOptions,
  SchemaMeta,
  ComputedOption,
  ComputedType,
  JsonSchema,
  JsonSchemaOptions,
  SafeParseResult,
  SerializedResult,
  SchemaDescription,
} from './validation/index.js';
export type { CreateInput, UpdateInput, FilterInput, FieldKeys, ValueOf, ModelData, OrderKey, PkValue, JsonPathFilter } from './types/model-types.js';
export type { CompiledQuery } from './sql/compiler.js';
export type { QueryEvent, QueryListener, QueryListenerOptions } from './execution/query-log.js';
