import { AsyncLocalStorage } from 'node:async_hooks';
import { existsSync, readFileSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { connectionSettings, parseDbUrl, type ConnectionObject } from './config/db-url.js';
import { withTimeSettings } from './dialects/time-settings.js';
import { checkTimezone, DEFAULT_TIME_SETTINGS, type TimeSettings } from './config/timezone.js';
import { AutoTimeField } from './fields/temporal.js';
import { mysqlDialect, mysqlDialectFor } from './dialects/mysql/index.js';
import type { MysqlPool } from './dialects/mysql/driver.js';
import { DIALECTS } from './dialects/by-name.js';
import { ConfigurationError, ParamsError, TransactionManagementError } from './errors.js';
import { ConnectionHandle } from './execution/connection-handle.js';
import { FallbackTarget } from './execution/fallback-target.js';
import { QueryLog, type QueryListener, type QueryListenerOptions } from './execution/query-log.js';
import type { Runtime } from './execution/runtime.js';
import type { Target, UsingDb } from './execution/target.js';
import { registerBuiltinLookups } from './lookups/builtin.js';
import { LookupRegistry } from './lookups/registry.js';
import { bindMeta, boundMeta, isAbstract, type ModelClassLike, type ModelMeta } from './model/meta.js';
import { readDraft, type ModelDraft, type TableNameGenerator } from './model/draft.js';
import { checkOptions } from './config/check-options.js';
import { buildMetas } from './model/resolve-models.js';
import { installRelationAccessors } from './model/relation-accessors.js';
import { Model } from './model/model.js';
import { generateSchemas, schemaStatements, type GenerateSchemasOptions } from './schema/generate.js';
import { runInTransaction, type TransactionOptions, type TransactionStore } from './transaction/run-in-transaction.js';
import type { TransactionClient } from './transaction/transaction-client.js';

interface DraftEntry {
  readonly draft: ModelDraft;
  readonly connection: string;
}

/** Where models come from: a module path (imported), a module namespace object, or a model class. */
export type ModelSource = string | Readonly<Record<string, unknown>> | ModelClassLike;

export interface AppConfig {
  models: readonly ModelSource[];
  /** Tortoise's spelling; `defaultConnection` is the same. */
  default_connection?: string;
  defaultConnection?: string;
}

/** Tortoise's config shape. */
export interface TerrapinConfig {
  connections: Readonly<Record<string, string | ConnectionObject>>;
  apps: Readonly<Record<string, AppConfig>>;
  /** Routers, tried in order: the first that names a connection decides (Tortoise's `routers`). */
  routers?: readonly (Router | (new () => Router))[];
  /** Store datetimes in UTC (the default) or, when false, as wall-clock times in `timezone`. Tortoise's `use_tz`. */
  useTz?: boolean;
  use_tz?: boolean;
  /** An IANA zone name (default 'UTC'): naive datetime strings are read in it and API responses show its offset. */
  timezone?: string;
}

/** Tortoise's `use_tz` and `timezone` keyword arguments; a config's own keys win over them. */
interface TimeOptions {
  useTz?: boolean;
  timezone?: string;
}

/**
 * Sends a model's reads or writes to a named connection (a replica, a primary), as Tortoise's
 * routers do. Return undefined/null to let the next router (or the model's app) decide.
 */
export interface Router {
  dbForRead?(model: ModelClassLike): string | null | undefined;
  dbForWrite?(model: ModelClassLike): string | null | undefined;
  /**
   * Where a read that this router sent to `failed` runs instead when that connection is
   * unavailable (DatabaseUnavailableError), or undefined to fail. Reads outside transactions only.
   */
  readFallback?(model: ModelClassLike, failed: string, error: Error): string | null | undefined;
}

/** Running migrations at start, the alternative to generateSchemas (see docs/migrations.md). */
export interface MigrateOptions {
  /** Names the table of every model without `meta.table` (Tortoise's `table_name_generator`): `(cls) => \`app_${cls.name.toLowerCase()}\``. */
  tableNameGenerator?: TableNameGenerator;
  /** Apply the pending migrations once connected (one process at a time: they take a lock). */
  migrate?: boolean;
  /** The migrations folder, one subfolder per app (default 'migrations', from the working directory). */
  migrations?: string;
}

export type InitOptions =
  | ({ config: TerrapinConfig; dbUrl?: never; modules?: never; routers?: never; configFile?: never } & TimeOptions & MigrateOptions)
  /** Tortoise's `config_file`: a JSON file holding the config (`{ "connections": …, "apps": … }`); model paths in it are read from the working directory. */
  | ({ configFile: string; config?: never; dbUrl?: never; modules?: never; routers?: never } & TimeOptions & MigrateOptions)
  | ({
      dbUrl: string;
      modules: Readonly<Record<string, readonly ModelSource[]>>;
      routers?: TerrapinConfig['routers'];
      config?: never;
      configFile?: never;
    } & TimeOptions &
      MigrateOptions);

/** Every key of InitOptions, TerrapinConfig and AppConfig: no option is silently ignored. */
const INIT_OPTIONS = ['config', 'configFile', 'dbUrl', 'modules', 'routers', 'useTz', 'timezone', 'migrate', 'migrations', 'tableNameGenerator'];
const CONFIG_OPTIONS = ['connections', 'apps', 'routers', 'useTz', 'use_tz', 'timezone'];
const APP_OPTIONS = ['models', 'default_connection', 'defaultConnection'];

/** `configFile`: the config as JSON (YAML, which Tortoise also reads, would need a parser dependency). */
function readConfigFile(path: unknown): TerrapinConfig {
  if (typeof path !== 'string' || path === '') throw new ConfigurationError(`Terrapin.init: configFile must be a path to a JSON file, got ${JSON.stringify(path)}.`);
  if (!path.toLowerCase().endsWith('.json')) {
    throw new ConfigurationError(`Terrapin.init: configFile '${path}' is not a .json file; Terrapin reads JSON config files only (convert YAML to JSON, or pass config: {...}).`);
  }
  let text: string;
  try {
    text = readFileSync(resolve(path), 'utf8');
  } catch (cause) {
    throw new ConfigurationError(`Terrapin.init: cannot read configFile '${resolve(path)}': ${(cause as Error).message}`, { cause });
  }
  try {
    return JSON.parse(text) as TerrapinConfig;
  } catch (cause) {
    throw new ConfigurationError(`Terrapin.init: configFile '${path}' is not valid JSON: ${(cause as Error).message}`, { cause });
  }
}

function isModelClass(value: unknown): value is ModelClassLike {
  return typeof value === 'function' && value.prototype instanceof Model;
}

async function loadModels(source: ModelSource, app: string): Promise<ModelClassLike[]> {
  if (isModelClass(source)) return [source];
  let namespace: Readonly<Record<string, unknown>>;
  if (typeof source === 'string') {
    const specifier = source.startsWith('.') || isAbsolute(source) ? pathToFileURL(resolve(source)).href : source;
    try {
      namespace = (await import(specifier)) as Record<string, unknown>;
    } catch (cause) {
      throw new ConfigurationError(`app '${app}': cannot import the models module '${source}': ${(cause as Error).message}`, {
        cause,
      });
    }
  } else if (typeof source === 'object' && source !== null) {
    namespace = source;
  } else {
    throw new ConfigurationError(`app '${app}': a models entry must be a module path, a module object or a model class, got ${typeof source}.`);
  }
  const found = Object.values(namespace).filter(isModelClass).filter((cls) => !isAbstract(cls));
  if (found.length === 0 && typeof source === 'string') {
    throw new ConfigurationError(`app '${app}': the module '${source}' exports no model classes.`);
  }
  return found;
}

function timeSettings(config: TerrapinConfig, options: TimeOptions): TimeSettings {
  const useTz = config.useTz ?? config.use_tz ?? options.useTz ?? DEFAULT_TIME_SETTINGS.useTz;
  if (typeof useTz !== 'boolean') throw new ConfigurationError(`useTz must be true or false, got ${JSON.stringify(useTz)}.`);
  const timezone = checkTimezone(config.timezone ?? options.timezone ?? DEFAULT_TIME_SETTINGS.timezone);
  return { useTz, timezone };
}

/**
 * A Terrapin instance: its connections and registered models. `Terrapin.init(...)` and the other
 * static methods use the default instance; create more with `new Terrapin()` to run two
 * configurations side by side (each model class belongs to one instance).
 */
export class Terrapin implements Runtime {
  /** The instance behind the static methods. */
  static readonly default: Terrapin = new Terrapin();

  readonly lookups = new LookupRegistry();
  private readonly transactions = new AsyncLocalStorage<TransactionStore>();
  private readonly handles = new Map<string, ConnectionHandle>();
  private readonly metas: ModelMeta[] = [];
  private readonly log = new QueryLog();
  private routers: Router[] = [];
  private time: TimeSettings = DEFAULT_TIME_SETTINGS;
  private state: 'new' | 'ready' | 'closed' = 'new';

  constructor() {
    registerBuiltinLookups(this.lookups);
  }

  static init(options: InitOptions): Promise<Terrapin> {
    return Terrapin.default.init(options);
  }

  static close(): Promise<void> {
    return Terrapin.default.close();
  }

  /** Tortoise's name for `close()`. */
  static closeConnections(): Promise<void> {
    return Terrapin.default.close();
  }

  static generateSchemas(options?: GenerateSchemasOptions): Promise<void> {
    return Terrapin.default.generateSchemas(options);
  }

  /** `inTransaction` on the default instance; see `Terrapin#inTransaction`. */
  static inTransaction<T>(fn: (client: TransactionClient) => Promise<T>, options?: TransactionOptions): Promise<T> {
    return Terrapin.default.inTransaction(fn, options);
  }

  /** Registers the models and opens the connections. Calling it again first closes the previous setup. */
  async init(options: InitOptions): Promise<this> {
    if (this.state === 'ready') await this.close();
    this.metas.length = 0;
    const config = this.configFrom(options);
    this.time = timeSettings(config, options);
    this.routers = (config.routers ?? []).map((r) => (typeof r === 'function' ? new r() : r));
    const connectionNames = Object.keys(config.connections);
    if (connectionNames.length === 0) throw new ConfigurationError('config.connections is empty; add at least one, e.g. { default: "sqlite://db.sqlite3" }.');
    for (const [name, entry] of Object.entries(config.connections)) {
      const settings = connectionSettings(entry, name);
      DIALECTS[settings.dialect].checkSettings?.(settings, name);
      this.handles.set(name, new ConnectionHandle(name, settings, DIALECTS[settings.dialect], this.log));
    }
    const drafts: DraftEntry[] = [];
    try {
      await this.detectDialects();
      for (const handle of this.handles.values()) handle.dialect = withTimeSettings(handle.dialect, this.time);
      for (const [app, appConfig] of Object.entries(config.apps)) {
        const connection = appConfig.defaultConnection ?? appConfig.default_connection ?? 'default';
        if (!this.handles.has(connection)) {
          throw new ConfigurationError(
            `app '${app}' uses the connection '${connection}', which is not in config.connections (${connectionNames.join(', ')}).`,
          );
        }
        checkOptions(`config.apps.${app}`, appConfig, APP_OPTIONS);
        if (!Array.isArray(appConfig.models)) throw new ConfigurationError(`app '${app}': 'models' must be an array.`);
        for (const source of appConfig.models) {
          for (const cls of await loadModels(source, app)) this.draft(cls, app, connection, drafts, options.tableNameGenerator);
        }
      }
      this.register(drafts);
    } catch (error) {
      await this.close();
      throw error;
    }
    this.state = 'ready';
    if (options.migrate === true) await this.migrateAtStart(options.migrations ?? 'migrations');
    else if (options.migrate !== undefined && options.migrate !== false) {
      await this.close();
      throw new ConfigurationError(`migrate must be true or false, got ${JSON.stringify(options.migrate)}.`);
    }
    return this;
  }

  /** `init({ migrate: true })`: the pending migrations, applied under their lock (loaded only when asked for). */
  private async migrateAtStart(folder: string): Promise<void> {
    try {
      if (!existsSync(folder)) {
        throw new ConfigurationError(
          `migrate: true, but there is no migrations folder '${resolve(folder)}'. Create the first migration with \`npx terrapin init-db\` (or makemigrations), or pass migrations: '<folder>'.`,
        );
      }
      const { Migrations } = await import('./migrations/project.js');
      await new Migrations(this, folder).upgrade();
    } catch (error) {
      await this.close();
      throw error;
    }
  }

  private configFrom(options: InitOptions): TerrapinConfig {
    if (options === null || typeof options !== 'object') {
      throw new ConfigurationError('Terrapin.init takes { dbUrl, modules } or { config }.');
    }
    checkOptions('Terrapin.init', options, INIT_OPTIONS);
    const given = (['config', 'configFile', 'dbUrl'] as const).filter((key) => options[key] !== undefined);
    if (given.length > 1) {
      throw new ConfigurationError(`Terrapin.init takes one of config, configFile or dbUrl with modules, not ${given.join(' and ')}.`);
    }
    if (options.tableNameGenerator !== undefined && typeof options.tableNameGenerator !== 'function') {
      throw new ConfigurationError(`Terrapin.init: tableNameGenerator must be a function (cls) => table name, got ${typeof options.tableNameGenerator}.`);
    }
    const config = options.configFile !== undefined ? readConfigFile(options.configFile) : options.config;
    if (config !== undefined) {
      if (config === null || typeof config.connections !== 'object' || typeof config.apps !== 'object') {
        throw new ConfigurationError('config needs both connections and apps, as in Tortoise: { connections: { default: url }, apps: { models: { models: [...] } } }.');
      }
      checkOptions('Terrapin.init: config', config, CONFIG_OPTIONS);
      return config;
    }
    if (typeof options.dbUrl !== 'string' || typeof options.modules !== 'object' || options.modules === null) {
      throw new ConfigurationError("Terrapin.init needs dbUrl and modules, e.g. { dbUrl: 'sqlite://db.sqlite3', modules: { models: ['./models.js'] } }, or a config.");
    }
    parseDbUrl(options.dbUrl);
    const apps: Record<string, AppConfig> = {};
    for (const [app, models] of Object.entries(options.modules)) apps[app] = { models, defaultConnection: 'default' };
    return { connections: { default: options.dbUrl }, apps, ...(options.routers === undefined ? {} : { routers: options.routers }) };
  }

  /** MySQL and MariaDB share a URL scheme but not every feature; ask the server which it is. */
  private async detectDialects(): Promise<void> {
    for (const handle of this.handles.values()) {
      if (handle.dialect !== mysqlDialect) continue;
      const version = await (handle.pool as MysqlPool).serverVersion();
      handle.dialect = mysqlDialectFor(version);
    }
  }

  /** Reads a model class once (several sources may list the same class). */
  private draft(cls: ModelClassLike, app: string, connection: string, drafts: DraftEntry[], tableNameGenerator: TableNameGenerator | undefined): void {
    if (drafts.some((entry) => entry.draft.cls === cls)) return;
    const existing = boundMeta<ModelMeta>(cls);
    if (existing?.binding !== undefined && existing.binding.runtime !== this && (existing.binding.runtime as Terrapin).state === 'ready') {
      throw new ConfigurationError(`${cls.name} is already registered with another Terrapin instance; a model class belongs to one.`);
    }
    const draft = readDraft(cls, app, tableNameGenerator);
    const clash = drafts.find((entry) => entry.draft.table === draft.table);
    if (clash !== undefined) {
      throw new ConfigurationError(`${draft.name} and ${clash.draft.name} both use the table '${draft.table}'; set meta.table on one of them.`);
    }
    drafts.push({ draft, connection });
  }

  /** Resolves relations across every app's models, then binds each class to its metadata. */
  private register(entries: readonly DraftEntry[]): void {
    const metas = buildMetas(entries.map((e) => e.draft));
    metas.forEach((meta, i) => {
      meta.binding = { runtime: this, connection: entries[i]!.connection };
      for (const field of meta.fields) {
        if (!(field instanceof AutoTimeField)) continue;
        field.zone = this.time.timezone;
        field.wallClockStorage = !this.time.useTz;
      }
    });
    for (const meta of metas) {
      for (const relation of meta.relations.values()) {
        if (relation.target.binding?.connection !== meta.binding?.connection) {
          throw new ConfigurationError(
            `${meta.name}.${relation.name} relates ${meta.name} to ${relation.target.name}, which lives on another connection; relations must stay on one database.`,
          );
        }
      }
    }
    for (const meta of metas) {
      bindMeta(meta.cls, meta);
      this.metas.push(meta);
    }
    installRelationAccessors(metas);
  }

  /**
   * Calls `listener` after every statement on this instance's connections, with its SQL, bound
   * parameters, duration and error. Returns the function that unsubscribes it.
   */
  onQuery(listener: QueryListener, options?: QueryListenerOptions): () => void {
    return this.log.subscribe(listener, options);
  }

  /** `onQuery` on the default instance. */
  static onQuery(listener: QueryListener, options?: QueryListenerOptions): () => void {
    return Terrapin.default.onQuery(listener, options);
  }

  /** Whether datetimes are stored in UTC (true, the default) or as wall-clock times in `timezone`. */
  get useTz(): boolean {
    return this.time.useTz;
  }

  /** The configured IANA zone ('UTC' unless init said otherwise). */
  get timezone(): string {
    return this.time.timezone;
  }

  /** The registered models' metadata. */
  get models(): readonly ModelMeta[] {
    return this.metas;
  }

  private ready(what: string): void {
    if (this.state === 'ready') return;
    throw new ConfigurationError(
      this.state === 'closed'
        ? `Terrapin was closed (Terrapin.close()), so ${what} cannot run. Call await Terrapin.init(...) again first; connections are not reopened silently.`
        : `Terrapin is not initialised, so ${what} cannot run. Call await Terrapin.init({ dbUrl, modules }) first.`,
    );
  }

  /** The named connection handle. */
  connection(name: string): ConnectionHandle {
    this.ready(`connection '${name}'`);
    const handle = this.handles.get(name);
    if (handle === undefined) {
      throw new ConfigurationError(`There is no connection '${name}'. Configured: ${[...this.handles.keys()].join(', ')}.`);
    }
    return handle;
  }

  target(meta: ModelMeta, usingDb: UsingDb | undefined, access: 'read' | 'write'): Target {
    if (this.state !== 'ready') this.ready(`a query on ${meta.name}`);
    if (usingDb !== undefined) {
      if (typeof usingDb !== 'string') return usingDb;
      return this.transactionOn(usingDb, meta) ?? this.connection(usingDb);
    }
    const own = meta.binding!.connection;
    // A transaction open on the model's connection wins over routing: reads see its writes.
    const current = this.transactionOn(own, meta);
    if (current !== undefined) return current;
    const routed = this.route(meta, access);
    if (routed === undefined) return this.connection(own);
    const { name, router } = routed;
    const inTransaction = this.transactionOn(name, meta);
    if (inTransaction !== undefined) return inTransaction;
    const handle = this.connection(name);
    if (access !== 'read' || router.readFallback === undefined) return handle;
    return new FallbackTarget(handle, (error) => {
      const other = router.readFallback!(meta.cls, name, error);
      if (other === undefined || other === null || other === '' || other === name) return undefined;
      return this.connection(other);
    });
  }

  /** The transaction open on `connectionName` in the current async context, if any. */
  private transactionOn(connectionName: string, meta: ModelMeta): TransactionClient | undefined {
    const current = this.transactions.getStore()?.get(connectionName);
    if (current === undefined || current.isActive) return current;
    // Started inside an inTransaction callback but run after it finished (a missing await):
    // running it on the pool instead would silently escape the transaction.
    throw new TransactionManagementError(
      `A query on ${meta.name} belongs to a transaction on connection '${connectionName}' that has already ended. Await every query inside the inTransaction callback.`,
    );
  }

  /** The connection the first router that answers picks (dbForRead / dbForWrite), as in Tortoise. */
  private route(meta: ModelMeta, access: 'read' | 'write'): { name: string; router: Router } | undefined {
    for (const router of this.routers) {
      const pick = access === 'read' ? router.dbForRead : router.dbForWrite;
      const name = pick?.call(router, meta.cls);
      if (name === undefined || name === null || name === '') continue;
      if (!this.handles.has(name)) {
        throw new ConfigurationError(
          `A router sent a ${access} of ${meta.name} to connection '${name}', which is not configured (${[...this.handles.keys()].join(', ')}).`,
        );
      }
      return { name, router };
    }
    return undefined;
  }

  /**
   * Runs `fn` in a transaction: commit when it returns, roll back (and rethrow) when it throws.
   * Every query inside uses the transaction without being told; nested calls use savepoints.
   */
  inTransaction<T>(fn: (client: TransactionClient) => Promise<T>, options: TransactionOptions = {}): Promise<T> {
    // A bad setup (not initialised, no such connection) rejects instead of throwing synchronously;
    // not an async function, whose own promise would wrap runInTransaction's for nothing.
    try {
      return runInTransaction(this.transactions, this.connection(this.connectionNameFor(options.connection)), fn, options);
    } catch (error) {
      return Promise.reject(error);
    }
  }

  private connectionNameFor(name: string | undefined): string {
    this.ready('a transaction');
    if (name !== undefined) return name;
    if (this.handles.size === 1) return this.handles.keys().next().value!;
    throw new ParamsError(
      `Several connections are configured (${[...this.handles.keys()].join(', ')}); pass { connection: 'name' } to say which one the transaction is on.`,
    );
  }

  /** Creates the tables of every registered model (with `safe`, only those missing). */
  async generateSchemas(options: GenerateSchemasOptions = {}): Promise<void> {
    this.ready('generateSchemas()');
    for (const handle of this.handles.values()) {
      const metas = this.metas.filter((m) => m.binding?.connection === handle.connectionName);
      await generateSchemas(handle, metas, options);
    }
  }

  /** The DDL `generateSchemas` would run, per connection. */
  schemaSql(options: GenerateSchemasOptions = {}): Record<string, string[]> {
    this.ready('schemaSql()');
    const result: Record<string, string[]> = {};
    for (const handle of this.handles.values()) {
      const metas = this.metas.filter((m) => m.binding?.connection === handle.connectionName);
      result[handle.connectionName] = schemaStatements(handle.dialect, metas, options).map(
        (node) => handle.dialect.compiler.compile(node).sql,
      );
    }
    return result;
  }

  /** Closes every connection. Models stay registered but refuse to run until `init` is called again. */
  async close(): Promise<void> {
    const handles = [...this.handles.values()];
    this.handles.clear();
    this.state = this.state === 'new' && handles.length === 0 ? 'new' : 'closed';
    await Promise.all(handles.map((h) => h.close()));
  }
}

/** Runs `fn` in a transaction on the default instance; see `Terrapin#inTransaction`. */
export function inTransaction<T>(fn: (client: TransactionClient) => Promise<T>, options?: TransactionOptions): Promise<T> {
  return Terrapin.default.inTransaction(fn, options);
}

/** Wraps an async function so every call runs in its own transaction (nested calls use savepoints). */
export function atomic<A extends unknown[], R>(
  fn: (...args: A) => Promise<R>,
  options?: TransactionOptions,
): (...args: A) => Promise<R> {
  return (...args: A) => inTransaction(() => fn(...args), options);
}
