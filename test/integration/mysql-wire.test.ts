/**
 * Terrapin's MySQL/MariaDB client (src/dialects/mysql/wire) against the real server: value round
 * trips, pipelining in request order, the per-connection statement cache, password
 * authentication and the pool's limits. MySQL only: the client is that backend's driver.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { connect as connectTcp, createServer, type AddressInfo, type Server } from 'node:net';
import { Duplex } from 'node:stream';
import { TLSSocket } from 'node:tls';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import mysql from 'mysql2/promise';
import { OperationalError, Terrapin } from '../../src/index.js';
import { ConnectionError, MysqlServerError } from '../../src/dialects/mysql/wire/connection.js';
import { MysqlWirePool, type MysqlWirePoolOptions } from '../../src/dialects/mysql/wire/pool.js';
import { assertReserveUnderLoad } from '../support/pool-load.js';
import { MYSQL_ADMIN_URL, TEST_DB_PREFIX, activeBackends, freshDatabase } from '../support/backends.js';

/** A password user of this run's own (user names are server-wide, like databases). */
const PW_USER = `${TEST_DB_PREFIX}pw`;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

if (activeBackends().includes('mysql')) {
  describe('mysql wire client', () => {
    let options: MysqlWirePoolOptions;
    let pool: MysqlWirePool;
    const pools: MysqlWirePool[] = [];
    const newPool = (extra: Partial<MysqlWirePoolOptions> = {}): MysqlWirePool => {
      const created = new MysqlWirePool({ ...options, ...extra });
      pools.push(created);
      return created;
    };
    const value = async (sql: string, params: unknown[] = [], on: MysqlWirePool = pool): Promise<unknown> => (await on.query(sql, params)).rows[0]![0];

    before(async () => {
      const url = new URL(await freshDatabase('mysql', 'my_wire'));
      options = {
        host: url.hostname,
        port: Number(url.port || 3306),
        user: decodeURIComponent(url.username) || 'root',
        password: decodeURIComponent(url.password),
        database: url.pathname.slice(1),
        max: 1,
        idleTimeoutMs: 0,
        connectTimeoutMs: 5000,
        initStatements: ["SET time_zone = '+00:00'"],
      };
      pool = newPool();
    });

    after(async () => {
      await Promise.all(pools.map((p) => p.close()));
    });

    it('reads each type as Terrapin expects it', async () => {
      await pool.query(
        `CREATE TABLE typed (ti TINYINT, tu TINYINT UNSIGNED, si SMALLINT, i INT, iu INT UNSIGNED, bi BIGINT, bu BIGINT UNSIGNED, f FLOAT, d DOUBLE,
          de DECIMAL(30,10), dt DATETIME(6), ts TIMESTAMP(3) NULL, da DATE, tm TIME(6), y YEAR, vc VARCHAR(20), tx TEXT, bl BLOB, vb VARBINARY(8), js JSON, bt BIT(8), en ENUM('a','b'))`,
        [],
      );
      await pool.query(
        `INSERT INTO typed VALUES (-5, 250, -300, -70000, 4000000000, -9223372036854775808, 18446744073709551615, 1.5, 2.25,
          '12345678901234567890.0123456789', '2024-02-29 23:59:58.123456', '1999-12-31 00:00:01.5', '0044-03-15', '-838:59:59.5', 2024,
          'héllo ☃', 'long ü text', x'00ff10', x'0102', '{"a": [1, null]}', b'10100101', 'b')`,
        [],
      );
      const { rows } = await pool.query('SELECT * FROM typed', []);
      assert.deepEqual(rows[0], [
        -5, 250, -300, -70000, 4000000000, '-9223372036854775808', '18446744073709551615', 1.5, 2.25,
        '12345678901234567890.0123456789', new Date('2024-02-29T23:59:58.123Z'), new Date('1999-12-31T00:00:01.500Z'), '0044-03-15', '-838:59:59.5', 2024,
        'héllo ☃', 'long ü text', Buffer.from([0, 255, 16]), Buffer.from([1, 2]), '{"a": [1, null]}', Buffer.from([0xa5]), 'b',
      ]);
      assert.deepEqual((await pool.query('SELECT NULL, CAST(NULL AS SIGNED), ?', [null])).rows[0], [null, null, null]);
    });

    it('sends parameters as bound values of their type, whatever they contain', async () => {
      const hostile = "'); DROP TABLE typed; --";
      assert.equal(await value('SELECT ?', [hostile]), hostile);
      assert.equal(await value('SELECT CONCAT(?, ?)', ['é', '𝄞']), 'é𝄞');
      assert.deepEqual(await value('SELECT ?', [Buffer.from([0, 1, 254, 255])]), Buffer.from([0, 1, 254, 255]));
      assert.equal(await value('SELECT ? + 1', [9007199254740993n]), '9007199254740994');
      assert.equal(await value('SELECT ? + 1', [41]), 42, 'numbers go as DOUBLE, so arithmetic on them stays a number');
      assert.equal(await value('SELECT ?', [true]), 1);
      assert.deepEqual(await value('SELECT CAST(? AS DATETIME(3))', [new Date('2024-05-01T12:00:00.123Z')]), new Date('2024-05-01T12:00:00.123Z'));
      assert.equal(await value('SELECT JSON_EXTRACT(?, "$.a[1]")', [{ a: [1, 'x'] }]), '"x"');
      await assert.rejects(pool.query('SELECT ?', [() => 1]), /^TypeError: MySQL cannot take a function as a parameter/);
      await assert.rejects(pool.query('SELECT ?', [new Date(Number.NaN)]), /^RangeError: MySQL cannot take an invalid Date as a parameter\.$/);
      await assert.rejects(pool.query('SELECT ?', [1, 2]), /^RangeError: the statement has 1 placeholders but 2 parameters were given/);
      assert.equal(await value('SELECT ?', ['after the refusals']), 'after the refusals', 'nothing of a refused request reached the server');
    });

    it('pipelines 200 requests on one connection in the order they were made; failures reject alone', async () => {
      await pool.query('CREATE TABLE ordered (n INT)', []);
      // Each new statement text is prepared first; requests made after it must still run after it.
      const requests = Array.from({ length: 200 }, (_, i) =>
        i % 50 === 7 ? pool.query('SELECT * FROM missing_table', []) : i % 3 === 0 ? pool.query('INSERT INTO ordered VALUES (?)', [i]) : pool.query(`SELECT COUNT(*) FROM ordered WHERE n < ${i} + 0 * ?`, [i]),
      );
      const results = await Promise.allSettled(requests);
      results.forEach((result, i) => {
        if (i % 50 === 7) {
          assert.equal(result.status, 'rejected');
          assert.equal(((result as PromiseRejectedResult).reason as MysqlServerError).errno, 1146);
        } else if (i % 3 !== 0) {
          // The inserts made before this count are all visible, none after it.
          const insertedBefore = Array.from({ length: i }, (_, j) => j).filter((j) => j % 3 === 0 && j % 50 !== 7).length;
          assert.deepEqual(result.status === 'fulfilled' && result.value.rows, [[String(insertedBefore)]], `request ${i}`);
        }
      });
    });

    it('keeps at most 256 prepared statements per connection, and prepares an evicted one again', async () => {
      const own = newPool();
      for (let i = 0; i < 300; i++) await own.query(`SELECT ${i} AS kept`, []);
      // The session's own counter: the 44 statements past 256 were closed on the server.
      const [[closed]] = (await own.query("SELECT VARIABLE_VALUE FROM information_schema.SESSION_STATUS WHERE VARIABLE_NAME = 'Com_stmt_close'", [])).rows as [[string]];
      assert.equal(Number(closed), 300 + 1 - 256, `${closed} statements closed`);
      assert.equal(await value('SELECT 3 AS kept', [], own), 3);
    });

    it('authenticates with a password (mysql_native_password), and names a wrong one', async () => {
      const admin = await mysql.createConnection(MYSQL_ADMIN_URL);
      try {
        await admin.query(`DROP USER IF EXISTS '${PW_USER}'@'%'`);
        await admin.query(`CREATE USER '${PW_USER}'@'%' IDENTIFIED BY 's3cret ü'`);
        await admin.query(`GRANT ALL ON \`${options.database}\`.* TO '${PW_USER}'@'%'`);
        const withPassword = newPool({ user: PW_USER, password: 's3cret ü' });
        assert.equal(await value('SELECT CURRENT_USER()', [], withPassword), `${PW_USER}@%`);
        const wrong = newPool({ user: PW_USER, password: 'nope' });
        await assert.rejects(wrong.query('SELECT 1', []), (error: MysqlServerError) => error.errno === 1045 && new RegExp(`^Access denied for user '${PW_USER}'@`).test(error.message));
      } finally {
        await admin.query(`DROP USER IF EXISTS '${PW_USER}'@'%'`);
        await admin.end();
      }
    });

    it('never opens more than max connections; a connection given back mid-transaction serves no one else', async () => {
      const own = newPool({ max: 2 });
      const held = [await own.reserve(), await own.reserve()];
      const waiting = own.query('SELECT CONNECTION_ID()', []);
      await sleep(50);
      own.release(held[0]!);
      const id = (await waiting).rows[0]![0];
      assert.ok(id !== undefined);
      // Given back inside START TRANSACTION: it is closed instead of carrying the transaction on.
      await held[1]!.query('START TRANSACTION', []);
      own.release(held[1]!);
      await held[1]!.gone;
      assert.equal(held[1]!.closed, true);
    });

    it('keeps auto-increment ids past 2^53 exact, and the first result set of a CALL', async () => {
      await pool.query('CREATE TABLE big_ids (id BIGINT UNSIGNED AUTO_INCREMENT PRIMARY KEY, n INT) AUTO_INCREMENT = 9007199254740993', []);
      const { insertId } = await pool.query('INSERT INTO big_ids (n) VALUES (?)', [1]);
      assert.equal(insertId, 9007199254740993n);
      await pool.query('CREATE PROCEDURE two_sets() BEGIN SELECT 1, "x"; SELECT 2.5; END', []);
      assert.deepEqual((await pool.query('CALL two_sets()', [])).rows, [[1, 'x']]);
      assert.equal(await value('SELECT ?', ['after the call']), 'after the call');
    });

    it('refuses parameters MySQL would store wrongly: NaN, infinities, years past 9999', async () => {
      await assert.rejects(pool.query('SELECT ?', [Number.NaN]), /^RangeError: MySQL cannot store NaN; pass a finite number or null\.$/);
      await assert.rejects(pool.query('SELECT ?', [Number.POSITIVE_INFINITY]), /^RangeError: MySQL cannot store Infinity/);
      await assert.rejects(pool.query('SELECT ?', [new Date('+010000-01-01T00:00:00Z')]), /^RangeError: MySQL DATETIME holds years 0–9999, not 10000/);
      assert.equal(await value('SELECT ?', [1.5]), 1.5);
    });

    it('a statement the server answers by closing the session (a packet over max_allowed_packet) leaves the pool at once', async () => {
      const own = newPool();
      const [[limit]] = (await own.query('SELECT @@max_allowed_packet', [])).rows as [[string]];
      const huge = Buffer.alloc(Number(limit) + 1024, 1);
      await assert.rejects(own.query('SELECT LENGTH(?)', [huge]), (error: MysqlServerError) => error.errno === 1153);
      assert.equal(await value('SELECT 1', [], own), 1, 'the next query went to a fresh connection');
    });

    it('a transaction waiting for a connection gets one even while plain queries keep every connection busy', async () => {
      await assertReserveUnderLoad(newPool({ max: 2 }), 'SELECT SLEEP(0.002)', 16);
    });

    it('reads and writes values of several megabytes', async () => {
      const big = Buffer.alloc(5 * 1024 * 1024, 7);
      big[big.length - 1] = 9;
      const [[bytes, length]] = (await pool.query('SELECT ?, LENGTH(?)', [big, big])).rows as [[Buffer, string]];
      assert.equal(Number(length), big.length);
      assert.ok(bytes.equals(big));
    });

    describe('TLS', () => {
      // A stand-in for a TLS-enabled server (the test server has TLS off): it forwards the
      // greeting with CLIENT_SSL added, answers the client's SSLRequest with TLS (the fixture
      // certificate, for localhost and 127.0.0.1), and relays the rest in plain text, handing
      // the handshake response on with the sequence number and flags the server expects.
      const fixture = (name: string) => readFileSync(new URL(`../../../test/fixtures/tls/${name}`, import.meta.url), 'utf8');
      let relay: Server;
      let relayPort = 0;
      const sessions: string[] = [];
      before(async () => {
        relay = createServer((client) => {
          const upstream = connectTcp(options.port, options.host);
          const closeBoth = () => {
            client.destroy();
            upstream.destroy();
          };
          client.on('error', closeBoth);
          upstream.on('error', closeBoth);
          upstream.once('data', (greeting: Buffer) => {
            // Capability flags (lower half) sit after the version string, the id, 8 scramble bytes and a filler.
            const flagsAt = greeting.indexOf(0, 5) + 1 + 4 + 9;
            greeting.writeUInt16LE(greeting.readUInt16LE(flagsAt) | 0x800, flagsAt);
            client.write(greeting);
            client.once('data', (request: Buffer) => {
              // The SSLRequest (a 32-byte payload): from here the client speaks TLS, and its
              // ClientHello may have come in the same read.
              // TLS runs over a stream of its own, fed with those bytes first, then the rest.
              const inner = new Duplex({
                read() {},
                write(chunk, _encoding, done) {
                  client.write(chunk, done);
                },
              });
              const rest = request.subarray(36);
              if (rest.length > 0) inner.push(rest);
              client.on('data', (data) => inner.push(data));
              client.on('end', () => inner.push(null));
              inner.on('error', closeBoth);
              const secure = new TLSSocket(inner, { isServer: true, key: fixture('server.key'), cert: fixture('server.crt') });
              secure.on('secure', () => sessions.push(secure.getProtocol() ?? 'unknown'));
              secure.on('error', closeBoth);
              secure.once('data', (response: Buffer) => {
                response[3] = 1; // sequence 2 for the client, 1 for a server that saw no SSLRequest
                response.writeUInt32LE(response.readUInt32LE(4) & ~0x800, 4);
                upstream.write(response);
                secure.pipe(upstream);
                upstream.pipe(secure);
              });
            });
          });
        });
        await new Promise<void>((resolve) => relay.listen(0, '127.0.0.1', resolve));
        relayPort = (relay.address() as AddressInfo).port;
      });
      after(() => {
        relay.close();
      });
      const caPath = fileURLToPath(new URL('../../../test/fixtures/tls/server.crt', import.meta.url));
      const otherCaPath = fileURLToPath(new URL('../../../test/fixtures/tls/other.crt', import.meta.url));
      const url = (query: string, host = '127.0.0.1') => `mysql://${options.user}@${host}:${relayPort}/${options.database}?${query}`;

      it('sslmode=verify-full speaks TLS with a certificate the CA signed for the host', async () => {
        const terrapin = new Terrapin();
        const before = sessions.length;
        // init already connects on MySQL (it reads the server's version).
        await terrapin.init({ dbUrl: url(`sslmode=verify-full&sslrootcert=${encodeURIComponent(caPath)}`, 'localhost'), modules: { models: [] } });
        try {
          assert.deepEqual(await terrapin.connection('default').rows('SELECT ?', ['through TLS']), [['through TLS']]);
          assert.ok(sessions.length > before && /^TLSv1\.[23]$/.test(sessions.at(-1)!), `TLS sessions: ${sessions.join(', ')}`);
        } finally {
          await terrapin.close();
        }
      });

      it('refuses a certificate another CA signed (verify-ca); require encrypts without checking; a server without TLS fails require', async () => {
        const strict = new Terrapin();
        await assert.rejects(strict.init({ dbUrl: url(`sslmode=verify-ca&sslrootcert=${encodeURIComponent(otherCaPath)}`), modules: { models: [] } }), (error: unknown) => {
          assert.ok(error instanceof OperationalError, String(error));
          assert.match((error as Error).message, /^MySQL: TLS with 127\.0\.0\.1 failed: /);
          return true;
        });
        await strict.close();
        const lax = new Terrapin();
        await lax.init({ dbUrl: url('ssl=true'), modules: { models: [] } });
        try {
          assert.deepEqual(await lax.connection('default').rows('SELECT 1', []), [[1]]);
        } finally {
          await lax.close();
        }
        // The real server has TLS off: require fails, prefer goes on in plain text.
        const refused = newPool({ tls: { mode: 'require' } });
        await assert.rejects(refused.query('SELECT 1', []), /does not accept TLS connections \(sslmode=require\)/);
        assert.equal(await value('SELECT 2', [], newPool({ tls: { mode: 'prefer' } })), 2);
      });
    });

    it('names the failure to connect and a connection the server closed', async () => {
      const refused = new MysqlWirePool({ ...options, port: 1 });
      await assert.rejects(refused.query('SELECT 1', []), (error: ConnectionError) => error instanceof ConnectionError && error.code === 'ECONNREFUSED');
      await refused.close();
      const own = newPool();
      const connection = await own.reserve();
      const id = Number((await connection.query('SELECT CONNECTION_ID()', [])).rows[0]![0]);
      await pool.query(`KILL ${id}`, []);
      await connection.gone;
      await assert.rejects(connection.query('SELECT 1', []), /^ConnectionError: the connection to .* was closed$|^MysqlServerError: /);
      own.release(connection);
      assert.equal(await value('SELECT 1', [], own), 1, 'the pool opened a fresh connection');
    });
  });
}
