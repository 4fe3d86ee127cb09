/**
 * Opens what a command works on: the config, a Terrapin instance of its own (not the default one)
 * with the models registered, and the migrations folder. `withProject` closes the connections
 * whatever the command did, so the process can end.
 */
import { Terrapin } from '../terrapin.js';
import { Migrations } from '../migrations/project.js';
import { loadConfig, type LoadedConfig } from './config.js';
import type { GlobalOptions } from './run-command.js';

export interface Project {
  readonly config: LoadedConfig;
  readonly terrapin: Terrapin;
  readonly migrations: Migrations;
}

export async function withProject<T>(globals: GlobalOptions, fn: (project: Project) => Promise<T>): Promise<T> {
  const config = await loadConfig(globals.config);
  const terrapin = new Terrapin();
  await terrapin.init({
    config: config.config,
    ...(config.useTz === undefined ? {} : { useTz: config.useTz }),
    ...(config.timezone === undefined ? {} : { timezone: config.timezone }),
  });
  try {
    return await fn({ config, terrapin, migrations: new Migrations(terrapin, config.migrations) });
  } finally {
    await terrapin.close();
  }
}

export const plural = (n: number, word: string, many = `${word}s`) => `${n} ${n === 1 ? word : many}`;
