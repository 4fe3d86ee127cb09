import type { ConnectionSettings } from '../config/db-url.js';
import type { Dialect } from '../dialects/dialect.js';
import type { DedicatedConnection, DriverPool, RowsOptions, WriteResult } from './driver.js';
import type { Target } from './target.js';
import type { QueryLog } from './query-log.js';
import { OperationalError } from '../errors.js';
import { SlotGate } from './slot-gate.js';

interface AcquireWait {
  readonly deadline: number;
  settled: boolean;
  expire(): void;
}

/** One named connection: its settings, dialect and (lazily created) pool. */
export class ConnectionHandle implements Target {
  private poolInstance: DriverPool | undefined;
  /** Transactions waiting for the driver to hand over a connection, oldest first (see acquireWithin). */
  private readonly waits: AcquireWait[] = [];
  private unsettledWaits = 0;
  private waitTimer: ReturnType<typeof setTimeout> | undefined;
  /** Connections taken out for transactions and not yet given back. */
  private readonly gate: SlotGate;

  constructor(
    readonly connectionName: string,
    readonly settings: ConnectionSettings,
    public dialect: Dialect,
    readonly log: QueryLog,
  ) {
    this.gate = new SlotGate(settings.pool.max, settings.pool.acquireTimeout * 1000, () => this.exhausted());
  }

  get pool(): DriverPool {
    return (this.poolInstance ??= this.dialect.createPool(this.settings, this.connectionName));
  }

  get opened(): boolean {
    return this.poolInstance !== undefined;
  }

  rows(sql: string, params: readonly unknown[], options?: RowsOptions): Promise<unknown[][]> {
    if (this.gate.full) return this.gate.whenFree().then(() => this.rows(sql, params, options));
    if (this.log.active) return this.log.run(this.connectionName, sql, params, () => this.pool.rows(sql, params, options));
    return this.pool.rows(sql, params, options);
  }

  write(sql: string, params: readonly unknown[]): Promise<WriteResult> {
    if (this.gate.full) return this.gate.whenFree().then(() => this.write(sql, params));
    if (this.log.active) return this.log.run(this.connectionName, sql, params, () => this.pool.write(sql, params));
    return this.pool.write(sql, params);
  }

  private exhausted(): OperationalError {
    const { max, acquireTimeout } = this.settings.pool;
    return new OperationalError(
      `Connection '${this.connectionName}': all ${max} pooled connection${max === 1 ? ' is' : 's are'} held by transactions and none came free within ${acquireTimeout}s. Raise the pool size (?maxsize=N in the URL) or keep transactions shorter.`,
    );
  }

  /**
   * A connection of its own, for a transaction; OperationalError when none comes free in time.
   * Synchronous when a slot and a connection are free at once: a transaction that does not wait
   * pays for no promise, timer or wait record (the SQLite request path counts them).
   */
  acquire(): DedicatedConnection | Promise<DedicatedConnection> {
    if (this.gate.tryTake()) return this.acquireSlotted();
    return this.gate.take().then(() => this.acquireSlotted());
  }

  /** The driver's connection, for a transaction that holds a slot of the gate. */
  private acquireSlotted(): DedicatedConnection | Promise<DedicatedConnection> {
    let ready: DedicatedConnection | undefined;
    let pending: Promise<DedicatedConnection>;
    try {
      ready = this.pool.tryAcquire?.();
      if (ready !== undefined) return this.guarded(ready);
      pending = this.pool.acquire();
    } catch (error) {
      this.gate.release();
      throw error;
    }
    return this.acquireWithin(pending).then(
      (connection) => this.guarded(connection),
      (error: unknown) => {
        this.gate.release();
        throw error;
      },
    );
  }

  /** The connection with a release that gives the slot back once, however often it is called. */
  private guarded(connection: DedicatedConnection): DedicatedConnection {
    let released = false;
    return {
      rows: (sql, params, options) => connection.rows(sql, params, options),
      write: (sql, params) => connection.write(sql, params),
      release: () => {
        if (released) return;
        released = true;
        connection.release();
        this.gate.release();
      },
    };
  }

  /**
   * The driver's own wait (SQLite's single connection, a pool still connecting) is bounded too.
   * Every wait has the same timeout, so deadlines come in the order waits start: one timer for
   * the oldest serves them all, instead of a setTimeout/clearTimeout pair per transaction (about
   * 2 µs of a SQLite transaction's 25).
   */
  private acquireWithin(pending: Promise<DedicatedConnection>): Promise<DedicatedConnection> {
    return new Promise<DedicatedConnection>((resolve, reject) => {
      const wait: AcquireWait = { deadline: Date.now() + this.settings.pool.acquireTimeout * 1000, settled: false, expire: () => reject(this.exhausted()) };
      this.waits.push(wait);
      this.unsettledWaits++;
      this.armWaitTimer();
      const settle = (): boolean => {
        if (wait.settled) return false;
        wait.settled = true;
        if (--this.unsettledWaits === 0) this.waitTimer?.unref();
        return true;
      };
      pending.then(
        (connection) => {
          if (settle()) resolve(connection);
          else connection.release(); // it came after the timeout
        },
        (error: unknown) => {
          if (settle()) reject(error);
        },
      );
    });
  }

  private armWaitTimer(): void {
    while (this.waits.length > 0 && this.waits[0]!.settled) this.waits.shift();
    if (this.waitTimer !== undefined) {
      // Only an unsettled wait may keep the process alive.
      if (this.unsettledWaits > 0) this.waitTimer.ref();
      return;
    }
    const oldest = this.waits[0];
    if (oldest === undefined) return;
    this.waitTimer = setTimeout(() => this.expireWaits(), Math.max(0, oldest.deadline - Date.now()));
  }

  private expireWaits(): void {
    this.waitTimer = undefined;
    const now = Date.now();
    while (this.waits.length > 0 && (this.waits[0]!.settled || this.waits[0]!.deadline <= now)) {
      const wait = this.waits.shift()!;
      if (wait.settled) continue;
      wait.settled = true;
      this.unsettledWaits--;
      wait.expire();
    }
    this.armWaitTimer();
    if (this.unsettledWaits === 0) (this.waitTimer as ReturnType<typeof setTimeout> | undefined)?.unref();
  }

  async close(): Promise<void> {
    clearTimeout(this.waitTimer);
    this.waitTimer = undefined;
    const pool = this.poolInstance;
    this.poolInstance = undefined;
    if (pool !== undefined) await pool.close();
  }
}
