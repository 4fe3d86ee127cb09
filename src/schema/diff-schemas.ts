import { checkOptions } from '../config/check-options.js';
import type { LiveColumn, LiveForeignKey, LiveIndex, LiveSchema, LiveTable, LiveUnique } from './live-schema.js';

export interface DiffSchemasOptions {
  /**
   * Leave constraint and index names out of the comparison (indexes are then matched by columns).
   * Names differ after a table is renamed, for instance; the structure does not. Default false.
   */
  ignoreNames?: boolean;
  /** Compare the set of columns but not their order (ALTER TABLE ADD COLUMN appends). Default false. */
  ignoreColumnOrder?: boolean;
  /** What the two sides are called in the messages; default ['a', 'b']. */
  labels?: readonly [string, string];
}

const list = (columns: readonly string[]): string => `(${columns.join(', ')})`;
const show = (value: string | boolean | null): string => (value === null ? 'none' : typeof value === 'string' ? value : String(value));
const COLUMN_PROPERTIES = ['type', 'nullable', 'default', 'primaryKey', 'autoIncrement', 'comment'] as const;

class Differences {
  readonly found: string[] = [];
  constructor(private readonly labels: readonly [string, string]) {}

  /** `<where>: <what> <x> in a, <y> in b`. */
  changed(where: string, what: string, a: string, b: string): void {
    this.found.push(`${where}: ${what} ${a} in ${this.labels[0]}, ${b} in ${this.labels[1]}`);
  }

  /** `<where>: <what> only in a` (side 0) or b (side 1). */
  onlyIn(where: string, what: string, side: 0 | 1): void {
    this.found.push(`${where}: ${what} only in ${this.labels[side]}`);
  }

  /** Matches the items of two lists by key, reports the unmatched ones and compares the pairs. */
  pairs<T>(where: string, a: readonly T[], b: readonly T[], key: (item: T) => string, label: (item: T) => string, compare: (x: T, y: T) => void): void {
    const inB = new Map(b.map((item) => [key(item), item]));
    const inA = new Map(a.map((item) => [key(item), item]));
    for (const item of a) {
      const other = inB.get(key(item));
      if (other === undefined) this.onlyIn(where, label(item), 0);
      else compare(item, other);
    }
    for (const item of b) if (!inA.has(key(item))) this.onlyIn(where, label(item), 1);
  }
}

function compareColumns(d: Differences, table: string, a: readonly LiveColumn[], b: readonly LiveColumn[], options: DiffSchemasOptions): void {
  d.pairs(
    table,
    a,
    b,
    (c) => c.name,
    (c) => `column ${c.name}`,
    (x, y) => {
      for (const property of COLUMN_PROPERTIES) {
        if (x[property] !== y[property]) d.changed(`${table}.${x.name}`, property, show(x[property]), show(y[property]));
      }
    },
  );
  const names = (columns: readonly LiveColumn[], other: readonly LiveColumn[]) =>
    columns.map((c) => c.name).filter((n) => other.some((o) => o.name === n));
  const orderA = names(a, b);
  const orderB = names(b, a);
  if (options.ignoreColumnOrder !== true && orderA.join('\u0000') !== orderB.join('\u0000')) {
    d.changed(table, 'column order', list(orderA), list(orderB));
  }
}

function compareTables(d: Differences, a: LiveTable, b: LiveTable, options: DiffSchemasOptions): void {
  const t = a.name;
  const names = options.ignoreNames !== true;
  if (a.comment !== b.comment) d.changed(t, 'comment', JSON.stringify(a.comment), JSON.stringify(b.comment));
  compareColumns(d, t, a.columns, b.columns, options);
  if (list(a.primaryKey) !== list(b.primaryKey)) d.changed(t, 'primary key', list(a.primaryKey), list(b.primaryKey));
  d.pairs<LiveUnique>(
    t,
    a.uniques,
    b.uniques,
    (u) => list(u.columns),
    (u) => `unique ${list(u.columns)}`,
    (x, y) => {
      if (names && x.name !== y.name) d.changed(t, `unique ${list(x.columns)} named`, show(x.name), show(y.name));
    },
  );
  d.pairs<LiveIndex>(
    t,
    a.indexes,
    b.indexes,
    (i) => (names ? i.name : `${list(i.columns)} ${String(i.unique)}`),
    (i) => `${i.unique ? 'unique index' : 'index'} ${names ? `${i.name} ` : ''}${list(i.columns)}`,
    (x, y) => {
      if (list(x.columns) !== list(y.columns)) d.changed(t, `index ${x.name} columns`, list(x.columns), list(y.columns));
      if (x.unique !== y.unique) d.changed(t, `index ${x.name} unique`, show(x.unique), show(y.unique));
    },
  );
  const describeKey = (k: LiveForeignKey) => `foreign key ${list(k.columns)} → ${k.refTable}`;
  d.pairs<LiveForeignKey>(
    t,
    a.foreignKeys,
    b.foreignKeys,
    (k) => `${list(k.columns)} ${k.refTable}`,
    (k) => `${describeKey(k)}${list(k.refColumns)}`,
    (x, y) => {
      const what = describeKey(x);
      if (list(x.refColumns) !== list(y.refColumns)) d.changed(t, `${what} columns`, list(x.refColumns), list(y.refColumns));
      if (x.onDelete !== y.onDelete) d.changed(t, `${what} onDelete`, x.onDelete, y.onDelete);
      if (x.onUpdate !== y.onUpdate) d.changed(t, `${what} onUpdate`, x.onUpdate, y.onUpdate);
      if (names && x.name !== y.name) d.changed(t, `${what} named`, show(x.name), show(y.name));
    },
  );
}

/**
 * What differs between two introspected schemas, one readable line per difference (empty when
 * they agree): `sc_author.firstName: type varchar(30) in a, varchar(40) in b`,
 * `sc_book: index idx_sc_book_authorId_dbcbef (authorId) only in a`.
 *
 * `assert.deepEqual(diffSchemas(live, fresh, { labels: ['migrated', 'fresh'] }), [])`
 */
export function diffSchemas(a: LiveSchema, b: LiveSchema, options: DiffSchemasOptions = {}): string[] {
  checkOptions('diffSchemas', options, ['ignoreNames', 'ignoreColumnOrder', 'labels']);
  const d = new Differences(options.labels ?? ['a', 'b']);
  if (a.dialect !== b.dialect) d.changed('schema', 'dialect', a.dialect, b.dialect);
  d.pairs(
    'schema',
    a.tables,
    b.tables,
    (t) => t.name,
    (t) => `table ${t.name}`,
    (x, y) => compareTables(d, x, y, options),
  );
  return d.found;
}
