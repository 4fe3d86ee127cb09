import { Model, fields } from '../src/index.js';

/** The benchmark table; the raw drivers use the same table and columns. */
export class BenchItem extends Model {
  id = fields.IntField({ pk: true });
  name = fields.CharField({ maxLength: 100 });
  email = fields.CharField({ maxLength: 100 });
  age = fields.IntField();
  score = fields.FloatField();
  active = fields.BooleanField();
  static override meta = { table: 'bench_item' };
}

export interface ItemData {
  name: string;
  email: string;
  age: number;
  score: number;
  active: boolean;
}

export function itemData(i: number): ItemData {
  return { name: `item ${i}`, email: `item${i}@example.com`, age: i % 90, score: i / 7, active: i % 2 === 0 };
}

/** Rows 1..SEED_ROWS exist for the read workloads; writes use ids above it and are cleaned between rounds. */
export const SEED_ROWS = 10000;
