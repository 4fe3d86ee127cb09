/**
 * MySQL/MariaDB password authentication: mysql_native_password (MariaDB's default, MySQL 5.7's)
 * and caching_sha2_password (MySQL 8's), whose full exchange sends the password encrypted with
 * the server's RSA key when the connection is not TLS. Pure functions, checked in unit tests.
 */
import { constants, createHash, publicEncrypt } from 'node:crypto';

const sha1 = (...parts: Buffer[]): Buffer => {
  const hash = createHash('sha1');
  for (const part of parts) hash.update(part);
  return hash.digest();
};

const sha256 = (...parts: Buffer[]): Buffer => {
  const hash = createHash('sha256');
  for (const part of parts) hash.update(part);
  return hash.digest();
};

function xor(a: Buffer, b: Buffer): Buffer {
  const out = Buffer.alloc(a.length);
  for (let i = 0; i < a.length; i++) out[i] = a[i]! ^ b[i % b.length]!;
  return out;
}

/** SHA1(password) XOR SHA1(scramble + SHA1(SHA1(password))); empty for no password. */
export function nativePassword(password: string, scramble: Buffer): Buffer {
  if (password === '') return Buffer.alloc(0);
  const stage1 = sha1(Buffer.from(password, 'utf8'));
  return xor(stage1, sha1(scramble, sha1(stage1)));
}

/** SHA256(password) XOR SHA256(SHA256(SHA256(password)) + scramble); empty for no password. */
export function cachingSha2Password(password: string, scramble: Buffer): Buffer {
  if (password === '') return Buffer.alloc(0);
  const stage1 = sha256(Buffer.from(password, 'utf8'));
  return xor(stage1, sha256(sha256(stage1), scramble));
}

/** The full caching_sha2_password answer: (password NUL) XOR scramble, RSA-OAEP encrypted with the server's key. */
export function rsaPassword(password: string, scramble: Buffer, publicKeyPem: string): Buffer {
  const plain = xor(Buffer.from(`${password}\0`, 'utf8'), scramble);
  return publicEncrypt({ key: publicKeyPem, padding: constants.RSA_PKCS1_OAEP_PADDING }, plain);
}

/** The answer a plugin expects to the scramble, or undefined for a plugin Terrapin does not speak. */
export function authResponse(plugin: string, password: string, scramble: Buffer): Buffer | undefined {
  if (plugin === 'mysql_native_password') return nativePassword(password, scramble);
  if (plugin === 'caching_sha2_password') return cachingSha2Password(password, scramble);
  if (plugin === 'mysql_clear_password') return Buffer.from(`${password}\0`, 'utf8');
  return undefined;
}
