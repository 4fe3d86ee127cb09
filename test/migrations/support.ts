/**
 * A test bed for migrations on one backend: a database the migrations run on, a second one for a
 * fresh generateSchemas of the same models, and a temporary folder of migration files. `step(models)`
 * makes the migrations for the models, applies them, and returns both live schemas to compare.
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Terrapin, type ModelSource } from '../../src/index.js';
import { Migrations, type MakeOptions, type WrittenMigration } from '../../src/migrations/index.js';
import type { DowngradeSpec } from '../../src/migrations/executor.js';
import { freshDatabase, type BackendName } from '../support/backends.js';
import { liveSchema, type LiveSchema } from '../support/live-schema.js';

/** Migration files written by tests import the compiled entry directly (they live outside the package). */
export const MIGRATIONS_ENTRY = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'src', 'migrations', 'index.js');

/** Drops every table (PostgreSQL: the whole public schema), faster than a new database. */
async function emptyDatabase(terrapin: Terrapin, backend: BackendName): Promise<void> {
  // One connection for the whole reset: FOREIGN_KEY_CHECKS is per session.
  const connection = await terrapin.connection('default').acquire();
  try {
    if (backend === 'postgres') {
      await connection.write('DROP SCHEMA public CASCADE', []);
      await connection.write('CREATE SCHEMA public', []);
    } else if (backend === 'mysql') {
      const tables = await connection.rows('SELECT TABLE_NAME FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE()', []);
      await connection.write('SET FOREIGN_KEY_CHECKS = 0', []);
      for (const [table] of tables) await connection.write(`DROP TABLE \`${String(table)}\``, []);
      await connection.write('SET FOREIGN_KEY_CHECKS = 1', []);
    }
  } finally {
    connection.release();
  }
}

export class MigrationBed {
  readonly folder: string;
  migratedUrl = '';

  constructor(
    readonly backend: BackendName,
    readonly suite: string,
  ) {
    this.folder = mkdtempSync(join(tmpdir(), `tp_mig_${suite}_`));
    mkdirSync(this.folder, { recursive: true });
  }

  async reset(): Promise<void> {
    rmSync(this.folder, { recursive: true, force: true });
    if (this.backend === 'sqlite') {
      this.migratedUrl = `sqlite://${join(this.folder, 'migrated.sqlite3')}`;
      return;
    }
    if (this.migratedUrl === '') {
      this.migratedUrl = await freshDatabase(this.backend, `${this.suite}_m`);
      return;
    }
    const terrapin = new Terrapin();
    await terrapin.init({ dbUrl: this.migratedUrl, modules: { models: [] } });
    try {
      await emptyDatabase(terrapin, this.backend);
    } finally {
      await terrapin.close();
    }
  }

  /** Runs `fn` with a Terrapin instance on the migrated database and the migrations of `models`. */
  async with<T>(models: readonly ModelSource[], fn: (migrations: Migrations, terrapin: Terrapin) => Promise<T>): Promise<T> {
    const terrapin = new Terrapin();
    await terrapin.init({ dbUrl: this.migratedUrl, modules: { models } });
    try {
      return await fn(new Migrations(terrapin, join(this.folder, 'migrations')), terrapin);
    } finally {
      await terrapin.close();
    }
  }

  /** makemigrations + upgrade for `models`; the migrated schema and a fresh generateSchemas one. */
  async step(models: readonly ModelSource[], options: MakeOptions = {}): Promise<{ written: WrittenMigration[]; migrated: LiveSchema; fresh: LiveSchema }> {
    const { written, migrated } = await this.with(models, async (migrations, terrapin) => {
      const written = await migrations.makeMigrations({ importFrom: MIGRATIONS_ENTRY, ...options });
      await migrations.upgrade();
      return { written, migrated: await liveSchema(terrapin.connection('default')) };
    });
    return { written, migrated, fresh: await this.freshSchema(models) };
  }

  async schema(models: readonly ModelSource[]): Promise<LiveSchema> {
    return this.with(models, async (_m, terrapin) => liveSchema(terrapin.connection('default')));
  }

  private freshUrl: string | undefined;

  async freshSchema(models: readonly ModelSource[]): Promise<LiveSchema> {
    // One database, emptied each time: creating a PostgreSQL database takes a second or more.
    const first = this.freshUrl === undefined;
    this.freshUrl ??= this.backend === 'sqlite' ? 'sqlite://:memory:' : await freshDatabase(this.backend, `${this.suite}_f`);
    const terrapin = new Terrapin();
    await terrapin.init({ dbUrl: this.freshUrl, modules: { models } });
    try {
      if (!first) await emptyDatabase(terrapin, this.backend);
      await terrapin.generateSchemas({ safe: false });
      return await liveSchema(terrapin.connection('default'));
    } finally {
      await terrapin.close();
    }
  }

  async downgrade(models: readonly ModelSource[], spec: DowngradeSpec): Promise<LiveSchema> {
    return this.with(models, async (migrations, terrapin) => {
      await migrations.downgrade(spec);
      return liveSchema(terrapin.connection('default'));
    });
  }

  close(): void {
    rmSync(this.folder, { recursive: true, force: true });
  }
}
