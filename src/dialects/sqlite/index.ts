import type { Dialect } from '../dialect.js';
import { sqliteMigrations } from './migration-support.js';
import { SqliteSchemaEditor } from './schema-editor.js';
import { sqliteTestDatabases } from './test-databases.js';
import { sqliteIntrospection } from './introspection.js';
import { SqliteCompiler } from './compiler.js';
import { SqlitePool } from './driver.js';
import { sqliteValues } from './values.js';

export const sqliteDialect: Dialect = {
  name: 'sqlite',
  compiler: new SqliteCompiler(),
  capabilities: {
    insertId: true,
    insertReturning: true,
    selectForUpdate: false,
    upsertNeedsTarget: true,
    upsertReturning: true,
    commentStatements: false,
    forwardForeignKeys: true,
    isolation: 'always-serializable',
    onDeleteSetDefault: true,
    readOnlyTransactions: false,
    savepoints: true,
  },
  values: sqliteValues,
  schemaEditor: new SqliteSchemaEditor(),
  migrations: sqliteMigrations,
  testDatabases: sqliteTestDatabases,
  introspection: sqliteIntrospection,
  createPool: (settings, connectionName) => new SqlitePool(settings, connectionName),
};
