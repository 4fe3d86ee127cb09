import { resolve } from 'node:path';
import { checkOptions } from '../config/check-options.js';
import { DIALECTS } from '../dialects/by-name.js';
import type { Dialect } from '../dialects/dialect.js';
import { ConfigurationError } from '../errors.js';
import { tableSpecs, orderTables } from '../schema/tables.js';
import { Terrapin, type ModelSource } from '../terrapin.js';
import { testDatabaseUrl, type TestUrl } from './database-url.js';

export interface TestDatabaseOptions {
  /**
   * Where: a URL whose database name (file name on SQLite) holds `{}`, filled with a random suffix
   * for each run — `postgres://localhost/test_{}`, `mysql://root@localhost/test_{}`,
   * `sqlite://test_{}.sqlite3` — or `sqlite://:memory:`. Default: TERRAPIN_TEST_DB, else
   * `sqlite://:memory:` (Tortoise's TORTOISE_TEST_DB).
   */
  dbUrl?: string;
  /** The models, as Terrapin.init takes them: `{ models: [User, './models.js'] }`. */
  modules: Readonly<Record<string, readonly ModelSource[]>>;
  /**
   * How the tables are made: 'models' (generateSchemas, the default) or 'migrations' (the
   * migration files applied as `terrapin migrate` would, so the tests run on the schema production
   * gets; setup() refuses when the models have changes no migration holds yet).
   */
  schema?: 'models' | 'migrations';
  /** The migrations folder for schema: 'migrations' (default 'migrations', as the command's). */
  migrations?: string;
  /** The instance to initialise; default Terrapin.default (what the models' class methods use unless told otherwise). */
  terrapin?: Terrapin;
  useTz?: boolean;
  timezone?: string;
}

const OPTIONS = ['dbUrl', 'modules', 'schema', 'migrations', 'terrapin', 'useTz', 'timezone'];

/** Thrown inside an isolated test's transaction to roll it back; never escapes `isolated`. */
class RollbackSignal {}

/**
 * A database of a test run's own, in the spirit of tortoise.contrib.test: `setup()` creates it
 * and its tables and initialises Terrapin on it, `teardown()` closes and drops it; `isolated(fn)`
 * runs a test in a transaction that is rolled back, `truncate()` empties the tables for tests
 * that need committed rows.
 */
export class TestDatabase {
  readonly terrapin: Terrapin;
  private readonly options: TestDatabaseOptions;
  private readonly target: TestUrl;
  private created = false;
  private state: 'new' | 'ready' | 'done' = 'new';
  /** setup() failed and cleaned up after itself: teardown() has nothing left to do. */
  private failed = false;

  constructor(options: TestDatabaseOptions) {
    checkOptions('testDatabase', options, OPTIONS);
    if (options === undefined || typeof options.modules !== 'object' || options.modules === null) {
      throw new ConfigurationError("testDatabase needs the models: testDatabase({ dbUrl, modules: { models: [User] } }).");
    }
    const schema = options.schema ?? 'models';
    if (schema !== 'models' && schema !== 'migrations') {
      throw new ConfigurationError(`testDatabase: schema must be 'models' or 'migrations', got ${JSON.stringify(schema)}.`);
    }
    if (schema === 'models' && options.migrations !== undefined) {
      throw new ConfigurationError("testDatabase: migrations (a folder) is only read with schema: 'migrations'; add schema: 'migrations' or remove migrations.");
    }
    this.options = options;
    this.terrapin = options.terrapin ?? Terrapin.default;
    this.target = testDatabaseUrl(options.dbUrl ?? process.env.TERRAPIN_TEST_DB ?? 'sqlite://:memory:');
  }

  /** The URL of the test database, its `{}` filled in (chosen when the helper is made; created by setup()). */
  get url(): string {
    return this.target.url;
  }

  private get dialect(): Dialect {
    return DIALECTS[this.target.settings.dialect];
  }

  /** Creates the database, initialises the instance on it and creates the tables. */
  async setup(): Promise<void> {
    if (this.state !== 'new') throw new ConfigurationError(`testDatabase: setup() was already called; one TestDatabase makes one database.`);
    this.state = 'ready';
    try {
      if (!this.target.memory) {
        await this.dialect.testDatabases.create(this.target.settings);
        this.created = true;
      }
      const { useTz, timezone } = this.options;
      const fromMigrations = this.options.schema === 'migrations';
      const folder = this.options.migrations ?? 'migrations';
      await this.terrapin.init({
        dbUrl: this.target.url,
        modules: this.options.modules,
        ...(useTz === undefined ? {} : { useTz }),
        ...(timezone === undefined ? {} : { timezone }),
        ...(fromMigrations ? { migrate: true, migrations: folder } : {}),
      });
      if (fromMigrations) await this.refuseUnmigratedModels(folder);
      else await this.terrapin.generateSchemas({ safe: false });
    } catch (error) {
      await this.teardown().catch(() => {});
      this.failed = true;
      throw error;
    }
  }

  /**
   * Tests on a schema the migrations do not make would pass against tables production never gets:
   * the same comparison as `terrapin check`.
   */
  private async refuseUnmigratedModels(folder: string): Promise<void> {
    const { Migrations } = await import('../migrations/project.js');
    const changed = await new Migrations(this.terrapin, folder).changedApps();
    if (changed.length > 0) {
      throw new ConfigurationError(
        `testDatabase: the models of ${changed.map((app) => `'${app}'`).join(', ')} have changes that no migration in '${resolve(folder)}' holds: run \`npx terrapin makemigrations\` and commit the new migration (or use schema: 'models' to test the models as they are).`,
      );
    }
  }

  /** Closes the instance's connections and drops the database setup() created (only that one). */
  async teardown(): Promise<void> {
    if (this.state === 'new') {
      throw new ConfigurationError('testDatabase: teardown() before setup(): this helper created no database, so it drops none.');
    }
    if (this.failed) return;
    if (this.state === 'done') throw new ConfigurationError('testDatabase: teardown() was already called; its database is gone.');
    this.state = 'done';
    await this.terrapin.close();
    if (this.created) {
      this.created = false;
      await this.dialect.testDatabases.drop(this.target.settings);
    }
  }

  private ready(what: string): void {
    if (this.state !== 'ready') {
      throw new ConfigurationError(`testDatabase: ${what} needs the database: call setup() first (in a before/beforeAll hook)${this.state === 'done' ? '; teardown() has already run' : ''}.`);
    }
  }

  /** The connection names the registered models use (one for a single dbUrl). */
  private connections(): string[] {
    return [...new Set(this.terrapin.models.map((m) => m.bound().connection))];
  }

  /**
   * Wraps a test body: it runs inside a transaction (one per connection) that is rolled back
   * afterwards, whatever it did; its own inTransaction calls become savepoints.
   * `it('creates', db.isolated(async () => { await User.create({ name: 'a' }); }))`
   */
  isolated<A extends unknown[]>(fn: (...args: A) => unknown): (...args: A) => Promise<void> {
    return async (...args: A) => {
      this.ready('isolated()');
      const run = (names: readonly string[]): Promise<unknown> =>
        names.length === 0
          ? Promise.resolve().then(() => fn(...args))
          : this.terrapin.inTransaction(async () => {
              await run(names.slice(1));
              throw new RollbackSignal();
            }, { connection: names[0]! });
      try {
        await run(this.connections());
      } catch (error) {
        if (!(error instanceof RollbackSignal)) throw error;
      }
    };
  }

  /**
   * Deletes every row of the models' tables (through tables too), children before parents, and
   * restarts their auto-increment counters: for tests whose rows must be committed (a server
   * reached over HTTP, several connections), in an afterEach/beforeEach hook.
   */
  async truncate(): Promise<void> {
    this.ready('truncate()');
    for (const connection of this.connections()) {
      const metas = this.terrapin.models.filter((m) => m.bound().connection === connection);
      const { ordered } = orderTables(tableSpecs(metas));
      const tables = ordered.map((spec) => spec.table).reverse();
      const { testDatabases } = this.terrapin.connection(connection).dialect;
      await this.terrapin.inTransaction((client) => testDatabases.truncate(client, tables), { connection });
    }
  }
}

/** A TestDatabase; call `setup()` before the tests and `teardown()` after them. */
export function testDatabase(options: TestDatabaseOptions): TestDatabase {
  return new TestDatabase(options);
}
