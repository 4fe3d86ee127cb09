import mysql from 'mysql2/promise';
import type { ItemData } from '../model.js';
import { flatten, type RawDriver } from './driver.js';

const COLUMNS = 'id, name, email, age, score, active';

/** mysql2 with a pool and server-side prepared statements (execute), as Terrapin uses it. */
export function rawMysql(url: string, max: number): RawDriver {
  const pool = mysql.createPool({ uri: url, connectionLimit: max });
  const insertSql = 'INSERT INTO bench_item (name, email, age, score, active) VALUES (?, ?, ?, ?, ?)';
  const args = (i: ItemData) => [i.name, i.email, i.age, i.score, i.active ? 1 : 0];
  const bulkArgs = (items: readonly ItemData[]) => flatten(items).map((v) => (typeof v === 'boolean' ? (v ? 1 : 0) : v));
  return {
    label: 'mysql2',
    getById: async (id) => ((await pool.execute(`SELECT ${COLUMNS} FROM bench_item WHERE id = ?`, [id]))[0] as unknown[])[0],
    range: async (lo, hi) => (await pool.execute(`SELECT ${COLUMNS} FROM bench_item WHERE id >= ? AND id < ?`, [lo, hi]))[0] as unknown[],
    insert: async (item) => (await pool.execute(insertSql, args(item)))[0],
    insertManyInTransaction: async (items) => {
      const connection = await pool.getConnection();
      try {
        await connection.query('START TRANSACTION');
        for (const item of items) await connection.execute(insertSql, args(item));
        await connection.query('COMMIT');
      } finally {
        connection.release();
      }
    },
    bulkInsert: async (items) => {
      const connection = await pool.getConnection();
      try {
        await connection.query('START TRANSACTION');
        for (let start = 0; start < items.length; start += 1000) {
          const batch = items.slice(start, start + 1000);
          const placeholders = batch.map(() => '(?, ?, ?, ?, ?)').join(', ');
          await connection.execute(`INSERT INTO bench_item (name, email, age, score, active) VALUES ${placeholders}`, bulkArgs(batch) as never);
        }
        await connection.query('COMMIT');
      } finally {
        connection.release();
      }
    },
    updateAge: (id, age) => pool.execute('UPDATE bench_item SET age = ? WHERE id = ?', [age, id]),
    deleteById: (id) => pool.execute('DELETE FROM bench_item WHERE id = ?', [id]),
    deleteAbove: async (id) => {
      await pool.execute('DELETE FROM bench_item WHERE id > ?', [id]);
    },
    close: () => pool.end(),
  };
}
