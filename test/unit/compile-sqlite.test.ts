/**
 * SQLite's compiled SQL, asserted exactly from hand-built AST nodes (no database).
 * Placeholders are `?`, identifiers are double-quoted, text matching uses GLOB when
 * case-sensitive, and there is no row locking.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { sqliteDialect } from '../../src/dialects/sqlite/index.js';
import type { ColumnType, Statement } from '../../src/sql/ast.js';
import {
  ALL_COLUMN_TYPES,
  ALL_DATE_PARTS,
  andOf,
  assertValuesAreParams,
  autoIncrementPk,
  between,
  caseUpdate,
  col,
  datePart,
  eq,
  expectSql,
  fullTable,
  gt,
  ignoreConflicts,
  inList,
  insert,
  isNull,
  like,
  lock,
  not,
  oneColumnTable,
  orOf,
  p,
  tx,
  upsert,
  usersSelect,
  whereSelect,
} from './support/ast-samples.js';

const compiler = sqliteDialect.compiler;
const expect = (node: Statement, sql: string, params: readonly unknown[] = []) => expectSql(compiler, node, sql, params);
const WHERE = 'SELECT "id" FROM "users" WHERE ';

describe('sqlite compiler: select and conditions', () => {
  it('compiles a plain select', () => {
    expect(usersSelect(), 'SELECT "id", "name" FROM "users"');
  });

  it('parenthesises OR and nested AND, and negates with NOT', () => {
    expect(
      whereSelect(
        andOf(
          eq(col('name'), p('ann')),
          orOf(gt(col('age'), p(18)), isNull(col('age'))),
          not(andOf(eq(col('id'), p(1)), eq(col('id'), p(2)))),
        ),
      ),
      `${WHERE}"name" = ? AND ("age" > ? OR "age" IS NULL) AND NOT ("id" = ? AND "id" = ?)`,
      ['ann', 18, 1, 2],
    );
  });

  it('empty AND is true, empty OR is false', () => {
    expect(whereSelect(andOf()), `${WHERE}1=1`);
    expect(whereSelect(orOf()), `${WHERE}1=0`);
    expect(whereSelect({ kind: 'bool', value: true }), `${WHERE}1=1`);
    expect(whereSelect({ kind: 'bool', value: false }), `${WHERE}1=0`);
  });

  it('compiles IN and NOT IN with one placeholder per value', () => {
    expect(whereSelect(inList(col('id'), [1, 2, 3])), `${WHERE}"id" IN (?, ?, ?)`, [1, 2, 3]);
    expect(whereSelect(inList(col('id'), [4, 5], true)), `${WHERE}"id" NOT IN (?, ?)`, [4, 5]);
  });

  it('empty IN matches nothing and empty NOT IN matches everything', () => {
    expect(whereSelect(inList(col('id'), [])), `${WHERE}1=0`);
    expect(whereSelect(inList(col('id'), [], true)), `${WHERE}1=1`);
  });

  it('compiles BETWEEN, IS NULL and IS NOT NULL', () => {
    expect(whereSelect(between(col('age'), 18, 65)), `${WHERE}"age" BETWEEN ? AND ?`, [18, 65]);
    expect(whereSelect(isNull(col('age'))), `${WHERE}"age" IS NULL`);
    expect(whereSelect(isNull(col('age'), true)), `${WHERE}"age" IS NOT NULL`);
  });

  it('compiles arithmetic in parentheses', () => {
    expect(
      whereSelect(gt({ kind: 'arithmetic', op: '+', left: col('age'), right: p(1) }, p(30))),
      `${WHERE}("age" + ?) > ?`,
      [1, 30],
    );
  });

  it('compiles aliases, joins, DISTINCT, aggregates and GROUP BY', () => {
    expect(
      usersSelect({
        from: { name: 'users', alias: 'u' },
        distinct: true,
        joins: [{ type: 'left', table: { name: 'teams', alias: 't' }, on: eq(col('id', 't'), col('team_id', 'u')) }],
        columns: [
          { expr: col('team_id', 'u'), alias: undefined },
          { expr: { kind: 'countAll' }, alias: 'c' },
          { expr: { kind: 'aggregate', fn: 'SUM', expr: col('age', 'u'), distinct: true }, alias: 's' },
        ],
        groupBy: [col('team_id', 'u')],
      }),
      'SELECT DISTINCT "u"."team_id", COUNT(*) AS "c", SUM(DISTINCT "u"."age") AS "s" FROM "users" "u" ' +
        'LEFT OUTER JOIN "teams" "t" ON "t"."id" = "u"."team_id" GROUP BY "u"."team_id"',
    );
  });
});

describe('sqlite compiler: text matching', () => {
  // Every metacharacter of both GLOB and LIKE, to check each is escaped only where it means something.
  const value = 'a%b_c!d*e?f[g]';
  const glob = 'a%b_c!d[*]e[?]f[[]g]';
  const likeEscaped = 'a!%b!_c!!d*e?f[g]';
  const modes = [
    ['exact', glob, likeEscaped],
    ['contains', `*${glob}*`, `%${likeEscaped}%`],
    ['startsWith', `${glob}*`, `${likeEscaped}%`],
    ['endsWith', `*${glob}`, `%${likeEscaped}`],
  ] as const;

  for (const [mode, globPattern, likePattern] of modes) {
    it(`case-sensitive ${mode} uses GLOB with [*] [?] [[] escaping`, () => {
      expect(whereSelect(like(value, mode, false)), `${WHERE}CAST("name" AS TEXT) GLOB ?`, [globPattern]);
    });

    it(`case-insensitive ${mode} uses LIKE with ESCAPE '!' and the Unicode-aware upper`, () => {
      expect(
        whereSelect(like(value, mode, true)),
        `${WHERE}terrapin_upper(CAST("name" AS TEXT)) LIKE terrapin_upper(?) ESCAPE '!'`,
        [likePattern],
      );
    });
  }

  it('matches a text or UUID column without a cast, so an index on it serves a prefix', () => {
    for (const storage of ['varchar', 'text', 'uuid'] as const) {
      expect(whereSelect(like('ab', 'startsWith', false, col('name'), storage)), `${WHERE}"name" GLOB ?`, ['ab*']);
      expect(
        whereSelect(like('ab', 'startsWith', true, col('name'), storage)),
        `${WHERE}terrapin_upper("name") LIKE terrapin_upper(?) ESCAPE '!'`,
        ['ab%'],
      );
    }
    expect(whereSelect(like('1', 'startsWith', false, col('name'), 'int')), `${WHERE}CAST("name" AS TEXT) GLOB ?`, ['1*']);
  });
});

describe('sqlite compiler: date parts and decimals', () => {
  const formats: Record<string, string> = {
    year: '%Y',
    month: '%m',
    week: '%V',
    day: '%d',
    hour: '%H',
    minute: '%M',
    second: '%S',
  };
  const expected = (part: string, source: string): string => {
    if (part === 'quarter') return `((CAST(strftime('%m', ${source}) AS INTEGER) + 2) / 3)`;
    if (part === 'microsecond') return `(CAST(ROUND(strftime('%f', ${source}) * 1000000) AS INTEGER) % 1000000)`;
    return `CAST(strftime('${formats[part]}', ${source}) AS INTEGER)`;
  };

  for (const part of ALL_DATE_PARTS) {
    it(`extracts ${part} with strftime`, () => {
      expect(whereSelect(eq(datePart(part), p(7))), `${WHERE}${expected(part, '"at"')} = ?`, [7]);
    });
  }

  it('prefixes a date to TIME values so strftime can parse them', () => {
    expect(
      whereSelect(eq(datePart('hour', 'time'), p(3))),
      `${WHERE}CAST(strftime('%H', '2000-01-01 ' || "at") AS INTEGER) = ?`,
      [3],
    );
    expect(whereSelect(eq(datePart('day', 'date'), p(3))), `${WHERE}CAST(strftime('%d', "at") AS INTEGER) = ?`, [3]);
  });

  it('reads all six microsecond digits of a TIME from its text (strftime keeps only milliseconds)', () => {
    expect(
      whereSelect(eq(datePart('microsecond', 'time'), p(5))),
      `${WHERE}(CASE WHEN instr("at", '.') = 0 THEN 0 ` +
        `ELSE CAST(substr(substr("at", instr("at", '.') + 1) || '000000', 1, 6) AS INTEGER) END) = ?`,
      [5],
    );
  });

  it('compares decimals (stored as text) as REAL', () => {
    expect(
      whereSelect(gt({ kind: 'decimalValue', expr: col('price') }, { kind: 'decimalValue', expr: p('1.50') })),
      `${WHERE}CAST("price" AS REAL) > CAST(? AS REAL)`,
      ['1.50'],
    );
  });
});

describe('sqlite compiler: order, limit, offset, lock, count', () => {
  // The bound LIMIT/OFFSET is cast: SQLite plans `LIMIT ?` much more slowly than `LIMIT CAST(? AS INTEGER)`.
  it('orders, limits and offsets with bound values cast to INTEGER', () => {
    expect(
      usersSelect({ orderBy: [{ expr: col('name'), desc: true }, { expr: col('id'), desc: false }], limit: 10, offset: 20 }),
      'SELECT "id", "name" FROM "users" ORDER BY "name" DESC, "id" ASC LIMIT CAST(? AS INTEGER) OFFSET CAST(? AS INTEGER)',
      [10, 20],
    );
    expect(usersSelect({ limit: 3 }), 'SELECT "id", "name" FROM "users" LIMIT CAST(? AS INTEGER)', [3]);
  });

  it('offset without limit uses LIMIT -1', () => {
    expect(usersSelect({ offset: 5 }), 'SELECT "id", "name" FROM "users" LIMIT -1 OFFSET CAST(? AS INTEGER)', [5]);
  });

  it('ignores row locks (SQLite locks the database)', () => {
    for (const options of [lock(), lock({ nowait: true }), lock({ skipLocked: true, of: ['users'] })]) {
      expect(usersSelect({ lock: options }), 'SELECT "id", "name" FROM "users"');
    }
  });

  it('wraps a select in COUNT(*)', () => {
    expect(
      { kind: 'count', inner: usersSelect({ where: gt(col('age'), p(18)), limit: 5 }) },
      'SELECT COUNT(*) FROM (SELECT "id", "name" FROM "users" WHERE "age" > ? LIMIT CAST(? AS INTEGER)) "_count"',
      [18, 5],
    );
  });

  it('explains with EXPLAIN QUERY PLAN', () => {
    expect({ kind: 'explain', statement: usersSelect() }, 'EXPLAIN QUERY PLAN SELECT "id", "name" FROM "users"');
  });
});

describe('sqlite compiler: writes', () => {
  const rows = ['ann', 30, 'bob', 40];

  it('inserts several rows, with and without RETURNING', () => {
    expect(insert(), 'INSERT INTO "users" ("name", "age") VALUES (?, ?), (?, ?)', rows);
    expect(insert({ returning: ['id'] }), 'INSERT INTO "users" ("name", "age") VALUES (?, ?), (?, ?) RETURNING "id"', rows);
  });

  it('inserts a row of defaults with DEFAULT VALUES', () => {
    expect(insert({ columns: [], rows: [[]], returning: ['id'] }), 'INSERT INTO "users" DEFAULT VALUES RETURNING "id"');
    // One DEFAULT VALUES statement inserts one row; bulkCreate sends such rows one by one.
    assert.throws(() => compiler.compile(insert({ columns: [], rows: [[], []] })), {
      name: 'TypeError',
      message: 'an INSERT into users with no columns must have exactly one row, got 2',
    });
  });

  it('ignores conflicts with ON CONFLICT DO NOTHING', () => {
    expect(
      insert({ onConflict: ignoreConflicts }),
      'INSERT INTO "users" ("name", "age") VALUES (?, ?), (?, ?) ON CONFLICT DO NOTHING',
      rows,
    );
  });

  it('upserts with ON CONFLICT (target) DO UPDATE SET x = EXCLUDED.x', () => {
    expect(
      insert({ onConflict: upsert, returning: ['id'] }),
      'INSERT INTO "users" ("name", "age") VALUES (?, ?), (?, ?) ' +
        'ON CONFLICT ("email") DO UPDATE SET "name" = EXCLUDED."name", "age" = EXCLUDED."age" RETURNING "id"',
      rows,
    );
  });

  it('updates with values and expressions', () => {
    expect(
      {
        kind: 'update',
        table: { name: 'users', alias: undefined },
        set: [
          { column: 'name', value: p('ann') },
          { column: 'age', value: { kind: 'arithmetic', op: '+', left: col('age'), right: p(1) } },
        ],
        where: eq(col('id'), p(7)),
      },
      'UPDATE "users" SET "name" = ?, "age" = ("age" + ?) WHERE "id" = ?',
      ['ann', 1, 7],
    );
  });

  it('bulk-updates with CASE; typed values need no cast', () => {
    expect(
      caseUpdate({ type: 'varchar', length: 50 }),
      'UPDATE "users" SET "name" = CASE WHEN "id" = ? THEN ? WHEN "id" = ? THEN ? END WHERE "id" IN (?, ?)',
      [1, 'ann', 2, 'bob', 1, 2],
    );
  });

  it('compiles a CASE with ELSE', () => {
    expect(
      whereSelect(eq(col('name'), { kind: 'case', whens: [{ when: gt(col('age'), p(1)), then: p('a') }], else: p('b') })),
      `${WHERE}"name" = CASE WHEN "age" > ? THEN ? ELSE ? END`,
      [1, 'a', 'b'],
    );
  });

  it('deletes with and without WHERE', () => {
    expect(
      { kind: 'delete', table: { name: 'users', alias: undefined }, where: eq(col('id'), p(3)) },
      'DELETE FROM "users" WHERE "id" = ?',
      [3],
    );
    expect({ kind: 'delete', table: { name: 'users', alias: undefined }, where: undefined }, 'DELETE FROM "users"');
  });
});

describe('sqlite compiler: DDL', () => {
  const types: Record<ColumnType['type'], string> = {
    int: 'INT',
    bigint: 'BIGINT',
    smallint: 'SMALLINT',
    float: 'REAL',
    boolean: 'INT',
    text: 'TEXT',
    json: 'TEXT',
    binary: 'BLOB',
    uuid: 'CHAR(36)',
    datetime: 'TIMESTAMP',
    date: 'DATE',
    time: 'TIME',
    timedelta: 'BIGINT',
    varchar: 'VARCHAR(50)',
    decimal: 'VARCHAR(40)',
  };
  for (const type of ALL_COLUMN_TYPES) {
    it(`creates a ${type.type} column as ${types[type.type]}`, () => {
      expect(oneColumnTable(type), `CREATE TABLE "t" ("c" ${types[type.type]} NOT NULL)`);
    });
  }

  it('auto-increments as INTEGER PRIMARY KEY AUTOINCREMENT whatever the integer size', () => {
    for (const type of ['int', 'bigint', 'smallint'] as const) {
      expect(autoIncrementPk({ type }), 'CREATE TABLE "t" ("c" INTEGER PRIMARY KEY AUTOINCREMENT)');
    }
  });

  it('renders NULL/NOT NULL, UNIQUE, defaults and composite unique constraints; drops comments', () => {
    expect(
      fullTable,
      'CREATE TABLE IF NOT EXISTS "users" ("id" INTEGER PRIMARY KEY AUTOINCREMENT, ' +
        `"name" VARCHAR(50) NOT NULL DEFAULT 'it''s', "email" VARCHAR(100) UNIQUE, ` +
        '"active" INT NOT NULL DEFAULT 1, "score" REAL NOT NULL DEFAULT 0, ' +
        'CONSTRAINT "uq_users_name_email" UNIQUE ("name", "email"))',
    );
  });

  it('creates indexes', () => {
    expect(
      { kind: 'createIndex', name: 'idx_users_name', table: 'users', columns: ['name'], unique: false, ifNotExists: false },
      'CREATE INDEX "idx_users_name" ON "users" ("name")',
    );
    expect(
      { kind: 'createIndex', name: 'uq', table: 'users', columns: ['name', 'email'], unique: true, ifNotExists: true },
      'CREATE UNIQUE INDEX IF NOT EXISTS "uq" ON "users" ("name", "email")',
    );
  });

  it('drops tables', () => {
    expect({ kind: 'dropTable', table: 'users', ifExists: false }, 'DROP TABLE "users"');
    expect({ kind: 'dropTable', table: 'users', ifExists: true }, 'DROP TABLE IF EXISTS "users"');
  });

  it('renders DDL literals: quotes doubled, backslashes kept, booleans as 0/1', () => {
    assert.equal(compiler.literal("it's 'quoted'"), "'it''s ''quoted'''");
    assert.equal(compiler.literal('a\\b'), "'a\\b'");
    assert.equal(compiler.literal(null), 'NULL');
    assert.equal(compiler.literal(true), '1');
    assert.equal(compiler.literal(false), '0');
    assert.equal(compiler.literal(1.5), '1.5');
    assert.equal(compiler.literal(12n), '12');
  });

  it('refuses DDL literals it cannot render', () => {
    assert.throws(() => compiler.literal(Number.NaN), { name: 'TypeError', message: /cannot render NaN in DDL/ });
    assert.throws(() => compiler.literal({}), { name: 'TypeError', message: /cannot render a object default in DDL/ });
  });
});

describe('sqlite compiler: transactions', () => {
  it('begins IMMEDIATE so writers queue instead of failing to upgrade', () => {
    expect(tx('begin'), 'BEGIN IMMEDIATE');
    expect(tx('commit'), 'COMMIT');
    expect(tx('rollback'), 'ROLLBACK');
  });

  it('quotes savepoint names', () => {
    expect(tx('savepoint', 'sp_1'), 'SAVEPOINT "sp_1"');
    expect(tx('releaseSavepoint', 'sp_1'), 'RELEASE SAVEPOINT "sp_1"');
    expect(tx('rollbackToSavepoint', 'sp_1'), 'ROLLBACK TO SAVEPOINT "sp_1"');
  });
});

describe('sqlite compiler: quoting and parameters', () => {
  it('doubles the quote character in hostile identifiers', () => {
    assert.equal(compiler.quoteIdent('a"b'), '"a""b"');
    assert.equal(compiler.quoteIdent('a`b'), '"a`b"');
    expect(
      usersSelect({
        from: { name: 'us"ers', alias: 'u"1' },
        columns: [{ expr: col('na"me', 'u"1'), alias: 'x"y' }],
        orderBy: [{ expr: col('"; DROP TABLE x; --'), desc: false }],
      }),
      'SELECT "u""1"."na""me" AS "x""y" FROM "us""ers" "u""1" ORDER BY """; DROP TABLE x; --" ASC',
    );
    expect(insert({ table: 'x"y', columns: ['c"d'], rows: [[p(1)]] }), 'INSERT INTO "x""y" ("c""d") VALUES (?)', [1]);
    expect(tx('savepoint', 's"p'), 'SAVEPOINT "s""p"');
  });

  it('never puts a value in the SQL text', () => {
    assertValuesAreParams(compiler);
  });
});
