import type { MigrationSupport } from '../dialect.js';

/** A stable 63-bit key for an advisory lock name. */
function lockKey(name: string): string {
  let hash = 0xcbf29ce484222325n;
  for (const byte of Buffer.from(name)) hash = BigInt.asUintN(64, (hash ^ BigInt(byte)) * 0x100000001b3n);
  return BigInt.asIntN(63, hash).toString();
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * PostgreSQL: DDL is transactional; a session-level advisory lock (scoped to the database) makes
 * concurrent runs take turns. pg_try_advisory_lock is polled, so a run that waits too long says so
 * instead of blocking forever.
 */
export const postgresMigrations: MigrationSupport = {
  transactionalDdl: true,
  async lock(connection, name, timeoutSeconds) {
    const deadline = Date.now() + timeoutSeconds * 1000;
    for (;;) {
      const rows = await connection.rows('SELECT pg_try_advisory_lock(CAST($1 AS BIGINT))', [lockKey(name)]);
      if (rows[0]?.[0] === true) return true;
      if (Date.now() >= deadline) return false;
      await sleep(100);
    }
  },
  async unlock(connection, name) {
    await connection.rows('SELECT pg_advisory_unlock(CAST($1 AS BIGINT))', [lockKey(name)]);
  },
  async beforeMigration() {
    return undefined;
  },
  async afterMigration() {},
  async checkBeforeCommit() {
    return undefined;
  },
};
