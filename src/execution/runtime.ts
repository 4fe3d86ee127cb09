import type { LookupRegistry } from '../lookups/registry.js';
import type { Target, UsingDb } from './target.js';
import type { TransactionClient } from '../transaction/transaction-client.js';
import type { RetryOptions } from '../transaction/run-in-transaction.js';
import type { ModelMeta } from '../model/meta.js';

/** What models and QuerySets need from the Terrapin instance they are registered with. */
export interface Runtime {
  readonly lookups: LookupRegistry;
  /**
   * The target for a statement on `meta`'s table: `usingDb`, else the current transaction, else
   * the connection a router picks for the access, else the model's own connection.
   */
  target(meta: ModelMeta, usingDb: UsingDb | undefined, access: 'read' | 'write'): Target;
  /** Runs `fn` in a transaction (a savepoint when one is already open on the connection). */
  inTransaction<T>(fn: (client: TransactionClient) => Promise<T>, options?: { connection?: string; retry?: RetryOptions }): Promise<T>;
}

export interface ModelBinding {
  readonly runtime: Runtime;
  /** The model's app's default connection. */
  readonly connection: string;
}
