import type { Dialect } from '../dialect.js';
import { PostgresCompiler } from './compiler.js';
import { PostgresPool } from './driver.js';
import { postgresValues } from './values.js';

export const postgresDialect: Dialect = {
  name: 'postgres',
  compiler: new PostgresCompiler(),
  capabilities: {
    insertId: false,
    insertReturning: true,
    selectForUpdate: true,
    upsertNeedsTarget: true,
    upsertReturning: true,
    commentStatements: true,
    forwardForeignKeys: false,
    savepoints: true,
  },
  values: postgresValues,
  createPool: (settings, connectionName) => new PostgresPool(settings, connectionName),
};
