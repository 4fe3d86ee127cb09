/**
 * What changes between two sets of tables (before and after a migration operation): tables
 * created, dropped and renamed, and per table the columns, indexes, unique groups and foreign keys
 * added, dropped, renamed or altered. Renames are never guessed here: the operation says which
 * tables and columns it renames, everything else is matched by name. Each dialect's schema editor
 * turns the result into statements.
 */
import type { ColumnChange, ColumnDef, ForeignKeyDef } from '../sql/ast.js';
import type { NamedColumns, TableDef } from './table-def.js';

export interface Renames {
  /** Old table name → new table name. */
  readonly tables: ReadonlyMap<string, string>;
  /** New table name → (old column → new column). */
  readonly columns: ReadonlyMap<string, ReadonlyMap<string, string>>;
}

export const NO_RENAMES: Renames = { tables: new Map(), columns: new Map() };

/** New table name → column → the driver value that existing rows get where the column becomes NOT NULL. */
export type Fills = ReadonlyMap<string, ReadonlyMap<string, unknown>>;

export interface ColumnAlteration {
  readonly before: ColumnDef;
  readonly after: ColumnDef;
  /** Type, null, default and comment changes (ALTER COLUMN). */
  readonly changes: readonly ColumnChange[];
  /** The column-level UNIQUE comes or goes. */
  readonly uniqueChanged: boolean;
  /** The primary key or auto-increment changes. */
  readonly keyChanged: boolean;
}

export interface ConstraintDiff<T> {
  readonly added: readonly T[];
  readonly dropped: readonly T[];
  /** The same constraint (same columns after renames) under a new name. */
  readonly renamed: readonly { readonly from: T; readonly to: T }[];
}

export interface TableChange {
  readonly before: TableDef;
  readonly after: TableDef;
  readonly addedColumns: readonly ColumnDef[];
  readonly droppedColumns: readonly ColumnDef[];
  readonly renamedColumns: readonly { readonly from: string; readonly to: string }[];
  readonly alteredColumns: readonly ColumnAlteration[];
  readonly indexes: ConstraintDiff<NamedColumns>;
  readonly uniqueTogether: ConstraintDiff<NamedColumns>;
  readonly foreignKeys: ConstraintDiff<ForeignKeyDef>;
  readonly commentChanged: boolean;
  /** Column (new name) → the value existing rows get. */
  readonly fills: ReadonlyMap<string, unknown>;
  /** The name of a column before this change (renames undone). */
  beforeColumn(after: string): string;
}

export interface SchemaChange {
  readonly created: readonly TableDef[];
  readonly dropped: readonly TableDef[];
  readonly renamedTables: readonly { readonly from: string; readonly to: string }[];
  /** Tables kept with something changed (a renamed table always). */
  readonly altered: readonly TableChange[];
  /** Every table after the change, for editors that need to see the others (MySQL's key indexes). */
  readonly tablesAfter: readonly TableDef[];
}

function invert(map: ReadonlyMap<string, string> | undefined): Map<string, string> {
  const out = new Map<string, string>();
  for (const [from, to] of map ?? []) out.set(to, from);
  return out;
}

function sameJson(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

function defaultValue(col: ColumnDef): unknown {
  return col.default === undefined ? undefined : col.default.value;
}

function alteration(before: ColumnDef, after: ColumnDef): ColumnAlteration | undefined {
  const changes: ColumnChange[] = [];
  if (!sameJson(before.type, after.type)) changes.push('type');
  if (before.nullable !== after.nullable) changes.push('nullable');
  if (!sameJson(defaultValue(before), defaultValue(after))) changes.push('default');
  if (before.comment !== after.comment) changes.push('comment');
  const uniqueChanged = before.unique !== after.unique;
  const keyChanged = before.primaryKey !== after.primaryKey || before.autoIncrement !== after.autoIncrement;
  if (changes.length === 0 && !uniqueChanged && !keyChanged) return undefined;
  return { before, after, changes, uniqueChanged, keyChanged };
}

function diffConstraints<T extends { readonly name: string }>(
  before: readonly T[],
  after: readonly T[],
  equivalent: (b: T, a: T) => boolean,
): ConstraintDiff<T> {
  const kept = new Set<T>();
  const matched = new Set<T>();
  for (const a of after) {
    const same = before.find((b) => b.name === a.name && equivalent(b, a));
    if (same !== undefined) {
      kept.add(same);
      matched.add(a);
    }
  }
  const renamed: { from: T; to: T }[] = [];
  for (const a of after) {
    if (matched.has(a)) continue;
    const candidate = before.find((b) => !kept.has(b) && equivalent(b, a));
    if (candidate !== undefined) {
      kept.add(candidate);
      matched.add(a);
      renamed.push({ from: candidate, to: a });
    }
  }
  return { added: after.filter((a) => !matched.has(a)), dropped: before.filter((b) => !kept.has(b)), renamed };
}

function changeOf(before: TableDef, after: TableDef, renames: Renames, fills: Fills): TableChange {
  const columnRenames = renames.columns.get(after.table) ?? new Map<string, string>();
  const reverse = invert(columnRenames);
  const beforeColumn = (name: string): string => reverse.get(name) ?? name;
  const afterColumn = (name: string): string => columnRenames.get(name) ?? name;
  const addedColumns: ColumnDef[] = [];
  const renamedColumns: { from: string; to: string }[] = [];
  const alteredColumns: ColumnAlteration[] = [];
  const paired = new Set<string>();
  for (const col of after.columns) {
    const old = before.columns.find((c) => c.name === beforeColumn(col.name));
    if (old === undefined) {
      addedColumns.push(col);
      continue;
    }
    paired.add(old.name);
    if (old.name !== col.name) renamedColumns.push({ from: old.name, to: col.name });
    const altered = alteration(old, col);
    if (altered !== undefined) alteredColumns.push(altered);
  }
  const droppedColumns = before.columns.filter((c) => !paired.has(c.name));
  const sameColumns = (b: readonly string[], a: readonly string[]) => sameJson(b.map(afterColumn), a);
  const tableAfter = (name: string) => renames.tables.get(name) ?? name;
  const refColumnAfter = (table: string, name: string) => renames.columns.get(tableAfter(table))?.get(name) ?? name;
  return {
    before,
    after,
    addedColumns,
    droppedColumns,
    renamedColumns,
    alteredColumns,
    indexes: diffConstraints(before.indexes, after.indexes, (b, a) => sameColumns(b.columns, a.columns)),
    uniqueTogether: diffConstraints(before.uniqueTogether, after.uniqueTogether, (b, a) => sameColumns(b.columns, a.columns)),
    foreignKeys: diffConstraints(
      before.foreignKeys,
      after.foreignKeys,
      (b, a) =>
        sameColumns(b.columns, a.columns) &&
        tableAfter(b.refTable) === a.refTable &&
        sameJson(b.refColumns.map((c) => refColumnAfter(b.refTable, c)), a.refColumns) &&
        b.onDelete === a.onDelete,
    ),
    commentChanged: before.description !== after.description,
    fills: fills.get(after.table) ?? new Map(),
    beforeColumn,
  };
}

function isEmpty(change: TableChange): boolean {
  const none = (d: ConstraintDiff<unknown>) => d.added.length === 0 && d.dropped.length === 0 && d.renamed.length === 0;
  return (
    change.addedColumns.length === 0 &&
    change.droppedColumns.length === 0 &&
    change.renamedColumns.length === 0 &&
    change.alteredColumns.length === 0 &&
    none(change.indexes) &&
    none(change.uniqueTogether) &&
    none(change.foreignKeys) &&
    !change.commentChanged
  );
}

/** The changes from `before` to `after`, tables and columns matched by name once `renames` are applied. */
export function diffTables(before: readonly TableDef[], after: readonly TableDef[], renames: Renames, fills: Fills = new Map()): SchemaChange {
  const reverse = invert(renames.tables);
  const created: TableDef[] = [];
  const altered: TableChange[] = [];
  const renamedTables: { from: string; to: string }[] = [];
  const paired = new Set<string>();
  for (const table of after) {
    const oldName = reverse.get(table.table) ?? table.table;
    const old = before.find((t) => t.table === oldName);
    if (old === undefined) {
      created.push(table);
      continue;
    }
    paired.add(old.table);
    if (old.table !== table.table) renamedTables.push({ from: old.table, to: table.table });
    const change = changeOf(old, table, renames, fills);
    // A renamed table is listed even with nothing else changed: backends rename the names they gave its constraints.
    if (!isEmpty(change) || old.table !== table.table) altered.push(change);
  }
  return { created, dropped: before.filter((t) => !paired.has(t.table)), renamedTables, altered, tablesAfter: after };
}

export function isNoChange(change: SchemaChange): boolean {
  return change.created.length === 0 && change.dropped.length === 0 && change.renamedTables.length === 0 && change.altered.length === 0;
}
