import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConfigurationError, parseDbUrl } from '../../src/index.js';
import { connectionSettings } from '../../src/config/db-url.js';

function configError(message: RegExp) {
  return (error: unknown) => {
    assert.ok(error instanceof ConfigurationError, `expected ConfigurationError, got ${String(error)}`);
    assert.match((error as Error).message, message);
    return true;
  };
}

describe('parseDbUrl: SQLite', () => {
  it('takes relative, absolute and in-memory paths', () => {
    assert.equal(parseDbUrl('sqlite://db.sqlite3').path, 'db.sqlite3');
    assert.equal(parseDbUrl('sqlite://data/app.db').path, 'data/app.db');
    assert.equal(parseDbUrl('sqlite:///var/lib/app.db').path, '/var/lib/app.db');
    assert.equal(parseDbUrl('sqlite://:memory:').path, ':memory:');
    assert.equal(parseDbUrl('sqlite://my%20file.db').path, 'my file.db');
    const settings = parseDbUrl('SQLITE://db.sqlite3');
    assert.equal(settings.dialect, 'sqlite');
    assert.deepEqual(settings.pool, { min: 1, max: 1, idleTimeout: 60, connectTimeout: 10, acquireTimeout: 10, queryTimeout: 0 });
    assert.deepEqual(settings.options, {});
  });

  it('keeps query parameters as options, pool keys apart', () => {
    const settings = parseDbUrl('sqlite://db.sqlite3?journal_mode=WAL&connect_timeout=3');
    assert.deepEqual(settings.options, { journal_mode: 'WAL' });
    assert.equal(settings.pool.connectTimeout, 3);
  });

  it('refuses a URL without a path', () => {
    assert.throws(
      () => parseDbUrl('sqlite://'),
      configError(/connection 'default': the SQLite URL 'sqlite:\/\/' has no file path\. Use 'sqlite:\/\/db\.sqlite3' or 'sqlite:\/\/:memory:'/),
    );
    assert.throws(() => parseDbUrl('sqlite://?journal_mode=WAL'), configError(/has no file path/));
  });
});

describe('parseDbUrl: PostgreSQL and MySQL', () => {
  it('reads user, URL-encoded password, host, port and database', () => {
    const pg = parseDbUrl('postgres://alice:p%40ss%3Aw%2Frd@db.example.com:6543/shop');
    assert.equal(pg.dialect, 'postgres');
    assert.equal(pg.user, 'alice');
    assert.equal(pg.password, 'p@ss:w/rd');
    assert.equal(pg.host, 'db.example.com');
    assert.equal(pg.port, 6543);
    assert.equal(pg.database, 'shop');
    assert.equal(pg.path, '');
    const my = parseDbUrl('mysql://r%C3%A9mi:s%20ecret@10.0.0.5:3307/my%20db');
    assert.deepEqual([my.dialect, my.user, my.password, my.host, my.port, my.database], ['mysql', 'rémi', 's ecret', '10.0.0.5', 3307, 'my db']);
  });

  it('defaults the port per backend and the host to 127.0.0.1', () => {
    assert.equal(parseDbUrl('postgres://u@host/db').port, 5432);
    assert.equal(parseDbUrl('mysql://root@host/db').port, 3306);
    const bare = parseDbUrl('postgres:///db');
    assert.equal(bare.host, '127.0.0.1');
    assert.equal(bare.user, '');
    assert.equal(bare.password, '');
    assert.equal(parseDbUrl('mysql://root@[::1]:3307/x').host, '::1', 'IPv6 hosts lose their brackets');
  });

  it('accepts the scheme aliases', () => {
    for (const scheme of ['postgres', 'postgresql', 'asyncpg', 'psycopg']) {
      assert.equal(parseDbUrl(`${scheme}://u@h/d`).dialect, 'postgres', scheme);
    }
    for (const scheme of ['mysql', 'mariadb']) assert.equal(parseDbUrl(`${scheme}://u@h/d`).dialect, 'mysql', scheme);
  });

  it('reads pool parameters and keeps other parameters as options', () => {
    const settings = parseDbUrl('postgres://u@h/d?minsize=2&maxsize=20&idle_timeout=30&connect_timeout=2.5&acquire_timeout=4&application_name=api');
    assert.deepEqual(settings.pool, { min: 2, max: 20, idleTimeout: 30, connectTimeout: 2.5, acquireTimeout: 4, queryTimeout: 0 });
    assert.deepEqual(settings.options, { application_name: 'api' });
    assert.deepEqual(parseDbUrl('mysql://u@h/d?ssl=true').options, { ssl: 'true' });
    assert.throws(() => parseDbUrl('mysql://u@h/d?sslmode=always'), /^ConfigurationError: connection 'default': sslmode=always is not a TLS mode; use one of disable, allow, prefer, require, verify-ca, verify-full\.$/);
    assert.deepEqual(parseDbUrl('mysql://u@h/d?min_size=3&max_size=4').pool, { min: 3, max: 4, idleTimeout: 60, connectTimeout: 10, acquireTimeout: 10, queryTimeout: 0 });
    assert.equal(parseDbUrl('mysql://u@h/d?pool_size=7').pool.max, 7);
    assert.deepEqual(parseDbUrl('postgres://u@h/d').pool, { min: 1, max: 10, idleTimeout: 60, connectTimeout: 10, acquireTimeout: 10, queryTimeout: 0 });
    assert.equal(parseDbUrl('postgres://u@h/d?minsize=5&maxsize=2').pool.min, 2, 'min is capped at max');
  });
});

describe('parseDbUrl: bad values', () => {
  it('refuses bad pool values with ConfigurationError', () => {
    assert.throws(
      () => parseDbUrl('postgres://u@h/d?maxsize=abc'),
      configError(/connection 'default': 'maxsize' must be a non-negative whole number, got 'abc'/),
    );
    assert.throws(() => parseDbUrl('postgres://u@h/d?minsize=-1'), configError(/'minsize' must be a non-negative whole number, got '-1'/));
    assert.throws(() => parseDbUrl('postgres://u@h/d?maxsize=2.5'), configError(/'maxsize' must be a non-negative whole number, got '2\.5'/));
    assert.throws(() => parseDbUrl('postgres://u@h/d?maxsize='), configError(/'maxsize' must be a non-negative whole number, got ''/));
    assert.throws(() => parseDbUrl('mysql://u@h/d?idle_timeout=soon'), configError(/'idle_timeout' must be a non-negative number, got 'soon'/));
    assert.throws(() => parseDbUrl('postgres://u@h/d?maxsize=0'), configError(/the pool's maxsize must be at least 1, got 0/));
  });

  it('refuses unknown schemes, non-URLs and unparsable URLs, naming the connection', () => {
    assert.throws(
      () => parseDbUrl('oracle://u@h/d', 'reports'),
      configError(/^connection 'reports': unknown database scheme 'oracle'\. Use one of: sqlite:\/\/, postgres:\/\/, mysql:\/\//),
    );
    assert.throws(() => parseDbUrl('db.sqlite3'), configError(/'db\.sqlite3' is not a database URL\. Write it as scheme:\/\//));
    assert.throws(() => parseDbUrl(''), configError(/is not a database URL/));
    assert.throws(() => parseDbUrl('postgres://u@h:99999/d'), configError(/cannot parse the database URL 'postgres:\/\/u@h:99999\/d'/));
  });

  it('refuses malformed percent-encoding instead of throwing URIError', () => {
    assert.throws(
      () => parseDbUrl('postgres://u:100%@h/d'),
      configError(/the password in the database URL is not valid percent-encoding; write '%' as '%25'/),
    );
    assert.throws(() => parseDbUrl('sqlite://50%.db'), configError(/the file path in the database URL is not valid percent-encoding/));
  });
});

describe('connectionSettings: Tortoise long form', () => {
  it('reads { engine, credentials }', () => {
    const pg = connectionSettings(
      { engine: 'tortoise.backends.asyncpg', credentials: { host: 'db', port: 6000, user: 'u', password: 'p', database: 'app', maxsize: 3 } },
      'main',
    );
    assert.deepEqual([pg.dialect, pg.host, pg.port, pg.user, pg.password, pg.database, pg.pool.max], ['postgres', 'db', 6000, 'u', 'p', 'app', 3]);
    const sqlite = connectionSettings({ engine: 'tortoise.backends.sqlite', credentials: { file_path: ':memory:' } }, 'main');
    assert.equal(sqlite.path, ':memory:');
    assert.equal(connectionSettings({ engine: 'mysql', credentials: {} }, 'x').port, 3306);
  });

  it('refuses entries it cannot use', () => {
    assert.throws(
      () => connectionSettings({ engine: 'sqlite', credentials: {} }, 'main'),
      configError(/connection 'main': SQLite credentials need file_path/),
    );
    assert.throws(() => connectionSettings({ engine: 'tortoise.backends.mssql', credentials: {} }, 'main'), configError(/unknown database scheme 'mssql'/));
    assert.throws(() => connectionSettings(42 as never, 'main'), configError(/connection 'main': expected a URL string or \{ engine, credentials \}, got 42/));
  });
});
