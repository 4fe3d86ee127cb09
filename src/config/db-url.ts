import { accessSync, constants } from 'node:fs';
import { ConfigurationError } from '../errors.js';

export type DialectName = 'sqlite' | 'postgres' | 'mysql';

export interface PoolSettings {
  readonly min: number;
  readonly max: number;
  /** Seconds an idle connection stays open. */
  readonly idleTimeout: number;
  /** Seconds to wait for the database to accept a new connection. */
  readonly connectTimeout: number;
  /** Seconds a transaction (or a query behind it) waits for a free connection before DatabaseUnavailableError. */
  readonly acquireTimeout: number;
  /** Seconds a statement sent to the server may wait for its answer before QueryTimeoutError (0: no limit). */
  readonly queryTimeout: number;
}

/** One named connection, parsed from a URL or a `{ engine, credentials }` object. */
export interface ConnectionSettings {
  readonly dialect: DialectName;
  /** SQLite: the file path or ':memory:'. */
  readonly path: string;
  readonly host: string;
  readonly port: number;
  /**
   * Every server of a multi-host URL (`postgres://a:5432,b:5433/app`), in order; `host` and
   * `port` are the first. One entry for a single host.
   */
  readonly hosts: readonly HostAndPort[];
  readonly user: string;
  readonly password: string;
  readonly database: string;
  readonly pool: PoolSettings;
  /** Extra options: SQLite pragmas, driver flags. */
  readonly options: Readonly<Record<string, string>>;
}

export interface HostAndPort {
  readonly host: string;
  readonly port: number;
}

export interface ConnectionCredentials {
  host?: string;
  port?: number;
  user?: string;
  password?: string;
  database?: string;
  /** SQLite file path or ':memory:'. */
  file_path?: string;
  minsize?: number;
  maxsize?: number;
  [option: string]: string | number | boolean | undefined;
}

/** Tortoise's long form: `{ engine: 'postgres', credentials: { host, … } }`. */
export interface ConnectionObject {
  engine: DialectName | string;
  credentials: ConnectionCredentials;
}

const SCHEMES: Record<string, DialectName> = {
  sqlite: 'sqlite',
  postgres: 'postgres',
  postgresql: 'postgres',
  asyncpg: 'postgres',
  psycopg: 'postgres',
  mysql: 'mysql',
  mariadb: 'mysql',
};

const DEFAULT_PORTS: Record<DialectName, number> = { sqlite: 0, postgres: 5432, mysql: 3306 };

const POOL_KEYS: Record<string, keyof PoolSettings> = {
  minsize: 'min',
  min_size: 'min',
  maxsize: 'max',
  max_size: 'max',
  pool_size: 'max',
  idle_timeout: 'idleTimeout',
  connect_timeout: 'connectTimeout',
  acquire_timeout: 'acquireTimeout',
  query_timeout: 'queryTimeout',
};

function poolFrom(dialect: DialectName, raw: Record<string, string>, where: string): PoolSettings {
  const pool: Record<keyof PoolSettings, number> = {
    min: 1,
    max: dialect === 'sqlite' ? 1 : 10,
    idleTimeout: 60,
    connectTimeout: 10,
    acquireTimeout: 10,
    queryTimeout: 0,
  };
  for (const [key, value] of Object.entries(raw)) {
    const target = POOL_KEYS[key];
    if (target === undefined) continue;
    const n = Number(value);
    const wantsInteger = target === 'min' || target === 'max';
    if (value.trim() === '' || !Number.isFinite(n) || n < 0 || (wantsInteger && !Number.isInteger(n))) {
      throw new ConfigurationError(`${where}: '${key}' must be a non-negative ${wantsInteger ? 'whole number' : 'number'}, got '${value}'.`);
    }
    pool[target] = n;
  }
  if (pool.max < 1) throw new ConfigurationError(`${where}: the pool's maxsize must be at least 1, got ${pool.max}.`);
  // SQLite has one connection per database (one writer); a larger pool would only mislead.
  if (dialect === 'sqlite') pool.max = 1;
  // Its statements run inside this process, synchronously: nothing can stop one from outside.
  if (dialect === 'sqlite' && pool.queryTimeout > 0) {
    throw new ConfigurationError(
      `${where}: SQLite cannot apply query_timeout (its statements run inside this process and cannot be stopped from outside); drop it, and use busy_timeout (milliseconds) to bound waits for another process's lock.`,
    );
  }
  if (pool.min > pool.max) pool.min = pool.max;
  return pool;
}

/** Percent-decodes a URL part; a stray '%' is a ConfigurationError that says to encode it. */
function decodePart(part: string, what: string, where: string): string {
  try {
    return decodeURIComponent(part);
  } catch (cause) {
    throw new ConfigurationError(
      `${where}: the ${what} in the database URL is not valid percent-encoding; write '%' as '%25' (encodeURIComponent does it).`,
      { cause },
    );
  }
}

/** `ssl` / `sslmode` values that ask for no encryption (or only if the server insists). */
const PLAIN_TEXT = ['disable', 'false', '0', 'allow'];
/** sslmode values that ask for TLS (libpq's names, for MySQL too); `ssl=true` is `require`. */
const TLS_MODES = ['prefer', 'require', 'verify-ca', 'verify-full', 'true', '1'];

/** The driver options: everything but the pool keys. A TLS setting the client cannot honour is refused here, at init. */
function driverOptions(dialect: DialectName, raw: Record<string, string>, where: string): Record<string, string> {
  const options: Record<string, string> = {};
  for (const [key, value] of Object.entries(raw)) if (!(key in POOL_KEYS)) options[key] = value;
  const tls = options.sslmode ?? options.ssl;
  const setting = `${options.sslmode === undefined ? 'ssl' : 'sslmode'}=${tls}`;
  if (dialect !== 'sqlite' && tls !== undefined && !PLAIN_TEXT.includes(tls) && !TLS_MODES.includes(tls)) {
    throw new ConfigurationError(`${where}: ${setting} is not a TLS mode; use one of disable, allow, prefer, require, verify-ca, verify-full.`);
  }
  const rootCert = options.sslrootcert;
  if (dialect !== 'sqlite' && rootCert !== undefined) {
    try {
      accessSync(rootCert, constants.R_OK);
    } catch (cause) {
      throw new ConfigurationError(`${where}: cannot read sslrootcert '${rootCert}' (${(cause as Error).message}); give the path of a PEM file.`, { cause });
    }
  }
  return options;
}

function dialectOf(scheme: string, where: string): DialectName {
  const dialect = SCHEMES[scheme.toLowerCase()];
  if (dialect === undefined) {
    throw new ConfigurationError(
      `${where}: unknown database scheme '${scheme}'. Use one of: sqlite://, postgres://, mysql:// (e.g. 'sqlite://db.sqlite3').`,
    );
  }
  return dialect;
}

/** Parses `sqlite://path`, `sqlite://:memory:`, `postgres://user:pw@host:port/db?maxsize=10`, `mysql://…`. */
export function parseDbUrl(url: string, connectionName = 'default'): ConnectionSettings {
  const where = `connection '${connectionName}'`;
  const match = /^([a-z0-9+]+):\/\/(.*)$/i.exec(url);
  if (match === null) {
    throw new ConfigurationError(
      `${where}: '${url}' is not a database URL. Write it as scheme://…, e.g. 'sqlite://db.sqlite3' or 'postgres://user@127.0.0.1:5432/app'.`,
    );
  }
  const dialect = dialectOf(match[1]!, where);
  const rest = match[2]!;
  if (dialect === 'sqlite') {
    const [path = '', query = ''] = rest.split('?', 2);
    if (path === '') {
      throw new ConfigurationError(`${where}: the SQLite URL '${url}' has no file path. Use 'sqlite://db.sqlite3' or 'sqlite://:memory:'.`);
    }
    const raw = Object.fromEntries(new URLSearchParams(query));
    return {
      dialect,
      path: decodePart(path, 'file path', where),
      host: '',
      port: 0,
      hosts: [],
      user: '',
      password: '',
      database: '',
      pool: poolFrom(dialect, raw, where),
      options: driverOptions(dialect, raw, where),
    };
  }
  // A multi-host authority ('a:5432,b:5433', as libpq takes it) is not a URL host: WHATWG URL
  // refuses it, so the first host stands in for the parse and the list is read here.
  const authority = /^([^/?#]*@)?([^/?#]*)(.*)$/.exec(rest)!;
  const hostList = authority[2]!.split(',');
  let parsed: URL;
  try {
    parsed = new URL(`db://${authority[1] ?? ''}${hostList[0]}${authority[3]}`);
  } catch (cause) {
    throw new ConfigurationError(`${where}: cannot parse the database URL '${url}'.`, { cause });
  }
  const hosts = hostList.map((entry) => hostAndPort(entry, dialect, where, url));
  const raw = Object.fromEntries(parsed.searchParams);
  return {
    dialect,
    path: '',
    host: hosts[0]!.host,
    port: hosts[0]!.port,
    hosts,
    user: decodePart(parsed.username, 'user name', where),
    password: decodePart(parsed.password, 'password', where),
    database: decodePart(parsed.pathname.replace(/^\//, ''), 'database name', where),
    pool: poolFrom(dialect, raw, where),
    options: driverOptions(dialect, raw, where),
  };
}

/** One `host[:port]` of a URL's host list; IPv6 addresses come bracketed ('[::1]:5432'), drivers want them bare. */
function hostAndPort(entry: string, dialect: DialectName, where: string, url: string): HostAndPort {
  const match = /^(\[[^\]]*\]|[^:]*)(?::(\d*))?$/.exec(entry);
  const port = match?.[2] === undefined || match[2] === '' ? DEFAULT_PORTS[dialect] : Number(match[2]);
  if (match === null || port < 1 || port > 65535) {
    throw new ConfigurationError(`${where}: '${entry}' in the database URL '${url}' is not host[:port] (a port is 1–65535).`);
  }
  const host = decodePart(match[1]!.replace(/^\[(.*)\]$/, '$1'), 'host', where);
  return { host: host === '' ? '127.0.0.1' : host, port };
}

/** Accepts either form of a connection entry in `config.connections`. */
export function connectionSettings(entry: string | ConnectionObject, connectionName: string): ConnectionSettings {
  if (typeof entry === 'string') return parseDbUrl(entry, connectionName);
  const where = `connection '${connectionName}'`;
  if (typeof entry !== 'object' || entry === null || typeof entry.engine !== 'string') {
    throw new ConfigurationError(
      `${where}: expected a URL string or { engine, credentials }, got ${JSON.stringify(entry)}.`,
    );
  }
  const engine = entry.engine.split('.').pop()!;
  const dialect = dialectOf(engine, where);
  const creds = entry.credentials ?? {};
  const raw: Record<string, string> = {};
  for (const [key, value] of Object.entries(creds)) {
    if (value !== undefined && !['host', 'port', 'user', 'password', 'database', 'file_path'].includes(key)) {
      raw[key] = String(value);
    }
  }
  if (dialect === 'sqlite' && !creds.file_path) {
    throw new ConfigurationError(`${where}: SQLite credentials need file_path (a path or ':memory:').`);
  }
  const host = creds.host ?? '127.0.0.1';
  const port = creds.port ?? DEFAULT_PORTS[dialect];
  return {
    dialect,
    path: creds.file_path ?? '',
    host,
    port,
    hosts: dialect === 'sqlite' ? [] : [{ host, port }],
    user: creds.user ?? '',
    password: creds.password ?? '',
    database: creds.database ?? '',
    pool: poolFrom(dialect, raw, where),
    options: driverOptions(dialect, raw, where),
  };
}
