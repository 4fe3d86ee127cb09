/**
 * `npm test`: finds which backends are reachable, then runs every compiled test file with
 * node's test runner. With TERRAPIN_REQUIRE_ALL_BACKENDS=1 (CI) an unreachable backend fails
 * the run instead of being skipped, and so does any skipped test. Ends with node's summary and a
 * plain "N passed, N failed, N skipped" line.
 */
import { readdirSync, statSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { run } from 'node:test';
import { spec } from 'node:test/reporters';
import postgres from 'postgres';
import mysql from 'mysql2/promise';
import { MYSQL_ADMIN_URL, PG_ADMIN_URL, type BackendName } from './support/backends.js';
import { startPgbouncer, type Pgbouncer } from './support/pgbouncer.js';

const here = dirname(fileURLToPath(import.meta.url));

function testFiles(dir: string): string[] {
  const files: string[] = [];
  for (const entry of readdirSync(dir)) {
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) files.push(...testFiles(path));
    else if (entry.endsWith('.test.js')) files.push(path);
  }
  return files.sort();
}

async function reachable(backend: BackendName): Promise<string | undefined> {
  try {
    if (backend === 'postgres') {
      const sql = postgres(PG_ADMIN_URL, { max: 1, connect_timeout: 3, onnotice: () => {} });
      try {
        await sql`select 1`;
      } finally {
        await sql.end({ timeout: 1 });
      }
    } else if (backend === 'mysql') {
      const connection = await mysql.createConnection({ uri: MYSQL_ADMIN_URL, connectTimeout: 3000 });
      await connection.query('select 1');
      await connection.end();
    }
    return undefined;
  } catch (error) {
    return error instanceof Error ? error.message || error.constructor.name : String(error);
  }
}

/**
 * TERRAPIN_PG_POOLER=transaction (or session) with TERRAPIN_PG_POOLER_PORT: the PostgreSQL suites
 * reach their databases through a PgBouncer started here in that mode, with prepare=false in
 * transaction mode (docs/deployment.md). Its pool is large enough for two suites at a time.
 */
async function startPooler(): Promise<Pgbouncer | undefined> {
  const mode = process.env.TERRAPIN_PG_POOLER;
  if (mode === undefined || mode === '') return undefined;
  const port = Number(process.env.TERRAPIN_PG_POOLER_PORT);
  if (mode !== 'transaction' && mode !== 'session') throw new Error(`TERRAPIN_PG_POOLER is 'transaction' or 'session', got '${mode}'`);
  if (!Number.isInteger(port) || port <= 0) throw new Error('TERRAPIN_PG_POOLER needs TERRAPIN_PG_POOLER_PORT, a free port for the PgBouncer it starts');
  const started = await startPgbouncer({ port, mode, server: PG_ADMIN_URL, poolSize: 20, maxUserConnections: 60 });
  process.env.TERRAPIN_PG_POOLER_URL = started.url('postgres', mode === 'transaction' ? '?prepare=false' : '');
  return started;
}

const required = process.env.TERRAPIN_REQUIRE_ALL_BACKENDS === '1';
const backends: BackendName[] = ['sqlite'];
for (const [backend, label, url] of [
  ['postgres', 'PostgreSQL', PG_ADMIN_URL],
  ['mysql', 'MySQL/MariaDB', MYSQL_ADMIN_URL],
] as const) {
  const problem = await reachable(backend);
  if (problem === undefined) backends.push(backend);
  else if (required) {
    console.error(`${label} is required (TERRAPIN_REQUIRE_ALL_BACKENDS=1) but unreachable at ${url}: ${problem}`);
    process.exit(1);
  } else console.log(`skipping ${label}: cannot connect to ${url} (${problem})`);
}
process.env.TERRAPIN_TEST_BACKENDS = backends.join(',');
const pooler = backends.includes('postgres') ? await startPooler() : undefined;
// Every cached statement is compiled afresh too and compared (src/plan/statement-cache.ts).
process.env.TERRAPIN_VERIFY_QUERY_CACHE ??= '1';
console.log(`backends: ${backends.join(', ')}${pooler === undefined ? '' : ` (PostgreSQL through PgBouncer in ${pooler.mode} mode on port ${pooler.port})`}`);

const filter = process.argv.slice(2);
const files = testFiles(here).filter((f) => filter.length === 0 || filter.some((part) => f.includes(part)));
let passed = 0;
let failed = 0;
const skipped: string[] = [];
const stream = run({ files, concurrency: 2 });
stream.on('test:pass', (event) => {
  if (event.details.type === 'suite') return;
  // A skipped or todo test reaches the reporter as a pass; it is counted as what it is.
  if (event.skip !== undefined && event.skip !== false) skipped.push(`${event.name} (${event.skip === true ? 'skipped' : event.skip})`);
  else if (event.todo !== undefined && event.todo !== false) skipped.push(`${event.name} (todo)`);
  else passed++;
});
stream.on('test:fail', (event) => {
  // A suite fails when one of its tests did (already counted) or on its own: a before/after hook that
  // threw is a failure of the run even though every test in the suite passed.
  const error = event.details.error as { failureType?: string } | undefined;
  if (event.details.type !== 'suite' || error?.failureType !== 'subtestsFailed') failed++;
});
stream.compose(new spec()).pipe(process.stdout);
await new Promise<void>((resolve) => stream.on('end', () => resolve()));
await pooler?.stop();
// Let the reporter flush before the closing line.
await new Promise((resolve) => setTimeout(resolve, 50));
if (skipped.length > 0) {
  console.log(`skipped:\n${skipped.map((name) => `  ${name}`).join('\n')}`);
  if (required) console.log('TERRAPIN_REQUIRE_ALL_BACKENDS=1: a skipped test fails the run');
}
console.log(`${passed} passed, ${failed} failed, ${skipped.length} skipped`);
process.exitCode = failed > 0 || passed === 0 || (required && skipped.length > 0) ? 1 : 0;
