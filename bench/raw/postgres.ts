import pg from 'pg';
import type { ItemData } from '../model.js';
import { flatten, type RawDriver } from './driver.js';

const COLUMNS = 'id, name, email, age, score, active';

function valuesSql(count: number): string {
  const rows: string[] = [];
  for (let r = 0; r < count; r++) {
    const base = r * 5;
    rows.push(`($${base + 1}, $${base + 2}, $${base + 3}, $${base + 4}, $${base + 5})`);
  }
  return rows.join(', ');
}

/** node-postgres (`pg`) with a pool and named prepared statements, the usual way to use it. */
export function rawPostgres(url: string, max: number): RawDriver {
  const pool = new pg.Pool({ connectionString: url, max });
  const insertText = 'INSERT INTO bench_item (name, email, age, score, active) VALUES ($1, $2, $3, $4, $5) RETURNING id';
  const insert = (client: pg.Pool | pg.PoolClient, i: ItemData) =>
    client.query({ name: 'bench_insert', text: insertText, values: [i.name, i.email, i.age, i.score, i.active] });
  return {
    label: 'pg',
    getById: async (id) =>
      (await pool.query({ name: 'bench_get', text: `SELECT ${COLUMNS} FROM bench_item WHERE id = $1`, values: [id] })).rows[0],
    range: async (lo, hi) =>
      (await pool.query({ name: 'bench_range', text: `SELECT ${COLUMNS} FROM bench_item WHERE id >= $1 AND id < $2`, values: [lo, hi] })).rows,
    insert: async (item) => (await insert(pool, item)).rows[0],
    insertManyInTransaction: async (items) => {
      const client = await pool.connect();
      try {
        await client.query('BEGIN');
        for (const item of items) await insert(client, item);
        await client.query('COMMIT');
      } finally {
        client.release();
      }
    },
    bulkInsert: async (items) => {
      const client = await pool.connect();
      try {
        await client.query('BEGIN');
        for (let start = 0; start < items.length; start += 1000) {
          const batch = items.slice(start, start + 1000);
          await client.query(`INSERT INTO bench_item (name, email, age, score, active) VALUES ${valuesSql(batch.length)} RETURNING id`, flatten(batch));
        }
        await client.query('COMMIT');
      } finally {
        client.release();
      }
    },
    updateAge: (id, age) => pool.query({ name: 'bench_update', text: 'UPDATE bench_item SET age = $1 WHERE id = $2', values: [age, id] }),
    deleteById: (id) => pool.query({ name: 'bench_delete', text: 'DELETE FROM bench_item WHERE id = $1', values: [id] }),
    deleteAbove: async (id) => {
      await pool.query('DELETE FROM bench_item WHERE id > $1', [id]);
    },
    close: () => pool.end(),
  };
}
