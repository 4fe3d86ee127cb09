/**
 * The schema editor of backends with a real ALTER TABLE (PostgreSQL, MySQL/MariaDB). The order of
 * statements is what makes it work: keys that go away first (a table or an index they need may be
 * dropped next), then dropped tables, renamed tables, each table's own changes, new tables, and
 * new keys last (their target tables and columns exist by then).
 */
import type { Dialect } from '../dialects/dialect.js';
import { NotSupportedError } from '../errors.js';
import type { AlterAction, ColumnDef, ForeignKeyDef, Statement } from '../sql/ast.js';
import type { SchemaEditor } from './schema-editor.js';
import { createIndex, type NamedColumns, type TableDef } from './table-def.js';
import type { ColumnAlteration, SchemaChange, TableChange } from './table-diff.js';
import { orderTables } from './tables.js';
import { tableStatements } from './generate.js';

function alter(table: string, ...actions: AlterAction[]): Statement {
  return { kind: 'alterTable', table, actions };
}

function fillRows(table: string, column: string, value: unknown, onlyNulls: boolean): Statement {
  const target = { kind: 'column', table: undefined, name: column } as const;
  return {
    kind: 'update',
    table: { name: table, alias: undefined },
    set: [{ column, value: { kind: 'param', value } }],
    where: onlyNulls ? { kind: 'isNull', expr: target, negated: false } : undefined,
  };
}

export abstract class AlterSchemaEditor implements SchemaEditor {
  readonly notes: readonly string[] = [];

  /** Whether a foreign key keeps its definition under a new name (PostgreSQL) or is dropped and added (MySQL). */
  protected abstract readonly renamesForeignKeys: boolean;

  /** The name the backend gives a column's inline UNIQUE. */
  protected abstract columnUniqueName(table: string, column: string): string;

  /** Renames of the names the backend chose itself, when a table or a column is renamed. */
  protected abstract implicitRenames(change: TableChange): Statement[];

  /** Renaming a unique-together group: a constraint (PostgreSQL) or an index (MySQL). */
  protected abstract renameUnique(table: string, from: string, to: string): Statement;

  /** Keys that must be dropped and added again around this table's change although they stay (MySQL's key indexes). */
  protected keysToRecreate(_change: TableChange): ForeignKeyDef[] {
    return [];
  }

  /** Statements after a key is dropped (MySQL drops the index it created for the key). */
  protected afterKeyDropped(_table: TableDef, _fk: ForeignKeyDef): Statement[] {
    return [];
  }

  /** A column comment change: COMMENT ON (PostgreSQL) or part of MODIFY (MySQL). */
  protected abstract commentStatements(change: TableChange, columns: readonly ColumnAlteration[]): Statement[];

  statements(change: SchemaChange, dialect: Dialect): Statement[] {
    const out: Statement[] = [];
    const recreated = new Map<TableChange, ForeignKeyDef[]>();
    for (const table of change.altered) {
      this.refuseKeyChanges(table);
      const again = this.keysToRecreate(table);
      recreated.set(table, again);
      const drops = [...table.foreignKeys.dropped, ...(this.renamesForeignKeys ? [] : table.foreignKeys.renamed.map((r) => r.from)), ...again];
      for (const fk of drops) {
        out.push(alter(table.before.table, { kind: 'dropConstraint', constraint: 'foreignKey', name: fk.name }));
        out.push(...this.afterKeyDropped(table.before, fk));
      }
    }
    out.push(...this.dropTables(change.dropped));
    for (const { from, to } of change.renamedTables) out.push({ kind: 'renameTable', from, to });
    for (const table of change.altered) out.push(...this.tableStatements(table, dialect));
    out.push(...tableStatements(change.created, dialect, false));
    for (const table of change.altered) {
      const adds = [...table.foreignKeys.added, ...(this.renamesForeignKeys ? [] : table.foreignKeys.renamed.map((r) => r.to)), ...recreated.get(table)!];
      for (const fk of adds) out.push(alter(table.after.table, { kind: 'addForeignKey', foreignKey: fk }));
    }
    return out;
  }

  private refuseKeyChanges(table: TableChange): void {
    const changed = table.alteredColumns.find((c) => c.keyChanged);
    if (changed !== undefined) {
      throw new NotSupportedError(
        `${table.after.table}.${changed.after.name}: changing the primary key or auto-increment of a table is not supported by migrations; create a new table and copy the rows with runSql.`,
      );
    }
  }

  /** Dropped tables, those pointed at last; keys between them that form a cycle go first. */
  private dropTables(tables: readonly TableDef[]): Statement[] {
    const { ordered, deferred } = orderTables(tables);
    const out: Statement[] = deferred.map(({ table, foreignKey }) => alter(table, { kind: 'dropConstraint', constraint: 'foreignKey', name: foreignKey.name }));
    for (const table of [...ordered].reverse()) out.push({ kind: 'dropTable', table: table.table, ifExists: false });
    return out;
  }

  private tableStatements(change: TableChange, _dialect: Dialect): Statement[] {
    const table = change.after.table;
    const out: Statement[] = [];
    // Away first, under their old names (a renamed table keeps its constraints' names).
    for (const index of change.indexes.dropped) out.push({ kind: 'dropIndex', table, name: index.name });
    for (const unique of change.uniqueTogether.dropped) out.push(alter(table, { kind: 'dropConstraint', constraint: 'unique', name: unique.name }));
    for (const col of change.alteredColumns) {
      if (col.uniqueChanged && !col.after.unique) {
        out.push(alter(table, { kind: 'dropConstraint', constraint: 'unique', name: this.columnUniqueName(change.before.table, col.before.name) }));
      }
    }
    out.push(...this.implicitRenames(change));
    for (const { from, to } of change.renamedColumns) out.push({ kind: 'renameColumn', table, from, to });
    if (change.droppedColumns.length > 0) {
      out.push(alter(table, ...change.droppedColumns.map((c): AlterAction => ({ kind: 'dropColumn', column: c.name }))));
    }
    for (const col of change.addedColumns) out.push(...this.addColumn(table, col, change.fills));
    for (const col of change.alteredColumns) out.push(...this.alterColumn(table, col, change.fills.get(col.after.name)));
    for (const col of change.alteredColumns) {
      if (col.uniqueChanged && col.after.unique) {
        out.push(alter(table, { kind: 'addUnique', name: this.columnUniqueName(table, col.after.name), columns: [col.after.name] }));
      }
    }
    for (const { from, to } of change.indexes.renamed) out.push({ kind: 'renameIndex', table, from: from.name, to: to.name });
    for (const { from, to } of change.uniqueTogether.renamed) out.push(this.renameUnique(table, from.name, to.name));
    if (this.renamesForeignKeys) {
      for (const { from, to } of change.foreignKeys.renamed) out.push({ kind: 'renameConstraint', table, from: from.name, to: to.name });
    }
    for (const unique of change.uniqueTogether.added) out.push(alter(table, { kind: 'addUnique', name: unique.name, columns: unique.columns }));
    for (const index of change.indexes.added) out.push(createIndex(table, index as NamedColumns, false));
    out.push(...this.commentStatements(change, change.alteredColumns.filter((c) => c.changes.includes('comment'))));
    return out;
  }

  /** A NOT NULL column without a default for existing rows: added as NULL, filled, then made NOT NULL. */
  private addColumn(table: string, col: ColumnDef, fills: ReadonlyMap<string, unknown>): Statement[] {
    if (col.nullable || col.default !== undefined || !fills.has(col.name)) return [alter(table, { kind: 'addColumn', column: col })];
    const open: ColumnDef = { ...col, nullable: true, unique: false };
    const out: Statement[] = [alter(table, { kind: 'addColumn', column: open }), fillRows(table, col.name, fills.get(col.name), false)];
    out.push(alter(table, { kind: 'alterColumn', column: { ...col, unique: false }, changes: ['nullable'] }));
    if (col.unique) out.push(alter(table, { kind: 'addUnique', name: this.columnUniqueName(table, col.name), columns: [col.name] }));
    return out;
  }

  private alterColumn(table: string, col: ColumnAlteration, fill: unknown): Statement[] {
    const changes = col.changes.filter((c) => c !== 'comment' || this.commentInColumn);
    if (changes.length === 0) return [];
    const out: Statement[] = [];
    if (fill !== undefined && !col.after.nullable) out.push(fillRows(table, col.after.name, fill, true));
    const column = { ...col.after, unique: false };
    // A default of the old type may not cast to the new one: off first, on again after.
    if (changes.includes('type') && col.before.default !== undefined && this.separatesDefaultFromType) {
      out.push(alter(table, { kind: 'alterColumn', column: { ...column, default: undefined }, changes: ['default'] }));
      const rest = changes.filter((c) => c !== 'default');
      out.push(alter(table, { kind: 'alterColumn', column, changes: rest }));
      if (col.after.default !== undefined) out.push(alter(table, { kind: 'alterColumn', column, changes: ['default'] }));
      return out;
    }
    out.push(alter(table, { kind: 'alterColumn', column, changes }));
    return out;
  }

  /** Whether the column's comment is part of its definition (MySQL) rather than a statement of its own. */
  protected abstract readonly commentInColumn: boolean;

  /** Whether a type change needs the default off around it (PostgreSQL casts the old default otherwise). */
  protected abstract readonly separatesDefaultFromType: boolean;
}
