/**
 * The pool of WireConnections behind one named connection. Plain queries go to a free connection,
 * open a new one while fewer than `max` exist, or else are pipelined onto the least busy one; a
 * transaction reserves a connection for itself. Connections open on demand, close after
 * `idleTimeoutMs` unused, and a closed one (the server ended it) is dropped at once, so the next
 * request opens a fresh one.
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

export class WirePool {
  private readonly connections: WireConnection[] = [];
  private readonly reservations: Reservation[] = [];
  private closing = false;
  private readonly events = {
    idle: (connection: WireConnection) => this.onIdle(connection),
    closed: (connection: WireConnection, reason: Error) => this.onClosed(connection, reason),
  };

  constructor(private readonly options: WirePoolOptions) {}

  query(sql: string, params: readonly unknown[]): Promise<QueryResult> {
    return this.shared().query(sql, params);
  }

  private open(): WireConnection {
    const connection = new WireConnection(this.options, this.events);
    this.connections.push(connection);
    return connection;
  }

  /** A connection for a plain query: a free one, a new one, or the least busy unreserved one. */
  private shared(): WireConnection {
    let best: WireConnection | undefined;
    for (const connection of this.connections) {
      if (connection.reserved) continue;
      if (connection.pending === 0) return connection;
      if (best === undefined || connection.pending < best.pending) best = connection;
    }
    if (best === undefined || this.connections.length < this.options.max) return this.open();
    return best;
  }

  /** A connection of its own, for a transaction; `release` gives it back. */
  reserve(): Promise<WireConnection> {
    if (this.closing) return Promise.reject(new Error('the pool is closed'));
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
    connection.reserved = false;
    if (connection.closed) return;
    // A connection left inside a transaction block (its ROLLBACK failed) must not serve anyone else.
    if (connection.pending === 0 && connection.transactionStatus !== 'I') {
      connection.destroy();
      return;
    }
    if (connection.pending === 0) this.onIdle(connection);
  }

  private onIdle(connection: WireConnection): void {
    if (connection.reserved) return;
    const reservation = this.reservations.shift();
    if (reservation !== undefined) {
      connection.reserved = true;
      reservation.resolve(connection);
      return;
    }
    if (this.closing) {
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
        connection.end();
      }
    };
    connection.idleTimer = setTimeout(check, timeout);
    connection.idleTimer.unref();
  }

  private onClosed(connection: WireConnection, reason: Error): void {
    clearTimeout(connection.idleTimer);
    const index = this.connections.indexOf(connection);
    if (index !== -1) this.connections.splice(index, 1);
    if (this.reservations.length === 0 || this.closing) return;
    // Somebody waits for a connection: a closed one frees a place for a new one.
    const reservation = this.reservations.shift()!;
    const fresh = this.open();
    fresh.reserved = true;
    fresh.ready.then(
      () => reservation.resolve(fresh),
      () => reservation.reject(reason),
    );
  }

  /** Lets running requests finish (up to `timeoutMs`), then ends every connection. */
  async close(timeoutMs = 5000): Promise<void> {
    this.closing = true;
    for (const reservation of this.reservations.splice(0)) reservation.reject(new Error('the pool was closed'));
    const deadline = Date.now() + timeoutMs;
    while (this.connections.some((c) => c.pending > 0 || c.reserved) && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    await Promise.all(
      this.connections.map(async (connection) => {
        const slow = setTimeout(() => connection.destroy(), 1000);
        connection.end();
        await connection.gone;
        clearTimeout(slow);
      }),
    );
  }
}
