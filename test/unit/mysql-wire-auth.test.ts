/**
 * The MySQL client's password answers (src/dialects/mysql/wire/auth.ts), checked the way the
 * server checks them: it stores a hash of the password, recovers the client's hash from the
 * answer and the scramble, and compares. mysql_native_password also runs against MariaDB in
 * test/integration/mysql-wire.test.ts; caching_sha2_password (MySQL 8) has no server here.
 */
import assert from 'node:assert/strict';
import { constants, createHash, generateKeyPairSync, privateDecrypt } from 'node:crypto';
import { describe, it } from 'node:test';
import { authResponse, cachingSha2Password, nativePassword, rsaPassword } from '../../src/dialects/mysql/wire/auth.js';

const hash = (algorithm: string, ...parts: Buffer[]): Buffer => {
  const h = createHash(algorithm);
  for (const part of parts) h.update(part);
  return h.digest();
};
const xor = (a: Buffer, b: Buffer): Buffer => Buffer.from(a.map((byte, i) => byte ^ b[i % b.length]!));
const scramble = Buffer.from('0123456789abcdefghij');

describe('MySQL password authentication', () => {
  it('mysql_native_password: the server recovers SHA1(password) and finds the stored SHA1(SHA1(password))', () => {
    const stored = hash('sha1', hash('sha1', Buffer.from('s3cret ü')));
    const recovered = xor(nativePassword('s3cret ü', scramble), hash('sha1', scramble, stored));
    assert.deepEqual(hash('sha1', recovered), stored);
    assert.notDeepEqual(hash('sha1', xor(nativePassword('other', scramble), hash('sha1', scramble, stored))), stored);
  });

  it('caching_sha2_password: the server recovers SHA256(password) and finds the stored SHA256(SHA256(password))', () => {
    const stored = hash('sha256', hash('sha256', Buffer.from('s3cret ü')));
    const recovered = xor(cachingSha2Password('s3cret ü', scramble), hash('sha256', stored, scramble));
    assert.deepEqual(hash('sha256', recovered), stored);
  });

  it('the full caching_sha2_password exchange: the password XOR scramble, readable only with the server key', () => {
    const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const sealed = rsaPassword('s3cret', scramble, publicKey.export({ type: 'spki', format: 'pem' }).toString());
    const opened = privateDecrypt({ key: privateKey, padding: constants.RSA_PKCS1_OAEP_PADDING }, sealed);
    assert.equal(xor(opened, scramble).toString(), 's3cret\0');
  });

  it('an empty password answers nothing; an unknown plugin is not answered', () => {
    assert.equal(nativePassword('', scramble).length, 0);
    assert.equal(cachingSha2Password('', scramble).length, 0);
    assert.equal(authResponse('client_ed25519', 'x', scramble), undefined);
  });
});
