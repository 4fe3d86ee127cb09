/**
 * The tables a migration state describes compile to exactly the DDL generateSchemas runs for the
 * same models, on every dialect: constraint names, defaults, comments and order included.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Terrapin, type ModelSource } from '../../src/index.js';
import type { Dialect } from '../../src/dialects/dialect.js';
import { sqliteDialect } from '../../src/dialects/sqlite/index.js';
import { postgresDialect } from '../../src/dialects/postgres/index.js';
import { mariadbDialect, mysqlDialect } from '../../src/dialects/mysql/index.js';
import { schemaStatements, tableStatements } from '../../src/schema/generate.js';
import { stateFromModels } from '../../src/migrations/model-state.js';
import { stateTables } from '../../src/migrations/tables.js';
import * as allFields from '../fixtures/all-fields.js';
import * as bookstore from '../fixtures/bookstore.js';
import { libraryModels } from '../fixtures/library.js';
import * as schemaModels from '../fixtures/schema-models.js';

const DIALECTS: Record<string, Dialect> = { sqlite: sqliteDialect, postgres: postgresDialect, mysql: mysqlDialect, mariadb: mariadbDialect };

function compiled(dialect: Dialect, build: () => readonly Parameters<Dialect['compiler']['compile']>[0][]): string[] | string {
  try {
    return build().map((node) => dialect.compiler.compile(node).sql);
  } catch (error) {
    return `${(error as Error).name}: ${(error as Error).message}`;
  }
}

const FIXTURES: Record<string, readonly ModelSource[]> = {
  allFields: [allFields],
  bookstore: [bookstore],
  library: [libraryModels],
  schemaModels: [schemaModels],
};

describe('migration state tables = generateSchemas tables', () => {
  for (const [fixture, models] of Object.entries(FIXTURES)) {
    it(fixture, async () => {
      const terrapin = new Terrapin();
      await terrapin.init({ dbUrl: 'sqlite://:memory:', modules: { models } });
      try {
        const state = stateFromModels(terrapin.models);
        for (const [name, dialect] of Object.entries(DIALECTS)) {
          const expected = compiled(dialect, () => schemaStatements(dialect, terrapin.models, { safe: false }));
          const actual = compiled(dialect, () => tableStatements(stateTables(state, dialect), dialect, false));
          assert.deepEqual(actual, expected, `${fixture} on ${name}`);
        }
      } finally {
        await terrapin.close();
      }
    });
  }
});
