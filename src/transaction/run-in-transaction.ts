import type { AsyncLocalStorage } from 'node:async_hooks';
import type { ConnectionHandle } from '../execution/connection-handle.js';
import type { TransactionNode } from '../sql/ast.js';
import { TransactionClient } from './transaction-client.js';

/** Current transactions by connection name; immutable so concurrent branches never share edits. */
export type TransactionStore = ReadonlyMap<string, TransactionClient>;

function control(action: TransactionNode['action'], savepoint?: string): TransactionNode {
  return { kind: 'transaction', action, savepoint };
}

async function exec(client: TransactionClient, node: TransactionNode): Promise<void> {
  const { sql } = client.dialect.compiler.compile(node);
  await client.write(sql, []);
}

/**
 * Runs `fn` in a transaction on `handle`: BEGIN, then COMMIT when it returns or ROLLBACK when
 * it throws (the error is rethrown). Inside a transaction on the same connection it uses a
 * savepoint instead, so an inner failure caught by the caller undoes only the inner part.
 */
export async function runInTransaction<T>(
  storage: AsyncLocalStorage<TransactionStore>,
  handle: ConnectionHandle,
  fn: (client: TransactionClient) => Promise<T>,
): Promise<T> {
  const store = storage.getStore();
  const outer = store?.get(handle.connectionName);
  if (outer !== undefined && outer.isActive) return runInSavepoint(storage, store!, outer, fn);

  const connection = await handle.acquire();
  const client = new TransactionClient(handle.connectionName, handle.dialect, connection, 0, handle.log);
  const next = new Map(store ?? []);
  next.set(handle.connectionName, client);
  try {
    await exec(client, control('begin'));
    const result = await storage.run(next, () => fn(client));
    await exec(client, control('commit'));
    return result;
  } catch (error) {
    await exec(client, control('rollback')).catch(() => {
      // The connection may be broken; the original error is the one worth reporting.
    });
    throw error;
  } finally {
    client.end();
    connection.release();
  }
}

/**
 * The last savepoint opened (or queued) on each transaction. Savepoints form a stack, so sibling
 * savepoints started concurrently (Promise.all of nested inTransaction) must not interleave: a
 * ROLLBACK TO one would undo the other's work. Each waits for the previous sibling to finish.
 */
const lastSavepoint = new WeakMap<TransactionClient, Promise<void>>();

async function runInSavepoint<T>(
  storage: AsyncLocalStorage<TransactionStore>,
  store: TransactionStore,
  outer: TransactionClient,
  fn: (client: TransactionClient) => Promise<T>,
): Promise<T> {
  const previous = lastSavepoint.get(outer);
  let finished!: () => void;
  const mine = new Promise<void>((resolve) => (finished = resolve));
  lastSavepoint.set(outer, mine);
  try {
    if (previous !== undefined) await previous;
    return await runSavepoint(storage, store, outer, fn);
  } finally {
    if (lastSavepoint.get(outer) === mine) lastSavepoint.delete(outer);
    finished();
  }
}

async function runSavepoint<T>(
  storage: AsyncLocalStorage<TransactionStore>,
  store: TransactionStore,
  outer: TransactionClient,
  fn: (client: TransactionClient) => Promise<T>,
): Promise<T> {
  const client = outer.nested();
  const name = `terrapin_sp_${client.depth}`;
  const next = new Map(store);
  next.set(outer.connectionName, client);
  await exec(outer, control('savepoint', name));
  try {
    const result = await storage.run(next, () => fn(client));
    await exec(outer, control('releaseSavepoint', name));
    return result;
  } catch (error) {
    await exec(outer, control('rollbackToSavepoint', name)).catch(() => {});
    throw error;
  } finally {
    client.end();
  }
}
