import type { ConnectionHandle } from '../execution/connection-handle.js';
import type { IsolationLevel, TransactionNode } from '../sql/ast.js';
import { ParamsError, TransactionManagementError } from '../errors.js';
import { TransactionClient, TransactionSession, type Statement } from './transaction-client.js';
import type { Dialect } from '../dialects/dialect.js';

/** Current transactions by connection name; immutable so concurrent branches never share edits. */
export type TransactionStore = ReadonlyMap<string, TransactionClient>;

/**
 * The part of `AsyncLocalStorage` used here, written out so that these declarations, which the
 * public `TransactionOptions` type pulls in, do not import `node:async_hooks` (a consumer
 * compiling without @types/node would fail on it).
 */
export interface TransactionStorage {
  getStore(): TransactionStore | undefined;
  run<R>(store: TransactionStore, callback: () => R): R;
}

function control(action: TransactionNode['action'], savepoint?: string, isolation?: IsolationLevel): TransactionNode {
  return { kind: 'transaction', action, savepoint, ...(isolation === undefined ? {} : { isolation }) };
}

/**
 * The callback's result as a promise created inside the transaction's context. A callback may
 * return a lazy QuerySet or LazyResult without awaiting it; resolving that outside the context
 * would run the query on the pool instead of in the transaction (and wait for the very connection
 * it holds). A native promise needs no wrapping: whatever it adopts, it adopted inside already.
 */
function settleInContext<T>(result: Promise<T> | T): Promise<Awaited<T>> {
  return result instanceof Promise ? (result as Promise<Awaited<T>>) : settle(result);
}

async function settle<T>(result: T): Promise<Awaited<T>> {
  return await result;
}

export interface TransactionOptions {
  /** Connection name; needed when several are configured. */
  connection?: string;
  /** Isolation level of a new transaction (SQLite's are always serializable). */
  isolation?: IsolationLevel;
}

const ISOLATION_LEVELS: readonly IsolationLevel[] = ['READ UNCOMMITTED', 'READ COMMITTED', 'REPEATABLE READ', 'SERIALIZABLE'];

/** Compiled BEGIN/COMMIT/ROLLBACK texts per dialect: the same few strings for every transaction. */
const controlCache = new WeakMap<Dialect, Map<string, Statement[]>>();

function cachedControl(dialect: Dialect, key: string, build: () => Statement[]): Statement[] {
  let byKey = controlCache.get(dialect);
  if (byKey === undefined) controlCache.set(dialect, (byKey = new Map()));
  let statements = byKey.get(key);
  if (statements === undefined) byKey.set(key, (statements = build()));
  return statements;
}

/** BEGIN (and the isolation level, where the backend sets it apart), to send with the first statement. */
function beginStatements(dialect: Dialect, isolation: IsolationLevel | undefined): Statement[] {
  return cachedControl(dialect, `begin ${isolation ?? ''}`, () => {
    const how = dialect.capabilities.isolation;
    const nodes: TransactionNode[] = [];
    if (isolation !== undefined && how === 'separate') nodes.push(control('setIsolation', undefined, isolation));
    nodes.push(control('begin', undefined, how === 'begin' ? isolation : undefined));
    return nodes.map((node) => dialect.compiler.compile(node));
  });
}

/** Sends a control statement; a failure (even one raised before sending) comes back as a rejection. */
function exec(client: TransactionClient, node: TransactionNode): Promise<unknown> {
  try {
    const { sql } =
      node.savepoint === undefined ? cachedControl(client.dialect, node.action, () => [client.dialect.compiler.compile(node)])[0]! : client.dialect.compiler.compile(node);
    return client.write(sql, []);
  } catch (error) {
    return Promise.reject(error);
  }
}

/**
 * Runs `fn` in a transaction on `handle`: BEGIN, then COMMIT when it returns or ROLLBACK when
 * it throws (the error is rethrown). Inside a transaction on the same connection it uses a
 * savepoint instead, so an inner failure caught by the caller undoes only the inner part.
 */
export async function runInTransaction<T>(
  storage: TransactionStorage,
  handle: ConnectionHandle,
  fn: (client: TransactionClient) => Promise<T>,
  options: TransactionOptions = {},
): Promise<T> {
  const { isolation } = options;
  if (isolation !== undefined && !ISOLATION_LEVELS.includes(isolation)) {
    throw new ParamsError(`Unknown isolation level '${String(isolation)}'; use one of ${ISOLATION_LEVELS.join(', ')}.`);
  }
  const store = storage.getStore();
  const outer = store?.get(handle.connectionName);
  if (outer !== undefined && outer.isActive) {
    if (isolation !== undefined) {
      throw new TransactionManagementError(
        `A nested inTransaction on connection '${handle.connectionName}' is a savepoint and cannot set the isolation level; set it on the outer transaction.`,
      );
    }
    return runInSavepoint(storage, store!, outer, fn);
  }

  const acquired = handle.acquire();
  // Awaiting only a real wait: `await` on a ready value would still cost a promise and a tick.
  const connection = acquired instanceof Promise ? await acquired : acquired;
  const session = new TransactionSession(beginStatements(handle.dialect, isolation));
  const client = new TransactionClient(handle.connectionName, handle.dialect, connection, 0, handle.log, session);
  const next = new Map(store ?? []);
  next.set(handle.connectionName, client);
  try {
    const result = await storage.run(next, () => settleInContext(fn(client)));
    // A transaction that ran no statement never sent BEGIN, so there is nothing to end.
    if (session.started) await exec(client, control('commit'));
    return result;
  } catch (error) {
    if (session.started) {
      await exec(client, control('rollback')).catch(() => {
        // The connection may be broken; the original error is the one worth reporting.
      });
    }
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
  storage: TransactionStorage,
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
  storage: TransactionStorage,
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
    const result = await storage.run(next, () => settleInContext(fn(client)));
    await exec(outer, control('releaseSavepoint', name));
    return result;
  } catch (error) {
    await exec(outer, control('rollbackToSavepoint', name)).catch(() => {});
    throw error;
  } finally {
    client.end();
  }
}
