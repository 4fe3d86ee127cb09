/**
 * Multiple hosts and target_session_attrs, as libpq does them: a new connection tries the servers
 * of the URL in order and stays on the first that accepts it and is what target_session_attrs asks
 * for, judged by what the server reports at start-up (ParameterStatus `in_hot_standby` and
 * `default_transaction_read_only`, sent by PostgreSQL 14 and later). Every new connection starts
 * again from the first host, so after a failover new connections find the new primary without a
 * restart of the application.
 */
import type { HostAndPort } from '../../../config/db-url.js';
import { ConnectionError } from '../../../execution/socket-connection.js';
import type { TargetSessionAttrs } from '../client-options.js';
import { PostgresServerError } from './backend.js';

/** What a server must be for one attempt; prefer-standby is a pass for `standby`, then one for `any`. */
type Want = Exclude<TargetSessionAttrs, 'prefer-standby'>;

interface Attempt {
  readonly server: HostAndPort;
  readonly want: Want;
}

/**
 * Server errors at start-up after which the next host is worth trying: the server is starting,
 * stopping or in recovery (57P0x), or has no connection slot left (53300). Any other (a wrong
 * password, a missing database) would be the same on every host, and is reported as it is.
 */
const TRY_NEXT_SQLSTATE = /^(57P0|53300)/;

export class HostAttempts {
  private index = 0;
  /** Why each server tried so far was not used, for the error when none is. */
  private readonly failures: string[] = [];

  private constructor(
    private readonly attempts: readonly Attempt[],
    private readonly attrs: TargetSessionAttrs,
  ) {}

  /** Undefined for one host and any session: nothing to choose, the connection works as it always did. */
  static for(options: { host: string; port: number; hosts?: readonly HostAndPort[]; targetSessionAttrs?: TargetSessionAttrs }): HostAttempts | undefined {
    const servers = options.hosts !== undefined && options.hosts.length > 0 ? options.hosts : [{ host: options.host, port: options.port }];
    const attrs = options.targetSessionAttrs ?? 'any';
    if (servers.length === 1 && attrs === 'any') return undefined;
    const pass = (want: Want): Attempt[] => servers.map((server) => ({ server, want }));
    return new HostAttempts(attrs === 'prefer-standby' ? [...pass('standby'), ...pass('any')] : pass(attrs), attrs);
  }

  get current(): Attempt {
    return this.attempts[this.index]!;
  }

  /**
   * Why the server just connected to does not fit (a ConnectionError to close with), or undefined.
   * `parameters` are its ParameterStatus values.
   */
  unfit(parameters: ReadonlyMap<string, string>, where: string): ConnectionError | undefined {
    const want = this.current.want;
    if (want === 'any') return undefined;
    const standby = parameters.get('in_hot_standby');
    const readOnlyDefault = parameters.get('default_transaction_read_only');
    if (standby === undefined || readOnlyDefault === undefined) {
      return new ConnectionError(
        `the server at ${where} did not report in_hot_standby and default_transaction_read_only at start-up (PostgreSQL 14 and later do), so target_session_attrs=${this.attrs} cannot tell what it is`,
        'CONNECTION_SESSION_ATTRS_UNKNOWN',
      );
    }
    const isStandby = standby === 'on';
    const readOnly = isStandby || readOnlyDefault === 'on';
    const fits = want === 'read-write' ? !readOnly : want === 'read-only' ? readOnly : want === 'primary' ? !isStandby : isStandby;
    if (fits) return undefined;
    const what = isStandby ? 'a standby (in_hot_standby=on)' : readOnly ? 'read-only (default_transaction_read_only=on)' : 'a primary accepting writes';
    return new ConnectionError(`the server at ${where} is ${what}, not ${want}`, 'CONNECTION_SESSION_ATTRS');
  }

  /** The next server to try after `reason` on the current one, or undefined (then the connection fails with a summary). */
  next(reason: Error, where: string): Attempt | undefined {
    const retryable = !(reason instanceof PostgresServerError) || TRY_NEXT_SQLSTATE.test(reason.code ?? '');
    this.failures.push(`${where}: ${reason.message}`);
    if (retryable && this.index + 1 < this.attempts.length) {
      this.index++;
      return this.current;
    }
    if (retryable) {
      // Every server was tried: the connection fails with all the reasons, not only the last one's.
      reason.message = `no server fits target_session_attrs=${this.attrs} (${this.failures.join('; ')})`;
    }
    return undefined;
  }
}
