/**
 * The live schema the DDL of some models should produce, worked out from the statements
 * generateSchemas runs (its AST, not the SQL text) and from what each backend is documented to
 * report for them: the oracle the introspection suite compares introspectSchema with.
 */
import type { Dialect } from '../../src/dialects/dialect.js';
import type { ModelMeta } from '../../src/model/meta.js';
import { schemaStatements } from '../../src/schema/generate.js';
import { sortedTables, type LiveColumn, type LiveForeignKey, type LiveIndex, type LiveSchema, type LiveTable, type LiveUnique } from '../../src/schema/live-schema.js';
import type { ColumnDef, ColumnType, CreateTableNode, ForeignKeyDef } from '../../src/sql/ast.js';

type Backend = Dialect['name'];

const TYPES: Record<Backend, Record<Exclude<ColumnType['type'], 'varchar' | 'decimal'>, string>> = {
  sqlite: {
    int: 'int', bigint: 'bigint', smallint: 'smallint', float: 'real', boolean: 'int', text: 'text', json: 'text', binary: 'blob',
    uuid: 'char(36)', datetime: 'timestamp', date: 'date', time: 'time', timedelta: 'bigint',
  },
  postgres: {
    int: 'int', bigint: 'bigint', smallint: 'smallint', float: 'double', boolean: 'bool', text: 'text', json: 'jsonb', binary: 'bytea',
    uuid: 'uuid', datetime: 'timestamptz', date: 'date', time: 'time', timedelta: 'bigint',
  },
  mysql: {
    int: 'int', bigint: 'bigint', smallint: 'smallint', float: 'double', boolean: 'bool', text: 'longtext', json: 'json', binary: 'longblob',
    uuid: 'char(36)', datetime: 'datetime(6)', date: 'date', time: 'time(6)', timedelta: 'bigint',
  },
};

function columnType(backend: Backend, col: ColumnDef): string {
  const type = col.type;
  // SQLite's auto-increment key must be spelt INTEGER to be the rowid.
  if (backend === 'sqlite' && col.autoIncrement) return 'integer';
  if (type.type === 'varchar') return `varchar(${type.length})`;
  // SQLite keeps decimals as text, so that no digit is lost.
  if (type.type === 'decimal') return backend === 'sqlite' ? 'varchar(40)' : `decimal(${type.digits},${type.places})`;
  return TYPES[backend][type.type];
}

function defaultText(backend: Backend, col: ColumnDef): string | null {
  if (col.default === undefined) return null;
  const value = col.default.value;
  if (typeof value === 'boolean') return backend === 'postgres' ? String(value) : value ? '1' : '0';
  if (typeof value === 'number' || typeof value === 'bigint') return String(value);
  if (typeof value === 'string' && col.type.type === 'decimal') {
    if (backend === 'sqlite') return `'${value}'`;
    // MariaDB writes a decimal default back with all its places.
    if (backend === 'mysql') return Number(value).toFixed(col.type.places);
    return value;
  }
  throw new TypeError(`no expectation for the default ${String(value)} of ${col.name}`);
}

function column(backend: Backend, col: ColumnDef): LiveColumn {
  return {
    name: col.name,
    type: columnType(backend, col),
    // SQLite lets NULL into a primary key that is not the INTEGER rowid unless NOT NULL is written, and the DDL does not write it.
    nullable: col.primaryKey ? backend === 'sqlite' && !col.autoIncrement : col.nullable,
    default: defaultText(backend, col),
    primaryKey: col.primaryKey,
    autoIncrement: col.autoIncrement,
    comment: backend === 'sqlite' ? null : (col.comment ?? null),
  };
}

/** The name each backend gives a UNIQUE written on a column without a name. */
function inlineUniqueName(backend: Backend, table: string, column: string): string | null {
  if (backend === 'sqlite') return null;
  if (backend === 'postgres') return `${table}_${column}_key`;
  return column;
}

function foreignKey(backend: Backend, fk: ForeignKeyDef): LiveForeignKey {
  return {
    name: fk.name,
    columns: fk.columns,
    refTable: fk.refTable,
    refColumns: fk.refColumns,
    onDelete: fk.onDelete,
    // MariaDB reports a key declared without ON UPDATE as RESTRICT, the others as NO ACTION.
    onUpdate: backend === 'mysql' ? 'RESTRICT' : 'NO_ACTION',
  };
}

/** What introspectSchema should report after generateSchemas of `metas` on `dialect`. */
export function declaredSchema(dialect: Dialect, metas: readonly ModelMeta[]): LiveSchema {
  const backend = dialect.name;
  const tables = new Map<string, { node: CreateTableNode; indexes: LiveIndex[]; foreignKeys: LiveForeignKey[]; comment: string | null; comments: Map<string, string> }>();
  for (const statement of schemaStatements(dialect, metas, { safe: false })) {
    if (statement.kind === 'createTable') {
      tables.set(statement.table, {
        node: statement,
        indexes: [],
        foreignKeys: (statement.foreignKeys ?? []).map((fk) => foreignKey(backend, fk)),
        comment: backend === 'mysql' ? (statement.comment ?? null) : null,
        comments: new Map(),
      });
    } else if (statement.kind === 'createIndex') {
      tables.get(statement.table)!.indexes.push({ name: statement.name, columns: statement.columns, unique: statement.unique });
    } else if (statement.kind === 'addForeignKey') {
      tables.get(statement.table)!.foreignKeys.push(foreignKey(backend, statement.foreignKey));
    } else if (statement.kind === 'comment') {
      const entry = tables.get(statement.table)!;
      // A null text removes the comment (migrations emit it; generateSchemas never does).
      if (statement.column === undefined) entry.comment = statement.text;
      else if (statement.text === null) entry.comments.delete(statement.column);
      else entry.comments.set(statement.column, statement.text);
    }
  }
  const result: LiveTable[] = [];
  for (const [name, { node, indexes, foreignKeys, comment, comments }] of tables) {
    const uniques: LiveUnique[] = [
      ...node.columns.filter((c) => c.unique && !c.primaryKey).map((c) => ({ name: inlineUniqueName(backend, name, c.name), columns: [c.name] })),
      ...node.uniqueTogether.map((u) => ({ name: u.name, columns: u.columns })),
    ];
    result.push({
      name,
      comment,
      columns: node.columns.map((c) => {
        const live = column(backend, c);
        return comments.has(c.name) ? { ...live, comment: comments.get(c.name)! } : live;
      }),
      primaryKey: node.columns.filter((c) => c.primaryKey).map((c) => c.name),
      uniques,
      indexes,
      foreignKeys,
    });
  }
  return { dialect: backend, tables: sortedTables(result) };
}
