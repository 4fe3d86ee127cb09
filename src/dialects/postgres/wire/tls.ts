/**
 * TLS for a PostgreSQL connection: the client asks with SSLRequest on the plain socket, the
 * server answers one byte ('S' yes, 'N' no), and on 'S' the same socket carries a TLS session
 * from then on (modes in src/execution/tls-settings.ts).
 */
import type { Socket } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import { secureOptions, type TlsSettings } from '../../../execution/tls-settings.js';
import { ConnectionError } from '../../../execution/socket-connection.js';

/** Int32 length 8, then the SSLRequest code 80877103. */
const SSL_REQUEST = Buffer.from([0, 0, 0, 8, 0x04, 0xd2, 0x16, 0x2f]);

/** Resolves with the socket to speak the protocol on: the TLS one, or the plain one when `prefer` meets a server without TLS. */
export function negotiateTls(raw: Socket, host: string, settings: TlsSettings): Promise<Socket> {
  return new Promise<Socket>((resolve, reject) => {
    raw.once('data', (answer: Buffer) => {
      if (answer.length === 1 && answer[0] === 0x4e) {
        if (settings.mode === 'prefer') resolve(raw);
        else reject(new ConnectionError(`the server at ${host} does not accept TLS connections (sslmode=${settings.mode})`, 'TLS_REFUSED'));
        return;
      }
      if (answer.length !== 1 || answer[0] !== 0x53) {
        reject(new ConnectionError(`the server at ${host} answered the TLS request with something else than yes or no`, 'TLS_FAILED'));
        return;
      }
      const secure = tlsConnect({ socket: raw, ...secureOptions(host, settings) });
      secure.once('secureConnect', () => resolve(secure));
      secure.once('error', (error) => reject(new ConnectionError(`TLS with ${host} failed: ${error.message}`, 'TLS_FAILED', { cause: error })));
    });
    raw.write(SSL_REQUEST);
  });
}
