/** Reads the migration files of each app: `<folder>/<app>/NNNN_name.ts` (or .js, .mts, .mjs). */
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigurationError } from '../errors.js';
import { loadedMigration, type LoadedMigration } from './graph.js';
import type { MigrationDefinition } from './migration.js';
import { checkOperation } from './operations/index.js';
import { importFile } from './module-loader.js';

export const MIGRATION_FILE = /^(\d{4,}_[A-Za-z0-9_]+)\.(ts|mts|js|mjs)$/;

/** The migration files of `app` in `folder`, by name (a compiled folder has .js and .d.ts; the .d.ts are not migrations). */
export function migrationFiles(folder: string, app: string): Map<string, string> {
  const dir = join(folder, app);
  const files = new Map<string, string>();
  if (!existsSync(dir)) return files;
  for (const entry of readdirSync(dir).sort()) {
    if (entry.endsWith('.d.ts') || entry.endsWith('.d.mts')) continue;
    const match = MIGRATION_FILE.exec(entry);
    if (match === null) continue;
    const name = match[1]!;
    const previous = files.get(name);
    if (previous !== undefined) throw new ConfigurationError(`Two files hold the migration ${app}/${name}: ${previous} and ${join(dir, entry)}; keep one.`);
    files.set(name, join(dir, entry));
  }
  return files;
}

function definitionOf(module: Record<string, unknown>, file: string): MigrationDefinition {
  const value = (module.default ?? module.migration) as MigrationDefinition | undefined;
  if (value === null || typeof value !== 'object' || !Array.isArray(value.operations)) {
    throw new ConfigurationError(`${file} does not export a migration; it should end with \`export default migration({ dependencies: [...], operations: [...] })\` (from 'terrapin/migrations').`);
  }
  return { dependencies: value.dependencies ?? [], operations: value.operations };
}

/** Every migration of the apps, read from their files. */
export async function loadMigrations(folder: string, apps: readonly string[]): Promise<LoadedMigration[]> {
  const out: LoadedMigration[] = [];
  for (const app of apps) {
    for (const [name, file] of migrationFiles(folder, app)) {
      let module: Record<string, unknown>;
      try {
        module = await importFile(file);
      } catch (cause) {
        if (cause instanceof ConfigurationError) throw cause;
        throw new ConfigurationError(`Cannot load the migration ${file}: ${(cause as Error).message}`, { cause });
      }
      const definition = definitionOf(module, file);
      const migration = loadedMigration(app, name, definition, file);
      definition.operations.forEach((op, i) => checkOperation(op, { app, label: `${migration.id}, operation ${i + 1}` }));
      out.push(migration);
    }
  }
  return out;
}
