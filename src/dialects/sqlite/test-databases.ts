import { rm } from 'node:fs/promises';
import type { TestDatabases } from '../dialect.js';
import { quoteWith } from '../../sql/compiler.js';

const MEMORY = ':memory:';

export const sqliteTestDatabases: TestDatabases = {
  async create() {
    // better-sqlite3 creates the file when the connection opens it.
  },
  async drop(settings) {
    if (settings.path === MEMORY) return;
    for (const suffix of ['', '-wal', '-shm', '-journal']) await rm(`${settings.path}${suffix}`, { force: true });
  },
  async truncate(connection, tables) {
    // Children come first, so RESTRICT keys (checked at once even when deferred) find no rows left;
    // the other keys wait for COMMIT, by which time every table is empty.
    await connection.write('PRAGMA defer_foreign_keys = ON', []);
    for (const table of tables) await connection.write(`DELETE FROM ${quoteWith('"', table)}`, []);
    const sequence = await connection.rows("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'sqlite_sequence'", []);
    if (sequence.length > 0) {
      for (const table of tables) await connection.write('DELETE FROM sqlite_sequence WHERE name = ?', [table]);
    }
  },
};
