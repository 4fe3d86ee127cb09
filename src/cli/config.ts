/**
 * The `terrapin` command's configuration: `terrapin.config.ts` (or .mts/.js/.mjs/.json, or the file
 * `--config` names), in the shape `Terrapin.init` takes — `{ dbUrl, modules }` or
 * `{ connections, apps }` — plus `migrations`, the folder of migration files. Paths in it are
 * relative to the config file, so the command works from any directory of the project.
 * DATABASE_URL, when set, replaces `dbUrl` (or the `default` connection).
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { ConfigurationError } from '../errors.js';
import { importFile } from '../migrations/module-loader.js';
import type { ConnectionObject } from '../config/db-url.js';
import type { AppConfig, ModelSource, TerrapinConfig } from '../terrapin.js';

/** What a config file may hold. */
export interface CliConfigFile {
  /** One database: `'sqlite://db.sqlite3'`, `'postgres://user@host/db'`, `'mysql://…'` (with `modules`). */
  dbUrl?: string;
  /** App name → model module paths (with `dbUrl`). */
  modules?: Readonly<Record<string, readonly string[]>>;
  /** Tortoise's long form: named connections (with `apps`). */
  connections?: Readonly<Record<string, string | ConnectionObject>>;
  apps?: Readonly<Record<string, AppConfig>>;
  /** The migrations folder (default 'migrations', next to the config file). */
  migrations?: string;
  useTz?: boolean;
  timezone?: string;
}

/** `export default defineConfig({ … })` in terrapin.config.ts: the config, typed. */
export function defineConfig(config: CliConfigFile): CliConfigFile {
  return config;
}

export const CONFIG_FILES = ['terrapin.config.ts', 'terrapin.config.mts', 'terrapin.config.js', 'terrapin.config.mjs', 'terrapin.config.json'];
const KEYS = ['dbUrl', 'modules', 'connections', 'apps', 'migrations', 'useTz', 'timezone'];

/** The config as the commands use it: init options with models already imported, and absolute paths. */
export interface LoadedConfig {
  readonly file: string;
  readonly config: TerrapinConfig;
  readonly useTz: boolean | undefined;
  readonly timezone: string | undefined;
  readonly migrations: string;
}

/** The config file: `--config`, else the first of CONFIG_FILES in the working directory. */
export function findConfig(explicit: string | undefined, cwd = process.cwd()): string {
  if (explicit !== undefined) {
    const file = resolve(cwd, explicit);
    if (!existsSync(file)) throw new ConfigurationError(`--config ${explicit}: there is no file ${file}.`);
    return file;
  }
  for (const name of CONFIG_FILES) if (existsSync(join(cwd, name))) return join(cwd, name);
  throw new ConfigurationError(`No terrapin.config.ts (or .js/.json) in ${cwd}. Run \`terrapin init\` to write one, or pass --config <file>.`);
}

async function readConfig(file: string): Promise<unknown> {
  if (file.endsWith('.json')) {
    try {
      return JSON.parse(readFileSync(file, 'utf8')) as unknown;
    } catch (cause) {
      throw new ConfigurationError(`${file} is not valid JSON: ${(cause as Error).message}`, { cause });
    }
  }
  let module: Record<string, unknown>;
  try {
    module = await importFile(file);
  } catch (cause) {
    if (cause instanceof ConfigurationError) throw cause;
    throw new ConfigurationError(`Cannot load ${file}: ${(cause as Error).message}`, { cause });
  }
  const config = module.default ?? module.config;
  if (config === undefined) throw new ConfigurationError(`${file} exports no config: write \`export default { dbUrl, modules }\`.`);
  return config;
}

/** A model module path from the config, imported from the config's folder (TypeScript too, on Node 20). */
async function modelSource(source: unknown, base: string, app: string): Promise<ModelSource> {
  if (typeof source !== 'string') throw new ConfigurationError(`app '${app}': in a config file, models are module paths (strings), got ${typeof source}.`);
  if (!source.startsWith('.') && !isAbsolute(source)) return source;
  const path = resolve(base, source);
  try {
    return await importFile(path);
  } catch (cause) {
    if (cause instanceof ConfigurationError) throw new ConfigurationError(`app '${app}': cannot read the models module '${source}' (${path}).`, { cause });
    throw new ConfigurationError(`app '${app}': cannot import the models module '${source}': ${(cause as Error).message}`, { cause });
  }
}

async function models(list: unknown, base: string, app: string): Promise<ModelSource[]> {
  if (!Array.isArray(list)) throw new ConfigurationError(`app '${app}': 'models' must be an array of module paths, got ${JSON.stringify(list)}.`);
  return Promise.all(list.map((source) => modelSource(source, base, app)));
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Reads, checks and resolves the config; `env` is where DATABASE_URL is read (process.env). */
export async function loadConfig(explicit: string | undefined, env: Readonly<Record<string, string | undefined>> = process.env): Promise<LoadedConfig> {
  const file = findConfig(explicit);
  const raw = await readConfig(file);
  if (!isRecord(raw)) throw new ConfigurationError(`${file}: the config must be an object, got ${Array.isArray(raw) ? 'an array' : typeof raw}.`);
  const unknown = Object.keys(raw).filter((key) => !KEYS.includes(key));
  if (unknown.length > 0) {
    throw new ConfigurationError(`${file}: unknown config key${unknown.length === 1 ? '' : 's'} ${unknown.map((k) => `'${k}'`).join(', ')}; the keys are ${KEYS.map((k) => `'${k}'`).join(', ')}.`);
  }
  const base = dirname(file);
  const short = raw.dbUrl !== undefined || raw.modules !== undefined;
  const long = raw.connections !== undefined || raw.apps !== undefined;
  if (short && long) throw new ConfigurationError(`${file}: give either dbUrl with modules, or connections with apps, not both.`);
  const databaseUrl = env.DATABASE_URL !== undefined && env.DATABASE_URL !== '' ? env.DATABASE_URL : undefined;
  let config: TerrapinConfig;
  if (long) {
    if (!isRecord(raw.connections) || !isRecord(raw.apps)) throw new ConfigurationError(`${file}: 'connections' and 'apps' must both be objects, as in Tortoise's config.`);
    const apps: Record<string, AppConfig> = {};
    for (const [app, entry] of Object.entries(raw.apps)) {
      if (!isRecord(entry)) throw new ConfigurationError(`${file}: app '${app}' must be an object { models: [...] }.`);
      apps[app] = { ...(entry as unknown as AppConfig), models: await models(entry.models, base, app) };
    }
    const connections: Record<string, string | ConnectionObject> = {};
    for (const [name, entry] of Object.entries(raw.connections as Record<string, string | ConnectionObject>)) {
      connections[name] = typeof entry === 'string' ? sqliteRelativeTo(entry, base) : entry;
    }
    if (databaseUrl !== undefined) connections.default = databaseUrl;
    config = { connections, apps };
  } else {
    if (databaseUrl === undefined && typeof raw.dbUrl !== 'string') throw new ConfigurationError(`${file}: 'dbUrl' must be a database URL such as 'sqlite://db.sqlite3' (or set DATABASE_URL), got ${JSON.stringify(raw.dbUrl)}.`);
    if (!isRecord(raw.modules)) throw new ConfigurationError(`${file}: 'modules' must be an object of app name → model module paths, e.g. { models: ['./models.ts'] }.`);
    const apps: Record<string, AppConfig> = {};
    for (const [app, list] of Object.entries(raw.modules)) apps[app] = { models: await models(list, base, app), defaultConnection: 'default' };
    config = { connections: { default: databaseUrl ?? sqliteRelativeTo(raw.dbUrl as string, base) }, apps };
  }
  if (raw.migrations !== undefined && (typeof raw.migrations !== 'string' || raw.migrations === '')) {
    throw new ConfigurationError(`${file}: 'migrations' must be a folder path, got ${JSON.stringify(raw.migrations)}.`);
  }
  return {
    file,
    config,
    useTz: raw.useTz as boolean | undefined,
    timezone: raw.timezone as string | undefined,
    migrations: resolve(base, (raw.migrations as string | undefined) ?? 'migrations'),
  };
}

/** A relative SQLite file in the config is next to the config file, not wherever the command runs. */
function sqliteRelativeTo(url: string, base: string): string {
  const match = /^sqlite:\/\/([^?]*)(\?.*)?$/i.exec(url);
  if (match === null || match[1] === '' || match[1]!.startsWith(':memory:') || isAbsolute(match[1]!)) return url;
  return `sqlite://${resolve(base, match[1]!)}${match[2] ?? ''}`;
}
