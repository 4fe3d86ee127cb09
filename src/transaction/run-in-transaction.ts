import type { ConnectionHandle } from '../execution/connection-handle.js';
import type { IsolationLevel, TransactionNode } from '../sql/ast.js';
import { ConfigurationError, NotSupportedError, ParamsError, TransactionManagementError, TransactionRetryError } from '../errors.js';
import { checkOptions } from '../config/check-options.js';
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

function control(action: TransactionNode['action'], savepoint?: string, isolation?: IsolationLevel, readOnly?: boolean): TransactionNode {
  return { kind: 'transaction', action, savepoint, ...(isolation === undefined ? {} : { isolation }), ...(readOnly === true ? { readOnly } : {}) };
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
  /**
   * Runs the callback again, in a new transaction, when the database gives up on it with a
   * deadlock or serialization failure (TransactionRetryError). Outermost transactions only.
   */
  retry?: RetryOptions;
  /**
   * A read-only transaction (PostgreSQL, MySQL/MariaDB): a write inside it fails with an
   * OperationalError. SQLite has none, so there it is a NotSupportedError. Outermost transactions only.
   */
  readOnly?: boolean;
}

/** Every TransactionOptions key: no option is silently ignored. */
export const TRANSACTION_OPTIONS: readonly string[] = ['connection', 'isolation', 'retry', 'readOnly'];

/** How often, and how far apart, `inTransaction` runs a transaction the database gave up on. */
export interface RetryOptions {
  /** Runs in all, the first included (a whole number ≥ 1). */
  attempts: number;
  /**
   * Milliseconds to wait before run n + 1 (n = 1, 2, …): a function of n and the error, or a base
   * delay (default 10) doubled after each run, at most 1 000, with random jitter so that the
   * transactions that collided do not collide again.
   */
  backoff?: number | ((attempt: number, error: TransactionRetryError) => number);
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
function beginStatements(dialect: Dialect, isolation: IsolationLevel | undefined, readOnly: boolean): Statement[] {
  return cachedControl(dialect, `begin ${isolation ?? ''}${readOnly ? ' read only' : ''}`, () => {
    const how = dialect.capabilities.isolation;
    const nodes: TransactionNode[] = [];
    if (isolation !== undefined && how === 'separate') nodes.push(control('setIsolation', undefined, isolation));
    nodes.push(control('begin', undefined, how === 'begin' ? isolation : undefined, readOnly));
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
 * With `retry`, a TransactionRetryError runs `fn` again in a new transaction.
 */
export function runInTransaction<T>(
  storage: TransactionStorage,
  handle: ConnectionHandle,
  fn: (client: TransactionClient) => Promise<T>,
  options: TransactionOptions = {},
): Promise<T> {
  try {
    checkOptions('inTransaction', options, TRANSACTION_OPTIONS);
  } catch (error) {
    return Promise.reject(error);
  }
  const { isolation, retry } = options;
  const readOnly = options.readOnly ?? false;
  if (typeof readOnly !== 'boolean') return Promise.reject(new ParamsError(`inTransaction's readOnly must be true or false, got ${JSON.stringify(readOnly)}.`));
  if (readOnly && !handle.dialect.capabilities.readOnlyTransactions) {
    return Promise.reject(
      new NotSupportedError(`Connection '${handle.connectionName}': SQLite has no read-only transactions; drop readOnly on this connection (PostgreSQL and MySQL/MariaDB have them).`),
    );
  }
  if (isolation !== undefined && !ISOLATION_LEVELS.includes(isolation)) {
    return Promise.reject(new ParamsError(`Unknown isolation level '${String(isolation)}'; use one of ${ISOLATION_LEVELS.join(', ')}.`));
  }
  const store = storage.getStore();
  const outer = store?.get(handle.connectionName);
  if (outer !== undefined && outer.isActive) {
    if (isolation !== undefined) {
      return Promise.reject(
        new TransactionManagementError(
          `A nested inTransaction on connection '${handle.connectionName}' is a savepoint and cannot set the isolation level; set it on the outer transaction.`,
        ),
      );
    }
    if (options.readOnly !== undefined) {
      return Promise.reject(
        new TransactionManagementError(
          `A nested inTransaction on connection '${handle.connectionName}' is a savepoint and cannot be made read-only; set readOnly on the outer transaction.`,
        ),
      );
    }
    if (retry !== undefined) {
      return Promise.reject(
        new TransactionManagementError(
          `A nested inTransaction on connection '${handle.connectionName}' is a savepoint and cannot retry on its own: running a transaction again means running all of it (MySQL rolls the whole of it back on a deadlock, and a serialization failure needs a new snapshot). ` +
            'Pass retry to the outermost inTransaction instead.',
        ),
      );
    }
    return runInSavepoint(storage, store!, outer, fn);
  }
  if (retry === undefined) return runOnce(storage, store, handle, fn, isolation, readOnly);
  let schedule: (attempt: number, error: TransactionRetryError) => number;
  try {
    schedule = retrySchedule(retry);
  } catch (error) {
    return Promise.reject(error);
  }
  return runRetrying(storage, store, handle, fn, isolation, readOnly, retry.attempts, schedule);
}

/** The outermost transaction, run until it succeeds, fails otherwise, or has run `attempts` times. */
async function runRetrying<T>(
  storage: TransactionStorage,
  store: TransactionStore | undefined,
  handle: ConnectionHandle,
  fn: (client: TransactionClient) => Promise<T>,
  isolation: IsolationLevel | undefined,
  readOnly: boolean,
  attempts: number,
  schedule: (attempt: number, error: TransactionRetryError) => number,
): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await runOnce(storage, store, handle, fn, isolation, readOnly);
    } catch (error) {
      if (!(error instanceof TransactionRetryError) || attempt >= attempts) throw error;
      const delay = schedule(attempt, error);
      if (delay > 0) await new Promise((resolve) => setTimeout(resolve, delay));
    }
  }
}

const RETRY_KEYS = new Set(['attempts', 'backoff']);

/** Checks `retry` and returns the delay before each further run. */
function retrySchedule(retry: RetryOptions): (attempt: number, error: TransactionRetryError) => number {
  if (typeof retry !== 'object' || retry === null) {
    throw new ParamsError(`inTransaction's retry takes { attempts, backoff? }, got ${JSON.stringify(retry)}.`);
  }
  for (const key of Object.keys(retry)) {
    if (!RETRY_KEYS.has(key)) throw new ConfigurationError(`inTransaction's retry has no option '${key}'; it takes attempts and backoff.`);
  }
  const { attempts, backoff = 10 } = retry;
  if (!Number.isInteger(attempts) || attempts < 1) {
    throw new ParamsError(`inTransaction's retry.attempts is the number of runs in all, a whole number of at least 1; got ${JSON.stringify(attempts)}.`);
  }
  if (typeof backoff === 'function') {
    return (attempt, error) => {
      const delay = backoff(attempt, error);
      if (typeof delay !== 'number' || !Number.isFinite(delay) || delay < 0) {
        throw new ParamsError(`inTransaction's retry.backoff returned ${JSON.stringify(delay)}; it must return a number of milliseconds ≥ 0.`, { cause: error });
      }
      return delay;
    };
  }
  if (typeof backoff !== 'number' || !Number.isFinite(backoff) || backoff < 0) {
    throw new ParamsError(`inTransaction's retry.backoff is a number of milliseconds ≥ 0 or a function; got ${JSON.stringify(backoff)}.`);
  }
  // "Full jitter": a random delay up to the doubled base, so colliding transactions spread out.
  return (attempt) => Math.random() * Math.min(MAX_BACKOFF_MS, backoff * 2 ** (attempt - 1));
}

const MAX_BACKOFF_MS = 1000;

/** One run of an outermost transaction. */
async function runOnce<T>(
  storage: TransactionStorage,
  store: TransactionStore | undefined,
  handle: ConnectionHandle,
  fn: (client: TransactionClient) => Promise<T>,
  isolation: IsolationLevel | undefined,
  readOnly: boolean,
): Promise<T> {
  const acquired = handle.acquire();
  // Awaiting only a real wait: `await` on a ready value would still cost a promise and a tick.
  const connection = acquired instanceof Promise ? await acquired : acquired;
  const session = new TransactionSession(beginStatements(handle.dialect, isolation, readOnly));
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
