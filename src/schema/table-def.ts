import type { Dialect } from '../dialects/dialect.js';
import type { ColumnDef, CreateIndexNode, CreateTableNode, ForeignKeyDef, Statement } from '../sql/ast.js';

/** A named group of columns: a unique-together constraint or an index. */
export interface NamedColumns {
  readonly name: string;
  readonly columns: readonly string[];
}

/**
 * One table as DDL sees it, for one dialect (defaults already encoded): what generateSchemas
 * creates and what migrations compare before and after an operation.
 */
export interface TableDef {
  readonly table: string;
  readonly columns: readonly ColumnDef[];
  readonly uniqueTogether: readonly NamedColumns[];
  readonly indexes: readonly NamedColumns[];
  readonly foreignKeys: readonly ForeignKeyDef[];
  readonly description: string | undefined;
}

export interface CreateTableOptions {
  readonly ifNotExists: boolean;
  /** The keys written inside CREATE TABLE (default all); the rest are added later with ALTER TABLE. */
  readonly foreignKeys?: readonly ForeignKeyDef[];
}

/** CREATE TABLE, its comments (where they are statements of their own) and its indexes. */
export function createTableStatements(def: TableDef, dialect: Dialect, options: CreateTableOptions): Statement[] {
  const table: CreateTableNode = {
    kind: 'createTable',
    table: def.table,
    ifNotExists: options.ifNotExists,
    columns: def.columns,
    uniqueTogether: def.uniqueTogether,
    foreignKeys: options.foreignKeys ?? def.foreignKeys,
    comment: def.description,
  };
  const statements: Statement[] = [table];
  if (dialect.capabilities.commentStatements) {
    if (def.description !== undefined) statements.push({ kind: 'comment', table: def.table, column: undefined, text: def.description });
    for (const column of def.columns) {
      if (column.comment !== undefined) statements.push({ kind: 'comment', table: def.table, column: column.name, text: column.comment });
    }
  }
  for (const index of def.indexes) statements.push(createIndex(def.table, index, options.ifNotExists));
  return statements;
}

export function createIndex(table: string, index: NamedColumns, ifNotExists: boolean): CreateIndexNode {
  return { kind: 'createIndex', name: index.name, table, columns: index.columns, unique: false, ifNotExists };
}
