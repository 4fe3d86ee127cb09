import type { Introspection } from '../dialect.js';
import { mysqlColumnField } from './field-types.js';
import type { LiveColumn, LiveForeignKey, LiveIndex, LiveTable, LiveUnique } from '../../schema/live-schema.js';
import { normalizedDefault, optionalText, referentialAction, text } from '../live-catalog.js';

const TABLES_SQL =
  "SELECT TABLE_NAME, TABLE_COMMENT FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() AND TABLE_TYPE = 'BASE TABLE' ORDER BY TABLE_NAME";

const COLUMNS_SQL = `SELECT TABLE_NAME, COLUMN_NAME, COLUMN_TYPE, DATA_TYPE, IS_NULLABLE, COLUMN_DEFAULT, EXTRA, COLUMN_COMMENT
FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() ORDER BY TABLE_NAME, ORDINAL_POSITION`;

const INDEXES_SQL = `SELECT TABLE_NAME, INDEX_NAME, NON_UNIQUE, COLUMN_NAME, SUB_PART, COLLATION
FROM information_schema.STATISTICS WHERE TABLE_SCHEMA = DATABASE() ORDER BY TABLE_NAME, INDEX_NAME, SEQ_IN_INDEX`;

const FOREIGN_KEYS_SQL = `SELECT k.TABLE_NAME, k.CONSTRAINT_NAME, k.COLUMN_NAME, k.REFERENCED_TABLE_NAME, k.REFERENCED_COLUMN_NAME, r.DELETE_RULE, r.UPDATE_RULE
FROM information_schema.KEY_COLUMN_USAGE k
JOIN information_schema.REFERENTIAL_CONSTRAINTS r
  ON r.CONSTRAINT_SCHEMA = k.CONSTRAINT_SCHEMA AND r.TABLE_NAME = k.TABLE_NAME AND r.CONSTRAINT_NAME = k.CONSTRAINT_NAME
WHERE k.TABLE_SCHEMA = DATABASE() AND k.REFERENCED_TABLE_NAME IS NOT NULL
ORDER BY k.TABLE_NAME, k.CONSTRAINT_NAME, k.ORDINAL_POSITION`;

/** MariaDB's JSON is LONGTEXT with a column CHECK (json_valid(`c`)) named after the column. */
const JSON_CHECKS_SQL =
  "SELECT TABLE_NAME, CONSTRAINT_NAME, CHECK_CLAUSE FROM information_schema.CHECK_CONSTRAINTS WHERE CONSTRAINT_SCHEMA = DATABASE() AND CHECK_CLAUSE LIKE 'json\\_valid(%'";

const NUMERIC = new Set(['tinyint', 'smallint', 'mediumint', 'int', 'integer', 'bigint', 'decimal', 'numeric', 'float', 'double', 'real', 'bit']);

/** COLUMN_TYPE without integer display widths ('int(11)' → 'int'); BOOL's tinyint(1) as 'bool'. */
function normalizedType(columnType: string, json: boolean): string {
  if (json) return 'json';
  const type = columnType.trim().toLowerCase();
  if (/^tinyint\(1\)/.test(type)) return type.replace(/^tinyint\(1\)/, 'bool');
  return type.replace(/^(tinyint|smallint|mediumint|int|integer|bigint)\(\d+\)/, '$1');
}

/**
 * MariaDB (10.2.7+) reports defaults as SQL: 'text' quoted, NULL for none. MySQL 8 leaves literal
 * text unquoted and marks expressions DEFAULT_GENERATED; quote its literals the MariaDB way.
 */
function defaultText(raw: string | null, dataType: string, extra: string, mariadb: boolean): string | null {
  if (raw === null) return null;
  if (mariadb || /DEFAULT_GENERATED/i.test(extra) || NUMERIC.has(dataType)) return raw;
  return `'${raw.replace(/'/g, "''")}'`;
}

function column(row: readonly unknown[], mariadb: boolean, jsonColumns: ReadonlySet<string>, primaryKey: readonly string[]): LiveColumn {
  const name = text(row[1]);
  const dataType = text(row[3]).toLowerCase();
  const extra = text(row[6]);
  let expression = normalizedDefault(defaultText(optionalText(row[5]), dataType, extra, mariadb), NUMERIC.has(dataType));
  const onUpdate = /on update (\S+)/i.exec(extra);
  if (onUpdate !== null) expression = `${expression ?? 'NULL'} ON UPDATE ${onUpdate[1]}`;
  return {
    name,
    type: normalizedType(text(row[2]), jsonColumns.has(name)),
    nullable: text(row[4]) === 'YES',
    default: expression,
    primaryKey: primaryKey.includes(name),
    autoIncrement: /auto_increment/i.test(extra),
    comment: optionalText(row[7]),
  };
}

interface IndexRows {
  readonly unique: boolean;
  readonly columns: string[];
}

/** MySQL and MariaDB: information_schema, for the current database. */
export const mysqlIntrospection: Introspection = {
  async constraintExists(connection, table, name) {
    const rows = await connection.rows(
      'SELECT 1 FROM information_schema.table_constraints WHERE table_schema = DATABASE() AND table_name = ? AND constraint_name = ?',
      [table, name],
    );
    return rows.length > 0;
  },

  columnField: mysqlColumnField,

  async describeTables(connection, only) {
    const version = text((await connection.rows('SELECT VERSION()', []))[0]?.[0]);
    const mariadb = /mariadb/i.test(version);
    const tableRows = await connection.rows(TABLES_SQL, []);
    const columnRows = await connection.rows(COLUMNS_SQL, []);
    const indexRows = await connection.rows(INDEXES_SQL, []);
    const keyRows = await connection.rows(FOREIGN_KEYS_SQL, []);
    const checkRows = mariadb ? await connection.rows(JSON_CHECKS_SQL, []) : [];
    const tables: LiveTable[] = [];
    for (const row of tableRows) {
      const name = text(row[0]);
      if (only !== undefined && !only.includes(name)) continue;
      const jsonColumns = new Set(
        checkRows
          .filter((r) => text(r[0]) === name && text(r[2]).replace(/\s+/g, '') === `json_valid(\`${text(r[1]).replace(/`/g, '``')}\`)`)
          .map((r) => text(r[1])),
      );
      const byIndex = new Map<string, IndexRows>();
      for (const r of indexRows.filter((r) => text(r[0]) === name)) {
        const index = text(r[1]);
        let entry = byIndex.get(index);
        if (entry === undefined) byIndex.set(index, (entry = { unique: Number(r[2]) === 0, columns: [] }));
        const sub = optionalText(r[4]);
        // A prefix index covers the first N characters; a functional one (MySQL 8) has no column; 'D' sorts descending (MariaDB 10.8+).
        const part = r[3] === null ? '(expression)' : sub === null ? text(r[3]) : `${text(r[3])}(${sub})`;
        entry.columns.push(text(r[5]) === 'D' ? `${part} DESC` : part);
      }
      const keyMap = new Map<string, { columns: string[]; refTable: string; refColumns: string[]; onDelete: string; onUpdate: string }>();
      for (const r of keyRows.filter((r) => text(r[0]) === name)) {
        const keyName = text(r[1]);
        let key = keyMap.get(keyName);
        if (key === undefined) keyMap.set(keyName, (key = { columns: [], refTable: text(r[3]), refColumns: [], onDelete: text(r[5]), onUpdate: text(r[6]) }));
        key.columns.push(text(r[2]));
        key.refColumns.push(text(r[4]));
      }
      const foreignKeys: LiveForeignKey[] = [...keyMap].map(([keyName, key]) => ({
        name: keyName,
        columns: key.columns,
        refTable: key.refTable,
        refColumns: key.refColumns,
        onDelete: referentialAction(key.onDelete),
        onUpdate: referentialAction(key.onUpdate),
      }));
      const primaryKey = byIndex.get('PRIMARY')?.columns ?? [];
      const uniques: LiveUnique[] = [];
      const indexes: LiveIndex[] = [];
      for (const [indexName, entry] of byIndex) {
        if (indexName === 'PRIMARY') continue;
        if (entry.unique) {
          uniques.push({ name: indexName, columns: entry.columns });
          continue;
        }
        // InnoDB's own index for a foreign key (named after it) belongs to the key, not to the table's design.
        const implicit = foreignKeys.some((k) => k.name === indexName && k.columns.join('\u0000') === entry.columns.join('\u0000'));
        if (!implicit) indexes.push({ name: indexName, columns: entry.columns, unique: false });
      }
      tables.push({
        name,
        comment: optionalText(row[1]),
        columns: columnRows.filter((r) => text(r[0]) === name).map((r) => column(r, mariadb, jsonColumns, primaryKey)),
        primaryKey,
        uniques,
        indexes,
        foreignKeys,
      });
    }
    return tables;
  },
};
