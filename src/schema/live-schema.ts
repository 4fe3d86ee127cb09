/**
 * The description of a live database that `introspectSchema` returns: plain, JSON-serialisable
 * and deterministic (tables by name, columns in table order, constraints sorted), so two
 * descriptions compare with `deepEqual` and `diffSchemas` names what differs.
 */

/** What a foreign key does when the row it points at is deleted (or its key updated). */
export type LiveReferentialAction = 'CASCADE' | 'RESTRICT' | 'SET_NULL' | 'SET_DEFAULT' | 'NO_ACTION';

export interface LiveColumn {
  readonly name: string;
  /**
   * The backend's type in one spelling per type: lower case, synonyms folded (PostgreSQL
   * `integer` → `int`, `character varying(50)` → `varchar(50)`, `numeric(8,2)` → `decimal(8,2)`,
   * `timestamp with time zone` → `timestamptz`; MySQL display widths dropped, `tinyint(1)` →
   * `bool`, MariaDB's JSON columns → `json`; SQLite's declared type as written, lower case).
   * Equal types compare equal; different types never do. Types are not comparable across backends.
   */
  readonly type: string;
  readonly nullable: boolean;
  /**
   * The default expression as SQL text, normalized: PostgreSQL's casts on literals dropped
   * (`'new'::character varying` → `'new'`), numeric literals of numeric columns unquoted,
   * `NULL` and no default both `null`. An auto-increment's sequence default is not a default.
   */
  readonly default: string | null;
  readonly primaryKey: boolean;
  /** Filled by the database: SERIAL/IDENTITY, AUTO_INCREMENT, SQLite's AUTOINCREMENT. */
  readonly autoIncrement: boolean;
  /** Column comment (PostgreSQL, MySQL); always null on SQLite, which has none. */
  readonly comment: string | null;
}

export interface LiveUnique {
  /** The constraint's name; null where the backend keeps none (an unnamed UNIQUE on SQLite). */
  readonly name: string | null;
  readonly columns: readonly string[];
}

/**
 * An index that is not the primary key's or a unique constraint's own (those are `primaryKey`
 * and `uniques`), nor MySQL's implicit index of a foreign key. Each part is a column name, with
 * ` DESC` when it sorts descending and `(n)` for MySQL's prefix of n characters; an expression is
 * its text in parentheses (SQLite, which keeps no text for it: `(expression)`).
 */
export interface LiveIndex {
  readonly name: string;
  readonly columns: readonly string[];
  readonly unique: boolean;
}

export interface LiveForeignKey {
  /** The constraint's name; null where SQLite keeps none (a key declared without CONSTRAINT). */
  readonly name: string | null;
  readonly columns: readonly string[];
  readonly refTable: string;
  readonly refColumns: readonly string[];
  readonly onDelete: LiveReferentialAction;
  readonly onUpdate: LiveReferentialAction;
}

export interface LiveTable {
  readonly name: string;
  /** Table comment (PostgreSQL, MySQL); always null on SQLite. */
  readonly comment: string | null;
  /** In the table's column order. */
  readonly columns: readonly LiveColumn[];
  /** The primary key's columns in key order; empty when the table has none. */
  readonly primaryKey: readonly string[];
  readonly uniques: readonly LiveUnique[];
  readonly indexes: readonly LiveIndex[];
  readonly foreignKeys: readonly LiveForeignKey[];
}

export interface LiveSchema {
  readonly dialect: 'sqlite' | 'postgres' | 'mysql';
  /** Sorted by name. */
  readonly tables: readonly LiveTable[];
}

const byText = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
const key = (columns: readonly string[]): string => columns.join('\u0000');

/** Sorts a table's constraints the one way every backend reports them, so equal tables are deepEqual. */
export function sortedTable(table: LiveTable): LiveTable {
  return {
    ...table,
    uniques: [...table.uniques].sort((a, b) => byText(key(a.columns), key(b.columns)) || byText(a.name ?? '', b.name ?? '')),
    indexes: [...table.indexes].sort((a, b) => byText(a.name, b.name)),
    foreignKeys: [...table.foreignKeys].sort(
      (a, b) => byText(key(a.columns), key(b.columns)) || byText(a.refTable, b.refTable) || byText(a.name ?? '', b.name ?? ''),
    ),
  };
}

/** Tables sorted by name, each with its constraints sorted. */
export function sortedTables(tables: readonly LiveTable[]): LiveTable[] {
  return tables.map(sortedTable).sort((a, b) => byText(a.name, b.name));
}

