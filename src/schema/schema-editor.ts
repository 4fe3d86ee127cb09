import type { Dialect } from '../dialects/dialect.js';
import type { Statement } from '../sql/ast.js';
import type { SchemaChange } from './table-diff.js';

/**
 * Turns a change between two sets of tables into statements for one backend: ALTER TABLE where the
 * backend has it (src/schema/alter-editor.ts), a table rebuild where it does not (SQLite).
 */
export interface SchemaEditor {
  statements(change: SchemaChange, dialect: Dialect): Statement[];
  /**
   * Said before a migration's statements when it runs (and printed by `terrapin sql`), e.g. that
   * SQLite's foreign keys are off around a rebuild; empty where nothing needs saying.
   */
  readonly notes: readonly string[];
}
