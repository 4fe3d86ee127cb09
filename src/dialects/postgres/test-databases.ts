import type { ConnectionSettings } from '../../config/db-url.js';
import type { TestDatabases } from '../dialect.js';
import { quoteWith } from '../../sql/compiler.js';
import { PostgresPool } from './driver.js';

const quote = (name: string): string => quoteWith('"', name);

/** Runs one statement on the server's maintenance database ('postgres'), not the one it creates or drops. */
async function onServer(settings: ConnectionSettings, sql: string): Promise<void> {
  const pool = new PostgresPool({ ...settings, database: 'postgres', pool: { ...settings.pool, min: 0, max: 1 } }, 'terrapin-testing');
  try {
    await pool.write(sql, []);
  } finally {
    await pool.close();
  }
}

export const postgresTestDatabases: TestDatabases = {
  create: (settings) => onServer(settings, `CREATE DATABASE ${quote(settings.database)}`),
  // FORCE ends sessions a test left open (PostgreSQL 13+), which would otherwise block the drop.
  drop: (settings) => onServer(settings, `DROP DATABASE IF EXISTS ${quote(settings.database)} WITH (FORCE)`),
  async truncate(connection, tables) {
    if (tables.length === 0) return;
    await connection.write(`TRUNCATE TABLE ${tables.map(quote).join(', ')} RESTART IDENTITY CASCADE`, []);
  },
};
