/**
 * The schema of a live database, normalised so that two databases with the same tables compare
 * equal: tables, columns (type, null, default, primary key, comment), indexes and unique
 * constraints (name, columns, unique), foreign keys (name, columns, target, ON DELETE) and, on
 * PostgreSQL, sequences. Column order is left out (ALTER TABLE appends, CREATE TABLE follows the
 * model). This is the one place the migration tests read the catalogs; it is swapped for the
 * introspect helper's `introspectSchema()` once that lands.
 */
import type { ConnectionHandle } from '../../src/execution/connection-handle.js';

export interface LiveTable {
  columns: Record<string, string>;
  indexes: string[];
  foreignKeys: string[];
  comment: string | null;
}
export interface LiveSchema {
  tables: Record<string, LiveTable>;
  sequences: string[];
}

const IGNORED = new Set(['terrapin_migrations']);

async function q(handle: ConnectionHandle, sql: string, params: unknown[] = []): Promise<unknown[][]> {
  return handle.rows(sql, params);
}

async function sqliteSchema(handle: ConnectionHandle): Promise<LiveSchema> {
  const tables: Record<string, LiveTable> = {};
  const names = await q(handle, "SELECT name, sql FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name");
  for (const [name, sql] of names as [string, string][]) {
    if (IGNORED.has(name)) continue;
    const table: LiveTable = { columns: {}, indexes: [], foreignKeys: [], comment: null };
    for (const [, col, type, notnull, dflt, pk] of (await q(handle, `SELECT * FROM pragma_table_info(?)`, [name])) as [number, string, string, number, unknown, number][]) {
      table.columns[col] = `${type}${notnull ? ' NOT NULL' : ''}${dflt === null ? '' : ` DEFAULT ${String(dflt)}`}${pk ? ' PK' : ''}`;
    }
    for (const [, index, unique, origin] of (await q(handle, `SELECT * FROM pragma_index_list(?)`, [name])) as [number, string, number, string][]) {
      const cols = ((await q(handle, `SELECT name FROM pragma_index_info(?) ORDER BY seqno`, [index])) as [string][]).map((r) => r[0]);
      // SQLite names the indexes of inline constraints itself (sqlite_autoindex_t_N, numbered by position).
      const label = origin === 'c' ? index : `(${origin})`;
      table.indexes.push(`${label} ${unique ? 'UNIQUE ' : ''}(${cols.join(', ')})`);
    }
    // pragma_foreign_key_list has no names; the CREATE TABLE text has them.
    const fkNames = [...sql.matchAll(/CONSTRAINT "((?:[^"]|"")+)" FOREIGN KEY \("((?:[^"]|"")+)"\)/g)].map((m) => [m[2], m[1]] as const);
    const uniqueNames = [...sql.matchAll(/CONSTRAINT "((?:[^"]|"")+)" UNIQUE \(([^)]*)\)/g)].map((m) => `${m[1]} UNIQUE (${m[2]!.replace(/"/g, '')})`);
    table.indexes.push(...uniqueNames.map((u) => `constraint ${u}`));
    for (const [, , target, from, to, , onDelete] of (await q(handle, `SELECT * FROM pragma_foreign_key_list(?)`, [name])) as [number, number, string, string, string, string, string][]) {
      const fkName = fkNames.find(([col]) => col === from)?.[1] ?? '?';
      table.foreignKeys.push(`${fkName} (${from}) → ${target}(${to}) ON DELETE ${onDelete}`);
    }
    table.indexes.sort();
    table.foreignKeys.sort();
    tables[name] = table;
  }
  return { tables, sequences: [] };
}

const ON_DELETE: Record<string, string> = { a: 'NO ACTION', r: 'RESTRICT', c: 'CASCADE', n: 'SET NULL', d: 'SET DEFAULT' };

async function postgresSchema(handle: ConnectionHandle): Promise<LiveSchema> {
  const tables: Record<string, LiveTable> = {};
  const names = await q(handle, "SELECT c.relname, obj_description(c.oid, 'pg_class') FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = current_schema() AND c.relkind = 'r' ORDER BY 1");
  for (const [name, comment] of names as [string, string | null][]) {
    if (IGNORED.has(name)) continue;
    const table: LiveTable = { columns: {}, indexes: [], foreignKeys: [], comment };
    const cols = await q(
      handle,
      `SELECT a.attname, format_type(a.atttypid, a.atttypmod), a.attnotnull, pg_get_expr(d.adbin, d.adrelid), col_description(a.attrelid, a.attnum)
         FROM pg_attribute a LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
        WHERE a.attrelid = $1::regclass AND a.attnum > 0 AND NOT a.attisdropped`,
      [`"${name}"`],
    );
    for (const [col, type, notnull, dflt, colComment] of cols as [string, string, boolean, string | null, string | null][]) {
      table.columns[col] = `${type}${notnull ? ' NOT NULL' : ''}${dflt === null ? '' : ` DEFAULT ${dflt}`}${colComment === null ? '' : ` COMMENT ${colComment}`}`;
    }
    const indexes = await q(
      handle,
      `SELECT i.relname, x.indisunique, x.indisprimary, (SELECT string_agg(a.attname, ', ' ORDER BY k.ord) FROM unnest(x.indkey) WITH ORDINALITY k(attnum, ord) JOIN pg_attribute a ON a.attrelid = x.indrelid AND a.attnum = k.attnum),
              (SELECT contype FROM pg_constraint WHERE conindid = x.indexrelid AND conrelid = x.indrelid LIMIT 1)
         FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid WHERE x.indrelid = $1::regclass`,
      [`"${name}"`],
    );
    for (const [index, unique, primary, cols2, contype] of indexes as [string, boolean, boolean, string, string | null][]) {
      table.indexes.push(`${index} ${primary ? 'PRIMARY ' : unique ? 'UNIQUE ' : ''}(${cols2})${contype === null ? '' : ` constraint ${contype}`}`);
    }
    const fks = await q(
      handle,
      `SELECT c.conname, c.confrelid::regclass::text, c.confdeltype,
              (SELECT string_agg(a.attname, ', ') FROM unnest(c.conkey) k(n) JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = k.n),
              (SELECT string_agg(a.attname, ', ') FROM unnest(c.confkey) k(n) JOIN pg_attribute a ON a.attrelid = c.confrelid AND a.attnum = k.n)
         FROM pg_constraint c WHERE c.conrelid = $1::regclass AND c.contype = 'f'`,
      [`"${name}"`],
    );
    for (const [fk, target, del, from, to] of fks as [string, string, string, string, string][]) {
      table.foreignKeys.push(`${fk} (${from}) → ${target.replace(/"/g, '')}(${to}) ON DELETE ${ON_DELETE[del] ?? del}`);
    }
    table.indexes.sort();
    table.foreignKeys.sort();
    tables[name] = table;
  }
  const sequences = ((await q(handle, "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = current_schema() AND c.relkind = 'S' AND c.relname NOT LIKE 'terrapin_migrations%' ORDER BY 1")) as [string][]).map((r) => r[0]);
  return { tables, sequences };
}

async function mysqlSchema(handle: ConnectionHandle): Promise<LiveSchema> {
  const tables: Record<string, LiveTable> = {};
  const names = await q(handle, 'SELECT TABLE_NAME, TABLE_COMMENT FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() ORDER BY 1');
  for (const [name, comment] of names as [string, string][]) {
    if (IGNORED.has(name)) continue;
    const table: LiveTable = { columns: {}, indexes: [], foreignKeys: [], comment: comment === '' ? null : comment };
    const cols = await q(handle, 'SELECT COLUMN_NAME, COLUMN_TYPE, IS_NULLABLE, COLUMN_DEFAULT, EXTRA, COLUMN_COMMENT, COLUMN_KEY FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = ?', [name]);
    for (const [col, type, nullable, dflt, extra, colComment] of cols as string[][]) {
      table.columns[col!] = `${type}${nullable === 'NO' ? ' NOT NULL' : ''}${dflt === null || (dflt === 'NULL' && nullable === 'YES') ? '' : ` DEFAULT ${dflt}`}${extra === '' ? '' : ` ${extra}`}${colComment === '' ? '' : ` COMMENT ${colComment}`}`;
    }
    const stats = await q(handle, 'SELECT INDEX_NAME, NON_UNIQUE, GROUP_CONCAT(COLUMN_NAME ORDER BY SEQ_IN_INDEX SEPARATOR \', \') FROM information_schema.STATISTICS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = ? GROUP BY INDEX_NAME, NON_UNIQUE', [name]);
    for (const [index, nonUnique, cols2] of stats as [string, number, string][]) table.indexes.push(`${index} ${Number(nonUnique) === 0 ? 'UNIQUE ' : ''}(${cols2})`);
    const fks = await q(
      handle,
      `SELECT k.CONSTRAINT_NAME, GROUP_CONCAT(k.COLUMN_NAME), k.REFERENCED_TABLE_NAME, GROUP_CONCAT(k.REFERENCED_COLUMN_NAME), r.DELETE_RULE
         FROM information_schema.KEY_COLUMN_USAGE k JOIN information_schema.REFERENTIAL_CONSTRAINTS r
           ON r.CONSTRAINT_SCHEMA = k.CONSTRAINT_SCHEMA AND r.CONSTRAINT_NAME = k.CONSTRAINT_NAME AND r.TABLE_NAME = k.TABLE_NAME
        WHERE k.TABLE_SCHEMA = DATABASE() AND k.TABLE_NAME = ? GROUP BY k.CONSTRAINT_NAME, k.REFERENCED_TABLE_NAME, r.DELETE_RULE`,
      [name],
    );
    for (const [fk, from, target, to, del] of fks as string[][]) table.foreignKeys.push(`${fk} (${from}) → ${target}(${to}) ON DELETE ${del}`);
    table.indexes.sort();
    table.foreignKeys.sort();
    tables[name] = table;
  }
  return { tables, sequences: [] };
}

/** The normalised schema of the database behind `handle`. */
export function liveSchema(handle: ConnectionHandle): Promise<LiveSchema> {
  switch (handle.dialect.name) {
    case 'sqlite':
      return sqliteSchema(handle);
    case 'postgres':
      return postgresSchema(handle);
    case 'mysql':
      return mysqlSchema(handle);
  }
}
