/**
 * The pool of WireConnections behind one named connection, never more than `max` of them. Plain
 * queries go to a free connection, open a new one while fewer than `max` exist, or else are
 * pipelined onto the least busy unreserved one (and wait, when transactions hold every
 * connection, until one is given back); a transaction reserves a connection for itself.
 * Connections open on demand, close after `idleTimeoutMs` unused, and one that closes (the server
 * ended it) or is being closed leaves the pool at once, so the next request opens a fresh one.
 */
import { WireConnection, type ConnectOptions, type QueryResult } from './connection.js';

export interface WirePoolOptions extends ConnectOptions {
  readonly max: number;
  /** 0 keeps idle connections open. */
  readonly idleTimeoutMs: number;
}

interface Reservation {
  resolve(connection: WireConnection): void;
  reject(error: Error): void;
}

/** A plain query waiting because transactions hold every connection. */
interface Parked {
  readonly sql: string;
  readonly params: readonly unknown[];
  resolve(result: QueryResult): void;
  reject(error: Error): void;
}

const closedError = (): Error => new Error('the pool is closed');

export class WirePool {
  private readonly connections: WireConnection[] = [];
  private readonly reservations: Reservation[] = [];
  private parked: Parked[] = [];
  private closing = false;
  private readonly events = {
    idle: (connection: WireConnection) => this.onIdle(connection),
    closed: (connection: WireConnection, reason: Error) => this.onClosed(connection, reason),
  };

  constructor(private readonly options: WirePoolOptions) {}

  query(sql: string, params: readonly unknown[]): Promise<QueryResult> {
    if (this.closing) return Promise.reject(closedError());
    const connection = this.shared();
    if (connection !== undefined) return connection.query(sql, params);
    return new Promise<QueryResult>((resolve, reject) => this.parked.push({ sql, params, resolve, reject }));
  }

  private open(): WireConnection {
    const connection = new WireConnection(this.options, this.events);
    this.connections.push(connection);
    return connection;
  }

  /** Takes a connection out of the pool for good (it is being ended or destroyed). */
  private retire(connection: WireConnection): void {
    clearTimeout(connection.idleTimer);
    const index = this.connections.indexOf(connection);
    if (index !== -1) this.connections.splice(index, 1);
  }

  /**
   * A connection for a plain query: a free one, a new one, or the least busy unreserved one;
   * undefined when transactions hold all `max`.
   */
  private shared(): WireConnection | undefined {
    let best: WireConnection | undefined;
    for (const connection of this.connections) {
      if (connection.reserved) continue;
      if (connection.pending === 0) return connection;
      if (best === undefined || connection.pending < best.pending) best = connection;
    }
    if (this.connections.length < this.options.max) return this.open();
    return best;
  }

  /** A connection of its own, for a transaction; `release` gives it back. */
  reserve(): Promise<WireConnection> {
    if (this.closing) return Promise.reject(closedError());
    for (const connection of this.connections) {
      if (!connection.reserved && connection.pending === 0) return this.handTo(connection);
    }
    if (this.connections.length < this.options.max) return this.handTo(this.open());
    return new Promise<WireConnection>((resolve, reject) => this.reservations.push({ resolve, reject }));
  }

  private async handTo(connection: WireConnection): Promise<WireConnection> {
    connection.reserved = true;
    await connection.ready;
    return connection;
  }

  release(connection: WireConnection): void {
    if (connection.closed) {
      connection.reserved = false;
      return;
    }
    // Given back with requests still in flight: it stays out of everyone's reach until they are
    // answered, since only then is it known whether it is still inside a transaction block.
    if (connection.pending > 0) {
      connection.returning = true;
      return;
    }
    connection.reserved = false;
    this.onIdle(connection);
  }

  /** Queries parked while every connection was reserved go to this one, now unreserved. */
  private serveParked(connection: WireConnection): void {
    const parked = this.parked;
    if (parked.length === 0) return;
    this.parked = [];
    for (const { sql, params, resolve, reject } of parked) connection.query(sql, params).then(resolve, reject);
  }

  private onIdle(connection: WireConnection): void {
    if (connection.returning) {
      connection.returning = false;
      connection.reserved = false;
    }
    if (connection.reserved || connection.closed) return;
    // Left inside a transaction block (given back before its ROLLBACK, or that ROLLBACK failed):
    // whatever it ran next would join that transaction, so it serves no one else.
    if (connection.transactionStatus !== 'I') {
      this.retire(connection);
      connection.destroy();
      this.replaceFor();
      return;
    }
    const reservation = this.reservations.shift();
    if (reservation !== undefined) {
      connection.reserved = true;
      reservation.resolve(connection);
      return;
    }
    if (this.parked.length > 0) {
      this.serveParked(connection);
      return;
    }
    if (this.closing) {
      this.retire(connection);
      connection.end();
      return;
    }
    this.scheduleIdleClose(connection);
  }

  /** One timer per idle spell (not per query): it re-arms for the remainder if the connection was used meanwhile. */
  private scheduleIdleClose(connection: WireConnection): void {
    connection.idleSince = Date.now();
    const timeout = this.options.idleTimeoutMs;
    if (timeout <= 0 || connection.idleTimer !== undefined) return;
    const check = (): void => {
      connection.idleTimer = undefined;
      if (connection.closed || connection.reserved || connection.pending > 0) return;
      const left = connection.idleSince + timeout - Date.now();
      if (left > 0) {
        connection.idleTimer = setTimeout(check, left);
        connection.idleTimer.unref();
      } else {
        this.retire(connection);
        connection.end();
      }
    };
    connection.idleTimer = setTimeout(check, timeout);
    connection.idleTimer.unref();
  }

  private onClosed(connection: WireConnection, reason: Error): void {
    this.retire(connection);
    this.replaceFor(reason);
  }

  /** A connection left the pool: one waiting for a connection gets a new one in its place. */
  private replaceFor(reason?: Error): void {
    if (this.closing || this.connections.length >= this.options.max) return;
    const reservation = this.reservations.shift();
    if (reservation !== undefined) {
      const fresh = this.open();
      fresh.reserved = true;
      fresh.ready.then(
        () => reservation.resolve(fresh),
        (error: unknown) => reservation.reject((error as Error | undefined) ?? reason ?? closedError()),
      );
      return;
    }
    if (this.parked.length > 0) this.serveParked(this.open());
  }

  /** Lets running requests finish (up to `timeoutMs`), then ends every connection. */
  async close(timeoutMs = 5000): Promise<void> {
    this.closing = true;
    for (const reservation of this.reservations.splice(0)) reservation.reject(closedError());
    for (const parked of this.parked.splice(0)) parked.reject(closedError());
    const deadline = Date.now() + timeoutMs;
    while (this.connections.some((c) => c.pending > 0 || c.reserved) && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    const connections = this.connections.splice(0);
    await Promise.all(
      connections.map(async (connection) => {
        clearTimeout(connection.idleTimer);
        const slow = setTimeout(() => connection.destroy(), 1000);
        connection.end();
        await connection.gone;
        clearTimeout(slow);
      }),
    );
  }
}
