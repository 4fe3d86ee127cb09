/**
 * The pool behind one named connection for the backends whose client is Terrapin's own
 * (PostgreSQL, MySQL/MariaDB), never more than `max` connections. Plain
 * queries go to a free connection, open a new one while fewer than `max` exist, or else are
 * pipelined onto the least busy unreserved one (and wait, when transactions hold every
 * connection, until one is given back); a transaction reserves a connection for itself.
 * Connections open on demand, close after `idleTimeoutMs` unused, and one that closes (the server
 * ended it) or is being closed leaves the pool at once, so the next request opens a fresh one.
 */
export interface PoolOptions {
  /** Connections opened with the pool and kept through idle timeouts (default 0). */
  readonly min?: number;
  readonly max: number;
  /** 0 keeps idle connections open. */
  readonly idleTimeoutMs: number;
  /**
   * Whether plain queries may be pipelined onto a busy connection (default true). Behind a
   * transaction-mode pooler each statement outside a transaction may run on another server
   * session, and a pooler decides that between answers: one plain statement at a time per
   * connection leaves it nothing to get wrong. Transactions pipeline either way.
   */
  readonly pipeline?: boolean;
}

/** What the pool tells a connection's owner: it went idle, or it closed. */
export interface PoolEvents<C> {
  idle(connection: C): void;
  closed(connection: C, reason: Error): void;
}

/** A client connection as the pool sees it. */
export interface PooledConnection<R> {
  /** Whether the pool handed this connection to one transaction. */
  reserved: boolean;
  /** Released by its transaction while requests were still in flight (see ConnectionPool.release). */
  returning: boolean;
  /** Kept for a waiting transaction: no new plain queries, handed over once its queue is empty. */
  draining: boolean;
  idleSince: number;
  idleTimer: ReturnType<typeof setTimeout> | undefined;
  /** Requests sent or waiting to be: 0 means the connection is free. */
  readonly pending: number;
  /** Closed, or being closed: it takes no more requests. */
  readonly closed: boolean;
  readonly ready: Promise<void>;
  /** Settles once the socket has closed. */
  readonly gone: Promise<void>;
  /** 'I' outside a transaction block, anything else inside one. */
  readonly transactionStatus: string;
  query(sql: string, params: readonly unknown[]): Promise<R>;
  end(): void;
  destroy(): void;
}

interface Reservation<C> {
  resolve(connection: C): void;
  reject(error: Error): void;
}

/** A plain query waiting because transactions hold every connection. */
interface Parked<R> {
  readonly sql: string;
  readonly params: readonly unknown[];
  resolve(result: R): void;
  reject(error: Error): void;
}

const closedError = (): Error => new Error('the pool is closed');

export class ConnectionPool<C extends PooledConnection<R>, R> {
  private readonly connections: C[] = [];
  private readonly reservations: Reservation<C>[] = [];
  private parked: Parked<R>[] = [];
  private closing = false;
  private readonly events: PoolEvents<C> = {
    idle: (connection) => this.onIdle(connection),
    closed: (connection, reason) => this.onClosed(connection, reason),
  };

  constructor(
    private readonly options: PoolOptions,
    private readonly connect: (events: PoolEvents<C>) => C,
  ) {
    for (let i = 0; i < Math.min(options.min ?? 0, options.max); i++) this.open();
  }

  query(sql: string, params: readonly unknown[]): Promise<R> {
    if (this.closing) return Promise.reject(closedError());
    const connection = this.shared();
    if (connection !== undefined) return connection.query(sql, params);
    return new Promise<R>((resolve, reject) => this.parked.push({ sql, params, resolve, reject }));
  }

  private open(): C {
    const connection = this.connect(this.events);
    this.connections.push(connection);
    return connection;
  }

  /** Takes a connection out of the pool for good (it is being ended or destroyed). */
  private retire(connection: C): void {
    clearTimeout(connection.idleTimer);
    const index = this.connections.indexOf(connection);
    if (index !== -1) this.connections.splice(index, 1);
  }

  /**
   * A connection for a plain query: a free one, a new one, or the least busy unreserved one;
   * undefined when transactions hold all `max`.
   */
  private shared(): C | undefined {
    let best: C | undefined;
    for (const connection of this.connections) {
      if (connection.reserved || connection.draining || connection.closed) continue;
      if (connection.pending === 0) return connection;
      if (best === undefined || connection.pending < best.pending) best = connection;
    }
    if (this.connections.length < this.options.max) return this.open();
    return this.options.pipeline === false ? undefined : best;
  }

  /** A connection of its own, for a transaction; `release` gives it back. */
  reserve(): Promise<C> {
    if (this.closing) return Promise.reject(closedError());
    for (const connection of this.connections) {
      if (!connection.reserved && !connection.closed && connection.pending === 0) return this.handTo(connection);
    }
    if (this.connections.length < this.options.max) return this.handTo(this.open());
    const waiting = new Promise<C>((resolve, reject) => this.reservations.push({ resolve, reject }));
    this.drainForReservations();
    return waiting;
  }

  /**
   * A connection busy with plain queries would never come free for a waiting transaction while
   * new queries keep being pipelined onto it. So as many connections as transactions wait are
   * kept from new plain queries (the least busy first) and handed over once their queues empty.
   */
  private drainForReservations(): void {
    let draining = 0;
    for (const connection of this.connections) if (connection.draining) draining++;
    while (draining < this.reservations.length) {
      let least: C | undefined;
      for (const connection of this.connections) {
        if (connection.reserved || connection.draining || connection.closed) continue;
        if (least === undefined || connection.pending < least.pending) least = connection;
      }
      if (least === undefined) return;
      least.draining = true;
      draining++;
    }
  }

  private async handTo(connection: C): Promise<C> {
    connection.reserved = true;
    await connection.ready;
    return connection;
  }

  release(connection: C): void {
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

  /** Queries parked while every connection was reserved (or busy, without pipelining) go to this one, now free. */
  private serveParked(connection: C): void {
    const parked = this.parked;
    if (parked.length === 0) return;
    if (this.options.pipeline === false) {
      const { sql, params, resolve, reject } = parked.shift()!;
      connection.query(sql, params).then(resolve, reject);
      return;
    }
    this.parked = [];
    for (const { sql, params, resolve, reject } of parked) connection.query(sql, params).then(resolve, reject);
  }

  private onIdle(connection: C): void {
    if (connection.returning) {
      connection.returning = false;
      connection.reserved = false;
    }
    connection.draining = false;
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
      this.undrainSurplus();
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

  /** Connections kept for transactions that no longer wait take plain queries again. */
  private undrainSurplus(): void {
    let surplus = -this.reservations.length;
    for (const connection of this.connections) if (connection.draining) surplus++;
    for (const connection of this.connections) {
      if (surplus <= 0) return;
      if (connection.draining) {
        connection.draining = false;
        surplus--;
      }
    }
  }

  /** One timer per idle spell (not per query): it re-arms for the remainder if the connection was used meanwhile. */
  private scheduleIdleClose(connection: C): void {
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
      } else if (this.connections.length > (this.options.min ?? 0)) {
        this.retire(connection);
        connection.end();
      }
    };
    connection.idleTimer = setTimeout(check, timeout);
    connection.idleTimer.unref();
  }

  private onClosed(connection: C, reason: Error): void {
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
