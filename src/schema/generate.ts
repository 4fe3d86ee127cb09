import type { Dialect } from '../dialects/dialect.js';
import type { ConnectionHandle } from '../execution/connection-handle.js';
import type { Field } from '../fields/base.js';
import type { ModelMeta } from '../model/meta.js';
import type { ColumnDef, CreateIndexNode, CreateTableNode, Statement } from '../sql/ast.js';
import { NotSupportedError } from '../errors.js';
import { constraintName, orderTables, tableSpecs } from './tables.js';

export interface GenerateSchemasOptions {
  /** Only create what is missing (IF NOT EXISTS). Default true. */
  safe?: boolean;
}

/** Kinds whose constant defaults are also written into the DDL (useful for raw inserts). */
const DDL_DEFAULT_KINDS = new Set(['int', 'float', 'bool', 'decimal', 'enum']);

function columnDef(field: Field, dialect: Dialect): ColumnDef {
  const d = field.defaultValue;
  const constant = d !== undefined && d !== null && typeof d !== 'function' && DDL_DEFAULT_KINDS.has(field.kind);
  return {
    name: field.column,
    type: field.columnType(),
    nullable: field.nullable,
    primaryKey: field.pk,
    autoIncrement: field.generated,
    unique: field.unique && !field.pk,
    default: constant ? { kind: 'param', value: field.encoder(dialect.values)(d) } : undefined,
    comment: field.description,
  };
}

/** CREATE TABLE, foreign keys, comments and CREATE INDEX statements for the models, as AST nodes. */
export function schemaStatements(
  dialect: Dialect,
  metas: readonly ModelMeta[],
  options: GenerateSchemasOptions,
): Statement[] {
  const safe = options.safe ?? true;
  const statements: Statement[] = [];
  const { ordered, deferred } = orderTables(tableSpecs(metas));
  // Where CREATE TABLE may name later tables, cyclic keys stay inline; elsewhere they wait for ALTER TABLE.
  const postponed = dialect.capabilities.forwardForeignKeys ? [] : deferred;
  for (const spec of ordered) {
    const setDefault = spec.foreignKeys.find((fk) => fk.onDelete === 'SET_DEFAULT');
    if (setDefault !== undefined && !dialect.capabilities.onDeleteSetDefault) {
      throw new NotSupportedError(
        `${spec.table}.${setDefault.columns.join(', ')}: onDelete SET_DEFAULT is not enforced by ${dialect.name} (InnoDB treats it as RESTRICT); use SET_NULL, CASCADE or RESTRICT.`,
      );
    }
    const table: CreateTableNode = {
      kind: 'createTable',
      table: spec.table,
      ifNotExists: safe,
      columns: spec.fields.map((f) => columnDef(f, dialect)),
      uniqueTogether: spec.uniqueTogether.map((columns) => ({ name: constraintName('uid', spec.table, columns), columns })),
      foreignKeys: spec.foreignKeys.filter((fk) => !postponed.some((d) => d.foreignKey === fk)),
      comment: spec.description,
    };
    statements.push(table);
    if (dialect.capabilities.commentStatements) {
      if (spec.description !== undefined) {
        statements.push({ kind: 'comment', table: spec.table, column: undefined, text: spec.description });
      }
      for (const field of spec.fields) {
        if (field.description !== undefined) {
          statements.push({ kind: 'comment', table: spec.table, column: field.column, text: field.description });
        }
      }
    }
    for (const columns of spec.indexes) {
      const index: CreateIndexNode = {
        kind: 'createIndex',
        name: constraintName('idx', spec.table, columns),
        table: spec.table,
        columns,
        unique: false,
        ifNotExists: safe,
      };
      statements.push(index);
    }
  }
  for (const { table, foreignKey } of postponed) statements.push({ kind: 'addForeignKey', table, foreignKey });
  return statements;
}

/** Runs the DDL for the models on one connection. */
export async function generateSchemas(
  handle: ConnectionHandle,
  metas: readonly ModelMeta[],
  options: GenerateSchemasOptions,
): Promise<void> {
  const safe = options.safe ?? true;
  for (const node of schemaStatements(handle.dialect, metas, options)) {
    // A key added with ALTER TABLE has no IF NOT EXISTS on every backend; safe mode asks first.
    if (safe && node.kind === 'addForeignKey' && (await handle.dialect.introspection.constraintExists(handle, node.table, node.foreignKey.name))) {
      continue;
    }
    const { sql, params } = handle.dialect.compiler.compile(node);
    await handle.write(sql, params);
  }
}
