import type { Dialect } from '../dialect.js';
import { postgresMigrations } from './migration-support.js';
import { PostgresSchemaEditor } from './schema-editor.js';
import { postgresTestDatabases } from './test-databases.js';
import { postgresIntrospection } from './introspection.js';
import { PostgresCompiler } from './compiler.js';
import { postgresClientOptions } from './client-options.js';
import { PostgresPool } from './driver.js';
import { postgresValues } from './values.js';

export const postgresDialect: Dialect = {
  name: 'postgres',
  compiler: new PostgresCompiler(),
  naiveDatetimeCompiler: new PostgresCompiler({ naiveDatetimes: true }),
  capabilities: {
    insertId: false,
    insertReturning: true,
    selectForUpdate: true,
    upsertNeedsTarget: true,
    upsertReturning: true,
    commentStatements: true,
    forwardForeignKeys: false,
    isolation: 'begin',
    onDeleteSetDefault: true,
    readOnlyTransactions: true,
    savepoints: true,
  },
  values: postgresValues,
  schemaEditor: new PostgresSchemaEditor(),
  migrations: postgresMigrations,
  testDatabases: postgresTestDatabases,
  introspection: postgresIntrospection,
  createPool: (settings, connectionName) => new PostgresPool(settings, connectionName),
  checkSettings: (settings, connectionName) => void postgresClientOptions(settings.options, connectionName),
};
