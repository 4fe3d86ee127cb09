import type { ConnectionSettings } from '../../config/db-url.js';
import type { TestDatabases } from '../dialect.js';
import { quoteWith } from '../../sql/compiler.js';
import { MysqlPool } from './driver.js';

const quote = (name: string): string => quoteWith('`', name);

/** Runs one statement on the server without selecting the database it creates or drops. */
async function onServer(settings: ConnectionSettings, sql: string): Promise<void> {
  const pool = new MysqlPool({ ...settings, database: '', pool: { ...settings.pool, min: 0, max: 1 } }, 'terrapin-testing');
  try {
    await pool.write(sql, []);
  } finally {
    await pool.close();
  }
}

export const mysqlTestDatabases: TestDatabases = {
  // The binary collation Terrapin's tables use, so the database's default does not differ from them.
  create: (settings) => onServer(settings, `CREATE DATABASE ${quote(settings.database)} CHARACTER SET utf8mb4 COLLATE utf8mb4_bin`),
  drop: (settings) => onServer(settings, `DROP DATABASE IF EXISTS ${quote(settings.database)}`),
  async truncate(connection, tables) {
    // TRUNCATE restarts AUTO_INCREMENT but refuses a table other tables' keys point at, unless the
    // session stops checking keys; the setting is the connection's, so it is put back before release.
    await connection.write('SET FOREIGN_KEY_CHECKS = 0', []);
    try {
      for (const table of tables) await connection.write(`TRUNCATE TABLE ${quote(table)}`, []);
    } finally {
      await connection.write('SET FOREIGN_KEY_CHECKS = 1', []);
    }
  },
};
