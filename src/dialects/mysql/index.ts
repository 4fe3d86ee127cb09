import type { Dialect } from '../dialect.js';
import { MysqlCompiler } from './compiler.js';
import { MysqlPool } from './driver.js';
import { mysqlValues } from './values.js';

function mysqlFamily(mariadbReturning: boolean): Dialect {
  return {
    name: 'mysql',
    compiler: new MysqlCompiler(),
    capabilities: {
      insertId: true,
      insertReturning: mariadbReturning,
      selectForUpdate: true,
      upsertNeedsTarget: false,
      upsertReturning: false,
    commentStatements: false,
    savepoints: true,
    },
    values: mysqlValues,
    createPool: (settings, connectionName) => new MysqlPool(settings, connectionName),
  };
}

/** MySQL proper: no INSERT … RETURNING. */
export const mysqlDialect: Dialect = mysqlFamily(false);
/** MariaDB ≥ 10.5: the same SQL plus INSERT … RETURNING. */
export const mariadbDialect: Dialect = mysqlFamily(true);

/** Picks the variant from the server's version string ('10.11.6-MariaDB' or '8.0.36'). */
export function mysqlDialectFor(version: string): Dialect {
  const match = /^(\d+)\.(\d+)/.exec(version);
  const isMaria = /mariadb/i.test(version);
  const returning = isMaria && match !== null && (Number(match[1]) > 10 || (Number(match[1]) === 10 && Number(match[2]) >= 5));
  return returning ? mariadbDialect : mysqlDialect;
}
