/**
 * Databases of their own for suites that need more than forEachBackend's one: each opened with a
 * new Terrapin instance (so two can be open at once), optionally with the models' tables.
 */
import { Terrapin, type ModelSource } from '../../src/index.js';
import type { ConnectionHandle } from '../../src/execution/connection-handle.js';
import { freshDatabase, type BackendName } from './backends.js';

export interface LiveDatabase {
  readonly terrapin: Terrapin;
  readonly url: string;
  readonly handle: ConnectionHandle;
  close(): Promise<void>;
}

/**
 * A fresh database named `<prefix><name>` (in memory on SQLite) with a Terrapin instance on it;
 * the models' tables are created unless `generate` is false. A model class belongs to one open
 * instance at a time: close the database before opening another with the same classes.
 */
export async function openDatabase(
  backend: BackendName,
  name: string,
  models: readonly ModelSource[],
  options: { generate?: boolean } = {},
): Promise<LiveDatabase> {
  const url = await freshDatabase(backend, name);
  const terrapin = new Terrapin();
  await terrapin.init({ dbUrl: url, modules: { models } });
  if (options.generate !== false) await terrapin.generateSchemas({ safe: false });
  return { terrapin, url, handle: terrapin.connection('default'), close: () => terrapin.close() };
}
