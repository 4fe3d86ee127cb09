/**
 * The connection phase of the MySQL protocol: the server's greeting, the client's handshake
 * response, and the authentication exchange (a switch to another plugin, caching_sha2_password's
 * fast and full paths) until the server accepts. Errors are the connection's to handle.
 */
import type { TlsSettings } from '../../../execution/tls-settings.js';
import { authResponse, rsaPassword } from './auth.js';
import { PayloadCursor, type PacketWriter } from './packets.js';

const CLIENT = {
  LONG_PASSWORD: 0x1,
  FOUND_ROWS: 0x2, // UPDATE counts the rows it matched, as PostgreSQL and SQLite do
  LONG_FLAG: 0x4,
  CONNECT_WITH_DB: 0x8,
  PROTOCOL_41: 0x200,
  SSL: 0x800,
  TRANSACTIONS: 0x2000,
  SECURE_CONNECTION: 0x8000,
  MULTI_RESULTS: 0x20000,
  PS_MULTI_RESULTS: 0x40000,
  PLUGIN_AUTH: 0x80000,
  PLUGIN_AUTH_LENENC_CLIENT_DATA: 0x200000,
};
const UTF8MB4_BIN = 46;

export interface Credentials {
  readonly user: string;
  readonly password: string;
  readonly database: string;
  readonly host: string;
  readonly tls?: TlsSettings;
}

/** After the greeting, when TLS was agreed: send `sslRequest`, start TLS, then send `response()`. */
export interface TlsUpgrade {
  readonly sslRequest: Buffer;
}

export class MysqlHandshake {
  private scramble: Buffer | undefined;
  private plugin = 'mysql_native_password';
  private flags = 0;

  constructor(
    private readonly credentials: Credentials,
    private readonly writer: PacketWriter,
  ) {}

  /** The reply a handshake packet calls for, a TLS upgrade, nothing, or 'done' once the server has accepted. */
  step(payload: Buffer, start: number, end: number, sequence: number): Buffer | TlsUpgrade | 'done' | undefined {
    if (this.scramble === undefined) return this.greeting(new PayloadCursor(payload, start, end));
    const first = payload[start]!;
    if (first === 0x00) return 'done';
    if (first === 0xfe) {
      // AuthSwitchRequest: another plugin, a fresh scramble.
      const cursor = new PayloadCursor(payload, start + 1, end);
      this.plugin = cursor.cstring();
      this.scramble = Buffer.from(payload.subarray(cursor.at, payload[end - 1] === 0 ? end - 1 : end));
      return this.writer.begin(sequence + 1).bytes(this.answer()).end().take();
    }
    if (first === 0x01) {
      // AuthMoreData (caching_sha2_password): 3 = cached, OK follows; 4 = full authentication.
      const data = payload[start + 1];
      if (end - start === 2 && data === 0x03) return undefined;
      if (end - start === 2 && data === 0x04) return this.writer.begin(sequence + 1).int8(0x02).end().take(); // ask for the RSA key
      const pem = payload.toString('latin1', start + 1, end);
      return this.writer.begin(sequence + 1).bytes(rsaPassword(this.credentials.password, this.scramble, pem)).end().take();
    }
    throw new Error(`unexpected packet 0x${first.toString(16)} during authentication`);
  }

  private answer(): Buffer {
    const response = authResponse(this.plugin, this.credentials.password, this.scramble!);
    if (response === undefined) {
      throw new Error(`the server asks for authentication plugin '${this.plugin}', which Terrapin does not support (use mysql_native_password or caching_sha2_password)`);
    }
    return response;
  }

  /** Reads the server's greeting (protocol 10): HandshakeResponse41 to send, or first TLS. */
  private greeting(cursor: PayloadCursor): Buffer | TlsUpgrade {
    const protocol = cursor.int8();
    if (protocol !== 10) throw new Error(`unsupported protocol version ${protocol}`);
    cursor.cstring(); // server version
    cursor.at += 4; // connection id
    const part1 = cursor.buffer.subarray(cursor.at, cursor.at + 8);
    cursor.at += 9;
    let capabilities = cursor.int16();
    cursor.at += 3; // charset, status
    capabilities |= cursor.int16() << 16;
    const authLength = cursor.int8();
    cursor.at += 10;
    const part2Length = Math.max(13, authLength - 8);
    const part2 = cursor.buffer.subarray(cursor.at, cursor.at + part2Length - 1);
    cursor.at += part2Length;
    if (capabilities & CLIENT.PLUGIN_AUTH && cursor.at < cursor.end) this.plugin = cursor.cstring();
    this.scramble = Buffer.concat([part1, part2]);
    const { database } = this.credentials;
    let flags =
      CLIENT.LONG_PASSWORD | CLIENT.FOUND_ROWS | CLIENT.LONG_FLAG | CLIENT.PROTOCOL_41 | CLIENT.TRANSACTIONS | CLIENT.SECURE_CONNECTION |
      CLIENT.MULTI_RESULTS | CLIENT.PS_MULTI_RESULTS | CLIENT.PLUGIN_AUTH | CLIENT.PLUGIN_AUTH_LENENC_CLIENT_DATA;
    if (database) flags |= CLIENT.CONNECT_WITH_DB;
    flags &= capabilities | CLIENT.FOUND_ROWS | CLIENT.LONG_PASSWORD;
    const tls = this.credentials.tls;
    if (tls !== undefined && capabilities & CLIENT.SSL) {
      this.flags = flags | CLIENT.SSL;
      // SSLRequest: the first fields of the response, after which both sides start TLS.
      return { sslRequest: this.writer.begin(1).int32(this.flags).int32(0x1000000).int8(UTF8MB4_BIN).zeros(23).end().take() };
    }
    if (tls !== undefined && tls.mode !== 'prefer') throw new Error(`the server at ${this.credentials.host} does not accept TLS connections (sslmode=${tls.mode})`);
    this.flags = flags;
    return this.response(1);
  }

  /** HandshakeResponse41 with the flags the greeting settled (sequence 2 after an SSLRequest). */
  response(sequence: number): Buffer {
    const { user, database } = this.credentials;
    const flags = this.flags;
    const answer = this.answer();
    const writer = this.writer.begin(sequence).int32(flags).int32(0x1000000).int8(UTF8MB4_BIN).zeros(23).cstring(user);
    if (flags & CLIENT.PLUGIN_AUTH_LENENC_CLIENT_DATA) writer.lenenc(answer.length).bytes(answer);
    else writer.int8(answer.length).bytes(answer);
    if (flags & CLIENT.CONNECT_WITH_DB) writer.cstring(database);
    if (flags & CLIENT.PLUGIN_AUTH) writer.cstring(this.plugin);
    return writer.end().take();
  }
}
