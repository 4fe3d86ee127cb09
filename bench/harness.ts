/**
 * Timing helpers for bench/: each case runs the Terrapin and the raw-driver version in
 * alternating rounds (so drift hits both alike) and reports the median round.
 */
export interface Case {
  readonly name: string;
  /** Work units per round, for the per-operation figure. */
  readonly ops: number;
  readonly orm: () => Promise<unknown>;
  readonly raw: () => Promise<unknown>;
  /** Runs before each round of either side (e.g. emptying a table). Not timed. */
  readonly reset?: () => Promise<void>;
}

export interface Result {
  readonly name: string;
  readonly ops: number;
  readonly ormMs: number;
  readonly rawMs: number;
  readonly ratio: number;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

async function timed(fn: () => Promise<unknown>): Promise<number> {
  const start = process.hrtime.bigint();
  await fn();
  return Number(process.hrtime.bigint() - start) / 1e6;
}

/**
 * Untimed rounds of each side before timing. One was not enough: Terrapin's row mappers are
 * compiled functions that V8 optimises only after many calls, and a case measured right after a
 * single warm-up round read 1.3–1.4× where the same case measured again in the same process read
 * 1.1× (PostgreSQL, prefetch). Both sides get the same warm-up.
 */
const WARM_UP_ROUNDS = 3;

export async function measure(c: Case, rounds: number): Promise<Result> {
  const orm: number[] = [];
  const raw: number[] = [];
  // JIT, prepared statements, pool connections.
  for (let i = 0; i < WARM_UP_ROUNDS; i++) {
    await c.reset?.();
    await c.orm();
    await c.reset?.();
    await c.raw();
  }
  for (let i = 0; i < rounds; i++) {
    await c.reset?.();
    orm.push(await timed(c.orm));
    await c.reset?.();
    raw.push(await timed(c.raw));
  }
  const ormMs = median(orm);
  const rawMs = median(raw);
  return { name: c.name, ops: c.ops, ormMs, rawMs, ratio: ormMs / rawMs };
}

export function geometricMean(values: readonly number[]): number {
  return Math.exp(values.reduce((sum, v) => sum + Math.log(v), 0) / values.length);
}

export function report(backend: string, driver: string, results: readonly Result[]): void {
  console.log(`\n${backend} — Terrapin vs raw ${driver} (median of rounds; ratio = Terrapin / raw)`);
  const rows = results.map((r) => ({
    operation: r.name,
    ops: r.ops,
    'terrapin ms': r.ormMs.toFixed(2),
    'raw ms': r.rawMs.toFixed(2),
    'terrapin µs/op': ((r.ormMs * 1000) / r.ops).toFixed(1),
    'raw µs/op': ((r.rawMs * 1000) / r.ops).toFixed(1),
    ratio: `${r.ratio.toFixed(2)}×`,
  }));
  console.table(rows);
  const gm = geometricMean(results.map((r) => r.ratio));
  const worst = results.reduce((a, b) => (b.ratio > a.ratio ? b : a));
  console.log(`${backend}: geometric mean ${gm.toFixed(2)}×, worst ${worst.name} ${worst.ratio.toFixed(2)}×`);
}
