/**
 * The authentication exchange of a PostgreSQL connection: the server's Authentication* requests
 * (cleartext, MD5, SASL with SCRAM-SHA-256) and the client's answers. A failure is thrown as a
 * ConnectionError for the connection to close with.
 */
import { md5Password, scramFinish, scramStart, scramVerify, type ScramExchange } from './auth.js';
import { ConnectionError } from '../../../execution/socket-connection.js';
import type { MessageWriter } from './frontend.js';

export class PgAuthentication {
  private scram: { exchange: ScramExchange; serverSignature?: string; verified?: boolean } | undefined;

  constructor(
    private readonly user: string,
    private readonly password: string,
    private readonly writer: MessageWriter,
  ) {}

  /** The answer to an Authentication* message (the body from `start`), or undefined when none is due. */
  step(buffer: Buffer, start: number, end: number): Buffer | undefined {
    const kind = buffer.readInt32BE(start);
    if (kind === 0) {
      // AuthenticationOk. After SCRAM only once the server proved it knows the password too.
      if (this.scram !== undefined && !this.scram.verified) {
        throw new ConnectionError('PostgreSQL ended SCRAM-SHA-256 authentication without proving it knows the password', 'AUTH_FAILED');
      }
      return undefined;
    }
    try {
      return this.answer(kind, buffer, start, end);
    } catch (error) {
      throw error instanceof ConnectionError ? error : new ConnectionError((error as Error).message, 'AUTH_FAILED', { cause: error });
    }
  }

  private requirePassword(): string {
    if (this.password) return this.password;
    throw new ConnectionError(`the server asks user '${this.user}' for a password; give one in the URL (postgres://user:password@host/db)`, 'AUTH_PASSWORD_MISSING');
  }

  private answer(kind: number, buffer: Buffer, start: number, end: number): Buffer | undefined {
    switch (kind) {
      case 3: // cleartext
        return this.writer.password(this.requirePassword()).take();
      case 5: // MD5 with a 4-byte salt
        return this.writer.password(md5Password(this.user, this.requirePassword(), buffer.subarray(start + 4, start + 8))).take();
      case 10: {
        const mechanisms = buffer.toString('utf8', start + 4, end).split('\0');
        if (!mechanisms.includes('SCRAM-SHA-256')) throw new Error(`the server offers only ${mechanisms.filter(Boolean).join(', ')}, which Terrapin does not support`);
        this.requirePassword();
        const exchange = scramStart();
        this.scram = { exchange };
        return this.writer.saslInitial('SCRAM-SHA-256', `n,,${exchange.clientFirstBare}`).take();
      }
      case 11: {
        const { clientFinal, serverSignature } = scramFinish(this.scram!.exchange, this.password, buffer.toString('utf8', start + 4, end));
        this.scram!.serverSignature = serverSignature;
        return this.writer.saslResponse(clientFinal).take();
      }
      case 12:
        scramVerify(buffer.toString('utf8', start + 4, end), this.scram!.serverSignature!);
        this.scram!.verified = true;
        return undefined;
      default:
        throw new Error(`the server asks for authentication method ${kind}, which Terrapin does not support (use scram-sha-256, md5, password or trust)`);
    }
  }
}
