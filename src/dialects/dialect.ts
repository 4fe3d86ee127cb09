import type { SqlCompiler } from '../sql/compiler.js';
import type { DriverConnection, DriverPool } from '../execution/driver.js';
import type { ConnectionSettings } from '../config/db-url.js';
import type { SchemaEditor } from '../schema/schema-editor.js';
import type { LiveColumn, LiveTable } from '../schema/live-schema.js';
import type { ColumnField } from '../schema/column-field.js';

/** What a backend can do; code outside dialects/ asks these instead of comparing names. */
export interface Capabilities {
  /** INSERT … RETURNING works (PostgreSQL, SQLite ≥ 3.35, MariaDB ≥ 10.5). */
  readonly insertReturning: boolean;
  /** The driver reports the auto-increment id of a single-row INSERT (cheaper than RETURNING). */
  readonly insertId: boolean;
  /** SELECT … FOR UPDATE exists. */
  readonly selectForUpdate: boolean;
  /** Upsert needs the conflict target columns (ON CONFLICT (…)); MySQL's ON DUPLICATE KEY does not. */
  readonly upsertNeedsTarget: boolean;
  /** An upsert (ON CONFLICT / ON DUPLICATE KEY UPDATE) can return the affected rows' keys. */
  readonly upsertReturning: boolean;
  /** Table and column comments are separate COMMENT ON statements (PostgreSQL), not part of CREATE TABLE. */
  readonly commentStatements: boolean;
  /** CREATE TABLE may name a table created later in FOREIGN KEY clauses (SQLite checks keys on use, not on create). */
  readonly forwardForeignKeys: boolean;
  /**
   * How a transaction's isolation level is chosen: in BEGIN itself (PostgreSQL), by a statement
   * before it (MySQL), or not at all because every transaction is serializable (SQLite).
   */
  readonly isolation: 'begin' | 'separate' | 'always-serializable';
  /** ON DELETE SET DEFAULT is enforced (InnoDB accepts the words but acts as RESTRICT). */
  readonly onDeleteSetDefault: boolean;
  /** Savepoints inside transactions. */
  readonly savepoints: boolean;
  /** BEGIN … READ ONLY / START TRANSACTION READ ONLY (not SQLite). */
  readonly readOnlyTransactions: boolean;
}

/**
 * How a backend wants values handed to its driver and how the driver hands them back.
 * Field codecs call these, so no field needs to know which backend it runs on.
 */
export interface ValueConventions {
  encodeBoolean(value: boolean): unknown;
  encodeDatetime(value: Date): unknown;
  decodeDatetime(raw: unknown): Date;
  encodeBigInt(value: bigint): unknown;
  encodeJson(value: unknown): unknown;
  decodeJson(raw: unknown): unknown;
  /** The stored JSON as text, for a JSONField decoder (text already on some backends, parsed on others). */
  jsonText(raw: unknown): string;
  encodeDecimal(value: string): unknown;
  /** Microsecond count for TimeDeltaField columns. */
  encodeInt64(value: number): unknown;
}

/** Questions about what already exists in the database (DDL in safe mode, introspectSchema). */
export interface Introspection {
  constraintExists(connection: DriverConnection, table: string, name: string): Promise<boolean>;
  /**
   * The tables of the connection's database (PostgreSQL: of its current schema), or only those
   * named in `only`, as the catalogs describe them; `introspectSchema` sorts them.
   */
  describeTables(connection: DriverConnection, only: readonly string[] | undefined): Promise<LiveTable[]>;
  /** The field a described column maps back to (Django's data_types_reverse), for inspectdb. */
  columnField(column: LiveColumn): ColumnField;
}

/**
 * What the test helpers (terrapin/testing) ask of a backend: a database of their own, made and
 * removed, and tables emptied between tests.
 */
export interface TestDatabases {
  /** Creates the database `settings` names (SQLite: nothing to do, the file appears on first use). */
  create(settings: ConnectionSettings): Promise<void>;
  /** Drops it, with every connection still open to it (SQLite: removes the file and its journals). */
  drop(settings: ConnectionSettings): Promise<void>;
  /**
   * Deletes every row of `tables` (listed children first) on a connection of its own, whatever
   * the foreign keys between them, and restarts their auto-increment counters.
   */
  truncate(connection: DriverConnection, tables: readonly string[]): Promise<void>;
}

/**
 * What applying migrations needs from a backend beyond its compiler: whether DDL is transactional,
 * the lock that makes concurrent `migrate` runs take turns, and what to do around a migration's
 * transaction. Every method runs on the one connection the migration run holds.
 */
export interface MigrationSupport {
  /** DDL runs inside transactions (SQLite, PostgreSQL); on MySQL every DDL statement commits by itself. */
  readonly transactionalDdl: boolean;
  /**
   * Waits for the migration lock of this database (`name` tells runs on other databases apart
   * where the lock is server-wide), up to `timeoutSeconds`; false when it did not come.
   * SQLite has none to take: each migration's BEGIN IMMEDIATE takes the write lock instead.
   */
  lock(connection: DriverConnection, name: string, timeoutSeconds: number): Promise<boolean>;
  unlock(connection: DriverConnection, name: string): Promise<void>;
  /** Before a migration's BEGIN; returns what `afterMigration` restores (SQLite turns foreign keys off). */
  beforeMigration(connection: DriverConnection): Promise<unknown>;
  afterMigration(connection: DriverConnection, saved: unknown): Promise<void>;
  /** Just before COMMIT: a problem to roll back for, or undefined (SQLite's foreign_key_check). */
  checkBeforeCommit(connection: DriverConnection): Promise<string | undefined>;
}

export interface Dialect {
  /** For messages and logs only; never branch on it outside dialects/. */
  readonly name: 'sqlite' | 'postgres' | 'mysql';
  readonly compiler: SqlCompiler;
  /** The compiler for `useTz: false`, where the datetime column type differs (PostgreSQL's TIMESTAMP). */
  readonly naiveDatetimeCompiler?: SqlCompiler;
  readonly capabilities: Capabilities;
  readonly values: ValueConventions;
  readonly introspection: Introspection;
  /** Turns a change between two sets of tables into this backend's DDL (migrations). */
  readonly schemaEditor: SchemaEditor;
  readonly migrations: MigrationSupport;
  readonly testDatabases: TestDatabases;
  createPool(settings: ConnectionSettings, connectionName: string): DriverPool;
  /**
   * Refuses, with a ConfigurationError, URL options the backend's client does not know or values
   * it cannot use; run at init, before any connection opens.
   */
  checkSettings?(settings: ConnectionSettings, connectionName: string): void;
}
