import type { Dialect } from '../dialects/dialect.js';
import type { ConnectionHandle } from '../execution/connection-handle.js';
import type { Field } from '../fields/base.js';
import type { ModelMeta } from '../model/meta.js';
import type { ColumnDef, ForeignKeyDef, Statement } from '../sql/ast.js';
import { NotSupportedError } from '../errors.js';
import { createTableStatements, type TableDef } from './table-def.js';
import { constraintName, orderTables, tableSpecs, type TableSpec } from './tables.js';

export interface GenerateSchemasOptions {
  /** Only create what is missing (IF NOT EXISTS). Default true. */
  safe?: boolean;
}

/** Kinds whose constant defaults are also written into the DDL (useful for raw inserts). */
export const DDL_DEFAULT_KINDS: ReadonlySet<string> = new Set(['int', 'float', 'bool', 'decimal', 'enum']);

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

/** A table of the models as one dialect's DDL sees it. */
export function tableDef(spec: TableSpec, dialect: Dialect): TableDef {
  return {
    table: spec.table,
    columns: spec.fields.map((f) => columnDef(f, dialect)),
    uniqueTogether: spec.uniqueTogether.map((columns) => ({ name: constraintName('uid', spec.table, columns), columns })),
    indexes: spec.indexes.map((columns) => ({ name: constraintName('idx', spec.table, columns), columns })),
    foreignKeys: spec.foreignKeys,
    description: spec.description,
  };
}

/** Refuses ON DELETE SET DEFAULT where the backend would silently treat it as RESTRICT. */
export function checkForeignKeys(table: string, foreignKeys: readonly ForeignKeyDef[], dialect: Dialect): void {
  const setDefault = foreignKeys.find((fk) => fk.onDelete === 'SET_DEFAULT');
  if (setDefault !== undefined && !dialect.capabilities.onDeleteSetDefault) {
    throw new NotSupportedError(
      `${table}.${setDefault.columns.join(', ')}: onDelete SET_DEFAULT is not enforced by ${dialect.name} (InnoDB treats it as RESTRICT); use SET_NULL, CASCADE or RESTRICT.`,
    );
  }
}

/** CREATE TABLE, foreign keys, comments and CREATE INDEX statements for the models, as AST nodes. */
export function schemaStatements(
  dialect: Dialect,
  metas: readonly ModelMeta[],
  options: GenerateSchemasOptions,
): Statement[] {
  return tableStatements(
    tableSpecs(metas).map((spec) => tableDef(spec, dialect)),
    dialect,
    options.safe ?? true,
  );
}

/** The DDL for a set of tables: each after the tables its keys point at; cyclic keys added at the end. */
export function tableStatements(defs: readonly TableDef[], dialect: Dialect, safe: boolean): Statement[] {
  const statements: Statement[] = [];
  const { ordered, deferred } = orderTables(defs);
  // Where CREATE TABLE may name later tables, cyclic keys stay inline; elsewhere they wait for ALTER TABLE.
  const postponed = dialect.capabilities.forwardForeignKeys ? [] : deferred;
  for (const def of ordered) {
    checkForeignKeys(def.table, def.foreignKeys, dialect);
    const foreignKeys = def.foreignKeys.filter((fk) => !postponed.some((d) => d.foreignKey === fk));
    statements.push(...createTableStatements(def, dialect, { ifNotExists: safe, foreignKeys }));
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
