import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConfigurationError, Terrapin } from '../../src/index.js';
import { postgresClientOptions } from '../../src/dialects/postgres/client-options.js';

const configError = (message: string) => (error: unknown) => {
  assert.ok(error instanceof ConfigurationError, String(error));
  assert.equal(error.message, message);
  return true;
};

describe('PostgreSQL URL options', () => {
  it('keeps 1000 named statements per connection by default; prepare=false and statement_cache_size=0 keep none', () => {
    assert.equal(postgresClientOptions({}, 'default').statementCacheSize, 1000);
    assert.equal(postgresClientOptions({ prepare: 'false' }, 'default').statementCacheSize, 0);
    assert.equal(postgresClientOptions({ prepare: '0' }, 'default').statementCacheSize, 0);
    assert.equal(postgresClientOptions({ prepare: 'true' }, 'default').statementCacheSize, 1000);
    assert.equal(postgresClientOptions({ statement_cache_size: '0' }, 'default').statementCacheSize, 0);
    assert.equal(postgresClientOptions({ statement_cache_size: '50' }, 'default').statementCacheSize, 50);
    assert.equal(postgresClientOptions({ prepare: 'false', statement_cache_size: '0' }, 'default').statementCacheSize, 0);
  });

  it('sends the other options to the server as start-up parameters, not the TLS or client settings', () => {
    assert.deepEqual(postgresClientOptions({ application_name: 'app', sslmode: 'require', sslrootcert: '/ca.pem', prepare: 'false', statement_timeout: '5s' }, 'default').parameters, {
      application_name: 'app',
      statement_timeout: '5s',
    });
  });

  it('refuses a value it cannot use, naming the connection', () => {
    assert.throws(() => postgresClientOptions({ prepare: 'sometimes' }, 'replica'), configError("connection 'replica': 'prepare' must be true or false, got 'sometimes'."));
    assert.throws(
      () => postgresClientOptions({ statement_cache_size: '-1' }, 'default'),
      configError("connection 'default': 'statement_cache_size' must be a whole number ≥ 0 (0 for no named statements, as behind PgBouncer in transaction mode), got '-1'."),
    );
    assert.throws(
      () => postgresClientOptions({ prepare: 'false', statement_cache_size: '10' }, 'default'),
      configError("connection 'default': prepare=false and statement_cache_size=10 contradict each other; keep one (prepare=false is statement_cache_size=0)."),
    );
  });

  it('Terrapin.init refuses a bad client option before it opens any connection', async () => {
    // Nothing listens on port 1: init fails on the option, not on connecting.
    await assert.rejects(Terrapin.init({ dbUrl: 'postgres://u@127.0.0.1:1/db?prepare=perhaps', modules: { models: [] } }), configError("connection 'default': 'prepare' must be true or false, got 'perhaps'."));
  });
});

describe('MySQL URL options', () => {
  it('Terrapin.init refuses an option the MySQL client does not have, instead of ignoring it', async () => {
    await assert.rejects(
      Terrapin.init({ dbUrl: 'mysql://root@127.0.0.1:1/db?prepare=false', modules: { models: [] } }),
      configError(
        "connection 'default': the MySQL client has no URL option 'prepare'. It takes ssl, sslmode, sslrootcert and the pool's (minsize, maxsize, idle_timeout, connect_timeout, acquire_timeout); session variables belong in the server configuration.",
      ),
    );
  });
});
