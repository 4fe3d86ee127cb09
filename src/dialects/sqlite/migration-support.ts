import type { MigrationSupport } from '../dialect.js';

/**
 * SQLite: DDL is transactional and BEGIN IMMEDIATE (the dialect's BEGIN) takes the database's write
 * lock, so two processes migrating at once take turns per migration; the executor re-reads the
 * record inside each transaction. Foreign keys go off around each migration, as the table rebuild
 * needs (the pragma is a no-op inside a transaction), and every key is checked before COMMIT.
 */
export const sqliteMigrations: MigrationSupport = {
  transactionalDdl: true,
  async lock() {
    return true;
  },
  async unlock() {},
  async beforeMigration(connection) {
    const rows = await connection.rows('PRAGMA foreign_keys', []);
    const enabled = Number(rows[0]?.[0] ?? 0) === 1;
    if (enabled) await connection.write('PRAGMA foreign_keys = OFF', []);
    return enabled;
  },
  async afterMigration(connection, saved) {
    if (saved === true) await connection.write('PRAGMA foreign_keys = ON', []);
  },
  async checkBeforeCommit(connection) {
    const rows = await connection.rows('PRAGMA foreign_key_check', []);
    if (rows.length === 0) return undefined;
    const shown = rows.slice(0, 5).map(([table, rowid, parent]) => `${String(table)} row ${String(rowid)} → ${String(parent)}`);
    return `${rows.length} row(s) point at rows that do not exist (${shown.join('; ')}${rows.length > 5 ? '; …' : ''})`;
  },
};
