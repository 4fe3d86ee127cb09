import { createHash } from 'node:crypto';
import type { Dialect } from '../dialects/dialect.js';
import type { ConnectionHandle } from '../execution/connection-handle.js';
import type { Field } from '../fields/base.js';
import type { ModelMeta } from '../model/meta.js';
import type { ColumnDef, CreateIndexNode, CreateTableNode, Statement } from '../sql/ast.js';

export interface GenerateSchemasOptions {
  /** Only create what is missing (IF NOT EXISTS). Default true. */
  safe?: boolean;
}

/** Kinds whose constant defaults are also written into the DDL (useful for raw inserts). */
const DDL_DEFAULT_KINDS = new Set(['int', 'float', 'bool', 'decimal', 'enum']);

/** Index and constraint names: readable prefix, a hash for uniqueness, under every backend's 63-char limit. */
function constraintName(prefix: string, table: string, columns: readonly string[]): string {
  const hash = createHash('sha256').update(`${table}:${columns.join(',')}`).digest('hex').slice(0, 6);
  return `${prefix}_${table.slice(0, 24)}_${columns.join('_').slice(0, 24)}_${hash}`;
}

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

/** CREATE TABLE and CREATE INDEX statements for the models, as AST nodes. */
export function schemaStatements(
  dialect: Dialect,
  metas: readonly ModelMeta[],
  options: GenerateSchemasOptions,
): Statement[] {
  const safe = options.safe ?? true;
  const statements: Statement[] = [];
  for (const meta of metas) {
    const table: CreateTableNode = {
      kind: 'createTable',
      table: meta.table,
      ifNotExists: safe,
      columns: meta.fields.map((f) => columnDef(f, dialect)),
      uniqueTogether: meta.uniqueTogether.map((group) => {
        const columns = group.map((f) => f.column);
        return { name: constraintName('uid', meta.table, columns), columns };
      }),
      comment: meta.description,
    };
    statements.push(table);
    if (dialect.capabilities.commentStatements) {
      if (meta.description !== undefined) {
        statements.push({ kind: 'comment', table: meta.table, column: undefined, text: meta.description });
      }
      for (const field of meta.fields) {
        if (field.description !== undefined) {
          statements.push({ kind: 'comment', table: meta.table, column: field.column, text: field.description });
        }
      }
    }
    const indexGroups = [
      ...meta.fields.filter((f) => f.index && !f.unique).map((f) => [f]),
      ...meta.indexes,
    ];
    for (const group of indexGroups) {
      const columns = group.map((f) => f.column);
      const index: CreateIndexNode = {
        kind: 'createIndex',
        name: constraintName('idx', meta.table, columns),
        table: meta.table,
        columns,
        unique: false,
        ifNotExists: safe,
      };
      statements.push(index);
    }
  }
  return statements;
}

/** Runs the DDL for the models on one connection. */
export async function generateSchemas(
  handle: ConnectionHandle,
  metas: readonly ModelMeta[],
  options: GenerateSchemasOptions,
): Promise<void> {
  for (const node of schemaStatements(handle.dialect, metas, options)) {
    const { sql, params } = handle.dialect.compiler.compile(node);
    await handle.write(sql, params);
  }
}
