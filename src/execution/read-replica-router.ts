/**
 * A router for a primary with a read replica (PostgreSQL streaming replication, MariaDB
 * replication): reads go to the replica; writes, locking reads (selectForUpdate) and everything
 * inside a transaction on the primary. Two things a bare dbForRead cannot do:
 *
 * - Read-your-writes per request. Inside `router.request(fn)`, once `fn` has written, its reads go
 *   to the primary for the rest of it: a replica applies writes after the primary acknowledged
 *   them, so reading there right after a write may miss it.
 * - A replica that is down. A read that fails there with DatabaseUnavailableError (refused,
 *   timed out, lost) runs again on the primary, with one log line; for `retryAfterMs` reads go
 *   straight to the primary, then the replica is tried again. Reads have no effects, so running
 *   one twice is safe; writes never fall back, and nothing inside a transaction does.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { checkOptions } from '../config/check-options.js';
import { ConfigurationError } from '../errors.js';
import type { ModelClassLike } from '../model/meta.js';
import type { Router } from '../terrapin.js';

export interface ReadReplicaOptions {
  /** The connection that takes writes (and reads after a write in a request). */
  readonly primary: string;
  /** The connection reads go to. */
  readonly replica: string;
  /** Milliseconds reads skip a replica after it failed, before it is tried again (default 5000). */
  readonly retryAfterMs?: number;
  /** Where the fallback's log line goes (default console.warn). */
  readonly log?: (line: string) => void;
}

interface RequestState {
  wrote: boolean;
}

export class ReadReplicaRouter implements Router {
  private readonly primary: string;
  private readonly replica: string;
  private readonly retryAfterMs: number;
  private readonly log: (line: string) => void;
  private readonly requests = new AsyncLocalStorage<RequestState>();
  /** Until when reads skip the replica (Date.now() milliseconds); 0 while it is up. */
  private downUntil = 0;

  constructor(options: ReadReplicaOptions) {
    checkOptions('ReadReplicaRouter', options, ['primary', 'replica', 'retryAfterMs', 'log']);
    for (const key of ['primary', 'replica'] as const) {
      if (typeof options?.[key] !== 'string' || options[key] === '') {
        throw new ConfigurationError(`ReadReplicaRouter: '${key}' must be the name of a configured connection, got ${JSON.stringify(options?.[key])}.`);
      }
    }
    if (options.primary === options.replica) {
      throw new ConfigurationError(`ReadReplicaRouter: primary and replica are both '${options.primary}'; name two connections.`);
    }
    const retry = options.retryAfterMs ?? 5000;
    if (typeof retry !== 'number' || !Number.isFinite(retry) || retry < 0) {
      throw new ConfigurationError(`ReadReplicaRouter: 'retryAfterMs' must be a number of milliseconds ≥ 0, got ${JSON.stringify(options.retryAfterMs)}.`);
    }
    this.primary = options.primary;
    this.replica = options.replica;
    this.retryAfterMs = retry;
    this.log = options.log ?? ((line) => console.warn(line));
  }

  /** Runs `fn` as one request: once it has written, its reads (and those of what it awaits) go to the primary. */
  request<T>(fn: () => T): T {
    return this.requests.run({ wrote: false }, fn);
  }

  dbForRead(_model: ModelClassLike): string {
    if (this.requests.getStore()?.wrote === true) return this.primary;
    if (this.downUntil !== 0 && Date.now() < this.downUntil) return this.primary;
    return this.replica;
  }

  dbForWrite(_model: ModelClassLike): string {
    const request = this.requests.getStore();
    if (request !== undefined) request.wrote = true;
    return this.primary;
  }

  /** A read on `failed` (the replica) failed with DatabaseUnavailableError: where to run it instead. */
  readFallback(model: ModelClassLike, failed: string, error: Error): string | undefined {
    if (failed !== this.replica) return undefined;
    const wasUp = this.downUntil === 0 || Date.now() >= this.downUntil;
    this.downUntil = Date.now() + this.retryAfterMs;
    if (wasUp) {
      this.log(
        `terrapin: a read of ${model.name} on connection '${failed}' failed (${error.message}); reads go to '${this.primary}' for ${this.retryAfterMs / 1000}s, then '${failed}' is tried again`,
      );
    }
    return this.primary;
  }
}
