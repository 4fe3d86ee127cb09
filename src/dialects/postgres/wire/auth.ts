/**
 * Password authentication: cleartext, MD5 and SCRAM-SHA-256 (RFC 5802 / 7677, without channel
 * binding), the methods PostgreSQL asks for. Pure functions, so the SCRAM exchange can be checked
 * against the RFC's example in a unit test.
 */
import { createHash, createHmac, pbkdf2Sync, randomBytes, timingSafeEqual } from 'node:crypto';

const md5 = (text: string | Buffer): string => createHash('md5').update(text).digest('hex');

/** The answer to AuthenticationMD5Password: md5(md5(password + user) + salt), hex, prefixed. */
export function md5Password(user: string, password: string, salt: Buffer): string {
  return `md5${md5(Buffer.concat([Buffer.from(md5(password + user)), salt]))}`;
}

export interface ScramExchange {
  /** client-first-message-bare ("n=…,r=…"). */
  readonly clientFirstBare: string;
  readonly nonce: string;
}

/** Starts an exchange. PostgreSQL takes the user from the start-up message, so `user` may be '*'. */
export function scramStart(user = '*', nonce = randomBytes(18).toString('base64')): ScramExchange {
  return { clientFirstBare: `n=${user.replace(/=/g, '=3D').replace(/,/g, '=2C')},r=${nonce}`, nonce };
}

const hmac = (key: Buffer, text: string): Buffer => createHmac('sha256', key).update(text).digest();

/** The client-final-message for the server's first message, and the server signature to expect. */
export function scramFinish(exchange: ScramExchange, password: string, serverFirst: string): { clientFinal: string; serverSignature: string } {
  const attributes = new Map(serverFirst.split(',').map((part) => [part[0]!, part.slice(2)] as const));
  const nonce = attributes.get('r');
  const salt = attributes.get('s');
  const iterations = Number(attributes.get('i'));
  if (nonce === undefined || !nonce.startsWith(exchange.nonce) || salt === undefined || !Number.isInteger(iterations) || iterations < 1) {
    throw new Error('PostgreSQL sent an invalid SCRAM-SHA-256 challenge');
  }
  const salted = pbkdf2Sync(password.normalize('NFKC'), Buffer.from(salt, 'base64'), iterations, 32, 'sha256');
  const clientKey = hmac(salted, 'Client Key');
  const storedKey = createHash('sha256').update(clientKey).digest();
  const withoutProof = `c=biws,r=${nonce}`;
  const authMessage = `${exchange.clientFirstBare},${serverFirst},${withoutProof}`;
  const signature = hmac(storedKey, authMessage);
  const proof = Buffer.alloc(clientKey.length);
  for (let i = 0; i < proof.length; i++) proof[i] = clientKey[i]! ^ signature[i]!;
  const serverSignature = hmac(hmac(salted, 'Server Key'), authMessage).toString('base64');
  return { clientFinal: `${withoutProof},p=${proof.toString('base64')}`, serverSignature };
}

/** Checks the server-final-message ("v=…"), which proves the server knew the password too. */
export function scramVerify(serverFinal: string, serverSignature: string): void {
  const match = /(?:^|,)v=([^,]*)/.exec(serverFinal);
  const expected = Buffer.from(serverSignature);
  const given = Buffer.from(match?.[1] ?? '');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
    throw new Error('PostgreSQL sent a SCRAM-SHA-256 server signature that does not match the password');
  }
}
