import type { Introspection } from '../dialect.js';
import { postgresColumnField } from './field-types.js';
import type { LiveColumn, LiveForeignKey, LiveIndex, LiveTable, LiveUnique } from '../../schema/live-schema.js';
import { flag, normalizedDefault, optionalText, referentialAction, text } from '../live-catalog.js';

/** The tables of the current schema (not partitions, whose parent is the table). */
const IN_SCHEMA = `c.relnamespace = (SELECT oid FROM pg_catalog.pg_namespace WHERE nspname = current_schema()) AND c.relkind IN ('r', 'p') AND NOT c.relispartition`;

const TABLES_SQL = `SELECT c.relname, pg_catalog.obj_description(c.oid, 'pg_class') FROM pg_catalog.pg_class c WHERE ${IN_SCHEMA} ORDER BY c.relname`;

const COLUMNS_SQL = `SELECT c.relname, a.attname, pg_catalog.format_type(a.atttypid, a.atttypmod), a.attnotnull,
  pg_catalog.pg_get_expr(d.adbin, d.adrelid), a.attidentity::text, pg_catalog.col_description(c.oid, a.attnum), t.typcategory::text
FROM pg_catalog.pg_attribute a
JOIN pg_catalog.pg_class c ON c.oid = a.attrelid
JOIN pg_catalog.pg_type t ON t.oid = a.atttypid
LEFT JOIN pg_catalog.pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
WHERE ${IN_SCHEMA} AND a.attnum > 0 AND NOT a.attisdropped
ORDER BY c.relname, a.attnum`;

/** Column names of a key, in key order, as a JSON array. */
const keyNames = (keys: string, rel: string) =>
  `(SELECT json_agg(a.attname ORDER BY u.ord) FROM unnest(${keys}) WITH ORDINALITY AS u(num, ord) JOIN pg_catalog.pg_attribute a ON a.attrelid = ${rel} AND a.attnum = u.num)`;

const CONSTRAINTS_SQL = `SELECT c.relname, k.conname, k.contype::text, ${keyNames('k.conkey', 'k.conrelid')}, f.relname, ${keyNames('k.confkey', 'k.confrelid')},
  k.confdeltype::text, k.confupdtype::text
FROM pg_catalog.pg_constraint k
JOIN pg_catalog.pg_class c ON c.oid = k.conrelid
LEFT JOIN pg_catalog.pg_class f ON f.oid = k.confrelid
WHERE ${IN_SCHEMA} AND k.contype IN ('p', 'u', 'f')
ORDER BY c.relname, k.conname`;

/** Indexes that are not a primary key's or unique constraint's own; expression parts as their text in parentheses, descending ones with DESC. */
const INDEXES_SQL = `SELECT c.relname, i.relname, x.indisunique,
  (SELECT json_agg(CASE WHEN u.num = 0 THEN '(' || pg_catalog.pg_get_indexdef(x.indexrelid, u.ord::int, true) || ')' ELSE a.attname::text END
     || CASE WHEN u.opt & 1 = 1 THEN ' DESC' ELSE '' END ORDER BY u.ord)
   FROM unnest(x.indkey::int2[], x.indoption::int2[]) WITH ORDINALITY AS u(num, opt, ord)
   LEFT JOIN pg_catalog.pg_attribute a ON a.attrelid = x.indrelid AND a.attnum = u.num
   WHERE u.ord <= x.indnkeyatts)
FROM pg_catalog.pg_index x
JOIN pg_catalog.pg_class c ON c.oid = x.indrelid
JOIN pg_catalog.pg_class i ON i.oid = x.indexrelid
WHERE ${IN_SCHEMA}
  AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_constraint k WHERE k.conindid = x.indexrelid AND k.conrelid = x.indrelid AND k.contype IN ('p', 'u'))
ORDER BY c.relname, i.relname`;

const ACTIONS: Record<string, string> = { a: 'NO ACTION', r: 'RESTRICT', c: 'CASCADE', n: 'SET NULL', d: 'SET DEFAULT' };

const SPELLINGS: readonly (readonly [RegExp, string])[] = [
  [/^integer\b/, 'int'],
  [/^character varying\b/, 'varchar'],
  [/^character\b/, 'char'],
  [/^numeric\b/, 'decimal'],
  [/^double precision\b/, 'double'],
  [/^boolean\b/, 'bool'],
  [/^bit varying\b/, 'varbit'],
  [/^timestamp(\(\d+\))? with time zone\b/, 'timestamptz$1'],
  [/^timestamp(\(\d+\))? without time zone\b/, 'timestamp$1'],
  [/^time(\(\d+\))? with time zone\b/, 'timetz$1'],
  [/^time(\(\d+\))? without time zone\b/, 'time$1'],
];

/** format_type's spelling, shortened to the usual names ('character varying(50)' → 'varchar(50)'). */
function normalizedType(formatted: string): string {
  let type = formatted.trim().toLowerCase();
  for (const [pattern, short] of SPELLINGS) type = type.replace(pattern, short);
  return type;
}

const CAST = /^::(?:"[^"]*"|[a-z_][a-z0-9_ ]*)(?:\([0-9, ]*\))?(?:\[\])*/i;

/** A default with the casts PostgreSQL adds to literals removed ('new'::character varying → 'new'). */
function withoutCasts(expression: string): string {
  let literal: string;
  if (expression.startsWith("'")) {
    let end = 1;
    while (end < expression.length) {
      if (expression[end] === "'") {
        if (expression[end + 1] === "'") end += 2;
        else break;
      } else end++;
    }
    literal = expression.slice(0, end + 1);
  } else {
    const match = /^(-?\d+(\.\d+)?([eE][+-]?\d+)?|NULL|true|false)/.exec(expression);
    if (match === null) return expression;
    literal = match[0];
  }
  let rest = expression.slice(literal.length);
  if (rest === '') return literal;
  while (rest !== '') {
    const cast = CAST.exec(rest);
    if (cast === null) return expression;
    rest = rest.slice(cast[0].length);
  }
  return literal;
}

function column(row: readonly unknown[], primaryKey: readonly string[]): LiveColumn {
  const name = text(row[1]);
  const expression = optionalText(row[4]);
  // SERIAL is an int with a sequence default; IDENTITY columns say so themselves.
  const serial = expression !== null && /^nextval\('.*'::regclass\)$/.test(expression);
  const identity = text(row[5]) !== '';
  return {
    name,
    type: normalizedType(text(row[2])),
    nullable: !flag(row[3]),
    default: serial ? null : normalizedDefault(expression === null ? null : withoutCasts(expression), text(row[7]) === 'N'),
    primaryKey: primaryKey.includes(name),
    autoIncrement: serial || identity,
    comment: optionalText(row[6]),
  };
}

const names = (value: unknown): string[] => (Array.isArray(value) ? value.map(text) : []);

/** PostgreSQL: pg_catalog, for the tables of the current schema. */
export const postgresIntrospection: Introspection = {
  async constraintExists(connection, table, name) {
    const rows = await connection.rows(
      'SELECT 1 FROM information_schema.table_constraints WHERE table_schema = current_schema() AND table_name = $1 AND constraint_name = $2',
      [table, name],
    );
    return rows.length > 0;
  },

  columnField: postgresColumnField,

  async describeTables(connection, only) {
    const [tableRows, columnRows, constraintRows, indexRows] = [
      await connection.rows(TABLES_SQL, []),
      await connection.rows(COLUMNS_SQL, []),
      await connection.rows(CONSTRAINTS_SQL, []),
      await connection.rows(INDEXES_SQL, []),
    ];
    const tables: LiveTable[] = [];
    for (const row of tableRows) {
      const name = text(row[0]);
      if (only !== undefined && !only.includes(name)) continue;
      const constraints = constraintRows.filter((r) => text(r[0]) === name);
      const primaryKey = names(constraints.find((r) => text(r[2]) === 'p')?.[3]);
      const uniques: LiveUnique[] = constraints.filter((r) => text(r[2]) === 'u').map((r) => ({ name: text(r[1]), columns: names(r[3]) }));
      const foreignKeys: LiveForeignKey[] = constraints
        .filter((r) => text(r[2]) === 'f')
        .map((r) => ({
          name: text(r[1]),
          columns: names(r[3]),
          refTable: text(r[4]),
          refColumns: names(r[5]),
          onDelete: referentialAction(ACTIONS[text(r[6])] ?? text(r[6])),
          onUpdate: referentialAction(ACTIONS[text(r[7])] ?? text(r[7])),
        }));
      const indexes: LiveIndex[] = indexRows
        .filter((r) => text(r[0]) === name)
        .map((r) => ({ name: text(r[1]), columns: names(r[3]), unique: flag(r[2]) }));
      tables.push({
        name,
        comment: optionalText(row[1]),
        columns: columnRows.filter((r) => text(r[0]) === name).map((r) => column(r, primaryKey)),
        primaryKey,
        uniques,
        indexes,
        foreignKeys,
      });
    }
    return tables;
  },
};
