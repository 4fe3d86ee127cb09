/**
 * One request in one transaction — the web form of Tortoise's `get_db` dependency
 * (`async with in_transaction(): yield`). Shared by the Fastify, Hono and Express integrations.
 *
 * The transaction is not closed when the handler returns but when the response is about to go
 * out: only then is the status known (a handler may `reply.code(409)` without throwing), and
 * committing before the bytes leave means a client that got a 2xx can read its own writes.
 */
import type { Terrapin } from '../terrapin.js';
import type { TransactionOptions } from '../transaction/run-in-transaction.js';

/** Whether a response with this status keeps the request's writes: 2xx and 3xx commit, errors roll back. */
export function commits(status: number): boolean {
  return status >= 200 && status < 400;
}

/** Thrown inside the transaction callback to roll it back; never leaves this module. */
const ROLLBACK = Symbol('terrapin.rollback');

export class RequestTransaction {
  private decide!: (commit: boolean) => void;
  private readonly decision = new Promise<boolean>((resolve) => {
    this.decide = resolve;
  });
  /** Resolves (never rejects) once the transaction has ended: undefined, or the error COMMIT raised. */
  private outcome: Promise<unknown> = Promise.resolve(undefined);
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
   */
  run<T>(handler: () => T): Promise<Awaited<T>> {
    return new Promise<Awaited<T>>((resolve, reject) => {
      this.outcome = this.terrapin
        .inTransaction(async () => {
          this.started = true;
          try {
            Promise.resolve(handler()).then(resolve as (value: unknown) => void, reject);
          } catch (error) {
            reject(error);
          }
          if (!(await this.decision)) throw ROLLBACK;
        }, this.options)
        .then(
          () => undefined,
          (error: unknown) => {
            if (error === ROLLBACK) return undefined;
            // BEGIN failed (database down, Terrapin closed): the handler never ran, so the
            // framework reports this error as the handler's.
            if (!this.started) {
              reject(error);
              return undefined;
            }
            return error;
          },
        );
    });
  }

  /**
   * Commits when `status` is a success, otherwise rolls back, and waits until that is done.
   * Returns the error COMMIT raised (send that instead of the success), or undefined.
   * Later calls (the error response that replaces a failed commit) return undefined at once.
   */
  async finish(status: number): Promise<unknown> {
    this.decide(commits(status));
    if (this.reported || !this.started) return undefined;
    this.reported = true;
    return await this.outcome;
  }

  /** Rolls back without waiting: the client went away before a response was sent. */
  abandon(): void {
    this.decide(false);
  }
}
