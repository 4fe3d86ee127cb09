import type { Statement } from '../../sql/ast.js';
import { AlterSchemaEditor } from '../../schema/alter-editor.js';
import type { ColumnAlteration, TableChange } from '../../schema/table-diff.js';

/** PostgreSQL's identifier limit (NAMEDATALEN - 1), in bytes. */
const MAX_NAME = 63;

function clip(text: string, bytes: number): string {
  let out = '';
  for (const ch of text) {
    if (Buffer.byteLength(out + ch) > bytes) break;
    out += ch;
  }
  return out;
}

/**
 * The name PostgreSQL gives a constraint or sequence it names itself (makeObjectName): `t_pkey`,
 * `t_c_key`, `t_c_seq`, with the longer of table and column shortened until it fits 63 bytes.
 */
export function postgresObjectName(table: string, column: string | undefined, label: string): string {
  const overhead = (column === undefined ? 0 : 1) + 1 + label.length;
  const available = MAX_NAME - overhead;
  let tableBytes = Buffer.byteLength(table);
  let columnBytes = column === undefined ? 0 : Buffer.byteLength(column);
  while (tableBytes + columnBytes > available) {
    if (tableBytes > columnBytes) tableBytes--;
    else columnBytes--;
  }
  const parts = [clip(table, tableBytes)];
  if (column !== undefined) parts.push(clip(column, columnBytes));
  return `${parts.join('_')}_${label}`;
}

/**
 * ALTER TABLE on PostgreSQL. It names a primary key `t_pkey`, an inline UNIQUE `t_c_key` and a
 * SERIAL's sequence `t_c_seq`, and keeps those names when the table or column is renamed; they are
 * renamed along, so a migrated database has the names a fresh one would.
 */
export class PostgresSchemaEditor extends AlterSchemaEditor {
  protected readonly renamesForeignKeys = true;
  protected readonly commentInColumn = false;
  protected readonly separatesDefaultFromType = true;

  protected columnUniqueName(table: string, column: string): string {
    return postgresObjectName(table, column, 'key');
  }

  protected renameUnique(table: string, from: string, to: string): Statement {
    return { kind: 'renameConstraint', table, from, to };
  }

  protected implicitRenames(change: TableChange): Statement[] {
    const from = change.before.table;
    const to = change.after.table;
    const out: Statement[] = [];
    if (from !== to && change.after.columns.some((c) => c.primaryKey)) {
      out.push({ kind: 'renameConstraint', table: to, from: postgresObjectName(from, undefined, 'pkey'), to: postgresObjectName(to, undefined, 'pkey') });
    }
    for (const col of change.after.columns) {
      const oldName = change.beforeColumn(col.name);
      const old = change.before.columns.find((c) => c.name === oldName);
      if (old === undefined || (from === to && oldName === col.name)) continue;
      if (old.unique && col.unique) {
        out.push({ kind: 'renameConstraint', table: to, from: postgresObjectName(from, oldName, 'key'), to: postgresObjectName(to, col.name, 'key') });
      }
      if (old.autoIncrement && col.autoIncrement) {
        out.push({ kind: 'renameSequence', from: postgresObjectName(from, oldName, 'seq'), to: postgresObjectName(to, col.name, 'seq') });
      }
    }
    return out;
  }

  protected commentStatements(change: TableChange, columns: readonly ColumnAlteration[]): Statement[] {
    const table = change.after.table;
    const out: Statement[] = [];
    if (change.commentChanged) out.push({ kind: 'comment', table, column: undefined, text: change.after.description ?? null });
    for (const col of columns) out.push({ kind: 'comment', table, column: col.after.name, text: col.after.comment ?? null });
    // A column added with a comment gets it here too: ADD COLUMN cannot carry one.
    for (const col of change.addedColumns) if (col.comment !== undefined) out.push({ kind: 'comment', table, column: col.name, text: col.comment });
    return out;
  }
}
