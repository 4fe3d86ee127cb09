import { DeadlineWaits } from './deadline-waits.js';

interface Waiter {
  resolve(): void;
  /** Ends the wait's deadline; false when it had expired (then it is no longer queued). */
  settle(): boolean;
}

/**
 * Counts the pool connections transactions hold. A transaction that finds them all held queues
 * for one (first come, first served: a freed connection is handed to the next in line, so no
 * herd wakes up for it); a plain query that finds them all held waits until one is free. Both
 * give up after the timeout.
 */
export class SlotGate {
  private used = 0;
  private readonly takers: Waiter[] = [];
  private readonly watchers: Waiter[] = [];
  private readonly deadlines: DeadlineWaits;

  constructor(
    private readonly size: number,
    timeoutMs: number,
    private readonly timeoutError: () => Error,
  ) {
    this.deadlines = new DeadlineWaits(timeoutMs);
  }

  get full(): boolean {
    return this.used >= this.size;
  }

  private wait(queue: Waiter[]): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const waiter: Waiter = {
        resolve,
        settle: this.deadlines.start(() => {
          const index = queue.indexOf(waiter);
          if (index !== -1) queue.splice(index, 1);
          reject(this.timeoutError());
        }),
      };
      queue.push(waiter);
    });
  }

  /** Takes a slot now if one is free (no promise, no timer: the common, uncontended case). */
  tryTake(): boolean {
    if (this.used >= this.size) return false;
    this.used++;
    return true;
  }

  /** Resolves when a slot is ours. */
  take(): Promise<void> {
    return this.tryTake() ? Promise.resolve() : this.wait(this.takers);
  }

  /** Resolves when a slot is free (taking none). */
  whenFree(): Promise<void> {
    return this.full ? this.wait(this.watchers) : Promise.resolve();
  }

  /** Gives a slot back: to the next transaction in line, or to everyone waiting to run a query. */
  release(): void {
    // An expired waiter has left its queue already, so each one here is still waiting.
    const next = this.takers.shift();
    if (next !== undefined && next.settle()) {
      next.resolve();
      return;
    }
    this.used--;
    for (const watcher of this.watchers.splice(0)) if (watcher.settle()) watcher.resolve();
  }
}
