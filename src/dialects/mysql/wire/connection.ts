/**
 * One MySQL/MariaDB connection speaking the binary protocol of prepared statements. Each
 * statement text is prepared once per connection (up to 256, the oldest closed beyond), then run
 * with COM_STMT_EXECUTE only. Commands are pipelined: they go out as soon as they are made (one
 * socket write per tick) and the server answers them in order. A statement's first use waits for
 * its PREPARE to be answered, and holds the requests made after it, so the server always runs
 * requests in the order they were made.
 */
import { connect as tlsConnect } from 'node:tls';
import { secureOptions, type TlsSettings } from '../../../execution/tls-settings.js';
import type { PoolEvents } from '../../../execution/connection-pool.js';
import { ConnectionError, SocketConnection, type ServerLogin } from '../../../execution/socket-connection.js';
import { parameterType, readBinaryRow, readColumn, writeParameter, type Column } from './binary-values.js';
import { MysqlHandshake } from './handshake.js';
import type { HostAndPort } from '../../../config/db-url.js';
import { PacketReader, PacketWriter, PayloadCursor } from './packets.js';

export interface MysqlConnectOptions extends ServerLogin {
  /** Statements run once on each new connection before anything else (session settings). */
  readonly initStatements: readonly string[];
  /**
   * Every server to try, in order (a URL listing several, e.g. Galera nodes); `host` and `port`
   * when absent. A connection stays on the first that accepts it and runs the session settings.
   */
  readonly hosts?: readonly HostAndPort[];
}

export interface MysqlResult {
  readonly rows: unknown[][];
  readonly affected: number;
  readonly insertId: number | bigint | undefined;
}

/** An ERR packet: the server's error number, SQLSTATE and message. */
export class MysqlServerError extends Error {
  constructor(
    readonly errno: number,
    readonly sqlState: string,
    message: string,
  ) {
    super(message);
    this.name = 'MysqlServerError';
  }
}

export { ConnectionError };

interface Statement {
  readonly sql: string;
  id: number;
  paramCount: number;
  /**
   * Positions where the server expects an integer (MySQL 8 describes `LIMIT ?` so; MariaDB
   * describes every parameter as untyped). A whole number goes there as BIGINT, not DOUBLE,
   * which MySQL 8 refuses for LIMIT.
   */
  integerParams: boolean[];
}

interface Request {
  readonly sql: string;
  readonly params: readonly unknown[];
  readonly resolve: (result: MysqlResult) => void;
  readonly reject: (error: Error) => void;
}

type Command =
  | { readonly kind: 'query'; readonly done: (error?: Error) => void }
  | { readonly kind: 'prepare'; readonly request: Request; readonly statement: Statement }
  | { readonly kind: 'execute'; readonly request: Request };

const COM_QUIT = 0x01;
const COM_QUERY = 0x03;
const COM_STMT_PREPARE = 0x16;
const COM_STMT_EXECUTE = 0x17;
const COM_STMT_CLOSE = 0x19;

const SERVER_STATUS_IN_TRANS = 0x1;
const SERVER_MORE_RESULTS_EXISTS = 0x8;
const MAX_STATEMENTS = 256;

/**
 * Errors after which the server closes the session: a packet over max_allowed_packet, the
 * connection killed, the server shutting down, MySQL 8's idle disconnect.
 */
export const CONNECTION_ENDING_ERRORS: ReadonlySet<number> = new Set([1153, 1927, 1053, 4031]);

/** TINYINT, SMALLINT, INT, BIGINT, MEDIUMINT. */
const INTEGER_TYPES = new Set([0x01, 0x02, 0x03, 0x08, 0x09]);

const isEof = (payload: Buffer, start: number, end: number): boolean => payload[start] === 0xfe && end - start < 9;

/**
 * Server errors at connection time after which the next host is worth trying: too many
 * connections (1040), the server shutting down (1053), a Galera node not in the primary component
 * (1047, "WSREP has not yet prepared node for application use").
 */
const TRY_NEXT_HOST_ERRNOS: ReadonlySet<number> = new Set([1040, 1047, 1053]);

export class MysqlConnection extends SocketConnection<MysqlResult, MysqlConnection> {
  private readonly writer = new PacketWriter();
  private handshake: MysqlHandshake;
  private reader = new PacketReader((payload, start, end, sequence) => this.onPayload(payload, start, end, sequence));
  /** Commands sent and not yet fully answered, oldest first. */
  private readonly commands: Command[] = [];
  /** Made before the connection was ready. */
  private waiting: Request[] = [];
  /** Made while a PREPARE was unanswered: they go out, in order, once it is. */
  private blocked: Request[] | undefined;
  private readonly statements = new Map<string, Statement>();
  private broken = false;
  // The answer being read for the command at the head of `commands`.
  private phase: 'first' | 'params' | 'paramsEof' | 'columns' | 'columnsEof' | 'rows' = 'first';
  private remaining = 0;
  private columns: Column[] = [];
  private rows: unknown[][] = [];
  /** Result sets already read for the head command (a CALL can return several). */
  private resultSets = 0;
  private prepared: { id: number; columns: number; params: number } | undefined;

  constructor(
    private readonly options: MysqlConnectOptions,
    events: PoolEvents<MysqlConnection>,
  ) {
    super(options, events);
    this.handshake = new MysqlHandshake(options, this.writer);
    // The server speaks first (its greeting).
    this.listen(this.socket);
  }

  /** Which of options.hosts this connection is on (or trying). */
  private hostIndex = 0;
  /** Why each host tried so far was not used, for the error when none is. */
  private readonly hostFailures: string[] = [];

  protected override nextTarget(reason: Error): { host: string; port: number; connectTimeoutMs: number; queryTimeoutMs?: number } | undefined {
    const hosts = this.options.hosts;
    if (hosts === undefined || hosts.length < 2) return undefined;
    // A refusal every server would repeat (a wrong password, an unknown database) ends the search.
    if (reason instanceof MysqlServerError && !TRY_NEXT_HOST_ERRNOS.has(reason.errno)) return undefined;
    this.hostFailures.push(`${this.where}: ${reason.message}`);
    if (++this.hostIndex >= hosts.length) {
      reason.message = `no host of the URL took the connection (${this.hostFailures.join('; ')})`;
      return undefined;
    }
    const { host, port } = hosts[this.hostIndex]!;
    return { host, port, connectTimeoutMs: this.options.connectTimeoutMs, queryTimeoutMs: this.options.queryTimeoutMs ?? 0 };
  }

  protected override restarted(): void {
    // The next server starts from its greeting: nothing of the last attempt carries over.
    this.reader = new PacketReader((payload, start, end, sequence) => this.onPayload(payload, start, end, sequence));
    this.handshake = new MysqlHandshake(this.options, this.writer);
    this.commands.length = 0;
    this.phase = 'first';
    this.remaining = 0;
    this.columns = [];
    this.rows = [];
    this.resultSets = 0;
    this.prepared = undefined;
    this.writer.reset(0);
    this.listen(this.socket);
  }

  protected override takeWrites(): Buffer {
    return this.writer.take();
  }

  protected override farewell(): Buffer {
    return this.writer.begin().int8(COM_QUIT).end().take();
  }

  protected override onData(chunk: Buffer): void {
    this.reader.push(chunk);
  }

  /** After the SSLRequest: the same socket carries TLS from here, and the handshake goes on inside it. */
  private startTls(settings: TlsSettings): void {
    const { host } = this.options;
    this.pauseReading();
    const secure = tlsConnect({ socket: this.socket, ...secureOptions(host, settings) });
    const failed = (error: Error): void => {
      this.closeWith(new ConnectionError(`TLS with ${host} failed: ${error.message}`, 'TLS_FAILED', { cause: error }));
      secure.destroy();
    };
    secure.once('error', failed);
    secure.once('secureConnect', () => {
      // From here the stream's errors are the connection's (listen), not a failed negotiation.
      secure.removeListener('error', failed);
      this.listen(secure);
      secure.write(this.handshake.response(2));
    });
  }

  override get pending(): number {
    return this.commands.length + this.waiting.length + (this.blocked?.length ?? 0);
  }

  override query(sql: string, params: readonly unknown[]): Promise<MysqlResult> {
    return new Promise<MysqlResult>((resolve, reject) => {
      const refusal = this.refusal(params, 'MySQL');
      if (refusal !== undefined) {
        reject(refusal);
        return;
      }
      const request: Request = { sql, params, resolve, reject };
      if (this.state === 'ready') this.send(request);
      else this.waiting.push(request);
    });
  }

  private send(request: Request): void {
    if (this.blocked !== undefined) {
      this.blocked.push(request);
      return;
    }
    const statement = this.statements.get(request.sql);
    if (statement !== undefined) {
      this.execute(request, statement);
      return;
    }
    if (this.statements.size >= MAX_STATEMENTS) {
      const [oldestSql, oldest] = this.statements.entries().next().value as [string, Statement];
      this.statements.delete(oldestSql);
      this.writer.begin().int8(COM_STMT_CLOSE).int32(oldest.id).end();
    }
    this.writer.begin().int8(COM_STMT_PREPARE).rest(request.sql).end();
    this.commands.push({ kind: 'prepare', request, statement: { sql: request.sql, id: 0, paramCount: 0, integerParams: [] } });
    this.watchSent();
    this.blocked = [];
    this.scheduleFlush();
  }

  /** COM_STMT_EXECUTE; all or nothing, as a half-written command would desynchronise the connection. */
  private execute(request: Request, statement: Statement): void {
    const { params } = request;
    if (params.length !== statement.paramCount) {
      request.reject(new RangeError(`the statement has ${statement.paramCount} placeholders but ${params.length} parameters were given: ${request.sql.slice(0, 80)}`));
      return;
    }
    const writer = this.writer;
    const mark = writer.mark();
    try {
      writer.begin().int8(COM_STMT_EXECUTE).int32(statement.id).int8(0).int32(1);
      if (params.length > 0) {
        const types = params.map((value, i) => (statement.integerParams[i] === true && Number.isSafeInteger(value) ? 0x08 : parameterType(value)));
        const bitmap = Buffer.alloc((params.length + 7) >> 3);
        for (let i = 0; i < params.length; i++) if (types[i] === 0x06) bitmap[i >> 3]! |= 1 << (i & 7);
        writer.bytes(bitmap).int8(1);
        for (const type of types) writer.int16(type);
        for (let i = 0; i < params.length; i++) if (types[i] !== 0x06) writeParameter(writer, params[i], types[i]!);
      }
      writer.end();
    } catch (error) {
      writer.reset(mark);
      request.reject(error as Error);
      return;
    }
    this.commands.push({ kind: 'execute', request });
    this.watchSent();
    this.scheduleFlush();
  }

  private onPayload(payload: Buffer, start: number, end: number, sequence: number): void {
    // After an unreadable answer the rest of the stream cannot be trusted (see the catch below).
    if (this.broken) return;
    try {
      if (this.state === 'connecting' && this.commands.length === 0) this.onHandshake(payload, start, end, sequence);
      else this.onAnswer(payload, start, end);
    } catch (error) {
      const head = this.commands[0];
      if (head !== undefined && head.kind !== 'query') head.request.reject(error as Error);
      this.broken = true;
      this.closeWith(new ConnectionError(`could not read the server's answer (${(error as Error).message})`, 'CONNECTION_PROTOCOL', { cause: error }));
    }
  }

  private serverError(payload: Buffer, start: number, end: number): MysqlServerError {
    const cursor = new PayloadCursor(payload, start + 1, end);
    const errno = cursor.int16();
    let sqlState = 'HY000';
    if (payload[cursor.at] === 0x23) {
      sqlState = payload.toString('latin1', cursor.at + 1, cursor.at + 6);
      cursor.at += 6;
    }
    const error = new MysqlServerError(errno, sqlState, cursor.restString());
    if (CONNECTION_ENDING_ERRORS.has(errno)) {
      // The server closes the session after these: take no more requests, before anyone can
      // react to this error with another statement on the dying connection.
      this.closeReason ??= error;
      this.stopTakingRequests();
      setImmediate(() => this.socket.destroy());
    }
    return error;
  }

  // ---- connecting: greeting, authentication, session settings ----

  private onHandshake(payload: Buffer, start: number, end: number, sequence: number): void {
    if (payload[start] === 0xff) {
      this.closeReason = this.serverError(payload, start, end);
      this.socket.destroy();
      return;
    }
    const reply = this.handshake.step(payload, start, end, sequence);
    if (reply === 'done') {
      this.afterAuthentication();
    } else if (reply !== undefined && 'sslRequest' in reply) {
      this.socket.write(reply.sslRequest);
      this.startTls(this.options.tls!);
    } else if (reply !== undefined) {
      this.socket.write(reply);
    }
  }

  private afterAuthentication(): void {
    const statements = this.options.initStatements;
    let left = statements.length;
    const done = (error?: Error): void => {
      if (error !== undefined) {
        this.closeReason = error;
        this.socket.destroy();
        return;
      }
      if (--left > 0) return;
      this.markReady();
      const waiting = this.waiting;
      this.waiting = [];
      for (const request of waiting) this.send(request);
      if (this.pending === 0) this.events.idle(this);
    };
    if (left === 0) {
      left = 1;
      done();
      return;
    }
    for (const sql of statements) {
      this.writer.begin().int8(COM_QUERY).rest(sql).end();
      this.commands.push({ kind: 'query', done });
    }
    this.socket.write(this.writer.take());
  }

  // ---- answers to commands ----

  private onAnswer(payload: Buffer, start: number, end: number): void {
    const command = this.commands[0];
    const first = payload[start]!;
    // Rows first: they are most of the packets of a large read.
    if (this.phase === 'rows' && first === 0x00 && command?.kind === 'execute' && this.resultSets === 0) {
      this.rows.push(readBinaryRow(payload, start + 1, this.columns));
      return;
    }
    if (command === undefined) {
      // Unasked: the server saying why it is about to close the connection (KILL, a timeout).
      if (first === 0xff) this.closeReason ??= this.serverError(payload, start, end);
      return;
    }
    if (this.phase === 'first') {
      if (first === 0xff) {
        this.finish(this.serverError(payload, start, end));
        return;
      }
      if (command.kind === 'prepare') {
        if (first !== 0x00) throw new Error(`unexpected answer 0x${first.toString(16)} to PREPARE`);
        const cursor = new PayloadCursor(payload, start + 1, end);
        this.prepared = { id: cursor.int32(), columns: cursor.int16(), params: cursor.int16() };
        this.remaining = this.prepared.params;
        this.phase = 'params';
        this.skipEmptyDefinitions();
        return;
      }
      if (first === 0x00) {
        const cursor = new PayloadCursor(payload, start + 1, end);
        const affected = cursor.lenenc();
        const insertId = cursor.lenencExact();
        this.transactionStatus = cursor.int16() & SERVER_STATUS_IN_TRANS ? 'T' : 'I';
        this.finish(undefined, affected, insertId);
        return;
      }
      // A result set: column count, definitions, EOF, rows, EOF.
      this.remaining = new PayloadCursor(payload, start, end).lenenc();
      this.columns = [];
      this.phase = 'columns';
      return;
    }
    if (this.phase === 'params' || this.phase === 'columns') {
      if (command.kind === 'prepare') {
        if (this.phase === 'params') command.statement.integerParams.push(INTEGER_TYPES.has(readColumn(new PayloadCursor(payload, start, end)).type));
        this.remaining--;
        if (this.remaining === 0) this.phase = this.phase === 'params' ? 'paramsEof' : 'columnsEof';
        return;
      }
      this.columns.push(readColumn(new PayloadCursor(payload, start, end)));
      if (--this.remaining === 0) this.phase = 'columnsEof';
      return;
    }
    if (this.phase === 'paramsEof') {
      this.remaining = this.prepared!.columns;
      this.phase = 'columns';
      if (this.remaining === 0) this.finish();
      return;
    }
    if (this.phase === 'columnsEof') {
      if (command.kind === 'prepare') this.finish();
      else this.phase = 'rows';
      return;
    }
    // rows
    if (isEof(payload, start, end)) {
      const status = payload.readUInt16LE(start + 3);
      this.transactionStatus = status & SERVER_STATUS_IN_TRANS ? 'T' : 'I';
      if (status & SERVER_MORE_RESULTS_EXISTS) {
        // A further result set (CALL): it is read, and only the first one's rows are kept.
        this.phase = 'first';
        this.resultSets++;
        return;
      }
      this.finish(undefined, this.rows.length);
      return;
    }
    if (first === 0xff) {
      this.finish(this.serverError(payload, start, end));
      return;
    }
    if (command.kind === 'execute' && this.resultSets === 0) this.rows.push(readBinaryRow(payload, start + 1, this.columns));
  }

  /** After a PREPARE's header: parameter and column definitions that are absent are skipped. */
  private skipEmptyDefinitions(): void {
    if (this.remaining > 0) return;
    this.remaining = this.prepared!.columns;
    this.phase = 'columns';
    if (this.remaining === 0) this.finish();
  }

  /** The head command is answered: settle it, then the next command's answer begins. */
  private finish(error?: Error, affected = 0, insertId: number | bigint = 0): void {
    const command = this.commands.shift()!;
    this.watchAnswered(this.commands.length);
    const rows = this.rows;
    this.phase = 'first';
    this.rows = [];
    this.columns = [];
    this.resultSets = 0;
    if (command.kind === 'query') {
      command.done(error);
    } else if (command.kind === 'prepare') {
      this.prepareAnswered(command.request, command.statement, error);
    } else if (error !== undefined) {
      command.request.reject(error);
    } else {
      command.request.resolve({ rows, affected, insertId: insertId === 0 || insertId === 0n ? undefined : insertId });
    }
    if (this.state === 'ready' && this.pending === 0) this.events.idle(this);
  }

  private prepareAnswered(request: Request, statement: Statement, error: Error | undefined): void {
    const prepared = this.prepared;
    this.prepared = undefined;
    if (error === undefined && prepared !== undefined) {
      statement.id = prepared.id;
      statement.paramCount = prepared.params;
      this.statements.set(statement.sql, statement);
      this.blocked ??= [];
      const held = this.blocked;
      this.blocked = undefined;
      this.execute(request, statement);
      for (const next of held) this.send(next);
      return;
    }
    request.reject(error ?? new Error('PREPARE failed'));
    const held = this.blocked ?? [];
    this.blocked = undefined;
    for (const next of held) this.send(next);
  }

  protected override rejectAll(reason: Error): void {
    const commands = this.commands.splice(0);
    const requests = [...this.waiting.splice(0), ...(this.blocked ?? [])];
    this.blocked = undefined;
    for (const command of commands) {
      if (command.kind === 'query') command.done(reason);
      else command.request.reject(reason);
    }
    for (const request of requests) request.reject(reason);
  }
}
