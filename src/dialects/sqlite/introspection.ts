import type { Introspection } from '../dialect.js';
import { sqliteColumnField } from './field-types.js';
import type { DriverConnection } from '../../execution/driver.js';
import type { LiveColumn, LiveForeignKey, LiveIndex, LiveTable, LiveUnique } from '../../schema/live-schema.js';
import { flag, normalizedDefault, optionalText, referentialAction, text } from '../live-catalog.js';
import { columnsKey, createTableNames, foreignKeyKey, type CreateTableNames } from './create-table-names.js';

/** SQLite's declared type, lower case with its spacing normalized ('VARCHAR( 10 )' → 'varchar(10)'). */
function normalizedType(declared: string): string {
  return declared.trim().toLowerCase().replace(/\s+/g, ' ').replace(/\s*([(),])\s*/g, '$1');
}

/** Declared types with INTEGER, REAL or NUMERIC affinity (SQLite's rules, section 3.1 of its type docs). */
function numericAffinity(type: string): boolean {
  if (/int/.test(type)) return true;
  if (/char|clob|text|blob/.test(type) || type === '') return false;
  return true;
}

async function columnsOf(connection: DriverConnection, table: string, names: CreateTableNames): Promise<LiveColumn[]> {
  const rows = await connection.rows('SELECT name, type, "notnull", dflt_value, pk FROM pragma_table_info(?) ORDER BY cid', [table]);
  return rows.map((row) => {
    const type = normalizedType(text(row[1]));
    const name = text(row[0]);
    const primaryKey = Number(row[4]) > 0;
    return {
      name,
      type,
      // A primary key column is NOT NULL in SQLite's behaviour only for INTEGER keys; report what the table says.
      nullable: !flag(row[2]) && !(primaryKey && type === 'integer'),
      default: normalizedDefault(optionalText(row[3]), numericAffinity(type)),
      primaryKey,
      autoIncrement: names.autoIncrement.has(name.toLowerCase()),
      comment: null,
    };
  });
}

async function primaryKeyOf(connection: DriverConnection, table: string): Promise<string[]> {
  const rows = await connection.rows('SELECT name, pk FROM pragma_table_info(?) WHERE pk > 0 ORDER BY pk', [table]);
  return rows.map((row) => text(row[0]));
}

async function indexColumns(connection: DriverConnection, index: string): Promise<string[]> {
  const rows = await connection.rows('SELECT cid, name, "desc" FROM pragma_index_xinfo(?) WHERE "key" = 1 ORDER BY seqno', [index]);
  // cid -2 is an expression; SQLite keeps its text only in the CREATE INDEX statement.
  return rows.map((row) => `${Number(row[0]) === -2 ? '(expression)' : text(row[1])}${flag(row[2]) ? ' DESC' : ''}`);
}

async function indexesOf(
  connection: DriverConnection,
  table: string,
  names: CreateTableNames,
): Promise<{ uniques: LiveUnique[]; indexes: LiveIndex[] }> {
  const rows = await connection.rows('SELECT name, "unique", origin FROM pragma_index_list(?)', [table]);
  const uniques: LiveUnique[] = [];
  const indexes: LiveIndex[] = [];
  for (const row of rows) {
    const name = text(row[0]);
    const origin = text(row[2]);
    const columns = await indexColumns(connection, name);
    // 'pk' backs the primary key (already in primaryKey); 'u' a UNIQUE constraint; 'c' CREATE INDEX.
    if (origin === 'u') uniques.push({ name: names.uniques.get(columnsKey(columns)) ?? null, columns });
    else if (origin === 'c') indexes.push({ name, columns, unique: flag(row[1]) });
  }
  return { uniques, indexes };
}

async function foreignKeysOf(connection: DriverConnection, table: string, names: CreateTableNames): Promise<LiveForeignKey[]> {
  const rows = await connection.rows(
    'SELECT id, "table", "from", "to", on_update, on_delete FROM pragma_foreign_key_list(?) ORDER BY id, seq',
    [table],
  );
  const byId = new Map<number, { refTable: string; columns: string[]; refColumns: (string | null)[]; onUpdate: string; onDelete: string }>();
  for (const row of rows) {
    const id = Number(row[0]);
    let key = byId.get(id);
    if (key === undefined) {
      key = { refTable: text(row[1]), columns: [], refColumns: [], onUpdate: text(row[4]), onDelete: text(row[5]) };
      byId.set(id, key);
    }
    key.columns.push(text(row[2]));
    key.refColumns.push(optionalText(row[3]));
  }
  const keys: LiveForeignKey[] = [];
  for (const key of byId.values()) {
    // REFERENCES t without columns means t's primary key.
    const refColumns = key.refColumns.some((c) => c === null) ? await primaryKeyOf(connection, key.refTable) : (key.refColumns as string[]);
    keys.push({
      name: names.foreignKeys.get(foreignKeyKey(key.columns, key.refTable)) ?? null,
      columns: key.columns,
      refTable: key.refTable,
      refColumns,
      onDelete: referentialAction(key.onDelete),
      onUpdate: referentialAction(key.onUpdate),
    });
  }
  return keys;
}

/** SQLite: the PRAGMAs (table_info, index_list, index_xinfo, foreign_key_list) and sqlite_master's CREATE TABLE text. */
export const sqliteIntrospection: Introspection = {
  /** SQLite keeps foreign keys inside CREATE TABLE (it allows forward references), so none is ever added later. */
  async constraintExists() {
    return false;
  },

  columnField: sqliteColumnField,

  async describeTables(connection, only) {
    const rows = await connection.rows(
      "SELECT name, sql FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' ORDER BY name",
      [],
    );
    const tables: LiveTable[] = [];
    for (const row of rows) {
      const name = text(row[0]);
      if (only !== undefined && !only.includes(name)) continue;
      const names = createTableNames(text(row[1]));
      const { uniques, indexes } = await indexesOf(connection, name, names);
      tables.push({
        name,
        comment: null,
        columns: await columnsOf(connection, name, names),
        primaryKey: await primaryKeyOf(connection, name),
        uniques,
        indexes,
        foreignKeys: await foreignKeysOf(connection, name, names),
      });
    }
    return tables;
  },
};
