/**
 * Terrapin's PostgreSQL client (src/dialects/postgres/wire) against the real server: value
 * round trips, pipelining, the per-connection statement cache and the pool's housekeeping.
 * PostgreSQL only: the client is that backend's driver (the other backends use theirs).
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { connect as connectTcp, createServer, type AddressInfo, type Server } from 'node:net';
import { TLSSocket } from 'node:tls';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { ConnectionError, WireConnection } from '../../src/dialects/postgres/wire/connection.js';
import { PostgresServerError } from '../../src/dialects/postgres/wire/backend.js';
import { WirePool, type WirePoolOptions } from '../../src/dialects/postgres/wire/pool.js';
import { ConfigurationError, OperationalError, Terrapin } from '../../src/index.js';
import { assertReserveUnderLoad } from '../support/pool-load.js';
import { TEST_DB_PREFIX, activeBackends, freshDatabase, pgDirectUrl, pgWireOptions } from '../support/backends.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

if (activeBackends().includes('postgres')) {
  describe('postgres wire client', () => {
    let options: WirePoolOptions;
    let pool: WirePool;
    const pools: WirePool[] = [];
    const newPool = (extra: Partial<WirePoolOptions> = {}): WirePool => {
      const created = new WirePool({ ...options, ...extra });
      pools.push(created);
      return created;
    };
    const value = async (sql: string, params: unknown[] = [], on: WirePool = pool): Promise<unknown> => (await on.query(sql, params)).rows[0]![0];

    before(async () => {
      // The wire client's own behaviour, server sessions included: always the server itself, never a pooler.
      options = pgWireOptions(pgDirectUrl(await freshDatabase('postgres', 'pg_wire')));
      pool = newPool();
    });

    after(async () => {
      await Promise.all(pools.map((p) => p.close()));
    });

    it('reads each type as Terrapin expects it', async () => {
      const { rows } = await pool.query(
        `SELECT 1::int2, 2::int4, 9007199254740993::int8, 1.5::float8, 'NaN'::float8, '-Infinity'::float4,
                12345678901234567890.123456789::numeric, true, false, NULL::text, ''::text,
                '\\x00ff10'::bytea, '{"a":[1,{"b":null}]}'::jsonb, '[1,"x"]'::json,
                '0001-01-01 00:00:00.5+00'::timestamptz, '2024-02-29 23:59:59.123456'::timestamp,
                '2024-02-29'::date, '12:30:00'::time, 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11'::uuid, '1 day 02:00'::interval`,
        [],
      );
      assert.deepEqual(rows[0], [
        1, 2, 9007199254740993n, 1.5, NaN, -Infinity,
        '12345678901234567890.123456789', true, false, null, '',
        Buffer.from([0, 255, 16]), { a: [1, { b: null }] }, [1, 'x'],
        new Date('0001-01-01T00:00:00.500Z'), '2024-02-29 23:59:59.123456',
        '2024-02-29', '12:30:00', 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', '1 day 02:00:00',
      ]);
    });

    it('reads arrays, quoted, escaped, nested and with NULLs', async () => {
      const { rows } = await pool.query(
        `SELECT ARRAY[1, NULL, 3]::int4[], ARRAY['a,b', 'say "hi"', 'back\\slash', NULL, 'NULL', '']::text[],
                ARRAY[[1,2],[3,4]]::int8[], ARRAY[true,false], '{}'::int4[], '[0:1]={7,8}'::int4[]`,
        [],
      );
      assert.deepEqual(rows[0], [[1, null, 3], ['a,b', 'say "hi"', 'back\\slash', null, 'NULL', ''], [[1n, 2n], [3n, 4n]], [true, false], [], [7, 8]]);
    });

    it('sends parameters as bound values, whatever they contain', async () => {
      const hostile = "'); DROP TABLE pg_class; --";
      assert.equal(await value('SELECT $1::text', [hostile]), hostile);
      assert.equal(await value('SELECT $1::text', ['héllo ☃ 𝄞']), 'héllo ☃ 𝄞');
      assert.deepEqual(await value('SELECT $1::bytea', [Buffer.from([0, 1, 254, 255])]), Buffer.from([0, 1, 254, 255]));
      assert.equal(await value('SELECT $1::int8 + 1', [9007199254740993n]), 9007199254740994n);
      assert.equal(await value('SELECT $1::bool', [true]), true);
      assert.deepEqual(await value('SELECT $1::timestamptz', [new Date('2024-05-01T12:00:00.123Z')]), new Date('2024-05-01T12:00:00.123Z'));
      assert.deepEqual(await value('SELECT $1::text[]', [['a', 'b"c', null]]), ['a', 'b"c', null]);
      assert.equal(await value('SELECT $1::text IS NULL', [null]), true);
      assert.equal(await value('SELECT $1::text IS NULL', [undefined]), true);
    });

    it('reads and writes values of several megabytes (messages split across many socket reads)', async () => {
      const big = Buffer.alloc(6 * 1024 * 1024, 7);
      big[big.length - 1] = 9;
      const [[bytes, length]] = (await pool.query('SELECT $1::bytea, length($1::bytea)', [big])).rows as [[Buffer, number]];
      assert.equal(length, big.length);
      assert.ok(bytes.equals(big));
      const text = 'ä'.repeat(3 * 1024 * 1024);
      assert.equal(await value('SELECT $1::text', [text]), text);
    });

    it('refuses COPY through the query API with a message saying what to use, and keeps working', async () => {
      await pool.query('CREATE TABLE copied (n int)', []);
      await assert.rejects(pool.query('COPY copied FROM STDIN', []), /^Error: COPY … FROM STDIN is not supported by Terrapin's PostgreSQL client; insert with bulkCreate instead$/);
      await assert.rejects(pool.query('COPY (SELECT 1) TO STDOUT', []), /^Error: COPY … TO STDOUT is not supported by Terrapin's PostgreSQL client; SELECT the rows instead$/);
      assert.equal(await value('SELECT count(*)::int FROM copied'), 0);
    });

    it('pipelines 200 statements on one connection; a failing one rejects alone, in order', async () => {
      const results = await Promise.allSettled(Array.from({ length: 200 }, (_, i) => pool.query(i === 57 ? 'SELECT 1 / ($1::int - $1::int)' : 'SELECT $1::int * 2', [i])));
      results.forEach((result, i) => {
        if (i === 57) {
          assert.equal(result.status, 'rejected');
          assert.ok((result as PromiseRejectedResult).reason instanceof PostgresServerError);
          assert.equal((result as PromiseRejectedResult).reason.code, '22012');
        } else {
          assert.deepEqual(result.status === 'fulfilled' && result.value.rows, [[i * 2]], `statement ${i}`);
        }
      });
    });

    it('a statement that failed to parse is parsed again next time (it may be valid by then)', async () => {
      await assert.rejects(pool.query('SELECT n FROM later_table', []), (error: PostgresServerError) => error.code === '42P01');
      await pool.query('CREATE TABLE later_table (n int)', []);
      await pool.query('INSERT INTO later_table VALUES ($1)', [5]);
      assert.equal(await value('SELECT n FROM later_table'), 5);
    });

    it('a cached statement whose table changed shape is prepared again outside a transaction', async () => {
      await pool.query('CREATE TABLE shifting (a int)', []);
      await pool.query('INSERT INTO shifting VALUES (1)', []);
      assert.deepEqual((await pool.query('SELECT * FROM shifting', [])).rows, [[1]]);
      await pool.query("ALTER TABLE shifting ADD COLUMN b text DEFAULT 'x'", []);
      assert.deepEqual((await pool.query('SELECT * FROM shifting', [])).rows, [[1, 'x']]);
      // Inside a transaction block the error stands: the block is already aborted.
      await pool.query('ALTER TABLE shifting ADD COLUMN c int DEFAULT 3', []);
      const connection = await pool.reserve();
      try {
        await connection.query('BEGIN', []);
        await assert.rejects(connection.query('SELECT * FROM shifting', []), (error: PostgresServerError) => error.code === '0A000');
        await connection.query('ROLLBACK', []);
        assert.deepEqual((await connection.query('SELECT * FROM shifting', [])).rows, [[1, 'x', 3]]);
      } finally {
        pool.release(connection);
      }
    });

    it('keeps at most 1000 prepared statements per connection', async () => {
      const own = newPool();
      for (let i = 0; i < 1010; i++) await own.query(`SELECT ${i}::int AS n`, []);
      const prepared = Number(await value('SELECT count(*) FROM pg_prepared_statements', [], own));
      assert.ok(prepared <= 1001 && prepared >= 990, `${prepared} statements prepared`);
      assert.equal(await value('SELECT 3::int AS n', [], own), 3, 'an evicted statement is prepared again');
    });

    it('closes connections idle longer than idleTimeout, and opens one again on demand', async () => {
      const name = `${TEST_DB_PREFIX}idle_probe`;
      const own = newPool({ idleTimeoutMs: 100, parameters: { TimeZone: 'UTC', application_name: name } });
      const count = async () => Number(await value('SELECT count(*) FROM pg_stat_activity WHERE application_name = $1', [name]));
      await own.query('SELECT 1', []);
      assert.equal(await count(), 1);
      await sleep(400);
      assert.equal(await count(), 0);
      assert.equal(await value('SELECT 2', [], own), 2);
    });

    it('opens min connections with the pool and keeps them through idle timeouts', async () => {
      const name = `${TEST_DB_PREFIX}min_probe`;
      const own = newPool({ min: 2, max: 4, idleTimeoutMs: 100, parameters: { TimeZone: 'UTC', application_name: name } });
      const count = async () => Number(await value('SELECT count(*) FROM pg_stat_activity WHERE application_name = $1', [name]));
      await Promise.all([own.query('SELECT pg_sleep(0.05)', []), own.query('SELECT pg_sleep(0.05)', []), own.query('SELECT pg_sleep(0.05)', [])]);
      assert.equal(await count(), 3);
      await sleep(400);
      assert.equal(await count(), 2, 'idle connections close down to min, not below');
    });

    it('a connection released inside a transaction block is closed, not reused', async () => {
      const own = newPool();
      const first = await own.reserve();
      await first.query('BEGIN', []);
      own.release(first);
      await first.gone;
      const second = await own.reserve();
      assert.notEqual(second, first);
      assert.equal((await second.query('SELECT 1', [])).rows[0]![0], 1);
      own.release(second);
    });

    it('close() lets a running statement finish, then ends the sessions', async () => {
      const own = newPool();
      const running = own.query('SELECT pg_sleep(0.2), 7', []);
      await sleep(20);
      await own.close();
      assert.deepEqual((await running).rows, [['', 7]]);
      await assert.rejects(own.reserve(), /the pool is closed/);
      await assert.rejects(own.query('SELECT 1', []), /the pool is closed/);
    });

    it('names the failure to connect: refused, unknown database', async () => {
      const refused = new WirePool({ ...options, port: 1 });
      await assert.rejects(refused.query('SELECT 1', []), (error: ConnectionError) => error instanceof ConnectionError && error.code === 'ECONNREFUSED' && /ECONNREFUSED 127\.0\.0\.1:1/.test(error.message));
      await refused.close();
      const missing = new WirePool({ ...options, database: 'terrapin_no_such_db' });
      await assert.rejects(missing.query('SELECT 1', []), (error: PostgresServerError) => error.code === '3D000' && error.message === 'database "terrapin_no_such_db" does not exist');
      await missing.close();
    });

    it('a connection used after the server closed it fails at once with the reason', async () => {
      const own = newPool();
      const connection = await own.reserve();
      const pid = Number((await connection.query('SELECT pg_backend_pid()', [])).rows[0]![0]);
      await pool.query('SELECT pg_terminate_backend($1)', [pid]);
      await connection.gone;
      await assert.rejects(connection.query('SELECT 1', []), (error: PostgresServerError) => error.code === '57P01');
      own.release(connection);
      assert.equal(await value('SELECT 1', [], own), 1, 'the pool opened a fresh connection');
      assert.ok(!(connection as WireConnection).reserved);
    });

    it('takes up to 65 535 parameters, refuses more and values it cannot send, and stays in step afterwards', async () => {
      const many = Array.from({ length: 40000 }, (_, i) => i);
      const list = many.map((_, i) => `$${i + 1}`).join(',');
      assert.equal(await value(`SELECT array_length(ARRAY[${list}]::int[], 1)`, many), 40000);
      await assert.rejects(pool.query('SELECT 1', Array.from({ length: 65536 }, () => 1)), /^RangeError: PostgreSQL takes at most 65535 parameters in one statement, this one has 65536; split it/);
      await assert.rejects(pool.query('SELECT $1::text', [() => 1]), /^TypeError: PostgreSQL cannot take a function as a parameter; pass a string, number/);
      await assert.rejects(pool.query('SELECT $1::text', [Symbol('x')]), /^TypeError: PostgreSQL cannot take a symbol as a parameter/);
      // Nothing of the refused requests reached the connection: the next answers are the right ones.
      const [a, b] = await Promise.all([value('SELECT $1::int', [1]), value('SELECT $1::text', ['two'])]);
      assert.deepEqual([a, b], [1, 'two']);
      assert.equal(await value('SELECT $1::float8::text', [-0]), '-0');
    });

    it('requests pipelined behind a Parse that failed report that failure, not a missing statement', async () => {
      const results = await Promise.allSettled(Array.from({ length: 4 }, () => pool.query('SELECT * FROM no_such_table_here', [])));
      for (const result of results) {
        assert.equal(result.status, 'rejected');
        assert.equal(((result as PromiseRejectedResult).reason as PostgresServerError).code, '42P01');
      }
    });

    it('evicting a statement closes it on the server even when the Parse after it fails', async () => {
      const own = newPool();
      for (let i = 0; i < 1000; i++) await own.query(`SELECT ${i}::int AS kept`, []);
      for (let i = 0; i < 50; i++) await assert.rejects(own.query(`SELECT ${i} FROM no_such_table_either`, []));
      const prepared = Number(await value('SELECT count(*) FROM pg_prepared_statements', [], own));
      assert.ok(prepared <= 1001, `${prepared} statements prepared on the server`);
    });

    it('never opens more than max connections: plain queries wait while transactions hold them all', async () => {
      const name = `${TEST_DB_PREFIX}max_probe`;
      const own = newPool({ max: 2, parameters: { TimeZone: 'UTC', application_name: name } });
      const held = [await own.reserve(), await own.reserve()];
      const waiting = own.query('SELECT 42', []);
      await sleep(50);
      const open = Number(await value('SELECT count(*) FROM pg_stat_activity WHERE application_name = $1', [name]));
      assert.equal(open, 2);
      own.release(held[0]!);
      assert.deepEqual((await waiting).rows, [[42]]);
      own.release(held[1]!);
    });

    it('a connection given back with its BEGIN still in flight leaves the pool instead of carrying the transaction on', async () => {
      const own = newPool();
      await own.query('CREATE TABLE IF NOT EXISTS handed_back (n int)', []);
      const connection = await own.reserve();
      void connection.query('BEGIN', []);
      own.release(connection);
      await own.query('INSERT INTO handed_back VALUES (1)', []);
      await connection.gone;
      assert.equal(await value('SELECT count(*)::int FROM handed_back'), 1, 'the insert was committed on its own');
    });

    it('a COMMIT that PostgreSQL turns into ROLLBACK (an error was caught inside) fails instead of reporting success', async () => {
      const terrapin = new Terrapin();
      await terrapin.init({ dbUrl: `postgres://${options.user}@${options.host}:${options.port}/${options.database}`, modules: { models: [] } });
      try {
        await terrapin.connection('default').write('CREATE TABLE kept_or_not (n int PRIMARY KEY)', []);
        await assert.rejects(
          terrapin.inTransaction(async (client) => {
            await client.write('INSERT INTO kept_or_not VALUES (1)', []);
            await client.write('INSERT INTO kept_or_not VALUES (1)', []).catch(() => undefined);
          }),
          (error: unknown) => {
            assert.ok(error instanceof OperationalError, String(error));
            assert.match((error as Error).message, /^PostgreSQL rolled the transaction back instead of committing it: a statement in it failed earlier/);
            return true;
          },
        );
        assert.deepEqual(await terrapin.connection('default').rows('SELECT count(*)::int FROM kept_or_not', []), [[0]]);
      } finally {
        await terrapin.close();
      }
    });

    it('a transaction waiting for a connection gets one even while plain queries keep every connection busy', async () => {
      await assertReserveUnderLoad(newPool({ max: 2 }), 'SELECT pg_sleep(0.001)', 6);
    });

    it('reads timestamptz of any era and offset: BC, five-digit years, local mean time', async () => {
      const amsterdam = newPool({ parameters: { TimeZone: 'Europe/Amsterdam', DateStyle: 'SQL, DMY' } });
      const { rows } = await amsterdam.query(
        `SELECT '1900-01-01 00:00:00+00'::timestamptz, '0044-03-15 12:00:00+00 BC'::timestamptz, '12020-01-01 00:00:00+00'::timestamptz, '2024-02-29'::date, 'infinity'::timestamptz, '-infinity'::timestamptz`,
        [],
      );
      const [lmt, bc, far, date, infinite, negativeInfinite] = rows[0] as [Date, Date, Date, string, Date, Date];
      assert.equal(lmt.toISOString(), '1900-01-01T00:00:00.000Z');
      assert.equal(bc.toISOString(), '-000043-03-15T12:00:00.000Z');
      assert.equal(far.toISOString(), '+012020-01-01T00:00:00.000Z');
      assert.equal(date, '2024-02-29', 'a DateStyle option cannot change the form the decoders read');
      // ±infinity read as the latest and earliest Dates (asyncpg's datetime.max/min), never an invalid Date.
      assert.equal(infinite.getTime(), 8.64e15);
      assert.equal(negativeInfinite.getTime(), -8.64e15);
    });

    it('writes the latest and earliest Dates as infinity and -infinity, and reads them back', async () => {
      const { rows } = await pool.query(
        `SELECT $1::timestamptz = 'infinity'::timestamptz, $2::timestamptz = '-infinity'::timestamptz, $1::timestamptz, $3::timestamptz`,
        [new Date(8.64e15), new Date(-8.64e15), new Date(8.64e15 - 1)],
      );
      const [isInfinity, isNegativeInfinity, back, nearly] = rows[0] as [boolean, boolean, Date, Date];
      assert.equal(isInfinity, true);
      assert.equal(isNegativeInfinity, true);
      assert.equal(back.getTime(), 8.64e15);
      assert.equal(nearly.getTime(), 8.64e15 - 1, 'a millisecond earlier is an ordinary timestamp');
    });

    it('sends Dates of any era PostgreSQL holds: years past 9999 and BC round-trip', async () => {
      const dates = [new Date('+012020-01-01T00:00:00.123Z'), new Date('-000043-03-15T12:00:00.000Z'), new Date('0000-12-31T23:59:59.999Z'), new Date('0001-01-01T00:00:00.000Z')];
      const { rows } = await pool.query('SELECT $1::timestamptz, $2::timestamptz, $3::timestamptz, $4::timestamptz, $2::timestamptz::text', dates);
      const row = rows[0] as [Date, Date, Date, Date, string];
      assert.deepEqual(row.slice(0, 4).map((d) => (d as Date).toISOString()), dates.map((d) => d.toISOString()));
      assert.equal(row[4], '0044-03-15 12:00:00+00 BC', '44 BC is year -43 in a Date');
      await assert.rejects(pool.query('SELECT $1::timestamptz', [new Date('-200000-01-01T00:00:00.000Z')]), /out of range/);
    });

    it('does not run a stale statement again after requests sent behind it (that would reorder them)', async () => {
      await pool.query('CREATE TABLE reordered (a int)', []);
      await pool.query('SELECT * FROM reordered', []);
      await pool.query('ALTER TABLE reordered ADD COLUMN b int', []);
      const [select, insert] = await Promise.allSettled([pool.query('SELECT * FROM reordered', []), pool.query('INSERT INTO reordered VALUES (1, 1)', [])]);
      assert.equal(insert.status, 'fulfilled');
      assert.equal(select.status, 'rejected');
      assert.equal(((select as PromiseRejectedResult).reason as PostgresServerError).code, '0A000');
    });

    it('refuses a server that ends SCRAM-SHA-256 without proving it knows the password', async () => {
      // A fake server: asks for SCRAM, then says AuthenticationOk straight after the client's first message.
      const server = createServer((socket) => {
        let step = 0;
        socket.on('data', () => {
          const message = (type: string, body: Buffer) => {
            const head = Buffer.alloc(5);
            head.write(type, 0, 'latin1');
            head.writeInt32BE(body.length + 4, 1);
            return Buffer.concat([head, body]);
          };
          const int32 = (n: number) => {
            const b = Buffer.alloc(4);
            b.writeInt32BE(n);
            return b;
          };
          if (step++ === 0) socket.write(message('R', Buffer.concat([int32(10), Buffer.from('SCRAM-SHA-256\0\0')])));
          else socket.write(message('R', int32(0)));
        });
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      const fake = new WirePool({ ...options, port: (server.address() as AddressInfo).port, password: 'secret' });
      try {
        await assert.rejects(fake.query('SELECT 1', []), (error: ConnectionError) => error.code === 'AUTH_FAILED' && /without proving it knows the password/.test(error.message));
      } finally {
        await fake.close();
        server.close();
      }
    });

    describe('TLS', () => {
      // A stand-in for a TLS-enabled server (the test server has TLS off): it answers SSLRequest
      // with 'S' (or 'N'), ends TLS with the fixture certificate (CN=localhost, for localhost and
      // 127.0.0.1), and relays the plain protocol to the real server.
      const fixture = (name: string) => readFileSync(new URL(`../../../test/fixtures/tls/${name}`, import.meta.url), 'utf8');
      let proxy: Server;
      let proxyPort = 0;
      let acceptTls = true;
      const sessions: string[] = [];
      before(async () => {
        proxy = createServer((client) => {
          client.once('data', (request) => {
            assert.equal(request.readInt32BE(4), 80877103, 'SSLRequest first');
            const upstream = connectTcp(options.port, options.host);
            if (!acceptTls) {
              // No TLS here: the client may go on in plain text on the same connection.
              client.write('N');
              client.pipe(upstream).pipe(client);
              client.on('error', () => upstream.destroy());
              upstream.on('error', () => client.destroy());
              return;
            }
            client.write('S');
            const secure = new TLSSocket(client, { isServer: true, key: fixture('server.key'), cert: fixture('server.crt') });
            secure.on('secure', () => sessions.push(secure.getProtocol() ?? 'unknown'));
            secure.pipe(upstream).pipe(secure);
            const close = () => {
              secure.destroy();
              upstream.destroy();
            };
            secure.on('error', close);
            upstream.on('error', close);
            secure.on('close', close);
            upstream.on('close', close);
          });
        });
        await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
        proxyPort = (proxy.address() as AddressInfo).port;
      });
      after(() => {
        proxy.close();
      });
      const url = (query: string, host = '127.0.0.1') => `postgres://${options.user}@${host}:${proxyPort}/${options.database}?${query}`;
      const caPath = fileURLToPath(new URL('../../../test/fixtures/tls/server.crt', import.meta.url));
      const otherCaPath = fileURLToPath(new URL('../../../test/fixtures/tls/other.crt', import.meta.url));

      it('sslmode=verify-full speaks TLS with a certificate the CA signed for the host', async () => {
        const terrapin = new Terrapin();
        await terrapin.init({ dbUrl: url(`sslmode=verify-full&sslrootcert=${encodeURIComponent(caPath)}`, 'localhost'), modules: { models: [] } });
        try {
          const before = sessions.length;
          assert.deepEqual(await terrapin.connection('default').rows('SELECT $1::text', ['through TLS']), [['through TLS']]);
          assert.ok(sessions.length > before && /^TLSv1\.[23]$/.test(sessions.at(-1)!), `TLS sessions: ${sessions.join(', ')}`);
        } finally {
          await terrapin.close();
        }
      });

      it('refuses a certificate another CA signed (verify-ca), but sslmode=require encrypts without checking it', async () => {
        const strict = new Terrapin();
        await strict.init({ dbUrl: url(`sslmode=verify-ca&sslrootcert=${encodeURIComponent(otherCaPath)}`), modules: { models: [] } });
        try {
          await assert.rejects(strict.connection('default').rows('SELECT 1', []), (error: unknown) => {
            assert.ok(error instanceof OperationalError, String(error));
            assert.match((error as Error).message, /^PostgreSQL: TLS with 127\.0\.0\.1 failed: /);
            return true;
          });
        } finally {
          await strict.close();
        }
        const lax = new Terrapin();
        await lax.init({ dbUrl: url('sslmode=require'), modules: { models: [] } });
        try {
          assert.deepEqual(await lax.connection('default').rows('SELECT 1', []), [[1]]);
        } finally {
          await lax.close();
        }
      });

      it('a server without TLS: require fails clearly, prefer falls back to plain text', async () => {
        acceptTls = false;
        try {
          const strict = newPool({ port: proxyPort, tls: { mode: 'require' } });
          await assert.rejects(strict.query('SELECT 1', []), (error: ConnectionError) => error.code === 'TLS_REFUSED' && error.message === 'the server at 127.0.0.1 does not accept TLS connections (sslmode=require)');
          const before = sessions.length;
          const lenient = newPool({ port: proxyPort, tls: { mode: 'prefer' } });
          assert.equal(await value('SELECT $1::text', ['in plain text'], lenient), 'in plain text');
          assert.equal(sessions.length, before, 'no TLS session was opened');
        } finally {
          acceptTls = true;
        }
      });

      it('names a bad sslmode and an unreadable sslrootcert', async () => {
        await assert.rejects(new Terrapin().init({ dbUrl: url('sslmode=always'), modules: { models: [] } }), /^ConfigurationError: connection 'default': sslmode=always is not a TLS mode; use one of disable, allow, prefer, require, verify-ca, verify-full\.$/);
        await assert.rejects(
          new Terrapin().init({ dbUrl: url('sslmode=verify-full&sslrootcert=/no/such/file.pem'), modules: { models: [] } }),
          /^ConfigurationError: connection 'default': cannot read sslrootcert '\/no\/such\/file\.pem' \(ENOENT/,
        );
      });
    });
  });
}
