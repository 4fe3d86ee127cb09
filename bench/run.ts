/**
 * `npm run bench [-- --quick] [-- --only=<text>] [-- sqlite postgres mysql]`: Terrapin against the
 * raw driver on the same database in one run, printing times and ratios. `--only=prefetch` runs
 * just the cases whose names contain the text (a case measured alone, without the garbage and
 * polymorphic call sites the others leave behind). Not a test: nothing here asserts speed.
 */
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { rmSync } from 'node:fs';
import { Terrapin } from '../src/index.js';
import { freshDatabase, type BackendName } from '../test/support/backends.js';
import { measure, report, type Result } from './harness.js';
import { BenchItem, itemData, SEED_ROWS } from './model.js';
import { rawMysql } from './raw/mysql.js';
import { rawPostgres } from './raw/postgres.js';
import { rawSqlite } from './raw/sqlite.js';
import type { RawDriver } from './raw/driver.js';
import { FULL, QUICK, workloads } from './workloads.js';
import { READS, rawRelationsMysql, rawRelationsPostgres, rawRelationsSqlite, relationCases, relationModels, seedRelations, type RawRelations } from './relations.js';

const args = process.argv.slice(2);
const quick = args.includes('--quick');
const only = args.find((a) => a.startsWith('--only='))?.slice('--only='.length);
const chosenCase = (c: { name: string }): boolean => only === undefined || c.name.includes(only);
const chosen = args.filter((a) => !a.startsWith('--')) as BackendName[];
const backends: BackendName[] = chosen.length > 0 ? chosen : ['sqlite', 'postgres', 'mysql'];
const rounds = quick ? 3 : 7;
const POOL = 10;

async function setUp(backend: BackendName): Promise<{ url: string; raw: () => RawDriver; relations: () => RawRelations }> {
  if (backend === 'sqlite') {
    const path = join(tmpdir(), 'terrapin-bench.sqlite3');
    for (const suffix of ['', '-wal', '-shm']) rmSync(path + suffix, { force: true });
    return { url: `sqlite://${path}`, raw: () => rawSqlite(path), relations: () => rawRelationsSqlite(path) };
  }
  const url = await freshDatabase(backend, 'bench');
  const pooled = `${url}${url.includes('?') ? '&' : '?'}maxsize=${POOL}`;
  return {
    url: pooled,
    raw: () => (backend === 'postgres' ? rawPostgres(url, POOL) : rawMysql(url, POOL)),
    relations: () => (backend === 'postgres' ? rawRelationsPostgres(url, POOL) : rawRelationsMysql(url, POOL)),
  };
}

for (const backend of backends) {
  const { url, raw: makeRaw, relations: makeRelations } = await setUp(backend);
  await Terrapin.init({ dbUrl: url, modules: { models: [{ BenchItem, ...relationModels }] } });
  await Terrapin.generateSchemas({ safe: false });
  await BenchItem.bulkCreate(Array.from({ length: SEED_ROWS }, (_, i) => itemData(i + 1)));
  await seedRelations();
  const raw = makeRaw();
  const results: Result[] = [];
  for (const c of workloads(raw, quick ? QUICK : FULL).filter(chosenCase)) results.push(await measure(c, rounds));
  await raw.deleteAbove(SEED_ROWS);
  const relations = makeRelations();
  for (const c of relationCases(relations, quick ? 10 : READS).filter(chosenCase)) results.push(await measure(c, rounds));
  await relations.close();
  report(backend, raw.label, results);
  await raw.close();
  await Terrapin.close();
}
