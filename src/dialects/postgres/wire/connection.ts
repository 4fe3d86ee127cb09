/**
 * One PostgreSQL connection speaking the extended query protocol. Each statement text is parsed
 * once per connection as a named statement (its result types described once), then run with
 * Bind/Execute/Sync only; with `prepare: false` (for poolers that move a client between server
 * sessions) every request carries its own Parse of the unnamed statement instead. Requests are
 * pipelined: a request goes out as soon as it is made (requests made in the same tick share one
 * socket write) and the answers come back in order, each ending with ReadyForQuery.
 */
import { randomBytes } from 'node:crypto';
import type { Socket } from 'node:net';
import { ConnectionError, SocketConnection, type ServerLogin } from '../../../execution/socket-connection.js';
import { messageReader, PostgresServerError, readCString, readErrorFields } from './backend.js';
import { errorAdvice } from './error-advice.js';
import { negotiateTls } from './tls.js';

export { ConnectionError };
import { PgAuthentication } from './authentication.js';
import { MessageWriter } from './frontend.js';
import { decoderFor, encodeParameter, type Decoder, type WireValue } from './text-values.js';
import type { PoolEvents } from '../../../execution/connection-pool.js';
import type { HostAndPort } from '../../../config/db-url.js';
import type { TargetSessionAttrs } from '../client-options.js';
import { HostAttempts } from './session-attrs.js';

export interface ConnectOptions extends ServerLogin {
  /** Start-up parameters (run-time settings such as TimeZone). */
  readonly parameters: Readonly<Record<string, string>>;
  /**
   * Named statements kept per connection (the oldest is closed beyond this); 0 parses every
   * request as the unnamed statement, which lives only until the next Parse of the same session.
   */
  readonly statementCacheSize: number;
  /**
   * Every server to try, in order (a multi-host URL); `host` and `port` when absent. A connection
   * stays on the first that accepts it and fits `targetSessionAttrs` (./session-attrs.ts).
   */
  readonly hosts?: readonly HostAndPort[];
  readonly targetSessionAttrs?: TargetSessionAttrs;
}

export interface QueryResult {
  readonly rows: unknown[][];
  /** The count in the command tag (rows inserted, updated, deleted or selected). */
  readonly affected: number;
  /** The command tag's first word: 'SELECT', 'INSERT', … and 'ROLLBACK' for a COMMIT the server refused. */
  readonly command: string;
}

interface Statement {
  readonly name: string;
  /** One per result column, from the statement's description; undefined until it arrives. */
  decoders: (Decoder | undefined)[] | undefined;
  /** Why its Parse failed: requests pipelined behind that Parse report this, not "does not exist". */
  failed?: Error;
}

interface Request {
  readonly sql: string;
  readonly values: WireValue[];
  readonly resolve: (result: QueryResult) => void;
  readonly reject: (error: Error) => void;
  statement: Statement;
  /** This request sent the Parse of its statement (and its Describe). */
  prepares: boolean;
  /** How far the answer has come, to check it belongs to this request (see Step). */
  step: Step;
  retried: boolean;
  rows: unknown[][];
  affected: number;
  command: string;
  error: Error | undefined;
}

/**
 * The answer to one request, in order: ParseComplete and the statement's RowDescription or NoData
 * (when it sent a Parse), BindComplete, its rows, CommandComplete, then ReadyForQuery — or an
 * ErrorResponse anywhere, then ReadyForQuery. An answer out of this order belongs to someone else:
 * a pooler that moved this session between server connections mid-request (PgBouncer in
 * transaction mode can) delivers another request's answers, and reading them as this one's would
 * return the wrong rows, so the connection is closed instead.
 */
const enum Step {
  Sent,
  Parsed,
  Described,
  Bound,
  Complete,
}

/** A message that does not fit the answer expected (see Step). */
class OutOfStep extends ConnectionError {
  constructor(what: string) {
    super(
      `the server's answer does not match the request sent (${what}), so it may be another session's: ` +
        'the connection was closed, and whether the statement ran is unknown. This happens behind a connection pooler in ' +
        'transaction mode (PgBouncer pool_mode=transaction); add prepare=false to the database URL there.',
      'CONNECTION_PROTOCOL',
    );
  }
}

/**
 * Transaction control (BEGIN, COMMIT, ROLLBACK, SAVEPOINT, RELEASE): never a named statement.
 * Their Parse costs next to nothing, and behind a transaction-mode pooler a named BEGIN would meet
 * server sessions that never prepared it: it would fail there, and the statement pipelined behind
 * it would run, and commit, outside the transaction it belongs to.
 */
const TRANSACTION_CONTROL = /^(BEGIN|COMMIT|ROLLBACK|SAVEPOINT|RELEASE|START TRANSACTION)\b/i;

/** Statements kept per connection unless the URL says otherwise (statement_cache_size). */
export const DEFAULT_STATEMENT_CACHE_SIZE = 1000;

/**
 * Errors of a named statement gone stale (a table it reads was altered so its result type changed,
 * or the statement was deallocated); outside a transaction the statement is parsed again and run once more.
 */
const STALE_STATEMENT_ROUTINES = new Set(['RevalidateCachedQuery', 'FetchPreparedStatement']);

/** The count at the end of a command tag ('INSERT 0 3', 'UPDATE 2', 'SELECT 10'), 0 for none. */
function tagCount(buffer: Buffer, start: number, end: number): number {
  let at = end - 2; // before the terminator
  let count = 0;
  let scale = 1;
  while (at >= start) {
    const digit = buffer[at]! - 48;
    if (digit < 0 || digit > 9) break;
    count += digit * scale;
    scale *= 10;
    at--;
  }
  return at >= start && buffer[at] === 0x20 && scale > 1 ? count : 0;
}

/**
 * Whether the server has confirmed that the request ended its transaction: CommandComplete for
 * COMMIT (or the ROLLBACK tag PostgreSQL answers a failed transaction's COMMIT with) comes only
 * once the commit is durable, so a FATAL or a closed socket after it changes nothing.
 */
function ended(request: Request): boolean {
  return request.command === 'COMMIT' || request.command === 'ROLLBACK';
}

/** Where a socket goes for one server: TCP, or the Unix socket in a directory given as the host. */
function socketTarget(server: HostAndPort, options: ConnectOptions): { host: string; port: number; path?: string; connectTimeoutMs: number; queryTimeoutMs?: number } {
  const { host, port } = server;
  const { connectTimeoutMs, queryTimeoutMs } = options;
  return { host, port, connectTimeoutMs, queryTimeoutMs, ...(host.startsWith('/') ? { path: `${host}/.s.PGSQL.${port}` } : {}) };
}

export class WireConnection extends SocketConnection<QueryResult, WireConnection> {
  private readonly writer = new MessageWriter();
  private authentication: PgAuthentication;
  private reader = messageReader((type, buffer, start, end) => this.onMessage(type, buffer, start, end));
  /** The servers left to try and what each must be; undefined for a single host with any session. */
  private readonly attempts: HostAttempts | undefined;
  /** ParameterStatus values the server reported at start-up (in_hot_standby, default_transaction_read_only…). */
  private readonly serverParameters = new Map<string, string>();
  /** Sent and waiting for their ReadyForQuery, oldest first. */
  private readonly queue: Request[] = [];
  /** Made before the connection was ready. */
  private waiting: Request[] = [];
  private readonly statements = new Map<string, Statement>();
  private statementCount = 0;
  /**
   * Random per connection, so no two connections (of this process or another) ever name a
   * statement alike: behind a pooler that hands a client another server session, a Bind of a name
   * prepared elsewhere then fails with "does not exist" instead of running another client's SQL.
   */
  private readonly statementPrefix = `tp${randomBytes(6).toString('hex')}_`;
  private broken = false;

  constructor(
    private readonly options: ConnectOptions,
    events: PoolEvents<WireConnection>,
  ) {
    const attempts = HostAttempts.for(options);
    super(socketTarget(attempts?.current.server ?? options, options), events);
    this.attempts = attempts;
    this.authentication = new PgAuthentication(options.user, options.password, this.writer);
    this.startOnConnect();
  }

  /** Sends the start-up message once the socket connects (after TLS, when asked for). */
  private startOnConnect(): void {
    const options = this.options;
    const host = this.attempts?.current.server.host ?? options.host;
    const start = (stream: Socket): void => {
      this.listen(stream);
      const { user, database, parameters } = options;
      // The settings the decoders rely on come last, so connection options cannot override them.
      stream.write(this.writer.startup({ ...parameters, user, database, client_encoding: 'UTF8', DateStyle: 'ISO' }).take());
    };
    this.socket.on('connect', () => {
      if (options.tls === undefined) start(this.socket);
      else negotiateTls(this.socket, host, options.tls).then(start, (error: Error) => this.closeWith(error));
    });
  }

  protected override nextTarget(reason: Error): ReturnType<typeof socketTarget> | undefined {
    const next = this.attempts?.next(reason, this.where);
    return next === undefined ? undefined : socketTarget(next.server, this.options);
  }

  protected override restarted(): void {
    // The next server starts from nothing: a fresh reader, authentication and start-up report.
    this.reader = messageReader((type, buffer, start, end) => this.onMessage(type, buffer, start, end));
    this.authentication = new PgAuthentication(this.options.user, this.options.password, this.writer);
    this.serverParameters.clear();
    this.writer.reset(0);
    this.startOnConnect();
  }

  protected override takeWrites(): Buffer {
    return this.writer.take();
  }

  protected override farewell(): Buffer {
    return this.writer.terminate().take();
  }

  protected override onData(chunk: Buffer): void {
    this.reader.push(chunk);
  }

  /** Requests sent or waiting to be: 0 means the connection is free. */
  override get pending(): number {
    return this.queue.length + this.waiting.length;
  }

  override query(sql: string, params: readonly unknown[]): Promise<QueryResult> {
    return new Promise<QueryResult>((resolve, reject) => {
      const refusal = this.refusal(params, 'PostgreSQL');
      if (refusal !== undefined) {
        reject(refusal);
        return;
      }
      let values: WireValue[];
      try {
        values = params.map(encodeParameter);
      } catch (error) {
        reject(error as Error);
        return;
      }
      const request: Request = { sql, values, resolve, reject, statement: undefined!, prepares: false, step: Step.Sent, retried: false, rows: [], affected: 0, command: '', error: undefined };
      if (this.state === 'ready') this.send(request);
      else this.waiting.push(request);
    });
  }

  /**
   * Writes a request's messages. All or nothing: a request that cannot be written (a parameter
   * the writer refuses) is rejected and leaves neither bytes in the writer nor a cache entry,
   * since half a message would make every later answer belong to the wrong request.
   */
  private send(request: Request): void {
    const writer = this.writer;
    const mark = writer.mark();
    const cacheSize = TRANSACTION_CONTROL.test(request.sql) ? 0 : this.options.statementCacheSize;
    let statement = cacheSize > 0 ? this.statements.get(request.sql) : undefined;
    const added = statement === undefined && cacheSize > 0;
    try {
      if (statement === undefined) {
        // The evicted statement is closed before the new Parse: were the Parse to fail, the server
        // would skip the rest of the block and keep the evicted statement for good.
        if (added && this.statements.size >= cacheSize) {
          const [oldestSql, oldest] = this.statements.entries().next().value as [string, Statement];
          this.statements.delete(oldestSql);
          writer.closeStatement(oldest.name);
        }
        // Uncached, the unnamed statement: parsed, described and run in one Sync'd block, so the
        // request needs nothing the session kept from an earlier one.
        statement = { name: added ? `${this.statementPrefix}${++this.statementCount}` : '', decoders: undefined };
        writer.parse(statement.name, request.sql).describeStatement(statement.name);
        request.prepares = true;
      }
      writer.bind(statement.name, request.values).execute().sync();
    } catch (error) {
      writer.reset(mark);
      request.reject(error as Error);
      return;
    }
    if (added) this.statements.set(request.sql, statement);
    request.statement = statement;
    this.queue.push(request);
    this.watchSent();
    this.scheduleFlush();
  }

  private onMessage(type: number, buffer: Buffer, start: number, end: number): void {
    // After an unreadable answer the rest of the stream cannot be trusted (see the catch below).
    if (this.broken) return;
    try {
      this.dispatch(type, buffer, start, end);
    } catch (error) {
      // An answer this client cannot read: the statement fails with the reason and the connection
      // goes, since what follows on the socket can no longer be trusted.
      const request = this.queue[0];
      this.broken = true;
      if (error instanceof OutOfStep) {
        // Whatever this request was told before, it may have been another session's answer.
        if (request !== undefined) request.error = error;
        this.closeWith(error);
        return;
      }
      if (request !== undefined) request.error ??= error as Error;
      this.closeWith(new ConnectionError(`could not read the server's answer (${(error as Error).message})`, 'CONNECTION_PROTOCOL', { cause: error }));
    }
  }

  private dispatch(type: number, buffer: Buffer, start: number, end: number): void {
    switch (type) {
      case 0x44: // DataRow
        if (this.queue[0]?.step !== Step.Bound) throw new OutOfStep('a row before BindComplete or after CommandComplete');
        this.onDataRow(buffer, start);
        return;
      case 0x43: { // CommandComplete
        const request = this.expect(Step.Bound, Step.Complete, 'CommandComplete');
        request.affected = tagCount(buffer, start, end);
        const space = buffer.indexOf(0x20, start);
        request.command = buffer.toString('latin1', start, space === -1 || space > end - 1 ? end - 1 : space);
        return;
      }
      case 0x31: // ParseComplete
        this.expectParse(Step.Sent, Step.Parsed, 'ParseComplete');
        return;
      case 0x54: // RowDescription (of the statement being prepared)
        this.expectParse(Step.Parsed, Step.Described, 'RowDescription').statement.decoders = this.readDescription(buffer, start);
        return;
      case 0x6e: // NoData: the statement returns no rows
        this.expectParse(Step.Parsed, Step.Described, 'NoData').statement.decoders = [];
        return;
      case 0x32: { // BindComplete
        const request = this.queue[0];
        this.expect(request?.prepares === true ? Step.Described : Step.Sent, Step.Bound, 'BindComplete');
        return;
      }
      case 0x49: // EmptyQueryResponse
      case 0x73: // PortalSuspended (not asked for: Execute asks for every row)
        this.expect(Step.Bound, Step.Complete, 'the end of a statement');
        return;
      case 0x5a: // ReadyForQuery
        this.onReady(String.fromCharCode(buffer[start]!));
        return;
      case 0x45: // ErrorResponse
        this.onError(new PostgresServerError(readErrorFields(buffer, start, end)));
        return;
      case 0x52: // Authentication*
        this.onAuthentication(buffer, start, end);
        return;
      case 0x48: // CopyOutResponse: the rows would come as CopyData, which nothing here returns
        this.queue[0]!.error ??= new Error('COPY … TO STDOUT is not supported by Terrapin\'s PostgreSQL client; SELECT the rows instead');
        return;
      case 0x47: // CopyInResponse
      case 0x57: // CopyBothResponse
        // The server now waits for data the client does not have; only closing the session ends that.
        throw new Error('COPY … FROM STDIN is not supported by Terrapin\'s PostgreSQL client; insert with bulkCreate instead');
      case 0x53: // ParameterStatus: kept from start-up, for target_session_attrs
        if (this.state === 'connecting') {
          const [name, at] = readCString(buffer, start);
          this.serverParameters.set(name, readCString(buffer, at)[0]);
        }
        return;
      // CloseComplete, ParameterDescription, NoticeResponse, NotificationResponse,
      // BackendKeyData: nothing to do.
      default:
        return;
    }
  }

  /** The request being answered, which must be at step `from`; it moves on to `to`. */
  private expect(from: Step, to: Step, what: string): Request {
    const request = this.queue[0];
    if (request === undefined || request.step !== from) throw new OutOfStep(`${what} ${request === undefined ? 'with no request waiting' : 'out of order'}`);
    request.step = to;
    return request;
  }

  /** As `expect`, for the messages only a request that sent a Parse gets. */
  private expectParse(from: Step, to: Step, what: string): Request {
    if (this.queue[0]?.prepares === false) throw new OutOfStep(`${what} for a statement this connection did not parse`);
    return this.expect(from, to, what);
  }

  private readDescription(buffer: Buffer, start: number): (Decoder | undefined)[] {
    const count = buffer.readInt16BE(start);
    const decoders = new Array<Decoder | undefined>(count);
    let at = start + 2;
    for (let i = 0; i < count; i++) {
      at = readCString(buffer, at)[1];
      decoders[i] = decoderFor(buffer.readInt32BE(at + 6));
      at += 18;
    }
    return decoders;
  }

  private onDataRow(buffer: Buffer, start: number): void {
    const request = this.queue[0]!;
    const decoders = request.statement.decoders!;
    const count = buffer.readInt16BE(start);
    const row = new Array<unknown>(count);
    let at = start + 2;
    for (let i = 0; i < count; i++) {
      const length = buffer.readInt32BE(at);
      at += 4;
      if (length < 0) {
        row[i] = null;
        continue;
      }
      const text = buffer.toString('utf8', at, at + length);
      at += length;
      const decode = decoders[i];
      row[i] = decode === undefined ? text : decode(text);
    }
    request.rows.push(row);
  }

  private onError(error: PostgresServerError): void {
    const advice = errorAdvice(error, this.options.statementCacheSize > 0);
    if (advice !== undefined) error.message = `${error.message}. ${advice}.`;
    const fatal = error.severity === 'FATAL' || error.severity === 'PANIC';
    if (fatal) this.closeReason ??= error;
    if (this.state === 'connecting') {
      this.closeReason = error;
      this.socket.destroy();
      return;
    }
    const request = this.queue[0];
    // The server ending the session after it confirmed COMMIT (or ROLLBACK) does not undo that:
    // the transaction's outcome is known, and the request resolves with it when the socket closes.
    if (request === undefined || (fatal && ended(request))) return;
    request.error ??= error;
  }

  private onReady(status: string): void {
    this.transactionStatus = status;
    if (this.state === 'connecting') {
      const unfit = this.attempts?.unfit(this.serverParameters, this.where);
      if (unfit !== undefined) {
        // The socket closes, and nextTarget moves on to the next server in the list.
        this.closeWith(unfit);
        return;
      }
      this.markReady();
      const waiting = this.waiting;
      this.waiting = [];
      for (const request of waiting) this.send(request);
      if (waiting.length === 0) this.events.idle(this);
      return;
    }
    const request = this.queue[0];
    if (request === undefined) throw new OutOfStep('ReadyForQuery with no request waiting');
    if (request.error === undefined && request.step !== Step.Complete) throw new OutOfStep('ReadyForQuery before the statement completed');
    this.queue.shift();
    this.watchAnswered(this.queue.length);
    if (request.error === undefined) {
      request.resolve({ rows: request.rows, affected: request.affected, command: request.command });
    } else {
      this.fail(request, status);
    }
    if (this.queue.length === 0) this.events.idle(this);
  }

  private fail(request: Request, status: string): void {
    const statement = request.statement;
    if (request.prepares && request.step === Step.Sent) statement.failed = request.error;
    // Pipelined behind a Parse that failed: that failure is the answer, not "does not exist".
    const error = statement.failed ?? request.error!;
    const stale = statement.failed === undefined && error instanceof PostgresServerError && STALE_STATEMENT_ROUTINES.has(error.routine ?? '');
    if (statement.failed !== undefined || stale) {
      // The server does not hold this statement (or holds a stale one): parse it afresh next time.
      if (this.statements.get(request.sql) === statement) {
        this.statements.delete(request.sql);
        if (stale) this.writer.closeStatement(statement.name);
      }
    }
    // Run again only outside a transaction block and when nothing was sent after it, so the
    // retry cannot overtake a later request.
    if (stale && !request.retried && status === 'I' && this.queue.length === 0) {
      request.retried = true;
      request.error = undefined;
      request.rows = [];
      request.prepares = false;
      request.step = Step.Sent;
      this.send(request);
      return;
    }
    request.reject(error);
  }

  private onAuthentication(buffer: Buffer, start: number, end: number): void {
    try {
      const answer = this.authentication.step(buffer, start, end);
      if (answer !== undefined) this.socket.write(answer);
    } catch (error) {
      this.closeReason = error as Error;
      this.socket.destroy();
    }
  }

  protected override rejectAll(reason: Error): void {
    const requests = [...this.queue.splice(0), ...this.waiting.splice(0)];
    for (const request of requests) {
      // COMMIT answered by CommandComplete before the connection went: committed, whatever came after.
      if (request.error === undefined && ended(request)) request.resolve({ rows: request.rows, affected: request.affected, command: request.command });
      // A statement the server answered with an error before closing (its FATAL) keeps that error.
      else request.reject(request.error ?? reason);
    }
  }
}
