/**
 * What Terrapin's own database clients (PostgreSQL, MySQL/MariaDB) share about one connection:
 * the socket and its connect timeout, the switch to a TLS stream, the ready and gone promises,
 * the writes of one tick going out together, a polite or abrupt end, and what the pool reads
 * (ConnectionPool). The protocol — what is written, how answers are read — is the subclass's.
 */
import { connect as connectTcp, type Socket } from 'node:net';
import type { PoolEvents, PooledConnection } from './connection-pool.js';
import type { TlsSettings } from './tls-settings.js';

/** An error of the connection rather than the statement; `code` says which (CONNECTION_CLOSED, TLS_FAILED, ECONNREFUSED…). */
export class ConnectionError extends Error {
  constructor(
    message: string,
    readonly code: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'ConnectionError';
  }
}

const MAX_PARAMETERS = 65535;

/** Where and as whom a wire client logs in: what both clients' connect options share. */
export interface ServerLogin {
  readonly host: string;
  readonly port: number;
  readonly user: string;
  readonly password: string;
  readonly database: string;
  readonly connectTimeoutMs: number;
  /** Milliseconds a sent statement may wait for its answer before the connection is closed (0: no limit). */
  readonly queryTimeoutMs?: number;
  /** TLS, when the URL asks for it (sslmode). */
  readonly tls?: TlsSettings;
}

export interface SocketTarget {
  readonly host: string;
  readonly port: number;
  /** A Unix socket instead of host and port. */
  readonly path?: string;
  readonly connectTimeoutMs: number;
  readonly queryTimeoutMs?: number;
}

/** `Self` is the subclass, so the pool's events are typed with it. */
export abstract class SocketConnection<R, Self extends SocketConnection<R, Self>> implements PooledConnection<R> {
  protected socket: Socket;
  protected state: 'connecting' | 'ready' | 'closed' = 'connecting';
  /** What the connection closed (or will close) with: a FATAL answer, the socket's error… */
  protected closeReason: Error | undefined;
  private ending = false;
  private flushScheduled = false;
  /** 'I' outside a transaction block, anything else inside one (from the server's status). */
  transactionStatus = 'I';
  reserved = false;
  returning = false;
  draining = false;
  idleSince = 0;
  idleTimer: ReturnType<typeof setTimeout> | undefined;
  readonly ready: Promise<void>;
  readonly gone: Promise<void>;
  private settleReady!: { resolve: () => void; reject: (error: Error) => void };
  private markGone!: () => void;
  /** host:port of the server this connection is on (or trying), for messages. */
  protected where: string;
  private readonly queryTimeoutMs: number;
  /** Counts the sockets opened (a multi-host connection may try several): events of an older one are ignored. */
  private attempt = 0;
  private connectTimer: ReturnType<typeof setTimeout> | undefined;
  /** When the oldest unanswered request started waiting for its own answer; 0 when none is sent. */
  private headSince = 0;
  private watchdog: ReturnType<typeof setTimeout> | undefined;

  constructor(
    target: SocketTarget,
    protected readonly events: PoolEvents<Self>,
  ) {
    this.ready = new Promise<void>((resolve, reject) => (this.settleReady = { resolve, reject }));
    // Nobody need wait on `ready` (requests queue until it); a failed connect reaches them instead.
    this.ready.catch(() => {});
    this.gone = new Promise<void>((resolve) => (this.markGone = resolve));
    this.queryTimeoutMs = target.queryTimeoutMs ?? 0;
    this.where = '';
    this.socket = this.openSocket(target);
    void this.ready.then(
      () => clearTimeout(this.connectTimer),
      () => clearTimeout(this.connectTimer),
    );
  }

  /** Connects to `target`; each attempt has connectTimeoutMs of its own. */
  private openSocket(target: SocketTarget): Socket {
    const attempt = ++this.attempt;
    this.where = `${target.host}:${target.port}`;
    const socket = target.path === undefined ? connectTcp({ host: target.host, port: target.port }) : connectTcp({ path: target.path });
    socket.setNoDelay(true);
    socket.setKeepAlive(true, 60_000);
    clearTimeout(this.connectTimer);
    const where = this.where;
    this.connectTimer = setTimeout(() => this.closeWith(new ConnectionError(`connecting to ${where} timed out after ${target.connectTimeoutMs / 1000}s`, 'CONNECT_TIMEOUT')), target.connectTimeoutMs);
    socket.on('error', this.noteError);
    // Closing a TLS session closes the socket under it, so this one event sees every end.
    socket.on('close', () => {
      if (attempt === this.attempt) this.onClose();
    });
    return socket;
  }

  /**
   * Another server to try after connecting failed with `reason` (a multi-host PostgreSQL URL), or
   * undefined to fail with it. Called only before the connection was ever ready.
   */
  protected nextTarget(_reason: Error): SocketTarget | undefined {
    return undefined;
  }

  /** A socket to the next server was opened (see nextTarget): the subclass starts its protocol afresh on it. */
  protected restarted(): void {}

  /** Closed, or being ended by the pool: either way it takes no more requests. */
  get closed(): boolean {
    return this.state === 'closed' || this.ending;
  }

  abstract get pending(): number;
  abstract query(sql: string, params: readonly unknown[]): Promise<R>;
  /** The bytes built since the last write. */
  protected abstract takeWrites(): Buffer;
  /** The message that ends the session (Terminate, COM_QUIT). */
  protected abstract farewell(): Buffer;
  /** Rejects every request not yet answered: the connection closed with `reason`. */
  protected abstract rejectAll(reason: Error): void;
  protected abstract onData(chunk: Buffer): void;

  /**
   * Why a request cannot be sent, or undefined: the connection is closed or closing, or it has
   * more parameters than the protocol counts (both count them in 16 bits).
   */
  protected refusal(params: readonly unknown[], backend: string): Error | undefined {
    if (this.closed) return this.closeReason ?? new ConnectionError('the connection is closed', 'CONNECTION_CLOSED');
    if (params.length > MAX_PARAMETERS) {
      return new RangeError(`${backend} takes at most ${MAX_PARAMETERS} parameters in one statement, this one has ${params.length}; split it (bulkCreate batches do).`);
    }
    return undefined;
  }

  private readonly noteError = (error: NodeJS.ErrnoException): void => {
    // A write after the server hung up: Node's words for it ("This socket has been ended by the
    // other party") say less than what happened.
    const message = error.code === 'EPIPE' ? `the connection to ${this.where} was closed` : error.message;
    this.closeReason ??= new ConnectionError(message, error.code ?? 'CONNECTION_ERROR', { cause: error });
  };

  private readonly feed = (chunk: Buffer): void => this.onData(chunk);

  /** Starts reading answers from `stream`: the socket, or the TLS stream now running over it. */
  protected listen(stream: Socket): void {
    if (stream !== this.socket) {
      this.socket.removeListener('data', this.feed);
      stream.on('error', this.noteError);
      const attempt = this.attempt;
      stream.on('close', () => {
        if (attempt === this.attempt) this.onClose();
      });
      this.socket = stream;
    }
    stream.on('data', this.feed);
  }

  /** Stops reading from the socket (TLS is about to take it over). */
  protected pauseReading(): void {
    this.socket.removeListener('data', this.feed);
  }

  /** Closes the connection with `reason` (the first one given wins). */
  protected closeWith(reason: Error): void {
    this.closeReason ??= reason;
    this.socket.destroy();
  }

  protected markReady(): void {
    this.state = 'ready';
    this.settleReady.resolve();
  }

  /**
   * A request went out. Answers come in order, so
   * the oldest request's clock starts when the one before it was answered: each statement gets
   * `queryTimeoutMs` of its own, however many are pipelined behind it, and one timer per
   * connection watches them all.
   */
  protected watchSent(): void {
    if (this.queryTimeoutMs <= 0) return;
    if (this.headSince === 0) this.headSince = Date.now();
    if (this.watchdog === undefined) this.armWatchdog(this.queryTimeoutMs);
  }

  /** The oldest request got its whole answer; `inFlight` are still unanswered. */
  protected watchAnswered(inFlight: number): void {
    if (this.queryTimeoutMs <= 0) return;
    this.headSince = inFlight > 0 ? Date.now() : 0;
  }

  private armWatchdog(ms: number): void {
    this.watchdog = setTimeout(this.checkWatchdog, ms);
    // The socket keeps the process alive while a request waits; the timer need not.
    this.watchdog.unref();
  }

  private readonly checkWatchdog = (): void => {
    this.watchdog = undefined;
    if (this.headSince === 0 || this.state === 'closed') return;
    const left = this.headSince + this.queryTimeoutMs - Date.now();
    if (left > 0) {
      this.armWatchdog(left);
      return;
    }
    // Whatever the server does with the statement later, this connection's answers can no longer
    // be matched to requests with certainty: it goes, and its requests fail with the reason.
    this.closeWith(
      new ConnectionError(
        `no answer from ${this.where} within ${this.queryTimeoutMs / 1000}s (query_timeout), so the connection was closed`,
        'QUERY_TIMEOUT',
      ),
    );
  };

  /** Requests made in the same tick go out in one write. */
  protected scheduleFlush(): void {
    if (this.flushScheduled) return;
    this.flushScheduled = true;
    process.nextTick(() => {
      this.flushScheduled = false;
      if (!this.closed) this.socket.write(this.takeWrites());
    });
  }

  /** Takes no more requests from now on (the server is about to close the session). */
  protected stopTakingRequests(): void {
    this.ending = true;
  }

  private onClose(): void {
    if (this.state === 'closed') return;
    clearTimeout(this.watchdog);
    this.headSince = 0;
    const wasConnecting = this.state === 'connecting';
    const reason = this.closeReason ?? new ConnectionError(`the connection to ${this.where} was closed`, 'CONNECTION_CLOSED');
    const next = wasConnecting && !this.ending ? this.nextTarget(reason) : undefined;
    if (next !== undefined) {
      this.closeReason = undefined;
      this.socket.removeListener('data', this.feed);
      this.socket = this.openSocket(next);
      this.restarted();
      return;
    }
    this.state = 'closed';
    this.closeReason = reason;
    if (wasConnecting) this.settleReady.reject(reason);
    this.rejectAll(reason);
    this.events.closed(this as unknown as Self, reason);
    this.markGone();
  }

  /** Ends the session politely (requests already sent are still answered). */
  end(): void {
    if (this.closed) return;
    this.ending = true;
    if (this.state === 'ready') {
      this.socket.write(this.takeWrites());
      this.socket.end(this.farewell());
    } else {
      this.socket.destroy();
    }
  }

  destroy(): void {
    this.ending = true;
    this.socket.destroy();
  }
}
