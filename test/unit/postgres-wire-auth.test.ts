/**
 * The PostgreSQL client's password exchanges (src/dialects/postgres/wire/auth.ts). The test server
 * trusts local connections and never asks for a password, so these check the exchanges against
 * published values: RFC 7677's SCRAM-SHA-256 example, and the MD5 answer as libpq computes it.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { md5Password, scramFinish, scramStart, scramVerify } from '../../src/dialects/postgres/wire/auth.js';

describe('PostgreSQL password authentication', () => {
  it('SCRAM-SHA-256 computes RFC 7677 section 3 exactly', () => {
    const exchange = scramStart('user', 'rOprNGfwEbeRWgbNEkqO');
    assert.equal(exchange.clientFirstBare, 'n=user,r=rOprNGfwEbeRWgbNEkqO');
    const serverFirst = 'r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096';
    const { clientFinal, serverSignature } = scramFinish(exchange, 'pencil', serverFirst);
    assert.equal(clientFinal, 'c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=');
    assert.doesNotThrow(() => scramVerify('v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=', serverSignature));
  });

  it('SCRAM-SHA-256 refuses a server that does not prove the password, or changes the nonce', () => {
    const exchange = scramStart('user', 'rOprNGfwEbeRWgbNEkqO');
    const { serverSignature } = scramFinish(exchange, 'pencil', 'r=rOprNGfwEbeRWgbNEkqOabc,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096');
    assert.throws(() => scramVerify('v=AAAAbBi23WpRR/wt3+mw0+YvsaSMtyvw1DR6GqwHJc=', serverSignature), /server signature that does not match/);
    assert.throws(() => scramFinish(exchange, 'pencil', 'r=someoneElse,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096'), /invalid SCRAM-SHA-256 challenge/);
  });

  it("MD5 answers 'md5' + md5(md5(password + user) + salt), in hex", () => {
    // Computed once outside Terrapin with the formula of PostgreSQL's protocol documentation.
    assert.equal(md5Password('alice', 'secret', Buffer.from([1, 2, 3, 4])), 'md598a0412b9c31436fc53776e863350083');
  });
});
