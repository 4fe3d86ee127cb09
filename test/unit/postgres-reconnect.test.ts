/**
 * The PostgreSQL pool's reconnect delay (src/dialects/postgres/driver.ts). postgres.js's default
 * grows with 3^n over one retry count shared by the pool, so losing a few connections at once
 * (a server restart) made the next connection wait longer than a short acquire_timeout; the
 * integration side is test/integration/pools.test.ts ("a query started right after the kill").
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { reconnectDelay } from '../../src/dialects/postgres/driver.js';

describe('PostgreSQL reconnect delay', () => {
  it('stays well under the 0.5 s acquire_timeout of the tests after a pool of 4 is lost at once', () => {
    for (let retries = 0; retries <= 4; retries++) assert.ok(reconnectDelay(retries) <= 0.16, `retries ${retries}: ${reconnectDelay(retries)} s`);
  });

  it('grows with each failed attempt and stops at 2 s, so a down server is retried steadily', () => {
    for (let retries = 1; retries < 20; retries++) assert.ok(reconnectDelay(retries) >= reconnectDelay(retries - 1));
    assert.equal(reconnectDelay(20), 2);
    assert.equal(reconnectDelay(100), 2);
  });
});
