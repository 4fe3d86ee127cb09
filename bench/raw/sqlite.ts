import Database from 'better-sqlite3';
import type { ItemData } from '../model.js';
import type { RawDriver } from './driver.js';

/** better-sqlite3 with cached prepared statements: the fastest plain use of the driver. */
export function rawSqlite(path: string): RawDriver {
  const db = new Database(path);
  db.pragma('journal_mode = WAL');
  const byId = db.prepare('SELECT id, name, email, age, score, active FROM bench_item WHERE id = ?');
  const range = db.prepare('SELECT id, name, email, age, score, active FROM bench_item WHERE id >= ? AND id < ?');
  const insert = db.prepare('INSERT INTO bench_item (name, email, age, score, active) VALUES (?, ?, ?, ?, ?) RETURNING id');
  const update = db.prepare('UPDATE bench_item SET age = ? WHERE id = ?');
  const del = db.prepare('DELETE FROM bench_item WHERE id = ?');
  const insertRow = (i: ItemData) => insert.get(i.name, i.email, i.age, i.score, i.active ? 1 : 0);
  const many = db.transaction((items: readonly ItemData[]) => {
    for (const item of items) insertRow(item);
  });
  return {
    label: 'better-sqlite3',
    getById: async (id) => byId.get(id),
    range: async (lo, hi) => range.all(lo, hi),
    insert: async (item) => insertRow(item),
    insertManyInTransaction: async (items) => many(items),
    bulkInsert: async (items) => many(items),
    updateAge: async (id, age) => update.run(age, id),
    deleteById: async (id) => del.run(id),
    deleteAbove: async (id) => {
      db.prepare('DELETE FROM bench_item WHERE id > ?').run(id);
    },
    close: async () => {
      db.close();
    },
  };
}
