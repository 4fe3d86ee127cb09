/** Shared by the PostgreSQL and MySQL client tests: the pool's behaviour under load is the same code. */
import assert from 'node:assert/strict';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface LoadablePool<C> {
  query(sql: string, params: readonly unknown[]): Promise<unknown>;
  reserve(): Promise<C>;
  release(connection: C): void;
}

/**
 * Keeps every connection of `pool` busy with `workers` loops of `sleepSql`, then asks for a
 * connection for a transaction: it must come within 3 s (without draining it never does while
 * the load runs, so the test gives up instead of hanging).
 */
export async function assertReserveUnderLoad<C>(pool: LoadablePool<C>, sleepSql: string, workers: number): Promise<void> {
  let running = true;
  const load = Array.from({ length: workers }, async () => {
    while (running) await pool.query(sleepSql, []);
  });
  await sleep(50);
  const reserved = pool.reserve();
  const outcome = await Promise.race([reserved.then(() => 'reserved'), sleep(3000).then(() => 'still waiting')]);
  running = false;
  pool.release(await reserved);
  await Promise.all(load);
  assert.equal(outcome, 'reserved');
}
