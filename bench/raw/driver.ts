import type { ItemData } from '../model.js';

/** The same operations written directly against a driver, as a user without an ORM would. */
export interface RawDriver {
  readonly label: string;
  getById(id: number): Promise<unknown>;
  /** Rows with lo <= id < hi. */
  range(lo: number, hi: number): Promise<unknown[]>;
  insert(item: ItemData): Promise<unknown>;
  insertManyInTransaction(items: readonly ItemData[]): Promise<void>;
  bulkInsert(items: readonly ItemData[]): Promise<void>;
  updateAge(id: number, age: number): Promise<unknown>;
  deleteById(id: number): Promise<unknown>;
  /** Untimed housekeeping: remove rows above the seeded ones. */
  deleteAbove(id: number): Promise<void>;
  close(): Promise<void>;
}

export function flatten(items: readonly ItemData[]): unknown[] {
  const params: unknown[] = [];
  for (const item of items) params.push(item.name, item.email, item.age, item.score, item.active);
  return params;
}
