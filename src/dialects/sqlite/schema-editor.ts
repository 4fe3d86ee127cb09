/**
 * SQLite's schema editor. Its ALTER TABLE renames tables and columns and adds columns; every other
 * change rebuilds the table as SQLite's documentation describes (lang_altertable.html, "Making
 * Other Kinds Of Table Schema Changes"): create the new table under a temporary name, copy the rows,
 * drop the old table, rename the new one, create its indexes again. The executor turns foreign keys
 * off around the migration (PRAGMA foreign_keys is ignored inside a transaction, and with it on,
 * dropping the old table would delete or refuse the rows pointing at it) and runs
 * PRAGMA foreign_key_check before it commits.
 */
import type { Dialect } from '../dialect.js';
import type { ColumnDef, Expr, SelectColumn, Statement } from '../../sql/ast.js';
import { emptySelect } from '../../sql/ast.js';
import type { SchemaEditor } from '../../schema/schema-editor.js';
import { createIndex, createTableStatements } from '../../schema/table-def.js';
import type { SchemaChange, TableChange } from '../../schema/table-diff.js';
import { tableStatements } from '../../schema/generate.js';

const none = (d: { added: readonly unknown[]; dropped: readonly unknown[]; renamed: readonly unknown[] }) =>
  d.added.length === 0 && d.dropped.length === 0 && d.renamed.length === 0;

/** ADD COLUMN takes a column that is not a key, not UNIQUE, and either nullable or with a default. */
function simpleAdd(col: ColumnDef, change: TableChange): boolean {
  return !col.primaryKey && !col.unique && (col.nullable || col.default !== undefined) && !change.fills.has(col.name);
}

/** A change ALTER TABLE can make: renamed columns, simple added columns, indexes, comments (SQLite keeps none). */
function alterable(change: TableChange): boolean {
  return (
    change.droppedColumns.length === 0 &&
    change.alteredColumns.every((c) => c.changes.every((k) => k === 'comment') && !c.uniqueChanged && !c.keyChanged) &&
    change.addedColumns.every((c) => simpleAdd(c, change)) &&
    none(change.uniqueTogether) &&
    none(change.foreignKeys)
  );
}

export class SqliteSchemaEditor implements SchemaEditor {
  readonly notes = [
    'SQLite: PRAGMA foreign_keys = OFF before the transaction, PRAGMA foreign_key_check before COMMIT, foreign_keys back on after it.',
  ];

  statements(change: SchemaChange, dialect: Dialect): Statement[] {
    const out: Statement[] = [];
    // A rename rewrites the REFERENCES of other tables to the new name (SQLite ≥ 3.26).
    for (const { from, to } of change.renamedTables) out.push({ kind: 'renameTable', from, to });
    for (const table of change.dropped) out.push({ kind: 'dropTable', table: table.table, ifExists: false });
    for (const table of change.altered) out.push(...(alterable(table) ? this.alter(table) : this.rebuild(table, dialect)));
    out.push(...tableStatements(change.created, dialect, false));
    return out;
  }

  private alter(change: TableChange): Statement[] {
    const table = change.after.table;
    const out: Statement[] = [];
    for (const index of [...change.indexes.dropped, ...change.indexes.renamed.map((r) => r.from)]) {
      out.push({ kind: 'dropIndex', table, name: index.name });
    }
    for (const { from, to } of change.renamedColumns) out.push({ kind: 'renameColumn', table, from, to });
    for (const col of change.addedColumns) out.push({ kind: 'alterTable', table, actions: [{ kind: 'addColumn', column: col }] });
    for (const index of [...change.indexes.added, ...change.indexes.renamed.map((r) => r.to)]) out.push(createIndex(table, index, false));
    return out;
  }

  /** The twelve steps, less the ones the executor does around the whole migration. */
  private rebuild(change: TableChange, dialect: Dialect): Statement[] {
    const table = change.after.table;
    const temporary = `_terrapin_new_${table}`;
    const out = createTableStatements({ ...change.after, table: temporary, indexes: [] }, dialect, { ifNotExists: false });
    const columns: string[] = [];
    const values: SelectColumn[] = [];
    for (const col of change.after.columns) {
      const fill = change.fills.get(col.name);
      const added = change.addedColumns.includes(col);
      if (added && fill === undefined) continue; // its DEFAULT, or NULL
      let value: Expr = added ? { kind: 'param', value: fill } : { kind: 'column', table: undefined, name: change.beforeColumn(col.name) };
      if (!added && fill !== undefined && !col.nullable) value = { kind: 'func', fn: 'COALESCE', args: [value, { kind: 'param', value: fill }] };
      columns.push(col.name);
      values.push({ expr: value, alias: undefined });
    }
    out.push({ kind: 'insertSelect', table: temporary, columns, select: { ...emptySelect({ name: table, alias: undefined }), columns: values } });
    out.push({ kind: 'dropTable', table, ifExists: false });
    out.push({ kind: 'renameTable', from: temporary, to: table });
    for (const index of change.after.indexes) out.push(createIndex(table, index, false));
    return out;
  }
}
