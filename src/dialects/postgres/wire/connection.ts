/**
 * One PostgreSQL connection speaking the extended query protocol. Each statement text is parsed
 * once per connection as a named statement (its result types described once), then run with
 * Bind/Execute/Sync only. Requests are pipelined: a request goes out as soon as it is made
 * (requests made in the same tick share one socket write) and the answers come back in order,
 * each ending with ReadyForQuery.
 */
import type { Socket } from 'node:net';
import { ConnectionError, SocketConnection, type ServerLogin } from '../../../execution/socket-connection.js';
import { messageReader, PostgresServerError, readCString, readErrorFields } from './backend.js';
import { negotiateTls } from './tls.js';

export { ConnectionError };
import { PgAuthentication } from './authentication.js';
import { MessageWriter } from './frontend.js';
import { decoderFor, encodeParameter, type Decoder, type WireValue } from './text-values.js';
import type { PoolEvents } from '../../../execution/connection-pool.js';

export interface ConnectOptions extends ServerLogin {
  /** Start-up parameters (run-time settings such as TimeZone). */
  readonly parameters: Readonly<Record<string, string>>;
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
  /** This request sent the Parse of its statement; `parsed` once the server confirmed it. */
  prepares: boolean;
  parsed: boolean;
  retried: boolean;
  rows: unknown[][];
  affected: number;
  command: string;
  error: Error | undefined;
}

/** Statements kept per connection; the oldest is closed on the server beyond this. */
const MAX_STATEMENTS = 1000;

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

export class WireConnection extends SocketConnection<QueryResult, WireConnection> {
  private readonly writer = new MessageWriter();
  private readonly authentication: PgAuthentication;
  private readonly reader = messageReader((type, buffer, start, end) => this.onMessage(type, buffer, start, end));
  /** Sent and waiting for their ReadyForQuery, oldest first. */
  private readonly queue: Request[] = [];
  /** Made before the connection was ready. */
  private waiting: Request[] = [];
  private readonly statements = new Map<string, Statement>();
  private statementCount = 0;
  private broken = false;

  constructor(
    private readonly options: ConnectOptions,
    events: PoolEvents<WireConnection>,
  ) {
    const { host, port } = options;
    const { connectTimeoutMs, queryTimeoutMs } = options;
    super({ host, port, connectTimeoutMs, queryTimeoutMs, ...(host.startsWith('/') ? { path: `${host}/.s.PGSQL.${port}` } : {}) }, events);
    this.authentication = new PgAuthentication(options.user, options.password, this.writer);
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
      const request: Request = { sql, values, resolve, reject, statement: undefined!, prepares: false, parsed: false, retried: false, rows: [], affected: 0, command: '', error: undefined };
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
    let statement = this.statements.get(request.sql);
    const added = statement === undefined;
    try {
      if (statement === undefined) {
        // The evicted statement is closed before the new Parse: were the Parse to fail, the server
        // would skip the rest of the block and keep the evicted statement for good.
        if (this.statements.size >= MAX_STATEMENTS) {
          const [oldestSql, oldest] = this.statements.entries().next().value as [string, Statement];
          this.statements.delete(oldestSql);
          writer.closeStatement(oldest.name);
        }
        statement = { name: `terrapin_${++this.statementCount}`, decoders: undefined };
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
      if (request !== undefined) request.error ??= error as Error;
      this.broken = true;
      this.closeWith(new ConnectionError(`could not read the server's answer (${(error as Error).message})`, 'CONNECTION_PROTOCOL', { cause: error }));
    }
  }

  private dispatch(type: number, buffer: Buffer, start: number, end: number): void {
    switch (type) {
      case 0x44: // DataRow
        this.onDataRow(buffer, start);
        return;
      case 0x43: { // CommandComplete
        const request = this.queue[0]!;
        request.affected = tagCount(buffer, start, end);
        const space = buffer.indexOf(0x20, start);
        request.command = buffer.toString('latin1', start, space === -1 || space > end - 1 ? end - 1 : space);
        return;
      }
      case 0x31: // ParseComplete
        this.queue[0]!.parsed = true;
        return;
      case 0x54: // RowDescription (of the statement being prepared)
        this.queue[0]!.statement.decoders = this.readDescription(buffer, start);
        return;
      case 0x6e: // NoData: the statement returns no rows
        this.queue[0]!.statement.decoders = [];
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
      // BindComplete, CloseComplete, ParameterDescription, EmptyQueryResponse, NoticeResponse,
      // NotificationResponse, ParameterStatus, BackendKeyData, PortalSuspended: nothing to do.
      default:
        return;
    }
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
      this.markReady();
      const waiting = this.waiting;
      this.waiting = [];
      for (const request of waiting) this.send(request);
      if (waiting.length === 0) this.events.idle(this);
      return;
    }
    const request = this.queue.shift()!;
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
    if (request.prepares && !request.parsed) statement.failed = request.error;
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
      request.prepares = request.parsed = false;
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
