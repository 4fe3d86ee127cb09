/**
 * MySQL/MariaDB compiled SQL, asserted exactly from hand-built AST nodes (no database).
 * Placeholders are `?`, identifiers back-quoted, ignore/upsert become INSERT IGNORE and
 * ON DUPLICATE KEY UPDATE, and tables get a binary collation so comparisons are case-sensitive.
 * MySQL and MariaDB share one compiler class; they differ in capabilities and the table collation's name.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { mariadbDialect, mysqlDialect, mysqlDialectFor } from '../../src/dialects/mysql/index.js';
import type { ColumnType, Statement } from '../../src/sql/ast.js';
import { NotSupportedError } from '../../src/errors.js';
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

/** MariaDB is the backend the suites run on; MySQL 8 differs only in the name of its binary NO PAD collation. */
const compiler = mariadbDialect.compiler;
const MARIADB_COLLATION = 'utf8mb4_nopad_bin';
const MYSQL_COLLATION = 'utf8mb4_0900_bin';
const expect = (node: Statement, sql: string, params: readonly unknown[] = []) => {
  expectSql(compiler, node, sql, params);
  expectSql(mysqlDialect.compiler, node, sql.replace(MARIADB_COLLATION, MYSQL_COLLATION), params);
};
const WHERE = 'SELECT `id` FROM `users` WHERE ';
const SELECT = 'SELECT `id`, `name` FROM `users`';
/** Binary (case-sensitive) and NO PAD (trailing spaces significant), as on the other backends. */
const SUFFIX = ` CHARACTER SET utf8mb4 COLLATE ${MARIADB_COLLATION}`;

describe('mysql compiler: dialect variants', () => {
  it('MariaDB ≥ 10.5 has INSERT … RETURNING, MySQL does not', () => {
    assert.equal(mysqlDialect.capabilities.insertReturning, false);
    assert.equal(mariadbDialect.capabilities.insertReturning, true);
    assert.equal(mysqlDialectFor('10.11.6-MariaDB-1:10.11.6+maria~ubu2204'), mariadbDialect);
    assert.equal(mysqlDialectFor('11.4.2-MariaDB'), mariadbDialect);
    assert.equal(mysqlDialectFor('10.5.0-MariaDB').capabilities.insertReturning, true);
    assert.equal(mysqlDialectFor('8.0.36'), mysqlDialect);
  });

  it('compares JSON with JSON_EQUALS on MariaDB ≥ 10.7, containment both ways before, CAST … AS JSON on MySQL 8', () => {
    const equals = { kind: 'jsonEquals', left: col('data'), right: { kind: 'jsonLiteral', json: '[1]' } } as const;
    const render = (dialect: typeof mysqlDialect) => dialect.compiler.expr(equals, []);
    assert.equal(render(mariadbDialect), "(COALESCE(JSON_EQUALS(`data`, ?), 0) = 1)");
    assert.equal(render(mysqlDialectFor('10.6.9-MariaDB')), '(JSON_CONTAINS(`data`, ?) AND JSON_CONTAINS(?, `data`))');
    assert.equal(render(mysqlDialect), '(CAST(`data` AS JSON) = CAST(? AS JSON))');
  });

  it('extracts JSON paths with a bound SQL/JSON path, quoting keys', () => {
    const params: unknown[] = [];
    const sql = compiler.expr({ kind: 'jsonPath', expr: col('data'), path: ['owner', 'dotted.key', '0'], as: 'presence' }, params);
    assert.equal(sql, "NULLIF(JSON_TYPE(JSON_EXTRACT(`data`, ?)), 'NULL')");
    assert.deepEqual(params, ['$."owner"."dotted.key"[0]']);
  });

  it('MariaDB before 10.5 has no RETURNING but keeps the MariaDB collation', () => {
    const older = mysqlDialectFor('10.4.32-MariaDB');
    assert.equal(older.capabilities.insertReturning, false);
    expectSql(
      older.compiler,
      oneColumnTable({ type: 'int' }),
      'CREATE TABLE `t` (`c` INT NOT NULL) CHARACTER SET utf8mb4 COLLATE utf8mb4_nopad_bin',
    );
  });

  it('MySQL 8 tables use utf8mb4_0900_bin', () => {
    expectSql(
      mysqlDialect.compiler,
      oneColumnTable({ type: 'int' }),
      'CREATE TABLE `t` (`c` INT NOT NULL) CHARACTER SET utf8mb4 COLLATE utf8mb4_0900_bin',
    );
  });
});

describe('mysql compiler: select and conditions', () => {
  it('compiles a plain select', () => {
    expect(usersSelect(), SELECT);
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
      `${WHERE}\`name\` = ? AND (\`age\` > ? OR \`age\` IS NULL) AND NOT (\`id\` = ? AND \`id\` = ?)`,
      ['ann', 18, 1, 2],
    );
  });

  it('empty AND is true, empty OR is false', () => {
    expect(whereSelect(andOf()), `${WHERE}1=1`);
    expect(whereSelect(orOf()), `${WHERE}1=0`);
  });

  it('compiles IN and NOT IN with one placeholder per value', () => {
    expect(whereSelect(inList(col('id'), [1, 2, 3])), `${WHERE}\`id\` IN (?, ?, ?)`, [1, 2, 3]);
    expect(whereSelect(inList(col('id'), [4, 5], true)), `${WHERE}\`id\` NOT IN (?, ?)`, [4, 5]);
  });

  it('empty IN matches nothing and empty NOT IN matches everything', () => {
    expect(whereSelect(inList(col('id'), [])), `${WHERE}1=0`);
    expect(whereSelect(inList(col('id'), [], true)), `${WHERE}1=1`);
  });

  it('compiles BETWEEN, IS NULL and IS NOT NULL', () => {
    expect(whereSelect(between(col('age'), 18, 65)), `${WHERE}\`age\` BETWEEN ? AND ?`, [18, 65]);
    expect(whereSelect(isNull(col('age'))), `${WHERE}\`age\` IS NULL`);
    expect(whereSelect(isNull(col('age'), true)), `${WHERE}\`age\` IS NOT NULL`);
  });

  it('compiles aliases, joins and aggregates', () => {
    expect(
      usersSelect({
        from: { name: 'users', alias: 'u' },
        joins: [{ type: 'left', table: { name: 'teams', alias: 't' }, on: eq(col('id', 't'), col('team_id', 'u')) }],
        columns: [{ expr: { kind: 'aggregate', fn: 'MAX', expr: col('age', 'u'), distinct: false }, alias: 'm' }],
      }),
      'SELECT MAX(`u`.`age`) AS `m` FROM `users` `u` LEFT OUTER JOIN `teams` `t` ON `t`.`id` = `u`.`team_id`',
    );
  });
});

describe('mysql compiler: text matching', () => {
  // LIKE metacharacters and the escape character are escaped with '!'; GLOB's are left alone.
  const value = 'a%b_c!d*e?f[g]\\h';
  const escaped = 'a!%b!_c!!d*e?f[g]\\h';
  const modes = [
    ['exact', escaped],
    ['contains', `%${escaped}%`],
    ['startsWith', `${escaped}%`],
    ['endsWith', `%${escaped}`],
  ] as const;

  for (const [mode, pattern] of modes) {
    it(`case-sensitive ${mode} uses LIKE with ESCAPE '!' (the table collation is binary)`, () => {
      expect(whereSelect(like(value, mode, false)), `${WHERE}CAST(\`name\` AS CHAR) LIKE ? ESCAPE '!'`, [pattern]);
    });

    it(`case-insensitive ${mode} compares UPPER of both sides`, () => {
      expect(
        whereSelect(like(value, mode, true)),
        `${WHERE}UPPER(CAST(\`name\` AS CHAR)) LIKE UPPER(?) ESCAPE '!'`,
        [pattern],
      );
    });
  }

  it('matches a text or UUID column without a cast, which keeps its binary collation and its index', () => {
    for (const storage of ['varchar', 'text', 'uuid'] as const) {
      expect(whereSelect(like('ab', 'startsWith', false, col('name'), storage)), `${WHERE}\`name\` LIKE ? ESCAPE '!'`, ['ab%']);
      expect(whereSelect(like('ab', 'contains', true, col('name'), storage)), `${WHERE}UPPER(\`name\`) LIKE UPPER(?) ESCAPE '!'`, ['%ab%']);
    }
    expect(whereSelect(like('1', 'startsWith', false, col('name'), 'int')), `${WHERE}CAST(\`name\` AS CHAR) LIKE ? ESCAPE '!'`, ['1%']);
  });
});

describe('mysql compiler: date parts and decimals', () => {
  const expected = (part: string): string =>
    part === 'week' ? 'WEEK(`at`, 3)' : `EXTRACT(${part.toUpperCase()} FROM \`at\`)`;

  for (const part of ALL_DATE_PARTS) {
    it(`extracts ${part}`, () => {
      expect(whereSelect(eq(datePart(part), p(7))), `${WHERE}${expected(part)} = ?`, [7]);
      expect(whereSelect(eq(datePart(part, 'date'), p(7))), `${WHERE}${expected(part)} = ?`, [7]);
    });
  }

  it('uses ISO weeks (mode 3), as EXTRACT(WEEK) on PostgreSQL and %V on SQLite', () => {
    expect(whereSelect(eq(datePart('week'), p(1))), `${WHERE}WEEK(\`at\`, 3) = ?`, [1]);
  });

  it('compares decimals as they are (DECIMAL)', () => {
    expect(
      whereSelect(gt({ kind: 'decimalValue', expr: col('price') }, { kind: 'decimalValue', expr: p('1.50') })),
      `${WHERE}\`price\` > ?`,
      ['1.50'],
    );
  });
});

describe('mysql compiler: order, limit, offset, lock, count', () => {
  it('orders, limits and offsets with bound values', () => {
    expect(
      usersSelect({ orderBy: [{ expr: col('name'), desc: true }, { expr: col('id'), desc: false }], limit: 10, offset: 20 }),
      `${SELECT} ORDER BY \`name\` DESC, \`id\` ASC LIMIT ? OFFSET ?`,
      [10, 20],
    );
    expect(usersSelect({ limit: 3 }), `${SELECT} LIMIT ?`, [3]);
  });

  it('offset without limit uses the largest LIMIT MySQL accepts', () => {
    expect(usersSelect({ offset: 5 }), `${SELECT} LIMIT 18446744073709551615 OFFSET ?`, [5]);
  });

  it('locks rows with FOR UPDATE, OF, NOWAIT and SKIP LOCKED', () => {
    expect(usersSelect({ lock: lock() }), `${SELECT} FOR UPDATE`);
    expect(usersSelect({ lock: lock({ nowait: true }) }), `${SELECT} FOR UPDATE NOWAIT`);
    expect(usersSelect({ lock: lock({ skipLocked: true }) }), `${SELECT} FOR UPDATE SKIP LOCKED`);
    // MySQL 8 has FOR UPDATE OF; MariaDB has not, and says so before any SQL is sent.
    expectSql(
      mysqlDialect.compiler,
      usersSelect({ lock: lock({ of: ['users'], skipLocked: true }), limit: 1 }),
      `${SELECT} LIMIT ? FOR UPDATE OF \`users\` SKIP LOCKED`,
      [1],
    );
    assert.throws(() => compiler.compile(usersSelect({ lock: lock({ of: ['users'] }) })), (error: unknown) => {
      assert.ok(error instanceof NotSupportedError);
      assert.match((error as Error).message, /^MariaDB has no SELECT … FOR UPDATE OF/);
      return true;
    });
  });

  it('wraps a select in COUNT(*)', () => {
    expect(
      { kind: 'count', inner: usersSelect({ where: gt(col('age'), p(18)), offset: 2 }) },
      'SELECT COUNT(*) FROM (SELECT `id`, `name` FROM `users` WHERE `age` > ? LIMIT 18446744073709551615 OFFSET ?) `_count`',
      [18, 2],
    );
  });

  it('explains as JSON', () => {
    expect({ kind: 'explain', statement: usersSelect() }, `EXPLAIN FORMAT=JSON ${SELECT}`);
  });
});

describe('mysql compiler: writes', () => {
  const rows = ['ann', 30, 'bob', 40];

  it('inserts several rows; RETURNING is emitted when asked (MariaDB only asks)', () => {
    expect(insert(), 'INSERT INTO `users` (`name`, `age`) VALUES (?, ?), (?, ?)', rows);
    expect(insert({ returning: ['id'] }), 'INSERT INTO `users` (`name`, `age`) VALUES (?, ?), (?, ?) RETURNING `id`', rows);
  });

  it('inserts a row of defaults with () VALUES ()', () => {
    expect(insert({ columns: [], rows: [[]] }), 'INSERT INTO `users` () VALUES ()');
    // One DEFAULT VALUES statement inserts one row; bulkCreate sends such rows one by one.
    assert.throws(() => compiler.compile(insert({ columns: [], rows: [[], []] })), {
      name: 'TypeError',
      message: 'an INSERT into users with no columns must have exactly one row, got 2',
    });
  });

  it('ignores conflicts with INSERT IGNORE', () => {
    expect(insert({ onConflict: ignoreConflicts }), 'INSERT IGNORE INTO `users` (`name`, `age`) VALUES (?, ?), (?, ?)', rows);
  });

  it('upserts with ON DUPLICATE KEY UPDATE x = VALUES(x), which needs no target', () => {
    expect(
      insert({ onConflict: upsert }),
      'INSERT INTO `users` (`name`, `age`) VALUES (?, ?), (?, ?) ' +
        'ON DUPLICATE KEY UPDATE `name` = VALUES(`name`), `age` = VALUES(`age`)',
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
          { column: 'age', value: { kind: 'arithmetic', op: '-', left: col('age'), right: p(1) } },
        ],
        where: eq(col('id'), p(7)),
      },
      'UPDATE `users` SET `name` = ?, `age` = (`age` - ?) WHERE `id` = ?',
      ['ann', 1, 7],
    );
  });

  it('bulk-updates with CASE; typed values need no cast', () => {
    expect(
      caseUpdate({ type: 'varchar', length: 50 }),
      'UPDATE `users` SET `name` = CASE WHEN `id` = ? THEN ? WHEN `id` = ? THEN ? END WHERE `id` IN (?, ?)',
      [1, 'ann', 2, 'bob', 1, 2],
    );
  });

  it('deletes with and without WHERE', () => {
    expect(
      { kind: 'delete', table: { name: 'users', alias: undefined }, where: eq(col('id'), p(3)) },
      'DELETE FROM `users` WHERE `id` = ?',
      [3],
    );
    expect({ kind: 'delete', table: { name: 'users', alias: undefined }, where: undefined }, 'DELETE FROM `users`');
  });
});

describe('mysql compiler: DDL', () => {
  const types: Record<ColumnType['type'], string> = {
    int: 'INT',
    bigint: 'BIGINT',
    smallint: 'SMALLINT',
    float: 'DOUBLE',
    boolean: 'BOOL',
    text: 'LONGTEXT',
    json: 'JSON',
    binary: 'LONGBLOB',
    uuid: 'CHAR(36)',
    datetime: 'DATETIME(6)',
    date: 'DATE',
    time: 'TIME(6)',
    timedelta: 'BIGINT',
    varchar: 'VARCHAR(50)',
    decimal: 'DECIMAL(10,2)',
  };
  for (const type of ALL_COLUMN_TYPES) {
    it(`creates a ${type.type} column as ${types[type.type]}`, () => {
      expect(oneColumnTable(type), `CREATE TABLE \`t\` (\`c\` ${types[type.type]} NOT NULL)${SUFFIX}`);
    });
  }

  it('auto-increments with AUTO_INCREMENT on the integer type', () => {
    expect(autoIncrementPk({ type: 'int' }), `CREATE TABLE \`t\` (\`c\` INT PRIMARY KEY AUTO_INCREMENT)${SUFFIX}`);
    expect(autoIncrementPk({ type: 'bigint' }), `CREATE TABLE \`t\` (\`c\` BIGINT PRIMARY KEY AUTO_INCREMENT)${SUFFIX}`);
  });

  it('renders NULL/NOT NULL, UNIQUE, defaults, comments and composite unique constraints', () => {
    expect(
      fullTable,
      'CREATE TABLE IF NOT EXISTS `users` (`id` INT PRIMARY KEY AUTO_INCREMENT, ' +
        "`name` VARCHAR(50) NOT NULL DEFAULT 'it''s', `email` VARCHAR(100) UNIQUE, " +
        "`active` BOOL NOT NULL DEFAULT TRUE COMMENT 'is active', `score` DOUBLE NOT NULL DEFAULT 0, " +
        'CONSTRAINT `uq_users_name_email` UNIQUE (`name`, `email`))' +
        `${SUFFIX} COMMENT='people'`,
    );
  });

  it('escapes quotes and backslashes in comments', () => {
    expect(
      { ...oneColumnTable({ type: 'int' }, { comment: "it's a\\b" }), comment: "o'k\\" },
      `CREATE TABLE \`t\` (\`c\` INT NOT NULL COMMENT 'it''s a\\\\b')${SUFFIX} COMMENT='o''k\\\\'`,
    );
  });

  it('creates indexes', () => {
    expect(
      { kind: 'createIndex', name: 'idx_users_name', table: 'users', columns: ['name'], unique: false, ifNotExists: false },
      'CREATE INDEX `idx_users_name` ON `users` (`name`)',
    );
    expect(
      { kind: 'createIndex', name: 'uq', table: 'users', columns: ['name', 'email'], unique: true, ifNotExists: true },
      'CREATE UNIQUE INDEX IF NOT EXISTS `uq` ON `users` (`name`, `email`)',
    );
  });

  it('drops tables', () => {
    expect({ kind: 'dropTable', table: 'users', ifExists: false }, 'DROP TABLE `users`');
    expect({ kind: 'dropTable', table: 'users', ifExists: true }, 'DROP TABLE IF EXISTS `users`');
  });

  it('renders DDL literals: quotes doubled and backslashes doubled', () => {
    assert.equal(compiler.literal("it's 'quoted'"), "'it''s ''quoted'''");
    assert.equal(compiler.literal('a\\b'), "'a\\\\b'");
    assert.equal(compiler.literal("\\'"), "'\\\\'''");
    assert.equal(compiler.literal(null), 'NULL');
    assert.equal(compiler.literal(true), 'TRUE');
    assert.equal(compiler.literal(false), 'FALSE');
    assert.equal(compiler.literal(7), '7');
    expect(
      oneColumnTable({ type: 'varchar', length: 10 }, { default: p("a\\'b") }),
      `CREATE TABLE \`t\` (\`c\` VARCHAR(10) NOT NULL DEFAULT 'a\\\\''b')${SUFFIX}`,
    );
  });

  it('refuses DDL literals it cannot render', () => {
    assert.throws(() => compiler.literal(Number.NaN), { name: 'TypeError', message: /cannot render NaN in DDL/ });
    assert.throws(() => compiler.literal(Symbol('x')), { name: 'TypeError', message: /cannot render a symbol default in DDL/ });
  });
});

describe('mysql compiler: transactions', () => {
  it('begins with START TRANSACTION', () => {
    expect(tx('begin'), 'START TRANSACTION');
    expect(tx('commit'), 'COMMIT');
    expect(tx('rollback'), 'ROLLBACK');
  });

  it('quotes savepoint names', () => {
    expect(tx('savepoint', 'sp_1'), 'SAVEPOINT `sp_1`');
    expect(tx('releaseSavepoint', 'sp_1'), 'RELEASE SAVEPOINT `sp_1`');
    expect(tx('rollbackToSavepoint', 'sp_1'), 'ROLLBACK TO SAVEPOINT `sp_1`');
  });
});

describe('mysql compiler: quoting and parameters', () => {
  it('doubles the back-quote in hostile identifiers and leaves double quotes alone', () => {
    assert.equal(compiler.quoteIdent('a`b'), '`a``b`');
    assert.equal(compiler.quoteIdent('a"b'), '`a"b`');
    expect(
      usersSelect({
        from: { name: 'us`ers', alias: 'u`1' },
        columns: [{ expr: col('na`me', 'u`1'), alias: 'x`y' }],
        orderBy: [{ expr: col('`; DROP TABLE x; --'), desc: true }],
      }),
      'SELECT `u``1`.`na``me` AS `x``y` FROM `us``ers` `u``1` ORDER BY ```; DROP TABLE x; --` DESC',
    );
    expect({ kind: 'dropTable', table: 'a`b', ifExists: true }, 'DROP TABLE IF EXISTS `a``b`');
    expect(tx('savepoint', 's`p'), 'SAVEPOINT `s``p`');
  });

  it('never puts a value in the SQL text', () => {
    assertValuesAreParams(compiler);
    assertValuesAreParams(mysqlDialect.compiler);
  });
});
