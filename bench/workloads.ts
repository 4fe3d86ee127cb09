import { inTransaction } from '../src/index.js';
import type { Case } from './harness.js';
import { BenchItem, itemData, SEED_ROWS, type ItemData } from './model.js';
import type { RawDriver } from './raw/driver.js';

export interface WorkloadSizes {
  gets: number;
  smallQueries: number;
  largeQueries: number;
  inserts: number;
  txInserts: number;
  bulkRows: number;
  updates: number;
  deletes: number;
}

export const FULL: WorkloadSizes = {
  gets: 2000,
  smallQueries: 500,
  largeQueries: 20,
  inserts: 500,
  txInserts: 1000,
  bulkRows: 10000,
  updates: 500,
  deletes: 500,
};

export const QUICK: WorkloadSizes = {
  gets: 300,
  smallQueries: 100,
  largeQueries: 5,
  inserts: 100,
  txInserts: 200,
  bulkRows: 2000,
  updates: 100,
  deletes: 100,
};

function items(count: number, offset: number): ItemData[] {
  return Array.from({ length: count }, (_, i) => itemData(offset + i));
}

/** Ids 1..SEED_ROWS spread over the table so caches do not favour one side. */
function id(i: number): number {
  return ((i * 7919) % SEED_ROWS) + 1;
}

export function workloads(raw: RawDriver, n: WorkloadSizes): Case[] {
  const cleanup = async () => raw.deleteAbove(SEED_ROWS);
  let doomed: number[] = [];
  const prepareDeletes = async () => {
    await cleanup();
    const created = await BenchItem.bulkCreate(items(n.deletes, SEED_ROWS + 1));
    doomed = created.map((item) => item.id);
  };
  return [
    {
      name: 'get by pk',
      ops: n.gets,
      orm: async () => {
        for (let i = 0; i < n.gets; i++) await BenchItem.get({ id: id(i) });
      },
      raw: async () => {
        for (let i = 0; i < n.gets; i++) await raw.getById(id(i));
      },
    },
    {
      // The pool's concurrency: 50 gets in flight at a time (a pool of 10 on PostgreSQL and MySQL).
      name: 'get by pk, 50 in flight',
      ops: n.gets,
      orm: async () => {
        for (let i = 0; i < n.gets; i += 50) await Promise.all(Array.from({ length: 50 }, (_, j) => BenchItem.get({ id: id(i + j) })));
      },
      raw: async () => {
        for (let i = 0; i < n.gets; i += 50) await Promise.all(Array.from({ length: 50 }, (_, j) => raw.getById(id(i + j))));
      },
    },
    {
      name: 'filter 10 rows (objects)',
      ops: n.smallQueries,
      orm: async () => {
        for (let i = 0; i < n.smallQueries; i++) await BenchItem.filter({ id__gte: id(i), id__lt: id(i) + 10 });
      },
      raw: async () => {
        for (let i = 0; i < n.smallQueries; i++) await raw.range(id(i), id(i) + 10);
      },
    },
    {
      name: 'filter 10 rows (values)',
      ops: n.smallQueries,
      orm: async () => {
        for (let i = 0; i < n.smallQueries; i++) await BenchItem.filter({ id__gte: id(i), id__lt: id(i) + 10 }).values();
      },
      raw: async () => {
        for (let i = 0; i < n.smallQueries; i++) await raw.range(id(i), id(i) + 10);
      },
    },
    {
      name: 'filter 1000 rows (objects)',
      ops: n.largeQueries,
      orm: async () => {
        for (let i = 0; i < n.largeQueries; i++) await BenchItem.filter({ id__gte: (i % 9) * 1000 + 1, id__lt: (i % 9) * 1000 + 1001 });
      },
      raw: async () => {
        for (let i = 0; i < n.largeQueries; i++) await raw.range((i % 9) * 1000 + 1, (i % 9) * 1000 + 1001);
      },
    },
    {
      name: 'filter 1000 rows (values)',
      ops: n.largeQueries,
      orm: async () => {
        for (let i = 0; i < n.largeQueries; i++) {
          await BenchItem.filter({ id__gte: (i % 9) * 1000 + 1, id__lt: (i % 9) * 1000 + 1001 }).values();
        }
      },
      raw: async () => {
        for (let i = 0; i < n.largeQueries; i++) await raw.range((i % 9) * 1000 + 1, (i % 9) * 1000 + 1001);
      },
    },
    {
      name: 'single inserts',
      ops: n.inserts,
      reset: cleanup,
      orm: async () => {
        for (const data of items(n.inserts, SEED_ROWS + 1)) await BenchItem.create(data);
      },
      raw: async () => {
        for (const data of items(n.inserts, SEED_ROWS + 1)) await raw.insert(data);
      },
    },
    {
      name: 'inserts in one transaction',
      ops: n.txInserts,
      reset: cleanup,
      orm: () =>
        inTransaction(async () => {
          for (const data of items(n.txInserts, SEED_ROWS + 1)) await BenchItem.create(data);
        }),
      raw: () => raw.insertManyInTransaction(items(n.txInserts, SEED_ROWS + 1)),
    },
    {
      name: `bulk insert ${n.bulkRows} rows`,
      ops: n.bulkRows,
      reset: cleanup,
      orm: () => BenchItem.bulkCreate(items(n.bulkRows, SEED_ROWS + 1)),
      raw: () => raw.bulkInsert(items(n.bulkRows, SEED_ROWS + 1)),
    },
    {
      name: 'update by pk',
      ops: n.updates,
      orm: async () => {
        for (let i = 0; i < n.updates; i++) await BenchItem.filter({ id: id(i) }).update({ age: i % 90 });
      },
      raw: async () => {
        for (let i = 0; i < n.updates; i++) await raw.updateAge(id(i), i % 90);
      },
    },
    {
      name: 'delete by pk',
      ops: n.deletes,
      reset: prepareDeletes,
      orm: async () => {
        for (const pk of doomed) await BenchItem.filter({ id: pk }).delete();
      },
      raw: async () => {
        for (const pk of doomed) await raw.deleteById(pk);
      },
    },
  ];
}
