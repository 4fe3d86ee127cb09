/**
 * PostgreSQL's compiled SQL, asserted exactly from hand-built AST nodes (no database).
 * Placeholders are numbered ($1, $2 …), identifiers double-quoted, CASE branches carry a CAST,
 * auto-increment columns are SERIAL types and row locks are FOR UPDATE [OF …] [NOWAIT | SKIP LOCKED].
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { postgresDialect } from '../../src/dialects/postgres/index.js';
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

const compiler = postgresDialect.compiler;
const expect = (node: Statement, sql: string, params: readonly unknown[] = []) => expectSql(compiler, node, sql, params);
const WHERE = 'SELECT "id" FROM "users" WHERE ';
const SELECT = 'SELECT "id", "name" FROM "users"';

describe('postgres compiler: select and conditions', () => {
  it('compiles a plain select', () => {
    expect(usersSelect(), SELECT);
  });

  it('numbers placeholders in order; parenthesises OR and nested AND; negates with NOT', () => {
    expect(
      whereSelect(
        andOf(
          eq(col('name'), p('ann')),
          orOf(gt(col('age'), p(18)), isNull(col('age'))),
          not(andOf(eq(col('id'), p(1)), eq(col('id'), p(2)))),
        ),
      ),
      `${WHERE}"name" = $1 AND ("age" > $2 OR "age" IS NULL) AND NOT ("id" = $3 AND "id" = $4)`,
      ['ann', 18, 1, 2],
    );
  });

  it('empty AND is true, empty OR is false', () => {
    expect(whereSelect(andOf()), `${WHERE}1=1`);
    expect(whereSelect(orOf()), `${WHERE}1=0`);
  });

  it('compiles IN and NOT IN with one placeholder per value', () => {
    expect(whereSelect(inList(col('id'), [1, 2, 3])), `${WHERE}"id" IN ($1, $2, $3)`, [1, 2, 3]);
    expect(whereSelect(inList(col('id'), [4, 5], true)), `${WHERE}"id" NOT IN ($1, $2)`, [4, 5]);
  });

  it('empty IN matches nothing and empty NOT IN matches everything', () => {
    expect(whereSelect(inList(col('id'), [])), `${WHERE}1=0`);
    expect(whereSelect(inList(col('id'), [], true)), `${WHERE}1=1`);
    expect(
      whereSelect(andOf(inList(col('id'), []), eq(col('name'), p('x')))),
      `${WHERE}1=0 AND "name" = $1`,
      ['x'],
    );
  });

  it('compiles BETWEEN, IS NULL and IS NOT NULL', () => {
    expect(whereSelect(between(col('age'), 18, 65)), `${WHERE}"age" BETWEEN $1 AND $2`, [18, 65]);
    expect(whereSelect(isNull(col('age'))), `${WHERE}"age" IS NULL`);
    expect(whereSelect(isNull(col('age'), true)), `${WHERE}"age" IS NOT NULL`);
  });

  it('compiles aliases, joins, DISTINCT, aggregates and GROUP BY', () => {
    expect(
      usersSelect({
        from: { name: 'users', alias: 'u' },
        distinct: true,
        joins: [{ type: 'inner', table: { name: 'teams', alias: 't' }, on: eq(col('id', 't'), col('team_id', 'u')) }],
        columns: [
          { expr: col('team_id', 'u'), alias: undefined },
          { expr: { kind: 'aggregate', fn: 'COUNT', expr: col('id', 'u'), distinct: false }, alias: 'c' },
        ],
        groupBy: [col('team_id', 'u')],
      }),
      'SELECT DISTINCT "u"."team_id", COUNT("u"."id") AS "c" FROM "users" "u" ' +
        'INNER JOIN "teams" "t" ON "t"."id" = "u"."team_id" GROUP BY "u"."team_id"',
    );
  });
});

describe('postgres compiler: text matching', () => {
  // LIKE metacharacters and the escape character are escaped with '!'; GLOB's are left alone.
  const value = 'a%b_c!d*e?f[g]';
  const escaped = 'a!%b!_c!!d*e?f[g]';
  const modes = [
    ['exact', escaped],
    ['contains', `%${escaped}%`],
    ['startsWith', `${escaped}%`],
    ['endsWith', `%${escaped}`],
  ] as const;

  for (const [mode, pattern] of modes) {
    it(`case-sensitive ${mode} uses LIKE with ESCAPE '!'`, () => {
      expect(whereSelect(like(value, mode, false)), `${WHERE}CAST("name" AS VARCHAR) LIKE $1 ESCAPE '!'`, [pattern]);
    });

    it(`case-insensitive ${mode} compares UPPER of both sides`, () => {
      expect(
        whereSelect(like(value, mode, true)),
        `${WHERE}UPPER(CAST("name" AS VARCHAR)) LIKE UPPER($1) ESCAPE '!'`,
        [pattern],
      );
    });
  }

  it('matches a text column without a cast; a UUID column is cast', () => {
    for (const storage of ['varchar', 'text'] as const) {
      expect(whereSelect(like('ab', 'startsWith', false, col('name'), storage)), `${WHERE}"name" LIKE $1 ESCAPE '!'`, ['ab%']);
      expect(whereSelect(like('ab', 'endsWith', true, col('name'), storage)), `${WHERE}UPPER("name") LIKE UPPER($1) ESCAPE '!'`, ['%ab']);
    }
    expect(whereSelect(like('ab', 'startsWith', false, col('name'), 'uuid')), `${WHERE}CAST("name" AS VARCHAR) LIKE $1 ESCAPE '!'`, ['ab%']);
  });
});

describe('postgres compiler: date parts and decimals', () => {
  const expected = (part: string): string => {
    if (part === 'second') return 'FLOOR(EXTRACT(SECOND FROM "at"))';
    if (part === 'microsecond') return '(CAST(EXTRACT(MICROSECONDS FROM "at") AS BIGINT) % 1000000)';
    return `EXTRACT(${part.toUpperCase()} FROM "at")`;
  };

  for (const part of ALL_DATE_PARTS) {
    it(`extracts ${part}`, () => {
      expect(whereSelect(eq(datePart(part), p(7))), `${WHERE}${expected(part)} = $1`, [7]);
      expect(whereSelect(eq(datePart(part, 'time'), p(7))), `${WHERE}${expected(part)} = $1`, [7]);
    });
  }

  it('compares decimals as they are (NUMERIC)', () => {
    expect(
      whereSelect(gt({ kind: 'decimalValue', expr: col('price') }, { kind: 'decimalValue', expr: p('1.50') })),
      `${WHERE}"price" > $1`,
      ['1.50'],
    );
  });
});

describe('postgres compiler: order, limit, offset, lock, count', () => {
  it('orders, limits and offsets with bound values', () => {
    expect(
      usersSelect({ orderBy: [{ expr: col('name'), desc: true }, { expr: col('id'), desc: false }], limit: 10, offset: 20 }),
      `${SELECT} ORDER BY "name" DESC, "id" ASC LIMIT $1 OFFSET $2`,
      [10, 20],
    );
    expect(usersSelect({ limit: 3 }), `${SELECT} LIMIT $1`, [3]);
  });

  it('offset without limit needs no LIMIT', () => {
    expect(usersSelect({ offset: 5 }), `${SELECT} OFFSET $1`, [5]);
  });

  it('locks rows with FOR UPDATE, OF, NOWAIT and SKIP LOCKED', () => {
    expect(usersSelect({ lock: lock() }), `${SELECT} FOR UPDATE`);
    expect(usersSelect({ lock: lock({ nowait: true }) }), `${SELECT} FOR UPDATE NOWAIT`);
    expect(usersSelect({ lock: lock({ skipLocked: true }) }), `${SELECT} FOR UPDATE SKIP LOCKED`);
    expect(
      usersSelect({ lock: lock({ of: ['users', 'teams'], nowait: true }), limit: 1 }),
      `${SELECT} LIMIT $1 FOR UPDATE OF "users", "teams" NOWAIT`,
      [1],
    );
  });

  it('wraps a select in COUNT(*)', () => {
    expect(
      { kind: 'count', inner: usersSelect({ where: gt(col('age'), p(18)), offset: 2 }) },
      'SELECT COUNT(*) FROM (SELECT "id", "name" FROM "users" WHERE "age" > $1 OFFSET $2) "_count"',
      [18, 2],
    );
  });

  it('explains as verbose JSON', () => {
    expect({ kind: 'explain', statement: usersSelect() }, `EXPLAIN (FORMAT JSON, VERBOSE) ${SELECT}`);
  });
});

describe('postgres compiler: writes', () => {
  const rows = ['ann', 30, 'bob', 40];

  it('inserts several rows, with and without RETURNING', () => {
    expect(insert(), 'INSERT INTO "users" ("name", "age") VALUES ($1, $2), ($3, $4)', rows);
    expect(
      insert({ returning: ['id', 'created_at'] }),
      'INSERT INTO "users" ("name", "age") VALUES ($1, $2), ($3, $4) RETURNING "id", "created_at"',
      rows,
    );
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
      'INSERT INTO "users" ("name", "age") VALUES ($1, $2), ($3, $4) ON CONFLICT DO NOTHING',
      rows,
    );
  });

  it('upserts with ON CONFLICT (target) DO UPDATE SET x = EXCLUDED.x', () => {
    expect(
      insert({ onConflict: upsert, returning: ['id'] }),
      'INSERT INTO "users" ("name", "age") VALUES ($1, $2), ($3, $4) ' +
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
          { column: 'age', value: { kind: 'arithmetic', op: '*', left: col('age'), right: p(2) } },
        ],
        where: eq(col('id'), p(7)),
      },
      'UPDATE "users" SET "name" = $1, "age" = ("age" * $2) WHERE "id" = $3',
      ['ann', 2, 7],
    );
  });

  it('bulk-updates with CASE, casting each branch to the column type', () => {
    expect(
      caseUpdate({ type: 'varchar', length: 50 }),
      'UPDATE "users" SET "name" = CASE WHEN "id" = $1 THEN CAST($2 AS VARCHAR(50)) ' +
        'WHEN "id" = $3 THEN CAST($4 AS VARCHAR(50)) END WHERE "id" IN ($5, $6)',
      [1, 'ann', 2, 'bob', 1, 2],
    );
  });

  it('casts typed values to the plain column type, never a SERIAL', () => {
    const cases: [ColumnType, string][] = [
      [{ type: 'int' }, 'INT'],
      [{ type: 'bigint' }, 'BIGINT'],
      [{ type: 'boolean' }, 'BOOL'],
      [{ type: 'json' }, 'JSONB'],
      [{ type: 'datetime' }, 'TIMESTAMPTZ'],
      [{ type: 'uuid' }, 'UUID'],
      [{ type: 'decimal', digits: 10, places: 2 }, 'DECIMAL(10,2)'],
    ];
    for (const [type, sql] of cases) {
      expect(whereSelect(eq(col('c'), { kind: 'typed', expr: p(1), type })), `${WHERE}"c" = CAST($1 AS ${sql})`, [1]);
    }
  });

  it('deletes with and without WHERE', () => {
    expect(
      { kind: 'delete', table: { name: 'users', alias: undefined }, where: eq(col('id'), p(3)) },
      'DELETE FROM "users" WHERE "id" = $1',
      [3],
    );
    expect({ kind: 'delete', table: { name: 'users', alias: undefined }, where: undefined }, 'DELETE FROM "users"');
  });
});

describe('postgres compiler: DDL', () => {
  const types: Record<ColumnType['type'], string> = {
    int: 'INT',
    bigint: 'BIGINT',
    smallint: 'SMALLINT',
    float: 'DOUBLE PRECISION',
    boolean: 'BOOL',
    text: 'TEXT',
    json: 'JSONB',
    binary: 'BYTEA',
    uuid: 'UUID',
    datetime: 'TIMESTAMPTZ',
    date: 'DATE',
    time: 'TIME',
    timedelta: 'BIGINT',
    varchar: 'VARCHAR(50)',
    decimal: 'DECIMAL(10,2)',
  };
  for (const type of ALL_COLUMN_TYPES) {
    it(`creates a ${type.type} column as ${types[type.type]}`, () => {
      expect(oneColumnTable(type), `CREATE TABLE "t" ("c" ${types[type.type]} NOT NULL)`);
    });
  }

  it('auto-increments with SERIAL, BIGSERIAL and SMALLSERIAL', () => {
    expect(autoIncrementPk({ type: 'int' }), 'CREATE TABLE "t" ("c" SERIAL PRIMARY KEY)');
    expect(autoIncrementPk({ type: 'bigint' }), 'CREATE TABLE "t" ("c" BIGSERIAL PRIMARY KEY)');
    expect(autoIncrementPk({ type: 'smallint' }), 'CREATE TABLE "t" ("c" SMALLSERIAL PRIMARY KEY)');
  });

  it('renders NULL/NOT NULL, UNIQUE, defaults and composite unique constraints', () => {
    expect(
      fullTable,
      'CREATE TABLE IF NOT EXISTS "users" ("id" SERIAL PRIMARY KEY, ' +
        `"name" VARCHAR(50) NOT NULL DEFAULT 'it''s', "email" VARCHAR(100) UNIQUE, ` +
        '"active" BOOL NOT NULL DEFAULT TRUE, "score" DOUBLE PRECISION NOT NULL DEFAULT 0, ' +
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

  it('renders DDL literals: quotes doubled, backslashes kept (standard_conforming_strings)', () => {
    assert.equal(compiler.literal("it's 'quoted'"), "'it''s ''quoted'''");
    assert.equal(compiler.literal('a\\b'), "'a\\b'");
    assert.equal(compiler.literal(null), 'NULL');
    assert.equal(compiler.literal(true), 'TRUE');
    assert.equal(compiler.literal(false), 'FALSE');
    assert.equal(compiler.literal(-2.25), '-2.25');
  });

  it('refuses DDL literals it cannot render', () => {
    assert.throws(() => compiler.literal(Number.POSITIVE_INFINITY), { name: 'TypeError', message: /cannot render Infinity in DDL/ });
    assert.throws(() => compiler.literal(new Date(0)), { name: 'TypeError', message: /cannot render a object default in DDL/ });
  });
});

describe('postgres compiler: transactions', () => {
  it('begins, commits and rolls back', () => {
    expect(tx('begin'), 'BEGIN');
    expect(tx('commit'), 'COMMIT');
    expect(tx('rollback'), 'ROLLBACK');
  });

  it('quotes savepoint names', () => {
    expect(tx('savepoint', 'sp_1'), 'SAVEPOINT "sp_1"');
    expect(tx('releaseSavepoint', 'sp_1'), 'RELEASE SAVEPOINT "sp_1"');
    expect(tx('rollbackToSavepoint', 'sp_1'), 'ROLLBACK TO SAVEPOINT "sp_1"');
  });
});

describe('postgres compiler: quoting and parameters', () => {
  it('doubles the quote character in hostile identifiers', () => {
    assert.equal(compiler.quoteIdent('a"b'), '"a""b"');
    assert.equal(compiler.quoteIdent('a`b'), '"a`b"');
    expect(
      usersSelect({
        from: { name: 'us"ers', alias: 'u"1' },
        columns: [{ expr: col('na"me', 'u"1'), alias: 'x"y' }],
        lock: lock({ of: ['us"ers'] }),
      }),
      'SELECT "u""1"."na""me" AS "x""y" FROM "us""ers" "u""1" FOR UPDATE OF "us""ers"',
    );
    expect(
      { kind: 'createIndex', name: 'i"x', table: 't"b', columns: ['c"d'], unique: false, ifNotExists: false },
      'CREATE INDEX "i""x" ON "t""b" ("c""d")',
    );
    expect(tx('savepoint', 's"p'), 'SAVEPOINT "s""p"');
  });

  it('never puts a value in the SQL text', () => {
    assertValuesAreParams(compiler);
  });
});
