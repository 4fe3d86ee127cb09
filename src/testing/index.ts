/**
 * `terrapin/testing`: test helpers in the spirit of tortoise.contrib.test — a database of each
 * run's own, its tables from the models, per-test rollback and truncation. docs/testing.md shows
 * the hooks for node's test runner, Vitest and Jest.
 */
import { ConfigurationError } from '../errors.js';
import { Terrapin } from '../terrapin.js';
import { TestDatabase, testDatabase, type TestDatabaseOptions } from './test-database.js';

export { TestDatabase, testDatabase, type TestDatabaseOptions };

/** The database initializeTests made for each instance, for finalizeTests to drop. */
const initialised = new WeakMap<Terrapin, TestDatabase>();

/**
 * Tortoise's `initializer`: creates the test database, initialises the instance (default
 * Terrapin.default) on it and creates the tables. `await initializeTests({ dbUrl: 'postgres://localhost/test_{}', modules: { models: [User] } })`
 */
export async function initializeTests(options: TestDatabaseOptions): Promise<TestDatabase> {
  const db = testDatabase(options);
  if (initialised.has(db.terrapin)) {
    throw new ConfigurationError('initializeTests was already called for this Terrapin instance; call finalizeTests() first.');
  }
  await db.setup();
  initialised.set(db.terrapin, db);
  return db;
}

/** Tortoise's `finalizer`: closes the instance and drops the database initializeTests made. */
export async function finalizeTests(terrapin: Terrapin = Terrapin.default): Promise<void> {
  const db = initialised.get(terrapin);
  if (db === undefined) throw new ConfigurationError('finalizeTests: initializeTests() made no database for this instance, so none is dropped.');
  initialised.delete(terrapin);
  await db.teardown();
}
