import type { Dialect } from '../dialect.js';
import { mysqlMigrations } from './migration-support.js';
import { MysqlSchemaEditor } from './schema-editor.js';
import { mysqlTestDatabases } from './test-databases.js';
import { mysqlIntrospection } from './introspection.js';
import { MysqlCompiler } from './compiler.js';
import { checkMysqlOptions } from './client-options.js';
import { MysqlPool } from './driver.js';
import { mysqlValues } from './values.js';

interface Variant {
  /** INSERT … RETURNING (MariaDB ≥ 10.5). */
  readonly returning: boolean;
  readonly collation: string;
  /** FOR UPDATE OF (MySQL 8, not MariaDB). */
  readonly lockOf: boolean;
  readonly jsonEquality: 'cast' | 'json-equals' | 'mutual-containment';
}

function mysqlFamily(variant: Variant): Dialect {
  return {
    name: 'mysql',
    compiler: new MysqlCompiler(variant.collation, variant.lockOf, variant.jsonEquality),
    capabilities: {
      insertId: true,
      insertReturning: variant.returning,
      selectForUpdate: true,
      upsertNeedsTarget: false,
      upsertReturning: false,
      commentStatements: false,
      forwardForeignKeys: false,
      isolation: 'separate',
      onDeleteSetDefault: false,
      readOnlyTransactions: true,
      savepoints: true,
    },
    values: mysqlValues,
    schemaEditor: new MysqlSchemaEditor(),
    migrations: mysqlMigrations,
    testDatabases: mysqlTestDatabases,
    introspection: mysqlIntrospection,
    createPool: (settings, connectionName) => new MysqlPool(settings, connectionName),
    checkSettings: (settings, connectionName) => checkMysqlOptions(settings.options, connectionName),
  };
}

/** MySQL 8: no INSERT … RETURNING. */
export const mysqlDialect: Dialect = mysqlFamily({ returning: false, collation: 'utf8mb4_0900_bin', lockOf: true, jsonEquality: 'cast' });
/** MariaDB ≥ 10.7: the same SQL plus INSERT … RETURNING and JSON_EQUALS. */
export const mariadbDialect: Dialect = mysqlFamily({ returning: true, collation: 'utf8mb4_nopad_bin', lockOf: false, jsonEquality: 'json-equals' });
/** MariaDB 10.5–10.6. */
const mariadb105Dialect: Dialect = mysqlFamily({ returning: true, collation: 'utf8mb4_nopad_bin', lockOf: false, jsonEquality: 'mutual-containment' });
/** MariaDB 10.2–10.4. */
const olderMariadbDialect: Dialect = mysqlFamily({ returning: false, collation: 'utf8mb4_nopad_bin', lockOf: false, jsonEquality: 'mutual-containment' });

/** Picks the variant from the server's version string ('10.11.6-MariaDB' or '8.0.36'). */
export function mysqlDialectFor(version: string): Dialect {
  if (!/mariadb/i.test(version)) return mysqlDialect;
  const match = /^(\d+)\.(\d+)/.exec(version);
  const major = Number(match?.[1] ?? 0);
  const minor = Number(match?.[2] ?? 0);
  if (major > 10 || (major === 10 && minor >= 7)) return mariadbDialect;
  return major === 10 && minor >= 5 ? mariadb105Dialect : olderMariadbDialect;
}
