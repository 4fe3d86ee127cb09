/**
 * The filters that should read an index do, on every backend, as the backend's own EXPLAIN shows:
 * the primary key, a foreign key, `__in` on the primary key, and a case-sensitive prefix
 * (`startswith`) on an indexed text column — which a CAST around the column used to turn into a
 * scan of the whole table (SQLite) or index (MariaDB).
 */
import assert from 'node:assert/strict';
import { before, it } from 'node:test';
import { Model, Terrapin, fields } from '../../src/index.js';
import { forEachBackend, type BackendName } from '../support/backends.js';

class Shelf extends Model {
  id = fields.IntField({ pk: true });
  name = fields.CharField({ maxLength: 20 });
  static override meta = { table: 'ix_shelf' };
}

class Volume extends Model {
  id = fields.IntField({ pk: true });
  title = fields.CharField({ maxLength: 40, index: true });
  shelf = fields.ForeignKeyField(() => Shelf, { relatedName: 'volumes', onDelete: 'CASCADE' });
  static override meta = { table: 'ix_volume' };
}

/** What a plan reads: tables read whole, and indexes (by name; the primary key as 'PRIMARY KEY'). */
interface PlanReads {
  readonly scans: string[];
  readonly indexes: string[];
}

function sqliteReads(rows: unknown[][]): PlanReads {
  const reads: PlanReads = { scans: [], indexes: [] };
  for (const row of rows) {
    const detail = String(row[3]);
    const scan = /^SCAN (\S+)/.exec(detail);
    if (scan !== null) reads.scans.push(scan[1]!);
    const index = /USING (?:COVERING )?INDEX (\S+)/.exec(detail);
    if (index !== null) reads.indexes.push(index[1]!);
    if (/USING (?:INTEGER )?PRIMARY KEY/.test(detail)) reads.indexes.push('PRIMARY KEY');
  }
  return reads;
}

function json(value: unknown): unknown {
  return typeof value === 'string' ? JSON.parse(value) : value;
}

function postgresReads(rows: unknown[][]): PlanReads {
  const reads: PlanReads = { scans: [], indexes: [] };
  const walk = (node: Record<string, unknown>): void => {
    const type = String(node['Node Type']);
    if (type === 'Seq Scan') reads.scans.push(String(node['Relation Name']));
    if (/Index (Only )?Scan$/.test(type)) {
      const name = String(node['Index Name']);
      reads.indexes.push(name.endsWith('_pkey') ? 'PRIMARY KEY' : name);
    }
    for (const child of (node['Plans'] as Record<string, unknown>[] | undefined) ?? []) walk(child);
  };
  const [document] = json(rows[0]![0]) as { Plan: Record<string, unknown> }[];
  walk(document!.Plan);
  return reads;
}

function mysqlReads(rows: unknown[][]): PlanReads {
  const reads: PlanReads = { scans: [], indexes: [] };
  const walk = (value: unknown): void => {
    if (Array.isArray(value)) return value.forEach(walk);
    if (value === null || typeof value !== 'object') return;
    const node = value as Record<string, unknown>;
    if (typeof node['table_name'] === 'string' && typeof node['access_type'] === 'string') {
      if (node['access_type'] === 'ALL' || node['access_type'] === 'index') reads.scans.push(node['table_name']);
      if (typeof node['key'] === 'string') reads.indexes.push(node['key'] === 'PRIMARY' ? 'PRIMARY KEY' : node['key']);
    }
    Object.values(node).forEach(walk);
  };
  walk(json(rows[0]![0]));
  return reads;
}

const READS: Record<BackendName, (rows: unknown[][]) => PlanReads> = { sqlite: sqliteReads, postgres: postgresReads, mysql: mysqlReads };

forEachBackend('index_plans', [{ Shelf, Volume }], (ctx) => {
  const reads = async (query: { explain(): PromiseLike<unknown[][]> }): Promise<PlanReads> => READS[ctx.backend](await query.explain());
  const connection = () => Terrapin.default.connection('default');

  before(async () => {
    await Shelf.bulkCreate(Array.from({ length: 30 }, (_, i) => ({ id: i + 1, name: `shelf ${i + 1}` })));
    await Volume.bulkCreate(
      Array.from({ length: 3000 }, (_, i) => ({ id: i + 1, title: `title-${String(i).padStart(4, '0')}`, shelfId: (i % 30) + 1 })),
    );
    // PostgreSQL serves LIKE prefixes from a b-tree only in the "C" collation or with a pattern
    // operator class (docs/queries.md says so); this database has neither by default.
    if (ctx.backend === 'postgres') await connection().write('CREATE INDEX ix_volume_title_like ON ix_volume (title varchar_pattern_ops)', []);
    const analyze = { sqlite: 'ANALYZE', postgres: 'ANALYZE', mysql: 'ANALYZE TABLE ix_volume, ix_shelf' }[ctx.backend];
    if (ctx.backend === 'mysql') await connection().rows(analyze, []);
    else await connection().write(analyze, []);
  });

  it('a case-sensitive prefix on an indexed text column reads an index range', async () => {
    const plan = await reads(Volume.filter({ title__startswith: 'title-012' }));
    assert.deepEqual(plan.scans, [], JSON.stringify(plan));
    assert.equal(plan.indexes.length, 1, JSON.stringify(plan));
    assert.match(plan.indexes[0]!, /title/);
    assert.deepEqual(
      await Volume.filter({ title__startswith: 'title-012' }).orderBy('id').valuesList('id', { flat: true }),
      Array.from({ length: 10 }, (_, i) => 121 + i),
    );
  });

  it('the primary key, a foreign key and pk__in keep their index plans', async () => {
    for (const query of [
      Volume.filter({ id: 7 }),
      Volume.filter({ pk__in: [3, 1000, 2999] }),
      Volume.filter({ shelf: 4 }),
      Volume.filter({ shelfId__in: [4, 5] }),
    ]) {
      const plan = await reads(query);
      assert.deepEqual(plan.scans, [], `${query.sql()}: ${JSON.stringify(plan)}`);
      assert.ok(plan.indexes.length > 0, `${query.sql()}: ${JSON.stringify(plan)}`);
    }
  });
});
