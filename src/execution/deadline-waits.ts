/**
 * Waits that all give up after the same delay, so their deadlines come in the order they start:
 * one timer, set for the oldest wait still open, serves them all. A setTimeout/clearTimeout pair
 * per wait cost about 2 µs of a SQLite transaction (and, with AsyncLocalStorage on, a hook for
 * each Timeout); under load every waiting transaction paid it.
 */
interface Wait {
  readonly deadline: number;
  settled: boolean;
  readonly expire: () => void;
}

export class DeadlineWaits {
  private readonly waits: Wait[] = [];
  private open = 0;
  private timer: ReturnType<typeof setTimeout> | undefined;

  constructor(private readonly timeoutMs: number) {}

  /**
   * Starts a wait: `expire` runs if it is still open at its deadline. Returns the function that
   * closes it, which says whether this call did (false: it had expired already).
   */
  start(expire: () => void): () => boolean {
    const wait: Wait = { deadline: Date.now() + this.timeoutMs, settled: false, expire };
    this.waits.push(wait);
    this.open++;
    this.arm();
    return () => {
      if (wait.settled) return false;
      wait.settled = true;
      // Only an open wait may keep the process alive.
      if (--this.open === 0) this.timer?.unref();
      return true;
    };
  }

  /** Stops the timer; open waits then never expire (their owner is closing). */
  close(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  private arm(): void {
    while (this.waits.length > 0 && this.waits[0]!.settled) this.waits.shift();
    if (this.timer !== undefined) {
      if (this.open > 0) this.timer.ref();
      return;
    }
    const oldest = this.waits[0];
    if (oldest === undefined) return;
    this.timer = setTimeout(() => this.expireDue(), Math.max(0, oldest.deadline - Date.now()));
  }

  private expireDue(): void {
    this.timer = undefined;
    const now = Date.now();
    while (this.waits.length > 0 && (this.waits[0]!.settled || this.waits[0]!.deadline <= now)) {
      const wait = this.waits.shift()!;
      if (wait.settled) continue;
      wait.settled = true;
      this.open--;
      wait.expire();
    }
    this.arm();
    if (this.open === 0) (this.timer as ReturnType<typeof setTimeout> | undefined)?.unref();
  }
}
