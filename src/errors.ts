/**
 * The whole Terrapin error hierarchy. No other file defines Terrapin's error classes (the wire
 * clients' own errors — ConnectionError in src/execution/socket-connection.ts, the servers' error
 * answers in each dialect's wire folder — only travel as `cause`).
 *
 * TerrapinError
 * ├── ConfigurationError   bad model or config, use before init
 * ├── FieldError           unknown field, lookup or ordering
 * ├── ParamsError          bad arguments (negative limit, conflicting defaults)
 * ├── ValidationError      a value a field refuses (too long, not in the enum, validator)
 * │   └── SchemaValidationError  an input a generated schema refuses; `errors` lists each problem
 * ├── TransactionManagementError
 * ├── NotSupportedError    the backend cannot do this
 * ├── MigrationError       migrations refused or failed (src/migrations)
 * │   ├── MigrationChecksumError   an applied migration's file changed
 * │   ├── DivergentHeadsError      two migrations of one app share a parent
 * │   ├── DatabaseAheadError       the database has migrations the files do not
 * │   ├── IrreversibleMigrationError  a downgrade through an operation without a reverse
 * │   ├── MigrationLockError       another run held the migration lock too long
 * │   └── MigrationFailedError     a statement failed; says where and how to continue
 * └── OperationalError     the database refused or failed
 *     ├── IntegrityError   unique, not null, foreign key
 *     ├── TransactionRetryError  deadlock or serialization failure: run the transaction again
 *     ├── DatabaseUnavailableError  cannot connect, connection lost, no free pooled connection in time
 *     │   ├── QueryTimeoutError  a statement got no answer within query_timeout (or the server's statement timeout)
 *     │   └── CommitOutcomeUnknownError  the connection went while COMMIT was unanswered
 *     ├── DoesNotExist
 *     ├── MultipleObjectsReturned
 *     ├── IncompleteInstanceError
 *     └── NoValuesFetched  a relation read synchronously before it was fetched
 */
export class TerrapinError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

export class ConfigurationError extends TerrapinError {}
export class FieldError extends TerrapinError {}
export class ParamsError extends TerrapinError {}
export class TransactionManagementError extends TerrapinError {}
export class NotSupportedError extends TerrapinError {}

/** A value a field refuses; `field` and `value` say which. */
export class ValidationError extends TerrapinError {
  constructor(
    message: string,
    readonly model?: string,
    readonly field?: string,
    readonly value?: unknown,
  ) {
    super(message);
  }
}

/** One problem with an input, in the shape FastAPI and Pydantic report: `loc` is the path inside the body (`['books', 0, 'title']`). */
export interface SchemaIssue {
  readonly loc: readonly (string | number)[];
  readonly msg: string;
  readonly type: string;
}

/** An input a generated schema refuses (`modelSchema(User).parse(body)`); `errors` lists every problem. */
export class SchemaValidationError extends ValidationError {
  constructor(
    message: string,
    readonly errors: readonly SchemaIssue[],
    model?: string,
  ) {
    super(message, model);
  }
}

/** Migrations refused to run, or failed; the message says why and what to do. */
export class MigrationError extends TerrapinError {}
/** An applied migration's operations were changed after it was applied. */
export class MigrationChecksumError extends MigrationError {}
/** Two migrations of one app both follow the same one: merge them before migrating. */
export class DivergentHeadsError extends MigrationError {}
/** The database records migrations that no file holds (applied from another branch or a newer release). */
export class DatabaseAheadError extends MigrationError {}
/** A downgrade would go through an operation that cannot be undone. */
export class IrreversibleMigrationError extends MigrationError {}
/** Another process held the migration lock for longer than the lock timeout. */
export class MigrationLockError extends MigrationError {}

/** A migration's statement or code failed; `migration`, `operation` (0-based) and `statement` say where. */
export class MigrationFailedError extends MigrationError {
  constructor(
    message: string,
    readonly migration: string,
    readonly operation: number,
    readonly statement: string | undefined,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** The database refused or failed; `cause` keeps the driver's error, `sql` the statement. */
export class OperationalError extends TerrapinError {
  sql?: string;
  constructor(message: string, options?: { cause?: unknown; sql?: string }) {
    super(message, options);
    if (options?.sql !== undefined) this.sql = options.sql;
  }
}

/** A constraint was violated: unique, not null, foreign key or check. */
export class IntegrityError extends OperationalError {}

/**
 * A deadlock or serialization failure (PostgreSQL 40001/40P01, MySQL 1213/1205, SQLite BUSY): the
 * database gave up on the transaction, and running it again from the start may well succeed.
 * `code` is the backend's (SQLSTATE, errno or SQLite code); `cause` the driver's error.
 * `inTransaction(fn, { retry: { attempts: 3 } })` runs `fn` again when it sees one.
 */
export class TransactionRetryError extends OperationalError {
  readonly code: string;
  constructor(message: string, options: { cause?: unknown; sql?: string; code: string }) {
    super(message, options);
    this.code = options.code;
  }
}

/**
 * The database cannot be used right now: connecting failed (refused, timed out, too many
 * connections, the server starting or shutting down), the connection was lost, or no pooled
 * connection came free within acquire_timeout. Usually transient: a web app answers 503.
 */
export class DatabaseUnavailableError extends OperationalError {}

/**
 * A statement got no answer within `query_timeout` (the connection it was on is closed, since its
 * state is unknown), or the server cancelled it at its own statement timeout.
 */
export class QueryTimeoutError extends DatabaseUnavailableError {}

/**
 * The connection was lost (or timed out) after COMMIT was sent and before the server answered
 * it: the transaction may or may not have been committed. Check before doing the work again.
 */
export class CommitOutcomeUnknownError extends DatabaseUnavailableError {}

/** `get()` found no row. */
export class DoesNotExist extends OperationalError {
  constructor(
    message: string,
    readonly model?: string,
  ) {
    super(message);
  }
}

/** `get()` found more than one row. */
export class MultipleObjectsReturned extends OperationalError {
  constructor(
    message: string,
    readonly model?: string,
  ) {
    super(message);
  }
}

/** `save()` on an instance loaded with `only()` without `updateFields`. */
export class IncompleteInstanceError extends OperationalError {}

/** A relation read synchronously before it was fetched (await it, or use fetchRelated/prefetchRelated/selectRelated). */
export class NoValuesFetched extends OperationalError {}
