/**
 * `node dist/bench/web.js [sqlite|postgres|mysql] [--duration=5] [--connections=50]`: HTTP throughput
 * of the example API's `GET /users/:id` and `POST /users` (examples/app, Terrapin) against the
 * same two routes written by hand with Fastify and the raw driver (better-sqlite3, pg, mysql2),
 * on the same database in the same run. Each server runs in a child process of its own, so the
 * load generator (autocannon, in this process) does not share its event loop. Loopback only.
 * Not a test: it prints req/s and the ratio Terrapin / hand-written (the target is ≥ 0.8).
 *
 * `--calibrate` runs only the hand-written server, with 0, 2, 5 and 10 µs of busy work added to
 * each request, and prints what that work costs in throughput on this machine: the yardstick for
 * reading the ratios (on two cores shared with the load generator, a few µs weigh far more than
 * their share of the ~20–45 µs a request takes).
 */
import { fork, type ChildProcess } from 'node:child_process';
import { rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Fastify, { type FastifyInstance } from 'fastify';
import type { Pool as MysqlPool, PoolConnection as MysqlConnection } from 'mysql2/promise';
import type { Pool as PgPool, PoolClient as PgClient } from 'pg';
import { Terrapin } from '../src/index.js';
import { freshDatabase, type BackendName } from '../test/support/backends.js';

const SEED = 1000;
const POOL = 10;
const HOST = '127.0.0.1';
const LABELS: Record<BackendName, string> = { sqlite: 'Fastify + better-sqlite3', postgres: 'Fastify + pg', mysql: 'Fastify + mysql2' };

// ---- autocannon's programmatic API (it ships no types) -------------------------------------

interface CannonRequest {
  method?: string;
  path?: string;
  body?: string;
  headers?: Record<string, string>;
  setupRequest?: (request: CannonRequest) => CannonRequest;
}
interface CannonResult {
  requests: { average: number; total: number };
  latency: { p50: number; p99: number };
  non2xx: number;
  errors: number;
  timeouts: number;
}
type Autocannon = (options: {
  url: string;
  connections: number;
  duration: number;
  requests: CannonRequest[];
}) => Promise<CannonResult>;
const autocannon = createRequire(import.meta.url)('autocannon') as Autocannon;

// ---- the two servers ------------------------------------------------------------------------

type Side = 'terrapin' | 'raw';

const userOut = {
  type: 'object',
  properties: { id: { type: 'integer' }, name: { type: 'string', maxLength: 50 }, createdAt: { type: 'string', format: 'date-time' } },
} as const;
const idParams = { type: 'object', required: ['id'], properties: { id: { type: 'integer', minimum: 1 } } } as const;
const userIn = { type: 'object', required: ['name'], properties: { name: { type: 'string', maxLength: 50 } } } as const;

interface RawUsers {
  get(id: number): Promise<unknown>;
  create(name: string): Promise<unknown>;
  /** The same INSERT inside BEGIN … COMMIT, as the example app's `config: { transaction: true }` route runs it. */
  createInTransaction(name: string): Promise<unknown>;
  close(): Promise<void>;
}

/** The hand-written data access: one prepared statement per route, as one would write it. */
async function rawUsers(backend: BackendName, url: string): Promise<RawUsers> {
  if (backend === 'sqlite') {
    const { default: Database } = await import('better-sqlite3');
    const db = new Database(new URL(url).pathname);
    db.pragma('journal_mode = WAL');
    db.pragma('foreign_keys = ON');
    db.pragma('busy_timeout = 5000');
    const byId = db.prepare('SELECT id, name, createdAt FROM auth_user WHERE id = ?');
    const insert = db.prepare('INSERT INTO auth_user (name, createdAt) VALUES (?, ?) RETURNING id');
    const create = (name: string) => {
      const createdAt = new Date().toISOString();
      const row = insert.get(name, createdAt) as { id: number };
      return { id: row.id, name, createdAt };
    };
    const createInTransaction = db.transaction(create);
    return {
      get: async (id) => byId.get(id),
      create: async (name) => create(name),
      createInTransaction: async (name) => createInTransaction(name),
      close: async () => void db.close(),
    };
  }
  if (backend === 'postgres') {
    const { default: pg } = await import('pg');
    const pool = new pg.Pool({ connectionString: url, max: POOL });
    const insert = async (client: PgPool | PgClient, name: string) =>
      (await client.query({ name: 'user_insert', text: 'INSERT INTO auth_user (name, "createdAt") VALUES ($1, $2) RETURNING id, name, "createdAt"', values: [name, new Date()] }))
        .rows[0];
    return {
      get: async (id) => (await pool.query({ name: 'user_get', text: 'SELECT id, name, "createdAt" FROM auth_user WHERE id = $1', values: [id] })).rows[0],
      create: (name) => insert(pool, name),
      createInTransaction: async (name) => {
        const client = await pool.connect();
        try {
          await client.query('BEGIN');
          const row = await insert(client, name);
          await client.query('COMMIT');
          return row;
        } catch (error) {
          await client.query('ROLLBACK');
          throw error;
        } finally {
          client.release();
        }
      },
      close: () => pool.end(),
    };
  }
  const { default: mysql } = await import('mysql2/promise');
  const pool = mysql.createPool({ uri: url, connectionLimit: POOL, timezone: 'Z' });
  const insert = async (client: MysqlPool | MysqlConnection, name: string) => {
    const createdAt = new Date();
    const [result] = await client.execute('INSERT INTO auth_user (name, createdAt) VALUES (?, ?)', [name, createdAt]);
    return { id: (result as { insertId: number }).insertId, name, createdAt };
  };
  return {
    get: async (id) => ((await pool.execute('SELECT id, name, createdAt FROM auth_user WHERE id = ?', [id]))[0] as unknown[])[0],
    create: (name) => insert(pool, name),
    createInTransaction: async (name) => {
      const connection = await pool.getConnection();
      try {
        await connection.query('START TRANSACTION');
        const row = await insert(connection, name);
        await connection.query('COMMIT');
        return row;
      } catch (error) {
        await connection.query('ROLLBACK');
        throw error;
      } finally {
        connection.release();
      }
    },
    close: () => pool.end(),
  };
}

/** `--calibrate`: microseconds of busy work each hand-written request does on top (see the header). */
const BURN_NS = BigInt(Math.round(Number(process.env['TERRAPIN_BENCH_BURN_US'] ?? 0) * 1000));

function burn(): void {
  if (BURN_NS === 0n) return;
  const end = process.hrtime.bigint() + BURN_NS;
  while (process.hrtime.bigint() < end);
}

/** GET /users/:id and POST /users by hand: same validation, same response shape and statuses. */
async function rawApp(backend: BackendName, url: string): Promise<FastifyInstance> {
  const users = await rawUsers(backend, url);

  const app = Fastify({ logger: false });
  app.get<{ Params: { id: number } }>('/users/:id', { schema: { params: idParams, response: { 200: userOut } } }, async (request, reply) => {
    burn();
    const user = await users.get(request.params.id);
    return user === undefined ? reply.code(404).send({ detail: `No User matches id=${request.params.id}.` }) : user;
  });
  app.post<{ Body: { name: string } }>('/users', { schema: { body: userIn, response: { 201: userOut } } }, async (request, reply) => {
    burn();
    return reply.code(201).send(await users.create(request.body.name));
  });
  app.post<{ Body: { name: string } }>('/users-tx', { schema: { body: userIn, response: { 201: userOut } } }, async (request, reply) => {
    burn();
    return reply.code(201).send(await users.createInTransaction(request.body.name));
  });
  app.addHook('onClose', () => users.close());
  return app;
}

/** Child process: serve one side, tell the parent the port, close on SIGTERM. */
async function serve(side: Side, backend: BackendName, url: string): Promise<void> {
  let app: FastifyInstance;
  if (side === 'terrapin') {
    const { buildApp } = await import('../examples/app/app.js');
    app = await buildApp({ dbUrl: url, logRequests: false });
  } else app = await rawApp(backend, url);
  await app.listen({ host: HOST, port: 0 });
  const address = app.server.address();
  process.send!({ port: typeof address === 'object' && address !== null ? address.port : 0 });
  process.once('SIGTERM', () => void app.close().then(() => process.exit(0)));
}

// ---- the parent: database, servers, load ----------------------------------------------------

/** A fresh database; both sides get a pool of POOL connections (Terrapin through ?maxsize). */
async function database(backend: BackendName): Promise<{ terrapinUrl: string; rawUrl: string }> {
  if (backend === 'sqlite') {
    const path = join(tmpdir(), 'terrapin-bench-web.sqlite3');
    for (const suffix of ['', '-wal', '-shm']) rmSync(path + suffix, { force: true });
    return { terrapinUrl: `sqlite://${path}`, rawUrl: `sqlite://${path}` };
  }
  const url = await freshDatabase(backend, 'bench_web');
  return { terrapinUrl: `${url}${url.includes('?') ? '&' : '?'}maxsize=${POOL}`, rawUrl: url };
}

/** The table and SEED users, through Terrapin, before either server starts. */
async function seed(url: string): Promise<void> {
  const { User } = await import('../examples/app/models.js');
  await Terrapin.init({ dbUrl: url, modules: { models: [User] } });
  await Terrapin.generateSchemas({ safe: true });
  await User.bulkCreate(Array.from({ length: SEED }, (_, i) => ({ name: `seed user ${i + 1}` })));
  await Terrapin.close();
}

async function start(side: Side, backend: BackendName, url: string, burnUs = 0): Promise<{ child: ChildProcess; base: string }> {
  const child = fork(fileURLToPath(import.meta.url), ['--serve', side, backend, url], {
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    env: { ...process.env, TERRAPIN_BENCH_BURN_US: String(burnUs) },
  });
  const port = await new Promise<number>((resolve, reject) => {
    child.once('message', (message) => resolve((message as { port: number }).port));
    child.once('exit', (code) => reject(new Error(`the ${side} server exited with code ${code} before listening`)));
  });
  return { child, base: `http://${HOST}:${port}` };
}

async function stop(child: ChildProcess): Promise<void> {
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  await exited;
}

/** One autocannon run against one server. */
interface Load {
  name: string;
  side: Side;
  requests: CannonRequest[];
}

const getById: CannonRequest[] = [{ method: 'GET', setupRequest: (request) => ({ ...request, path: `/users/${1 + Math.floor(Math.random() * SEED)}` }) }];
const post = (path: string): CannonRequest[] => [{ method: 'POST', path, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name: 'bench user' }) }];

const loads: Load[] = [
  { name: 'get', side: 'terrapin', requests: getById },
  { name: 'post', side: 'terrapin', requests: post('/users') },
  // Once a transaction has run, Node 20 keeps AsyncLocalStorage's promise hooks on for good.
  { name: 'get-after-post', side: 'terrapin', requests: getById },
  { name: 'get', side: 'raw', requests: getById },
  { name: 'post', side: 'raw', requests: post('/users') },
  { name: 'post-tx', side: 'raw', requests: post('/users-tx') },
];

/** The table's rows: the example app's route against its hand-written twin. */
const comparisons = [
  { route: 'GET /users/:id', terrapin: 'get', raw: 'get' },
  { route: 'GET /users/:id, after the POSTs (hooks on)', terrapin: 'get-after-post', raw: 'get' },
  { route: 'POST /users (hand-written: plain INSERT)', terrapin: 'post', raw: 'post' },
  { route: 'POST /users (hand-written: BEGIN/INSERT/COMMIT)', terrapin: 'post', raw: 'post-tx' },
] as const;

/** Starts one server, runs each load against it (after a 1 s warm-up), stops it. */
async function runLoads(side: Side, backend: BackendName, url: string, runs: Load[], connections: number, duration: number, burnUs = 0): Promise<Map<string, CannonResult>> {
  const results = new Map<string, CannonResult>();
  const { child, base } = await start(side, backend, url, burnUs);
  try {
    for (const load of runs) {
      await autocannon({ url: base, connections, duration: 1, requests: load.requests }); // warm-up: JIT, pools, statements
      const result = await autocannon({ url: base, connections, duration, requests: load.requests });
      if (result.non2xx > 0 || result.errors > 0 || result.timeouts > 0) {
        throw new Error(`${side} ${load.name}: ${result.non2xx} non-2xx, ${result.errors} errors, ${result.timeouts} timeouts`);
      }
      results.set(load.name, result);
    }
  } finally {
    await stop(child);
  }
  return results;
}

/** `--calibrate`: the hand-written server's throughput with a few µs of busy work added per request. */
async function calibrate(backend: BackendName, url: string, connections: number, duration: number): Promise<void> {
  const runs = loads.filter((l) => l.side === 'raw' && l.name !== 'post');
  const base = await runLoads('raw', backend, url, runs, connections, duration);
  const rows = [];
  for (const burnUs of [2, 5, 10]) {
    const burned = await runLoads('raw', backend, url, runs, connections, duration, burnUs);
    const ratio = (name: string) => Number((burned.get(name)!.requests.average / base.get(name)!.requests.average).toFixed(2));
    rows.push({ 'added work per request': `${burnUs} µs`, 'GET /users/:id ratio': ratio('get'), 'POST /users-tx ratio': ratio('post-tx') });
  }
  console.table(rows);
  console.log('ratio = hand-written with the added work / hand-written as is, in the same run.');
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const option = (name: string, fallback: number) => Number(args.find((a) => a.startsWith(`--${name}=`))?.split('=')[1] ?? fallback);
  const duration = option('duration', 5);
  const connections = option('connections', 50);
  const backend = (args.find((a) => !a.startsWith('--')) ?? 'sqlite') as BackendName;
  if (!['sqlite', 'postgres', 'mysql'].includes(backend)) throw new Error(`unknown backend '${backend}': use sqlite, postgres or mysql`);

  const { terrapinUrl, rawUrl } = await database(backend);
  await seed(terrapinUrl);
  if (args.includes('--calibrate')) {
    console.log(`${backend}: ${LABELS[backend]} with busy work added per request; ${connections} connections, ${duration} s per run, loopback`);
    await calibrate(backend, rawUrl, connections, duration);
    return;
  }
  console.log(`${backend}: Terrapin example app vs ${LABELS[backend]}; ${connections} connections, ${duration} s per run (after a 1 s warm-up), loopback`);

  const results = new Map<string, CannonResult>();
  for (const side of ['terrapin', 'raw'] as const) {
    for (const [name, result] of await runLoads(side, backend, side === 'terrapin' ? terrapinUrl : rawUrl, loads.filter((l) => l.side === side), connections, duration)) {
      results.set(`${side} ${name}`, result);
    }
  }

  console.table(
    comparisons.map(({ route, terrapin: t, raw: r }) => {
      const terrapin = results.get(`terrapin ${t}`)!;
      const raw = results.get(`raw ${r}`)!;
      return {
        route,
        'Terrapin req/s': Math.round(terrapin.requests.average),
        'hand-written req/s': Math.round(raw.requests.average),
        ratio: Number((terrapin.requests.average / raw.requests.average).toFixed(2)),
        'Terrapin p99 ms': terrapin.latency.p99,
        'hand-written p99 ms': raw.latency.p99,
      };
    }),
  );
  console.log('ratio = Terrapin / hand-written (target ≥ 0.8). The example app runs POST /users in a transaction (config: { transaction: true }).');
}

if (process.argv[2] === '--serve') {
  await serve(process.argv[3] as Side, process.argv[4] as BackendName, process.argv[5]!);
} else {
  await main();
}
