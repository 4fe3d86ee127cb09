/**
 * Differential testing (issue 17), CI-sized: fast-check makes random rows and random QuerySets
 * (lookups on integers, text and booleans, Q trees with and/or/not, isnull, orderBy with the id as
 * tie-break, limit/offset, count) and every backend's answer must equal an in-memory reference
 * written for the test. TERRAPIN_DIFF_RUNS (default 25 data sets × 6 queries) for a long run.
 *
 * Scope, and why: strings come from an alphabet holding both cases, the LIKE metacharacters,
 * backslash, quotes, a space (trailing spaces included) and one accented letter; rows are ordered
 * by integer and boolean columns only (text order follows each database's collation); negation is
 * over non-null columns (SQL's NOT over NULL is its own subject); case-insensitive lookups are
 * checked on ASCII letters only (the alphabet has no capital É).
 */
import assert from 'node:assert/strict';
import { it } from 'node:test';
import fc from 'fast-check';
import { Model, Q, fields, type QNode } from '../../src/index.js';
import { forEachBackend } from '../support/backends.js';

class DiffRow extends Model {
  id = fields.IntField({ pk: true });
  n = fields.IntField();
  s = fields.CharField({ maxLength: 20 });
  t = fields.CharField({ maxLength: 20, null: true });
  b = fields.BooleanField();
  static override meta = { table: 'diff_row' };
}

interface Row {
  id: number;
  n: number;
  s: string;
  t: string | null;
  b: boolean;
}

const RUNS = Number(process.env.TERRAPIN_DIFF_RUNS ?? 25);

const text = fc.string({ unit: fc.constantFrom('a', 'b', 'A', 'B', '%', '_', '\\', "'", '"', 'é', ' '), maxLength: 4 });
const small = fc.integer({ min: -3, max: 3 });

/** A leaf condition: the filter for Terrapin and the predicate for the reference. */
interface Leaf {
  readonly filter: Record<string, unknown>;
  readonly test: (row: Row) => boolean;
  /** Whether it may be negated (its column is never NULL). */
  readonly negatable: boolean;
}

const lower = (v: string) => v.toLowerCase();

const leaf: fc.Arbitrary<Leaf> = fc.oneof(
  small.map((v) => ({ filter: { n: v }, test: (r: Row) => r.n === v, negatable: true })),
  small.map((v) => ({ filter: { n__gt: v }, test: (r: Row) => r.n > v, negatable: true })),
  small.map((v) => ({ filter: { n__lte: v }, test: (r: Row) => r.n <= v, negatable: true })),
  fc.array(small, { maxLength: 3 }).map((vs) => ({ filter: { n__in: vs }, test: (r: Row) => vs.includes(r.n), negatable: true })),
  text.map((v) => ({ filter: { s: v }, test: (r: Row) => r.s === v, negatable: true })),
  text.map((v) => ({ filter: { s__contains: v }, test: (r: Row) => r.s.includes(v), negatable: true })),
  text.map((v) => ({ filter: { s__startswith: v }, test: (r: Row) => r.s.startsWith(v), negatable: true })),
  text.map((v) => ({ filter: { s__endswith: v }, test: (r: Row) => r.s.endsWith(v), negatable: true })),
  text.map((v) => ({ filter: { s__icontains: v }, test: (r: Row) => lower(r.s).includes(lower(v)), negatable: true })),
  text.map((v) => ({ filter: { s__iexact: v }, test: (r: Row) => lower(r.s) === lower(v), negatable: true })),
  fc.boolean().map((v) => ({ filter: { b: v }, test: (r: Row) => r.b === v, negatable: true })),
  fc.boolean().map((v) => ({ filter: { t__isnull: v }, test: (r: Row) => (r.t === null) === v, negatable: true })),
  text.map((v) => ({ filter: { t: v }, test: (r: Row) => r.t === v, negatable: false })),
  text.map((v) => ({ filter: { t__icontains: v }, test: (r: Row) => r.t !== null && lower(r.t).includes(lower(v)), negatable: false })),
);

/** A Q tree with its reference predicate. */
interface Tree {
  readonly q: QNode;
  readonly test: (row: Row) => boolean;
  readonly negatable: boolean;
  readonly text: string;
}

const tree: fc.Arbitrary<Tree> = fc.letrec<{ tree: Tree }>((tie) => ({
  tree: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    leaf.map((l) => ({ q: Q(l.filter), test: l.test, negatable: l.negatable, text: JSON.stringify(l.filter) })),
    fc.array(tie('tree'), { minLength: 1, maxLength: 3 }).map((ts) => ({
      q: Q.and(...ts.map((t) => t.q)),
      test: (r: Row) => ts.every((t) => t.test(r)),
      negatable: ts.every((t) => t.negatable),
      text: `and(${ts.map((t) => t.text).join(', ')})`,
    })),
    fc.array(tie('tree'), { minLength: 1, maxLength: 3 }).map((ts) => ({
      q: Q.or(...ts.map((t) => t.q)),
      test: (r: Row) => ts.some((t) => t.test(r)),
      negatable: ts.every((t) => t.negatable),
      text: `or(${ts.map((t) => t.text).join(', ')})`,
    })),
    tie('tree').map((t) =>
      t.negatable ? { q: Q.not(t.q), test: (r: Row) => !t.test(r), negatable: true, text: `not(${t.text})` } : t,
    ),
  ),
})).tree;

const rowsArb = fc.array(
  fc.record({ n: small, s: text, t: fc.option(text, { nil: null }), b: fc.boolean() }),
  { maxLength: 25 },
);

interface Query {
  readonly where: Tree;
  readonly order: readonly ('n' | '-n' | 'b' | '-b')[];
  readonly desc: boolean;
  readonly offset: number;
  readonly limit: number | undefined;
}

const queryArb: fc.Arbitrary<Query> = fc.record({
  where: tree,
  order: fc.subarray(['n', '-n', 'b', '-b'] as const, { maxLength: 2 }).filter((o) => new Set(o.map((k) => k.replace('-', ''))).size === o.length),
  desc: fc.boolean(),
  offset: fc.nat({ max: 8 }),
  limit: fc.option(fc.integer({ min: 1, max: 8 }), { nil: undefined }),
});

/** The reference: filter, sort by the keys then the id, slice. */
function reference(rows: readonly Row[], query: Query): number[] {
  const keys = [...query.order, query.desc ? '-id' : 'id'];
  const sorted = rows.filter(query.where.test).sort((x, y) => {
    for (const key of keys) {
      const name = key.replace('-', '') as 'n' | 'b' | 'id';
      const a = Number(x[name]);
      const b = Number(y[name]);
      if (a !== b) return key.startsWith('-') ? b - a : a - b;
    }
    return 0;
  });
  return sorted.slice(query.offset, query.limit === undefined ? undefined : query.offset + query.limit).map((r) => r.id);
}

let cases = 0;

forEachBackend('differential', [{ DiffRow }], (ctx) => {
  it(`random rows and QuerySets agree with the in-memory reference (${RUNS} data sets × 6 queries)`, async () => {
    await fc.assert(
      fc.asyncProperty(rowsArb, fc.array(queryArb, { minLength: 6, maxLength: 6 }), async (data, queries) => {
        await DiffRow.all().delete();
        const made = await DiffRow.bulkCreate(data);
        const rows: Row[] = made.map((m, i) => ({ id: m.id, ...data[i]! }));
        for (const query of queries) {
          cases++;
          const keys = [...query.order, query.desc ? '-id' : 'id'];
          let qs = DiffRow.filter(query.where.q).orderBy(...(keys as never[]));
          if (query.offset > 0 || query.limit !== undefined) qs = qs.offset(query.offset);
          if (query.limit !== undefined) qs = qs.limit(query.limit);
          const got = await qs.valuesList('id', { flat: true });
          const expected = reference(rows, query);
          assert.deepEqual(got, expected, `${ctx.backend}: ${query.where.text} order ${keys.join(',')} offset ${query.offset} limit ${query.limit}`);
          assert.equal(await DiffRow.filter(query.where.q).count(), rows.filter(query.where.test).length, `${ctx.backend}: count of ${query.where.text}`);
        }
      }),
      { numRuns: RUNS },
    );
    console.log(`differential (${ctx.backend}): ${cases} QuerySets so far agreed with the reference`);
  });
});
