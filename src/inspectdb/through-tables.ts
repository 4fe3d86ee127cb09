/**
 * Which tables are many-to-many through tables in Terrapin's shape: two NOT NULL columns, no
 * primary key, each column a foreign key to the primary key of another table of the schema, both
 * with one onDelete. The first column points at the model that declares the ManyToManyField.
 */
import type { LiveForeignKey, LiveTable } from '../schema/live-schema.js';

export interface Through {
  readonly table: LiveTable;
  /** The key of the first column: to the model that declares the relation. */
  readonly backward: LiveForeignKey;
  /** The key of the second column: to the related model. */
  readonly forward: LiveForeignKey;
}

function keyOf(table: LiveTable, column: string, tables: ReadonlyMap<string, LiveTable>): LiveForeignKey | undefined {
  const keys = table.foreignKeys.filter((k) => k.columns.length === 1 && k.columns[0] === column);
  if (keys.length !== 1) return undefined;
  const key = keys[0]!;
  const target = tables.get(key.refTable);
  // A through table points at models, which have a one-column primary key; through tables have none.
  if (target === undefined || target.primaryKey.length !== 1 || key.refColumns[0] !== target.primaryKey[0]) return undefined;
  return key;
}

export function throughTables(tables: readonly LiveTable[]): Through[] {
  const byName = new Map(tables.map((t) => [t.name, t]));
  const found: Through[] = [];
  for (const table of tables) {
    if (table.columns.length !== 2 || table.primaryKey.length !== 0 || table.foreignKeys.length !== 2) continue;
    if (table.columns.some((c) => c.nullable || c.default !== null || c.comment !== null)) continue;
    const backward = keyOf(table, table.columns[0]!.name, byName);
    const forward = keyOf(table, table.columns[1]!.name, byName);
    if (backward === undefined || forward === undefined || backward.onDelete !== forward.onDelete) continue;
    found.push({ table, backward, forward });
  }
  return found;
}
