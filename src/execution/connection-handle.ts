import type { ConnectionSettings } from '../config/db-url.js';
import type { Dialect } from '../dialects/dialect.js';
import type { DedicatedConnection, DriverPool, RowsOptions, WriteResult } from './driver.js';
import type { Target } from './target.js';
import type { QueryLog } from './query-log.js';
import { DatabaseUnavailableError } from '../errors.js';
import { DeadlineWaits } from './deadline-waits.js';
import { SlotGate } from './slot-gate.js';

/** One named connection: its settings, dialect and (lazily created) pool. */
export class ConnectionHandle implements Target {
  private poolInstance: DriverPool | undefined;
  /** Transactions waiting for the driver to hand over a connection (see acquireWithin). */
  private readonly driverWaits: DeadlineWaits;
  /** Connections taken out for transactions and not yet given back. */
  private readonly gate: SlotGate;

  constructor(
    readonly connectionName: string,
    readonly settings: ConnectionSettings,
    public dialect: Dialect,
    readonly log: QueryLog,
  ) {
    this.gate = new SlotGate(settings.pool.max, settings.pool.acquireTimeout * 1000, () => this.exhausted());
    this.driverWaits = new DeadlineWaits(settings.pool.acquireTimeout * 1000);
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

  private exhausted(): DatabaseUnavailableError {
    const { max, acquireTimeout } = this.settings.pool;
    return new DatabaseUnavailableError(
      `Connection '${this.connectionName}': all ${max} pooled connection${max === 1 ? ' is' : 's are'} held by transactions and none came free within ${acquireTimeout}s. Raise the pool size (?maxsize=N in the URL) or keep transactions shorter.`,
    );
  }

  /**
   * A connection of its own, for a transaction; DatabaseUnavailableError when none comes free in time.
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
   * The driver's own wait (a pool reserving or still connecting; SQLite's connection is taken
   * synchronously above) is bounded too.
   */
  private acquireWithin(pending: Promise<DedicatedConnection>): Promise<DedicatedConnection> {
    return new Promise<DedicatedConnection>((resolve, reject) => {
      const settle = this.driverWaits.start(() => reject(this.exhausted()));
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

  async close(): Promise<void> {
    this.driverWaits.close();
    const pool = this.poolInstance;
    this.poolInstance = undefined;
    if (pool !== undefined) await pool.close();
  }
}
