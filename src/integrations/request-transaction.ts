/**
 * One request in one transaction — the web form of Tortoise's `get_db` dependency
 * (`async with in_transaction(): yield`). Shared by the Fastify, Hono and Express integrations.
 *
 * The transaction is not closed when the handler returns but when the response is about to go
 * out: only then is the status known (a handler may `reply.code(409)` without throwing), and
 * committing before the bytes leave means a client that got a 2xx can read its own writes.
 */
import type { Terrapin } from '../terrapin.js';
import { TRANSACTION_OPTIONS, type TransactionOptions } from '../transaction/run-in-transaction.js';
import { checkOptions } from '../config/check-options.js';
import type { TransactionClient } from '../transaction/transaction-client.js';
import { ConfigurationError } from '../errors.js';

/** Whether a response with this status keeps the request's writes: 2xx and 3xx commit, errors roll back. */
export function commits(status: number): boolean {
  return status >= 200 && status < 400;
}

/**
 * The options of a request transaction, checked when the route or middleware is declared. `retry`
 * cannot apply: running the handler again could send a second response or repeat its effects.
 */
export function requestTransactionOptions(options: TransactionOptions, where: string): TransactionOptions {
  checkOptions(`${where}: transaction`, options, TRANSACTION_OPTIONS);
  if (options.retry !== undefined) {
    throw new ConfigurationError(
      `${where}: a request transaction cannot retry (the handler would run twice, and its response may already be on its way). ` +
        'Let the TransactionRetryError answer 503 so the client retries, or run the work in inTransaction(fn, { retry }) on a route without a request transaction.',
    );
  }
  return options;
}

/** Thrown inside the transaction callback to roll it back; never leaves this module. */
const ROLLBACK = Symbol('terrapin.rollback');

/** The settled state of a transaction that never started or was already reported. */
const NOTHING_TO_REPORT: Promise<unknown> = Promise.resolve(undefined);

export class RequestTransaction {
  /** Ends the transaction callback: true commits, false rolls back. Set once the callback runs. */
  private decide: ((commit: boolean) => void) | undefined;
  /** A decision made before the callback ran (the client left while BEGIN was waiting). */
  private early: boolean | undefined;
  /** Resolves (never rejects) once the transaction has ended: undefined, or the error COMMIT raised. */
  private outcome: Promise<unknown> = NOTHING_TO_REPORT;
  /** Whether the handler ran inside the transaction (false when BEGIN itself failed). */
  private started = false;
  private reported = false;

  constructor(
    private readonly terrapin: Terrapin,
    private readonly options: TransactionOptions = {},
  ) {}

  /**
   * Opens the transaction and calls `handler` inside its async context, so the handler and
   * everything it awaits use the transaction. Returns the handler's own result (or failure):
   * the framework sends the response from it, and `finish` then ends the transaction.
   * Every request pays for the promises made here (with AsyncLocalStorage's hooks on each), so
   * there are as few as the two outcomes need: the handler's, and the transaction's.
   */
  run<T>(handler: (client: TransactionClient) => T): Promise<Awaited<T>> {
    let report!: (ended: unknown) => void;
    // Assigned before the transaction starts: when the connection is free the callback runs
    // synchronously, and a handler that sends its response at once calls finish() from inside it.
    this.outcome = new Promise<unknown>((resolve) => (report = resolve));
    return new Promise<Awaited<T>>((resolve, reject) => {
      this.terrapin
        .inTransaction((client) => {
          this.started = true;
          try {
            resolve(handler(client) as Awaited<T>); // a promise is adopted: its settlement becomes ours
          } catch (error) {
            reject(error);
          }
          return new Promise<void>((commit, rollback) => {
            this.decide = (commits) => (commits ? commit() : rollback(ROLLBACK));
            if (this.early !== undefined) this.decide(this.early);
          });
        }, this.options)
        .then(
          () => report(undefined),
          (error: unknown) => {
            if (error === ROLLBACK) return report(undefined);
            // BEGIN failed (database down, Terrapin closed): the handler never ran, so the
            // framework reports this error as the handler's.
            if (!this.started) {
              reject(error);
              return report(undefined);
            }
            report(error);
          },
        );
    });
  }

  /**
   * Commits when `status` is a success, otherwise rolls back, and waits until that is done.
   * Resolves to the error COMMIT raised (send that instead of the success), or undefined.
   * Later calls (the error response that replaces a failed commit) resolve to undefined at once.
   */
  finish(status: number): Promise<unknown> {
    this.settle(commits(status));
    if (this.reported || !this.started) return NOTHING_TO_REPORT;
    this.reported = true;
    return this.outcome;
  }

  /** Rolls back without waiting: the client went away before a response was sent. */
  abandon(): void {
    this.settle(false);
  }

  /** The first decision wins, as with a promise's resolve. */
  private settle(commit: boolean): void {
    if (this.decide !== undefined) this.decide(commit);
    else this.early ??= commit;
  }
}
