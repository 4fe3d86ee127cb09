import type { ForeignKeyDef, Statement } from '../../sql/ast.js';
import { AlterSchemaEditor } from '../../schema/alter-editor.js';
import type { TableDef } from '../../schema/table-def.js';
import type { ColumnAlteration, TableChange } from '../../schema/table-diff.js';

/** An index InnoDB can use for a key on `column`: one whose first column it is. */
function hasIndexOn(table: TableDef, column: string): boolean {
  return (
    table.indexes.some((i) => i.columns[0] === column) ||
    table.uniqueTogether.some((u) => u.columns[0] === column) ||
    table.columns.some((c) => c.name === column && (c.unique || c.primaryKey))
  );
}

/**
 * ALTER TABLE on MySQL/MariaDB. An inline UNIQUE is an index named after its column (renamed with
 * it here); a foreign key cannot be renamed, so it is dropped and added; and InnoDB creates an index
 * named after a key whose column has none, which goes with the key and comes back with it.
 */
export class MysqlSchemaEditor extends AlterSchemaEditor {
  protected readonly renamesForeignKeys = false;
  protected readonly commentInColumn = true;
  protected readonly separatesDefaultFromType = false;

  protected columnUniqueName(_table: string, column: string): string {
    return column;
  }

  protected renameUnique(table: string, from: string, to: string): Statement {
    return { kind: 'renameIndex', table, from, to };
  }

  protected implicitRenames(change: TableChange): Statement[] {
    const out: Statement[] = [];
    for (const { from, to } of change.renamedColumns) {
      const before = change.before.columns.find((c) => c.name === from);
      const after = change.after.columns.find((c) => c.name === to);
      if (before?.unique === true && after?.unique === true) out.push({ kind: 'renameIndex', table: change.after.table, from, to });
    }
    return out;
  }

  /** A key that stays while the last index on its column goes: InnoDB refuses to drop that index under it. */
  protected override keysToRecreate(change: TableChange): ForeignKeyDef[] {
    const moved = new Set([...change.foreignKeys.dropped, ...change.foreignKeys.renamed.map((r) => r.from)]);
    return change.after.foreignKeys.filter((fk) => {
      const before = change.before.foreignKeys.find((b) => b.name === fk.name);
      if (before === undefined || moved.has(before)) return false;
      return hasIndexOn(change.before, before.columns[0]!) && !hasIndexOn(change.after, fk.columns[0]!);
    });
  }

  protected override afterKeyDropped(table: TableDef, fk: ForeignKeyDef): Statement[] {
    return hasIndexOn(table, fk.columns[0]!) ? [] : [{ kind: 'dropIndex', table: table.table, name: fk.name }];
  }

  protected commentStatements(change: TableChange, _columns: readonly ColumnAlteration[]): Statement[] {
    if (!change.commentChanged) return [];
    return [{ kind: 'alterTable', table: change.after.table, actions: [{ kind: 'tableComment', text: change.after.description ?? null }] }];
  }
}
