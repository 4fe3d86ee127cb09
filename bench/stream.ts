/**
 * Streaming and loading memory on SQLite: `for await` over 1 000 000 rows against better-sqlite3's
 * own `iterate()`, and 100 000 rows loaded as instances against `all()` of raw rows. Each case runs
 * in a fresh process (`--expose-gc`), which samples the heap every 10 000 rows and reports the
 * peak above its baseline, and the time.
 *
 *   node dist/bench/stream.js [rows=1000000]
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { Terrapin } from '../src/index.js';
import { BenchItem } from './model.js';

const FILE = '/tmp/terrapin-bench-stream.sqlite3';
const LOAD_ROWS = 100_000;

function seed(rows: number): void {
  if (existsSync(FILE)) {
    const db = new Database(FILE, { readonly: true });
    const count = (db.prepare('SELECT COUNT(*) AS n FROM bench_item').get() as { n: number }).n;
    db.close();
    if (count === rows) return;
  }
  const db = new Database(FILE);
  db.pragma('journal_mode = WAL');
  db.exec('DROP TABLE IF EXISTS bench_item; CREATE TABLE bench_item (id INTEGER PRIMARY KEY, name VARCHAR(100) NOT NULL, email VARCHAR(100) NOT NULL, age INT NOT NULL, score REAL NOT NULL, active INT NOT NULL)');
  const insert = db.prepare('INSERT INTO bench_item (id, name, email, age, score, active) VALUES (?, ?, ?, ?, ?, ?)');
  db.transaction(() => {
    for (let i = 1; i <= rows; i++) insert.run(i, `item ${i}`, `item${i}@example.com`, i % 90, i / 7, i % 2);
  })();
  db.close();
}

/** Runs in the child: one case, printing `ms peakMB retainedMB`. */
async function child(mode: string, rows: number): Promise<void> {
  const gc = (globalThis as { gc?: () => void }).gc!;
  gc();
  const base = process.memoryUsage().heapUsed;
  let peak = 0;
  const sample = () => {
    peak = Math.max(peak, process.memoryUsage().heapUsed - base);
  };
  let kept: unknown;
  const start = process.hrtime.bigint();
  if (mode === 'raw-stream' || mode === 'raw-load') {
    const db = new Database(FILE, { readonly: true });
    const stmt = db.prepare('SELECT id, name, email, age, score, active FROM bench_item ORDER BY id');
    if (mode === 'raw-stream') {
      let n = 0;
      for (const _row of stmt.iterate()) if (++n % 10_000 === 0) sample();
    } else {
      kept = db.prepare('SELECT id, name, email, age, score, active FROM bench_item WHERE id <= ?').all(LOAD_ROWS);
      sample();
    }
  } else {
    await Terrapin.init({ dbUrl: `sqlite://${FILE}`, modules: { models: [{ BenchItem }] } });
    if (mode === 'orm-stream') {
      let n = 0;
      for await (const _item of BenchItem.all()) if (++n % 10_000 === 0) sample();
    } else {
      kept = await BenchItem.filter({ id__lte: LOAD_ROWS });
      sample();
    }
  }
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  gc();
  const retained = process.memoryUsage().heapUsed - base;
  void kept;
  console.log(`${ms.toFixed(0)} ${(peak / 2 ** 20).toFixed(1)} ${(retained / 2 ** 20).toFixed(1)} ${rows}`);
  if (mode.startsWith('orm')) await Terrapin.close();
}

const [role, mode, rowsArg] = process.argv.slice(2);
if (role === 'child') {
  await child(mode!, Number(rowsArg));
} else {
  const rows = Number(role ?? 1_000_000);
  seed(rows);
  const run = (m: string) => {
    const out = execFileSync(process.execPath, ['--expose-gc', fileURLToPath(import.meta.url), 'child', m, String(rows)], { encoding: 'utf8' });
    const [ms, peak, retained] = out.trim().split('\n').pop()!.split(' ').map(Number) as [number, number, number];
    return { ms, peak, retained };
  };
  console.log(`Node ${process.version}, SQLite file, ${rows} rows streamed, ${LOAD_ROWS} loaded`);
  console.log('| case | Terrapin | better-sqlite3 | ratio |');
  console.log('|---|---|---|---|');
  for (let round = 0; round < 2; round++) {
    const orm = run('orm-stream');
    const raw = run('raw-stream');
    console.log(`| stream ${rows} rows: time | ${orm.ms} ms | ${raw.ms} ms (iterate) | ${(orm.ms / raw.ms).toFixed(2)}× |`);
    console.log(`| stream ${rows} rows: peak heap | ${orm.peak} MB | ${raw.peak} MB | |`);
    const ormLoad = run('orm-load');
    const rawLoad = run('raw-load');
    console.log(`| load ${LOAD_ROWS} rows: time | ${ormLoad.ms} ms | ${rawLoad.ms} ms (all) | ${(ormLoad.ms / rawLoad.ms).toFixed(2)}× |`);
    console.log(`| load ${LOAD_ROWS} rows: heap held | ${ormLoad.retained} MB | ${rawLoad.retained} MB | ${(ormLoad.retained / rawLoad.retained).toFixed(2)}× |`);
  }
}
