import type { MigrationSupport } from '../dialect.js';

/**
 * MySQL/MariaDB: every DDL statement commits by itself, so the executor records each statement's
 * completion instead of relying on a transaction. GET_LOCK is server-wide: the lock name carries
 * the database name (at most 64 characters).
 */
export const mysqlMigrations: MigrationSupport = {
  transactionalDdl: false,
  async lock(connection, name, timeoutSeconds) {
    const rows = await connection.rows('SELECT GET_LOCK(LEFT(CONCAT(?, DATABASE()), 64), ?)', [name, Math.max(0, Math.round(timeoutSeconds))]);
    return Number(rows[0]?.[0]) === 1;
  },
  async unlock(connection, name) {
    await connection.rows('SELECT RELEASE_LOCK(LEFT(CONCAT(?, DATABASE()), 64))', [name]);
  },
  async beforeMigration() {
    return undefined;
  },
  async afterMigration() {},
  async checkBeforeCommit() {
    return undefined;
  },
};
