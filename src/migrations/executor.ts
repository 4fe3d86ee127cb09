/**
 * Applies and reverts migrations on one connection. A run holds one connection and the dialect's
 * migration lock for its whole length, re-reads the record once it has the lock, and refuses a
 * history it cannot trust (a changed applied migration, two heads, a database ahead of the files).
 * Where DDL is transactional each migration is one transaction; on MySQL each statement's completion
 * is recorded as it happens, so a failure leaves a record that says where to resume.
 */
import type { Dialect } from '../dialects/dialect.js';
import type { ConnectionHandle } from '../execution/connection-handle.js';
import type { DedicatedConnection, DriverConnection } from '../execution/driver.js';
import { DatabaseAheadError, IrreversibleMigrationError, MigrationChecksumError, MigrationError, MigrationFailedError, MigrationLockError } from '../errors.js';
import type { TransactionNode } from '../sql/ast.js';
import { checksum, type LoadedMigration, type MigrationGraph } from './graph.js';
import { applyOperation, describeOperation, isIrreversible, operationSteps, reverseOperation, type Operation } from './operations/index.js';
import type { MigrationContext, Step } from './operations/operation.js';
import { isComplete, Recorder, RECORD_TABLE, type AppliedRecord } from './recorder.js';
import { applyMigration, replay, whereOf } from './replay.js';
import { EMPTY_STATE, type ProjectState } from './state.js';

const LOCK_NAME = 'terrapin_migrate:';

export interface RunOptions {
  /** Seconds to wait for another run's lock (default 300). */
  readonly lockTimeout?: number;
  /** Record the migrations as applied (or reverted) without running them. */
  readonly fake?: boolean;
  /** Called as each migration starts and ends. */
  readonly onProgress?: (event: ProgressEvent) => void;
}

export interface ProgressEvent {
  readonly migration: string;
  readonly action: 'apply' | 'revert';
  readonly phase: 'start' | 'done' | 'skipped';
  readonly ms?: number;
}

export interface MigrationOutcome {
  readonly migration: string;
  readonly action: 'applied' | 'reverted' | 'faked';
  readonly operations: number;
  readonly ms: number;
}

export interface DowngradeSpec {
  /** Revert everything after this migration ('zero': everything of the app). */
  readonly target?: string;
  /** Revert this many of the latest migrations of the app (default 1 when there is no target). */
  readonly steps?: number;
  readonly app?: string;
}

interface Session {
  readonly connection: DriverConnection;
  readonly recorder: Recorder;
  readonly dialect: Dialect;
}

interface Applied {
  readonly record: AppliedRecord;
  readonly migration: LoadedMigration;
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

export class MigrationExecutor {
  /** This connection's migrations, in order. */
  readonly order: readonly LoadedMigration[];

  constructor(
    private readonly handle: ConnectionHandle,
    private readonly graph: MigrationGraph,
    private readonly apps: readonly string[],
    private readonly folder: string = 'migrations',
  ) {
    this.order = graph.order.filter((m) => apps.includes(m.app));
  }

  private get dialect(): Dialect {
    return this.handle.dialect;
  }

  /** The recorded migrations of these apps, checked against the files (no lock: for `history`, `heads`, `check`). */
  async status(): Promise<{ applied: Applied[]; pending: LoadedMigration[]; records: AppliedRecord[] }> {
    return this.withConnection(async (session) => {
      await session.recorder.ensureTable();
      const records = (await session.recorder.applied()).filter((r) => this.apps.includes(r.app));
      const applied = this.check(records, false);
      const done = new Set(applied.filter((a) => isComplete(a.record)).map((a) => a.migration.id));
      return { applied, pending: this.order.filter((m) => !done.has(m.id)), records };
    });
  }

  private async withConnection<T>(fn: (session: Session) => Promise<T>): Promise<T> {
    const acquired = this.handle.acquire();
    const connection: DedicatedConnection = acquired instanceof Promise ? await acquired : acquired;
    const log = this.handle.log;
    const name = this.handle.connectionName;
    const logged: DriverConnection = {
      rows: (sql, params) => (log.active ? log.run(name, sql, params, () => connection.rows(sql, params)) : connection.rows(sql, params)),
      write: (sql, params) => (log.active ? log.run(name, sql, params, () => connection.write(sql, params)) : connection.write(sql, params)),
    };
    try {
      return await fn({ connection: logged, recorder: new Recorder(logged, this.dialect), dialect: this.dialect });
    } finally {
      connection.release();
    }
  }

  private async locked<T>(options: RunOptions, fn: (session: Session, records: AppliedRecord[]) => Promise<T>): Promise<T> {
    return this.withConnection(async (session) => {
      const timeout = options.lockTimeout ?? 300;
      if (!(await this.dialect.migrations.lock(session.connection, LOCK_NAME, timeout))) {
        throw new MigrationLockError(
          `Another process has been migrating connection '${this.handle.connectionName}' for over ${timeout}s (it holds the migration lock). Wait for it to finish, or stop it, and run migrate again.`,
        );
      }
      try {
        await session.recorder.ensureTable();
        const records = (await session.recorder.applied()).filter((r) => this.apps.includes(r.app));
        return await fn(session, records);
      } finally {
        await this.dialect.migrations.unlock(session.connection, LOCK_NAME).catch(() => undefined);
      }
    });
  }

  /** Pairs each record with its migration, refusing what the files cannot account for. */
  private check(records: readonly AppliedRecord[], checksums: boolean): Applied[] {
    this.graph.checkHeads(this.apps);
    const out: Applied[] = [];
    for (const record of records) {
      const id = `${record.app}/${record.name}`;
      const migration = this.graph.byId.get(id);
      if (migration === undefined) {
        throw new DatabaseAheadError(
          `The database has the migration ${id} applied (${record.appliedAt.toISOString()}), but ${this.folder}/${record.app}/ has no file for it: the database is ahead of these files. It was applied from another branch or a newer version of the code; check that code out (or bring the file back) and run the command again.`,
        );
      }
      if (checksums) {
        const expected = checksum(migration, Math.min(record.operationsDone, migration.definition.operations.length));
        if (expected !== record.checksum) {
          throw new MigrationChecksumError(
            `The migration ${id} (${migration.file ?? 'in memory'}) was changed after it was applied: its operations no longer match the checksum recorded in ${RECORD_TABLE} (${record.checksum.slice(0, 12)}…, the file now gives ${expected.slice(0, 12)}…). An applied migration is history: undo the change to the file and put new changes in a new migration (terrapin makemigrations). If the database already matches the edited file, \`terrapin migrate --accept-checksums\` records the new checksum.`,
          );
        }
      }
      out.push({ record, migration });
    }
    const done = new Set(out.map((a) => a.migration.id));
    for (const { migration } of out) {
      const missing = migration.dependencies.find((d) => this.apps.includes(d.slice(0, d.indexOf('/'))) && !done.has(d));
      if (missing !== undefined) {
        throw new MigrationError(
          `The database has ${migration.id} applied but not ${missing}, which it depends on: the history is inconsistent (a migration was added before one already applied). Revert ${migration.id} (terrapin downgrade) or fix the dependencies, then migrate.`,
        );
      }
    }
    return out;
  }

  /** Records the files' checksums for applied migrations whose operations changed; returns their ids. */
  async acceptChecksums(options: RunOptions = {}): Promise<string[]> {
    return this.locked(options, async (session, records) => {
      this.check(records, false);
      const changed: string[] = [];
      for (const record of records) {
        const migration = this.graph.byId.get(`${record.app}/${record.name}`)!;
        const now = checksum(migration, Math.min(record.operationsDone, migration.definition.operations.length));
        if (now === record.checksum) continue;
        await session.recorder.setChecksum(record.app, record.name, now);
        changed.push(migration.id);
      }
      return changed;
    });
  }

  /** Applies the pending migrations (up to `target` and what it depends on). */
  async upgrade(target?: string, options: RunOptions = {}): Promise<MigrationOutcome[]> {
    return this.locked(options, async (session, records) => {
      const applied = new Map(this.check(records, true).map((a) => [a.migration.id, a.record]));
      const reverting = [...applied.values()].find((r) => r.revertedStatements > 0);
      if (reverting !== undefined) {
        throw new MigrationError(
          `The downgrade of ${reverting.app}/${reverting.name} stopped in the middle of an operation (${plural(reverting.revertedStatements, 'statement')} of its reverse ran). Run \`terrapin downgrade\` again to finish it before migrating.`,
        );
      }
      const wanted = target === undefined ? undefined : this.graph.ancestors(this.graph.find(target, this.apps.length === 1 ? this.apps[0] : undefined).id);
      let state: ProjectState = EMPTY_STATE;
      const outcomes: MigrationOutcome[] = [];
      for (const migration of this.order) {
        const record = applied.get(migration.id);
        if (record !== undefined && isComplete(record)) {
          state = applyMigration(migration, state);
          continue;
        }
        if (wanted !== undefined && !wanted.has(migration.id)) continue;
        const started = performance.now();
        options.onProgress?.({ migration: migration.id, action: 'apply', phase: 'start' });
        const total = migration.definition.operations.length;
        if (options.fake === true) {
          if (record === undefined) await session.recorder.insert({ app: migration.app, name: migration.name, checksum: checksum(migration), operationsDone: total, statementsDone: 0, revertedStatements: 0, operationsTotal: total });
          else await session.recorder.progress(migration.app, migration.name, { checksum: checksum(migration), operationsDone: total, statementsDone: 0, revertedStatements: 0 });
          state = applyMigration(migration, state);
          outcomes.push({ migration: migration.id, action: 'faked', operations: total, ms: performance.now() - started });
          continue;
        }
        const result = this.dialect.migrations.transactionalDdl
          ? await this.applyInTransaction(session, migration, state)
          : await this.applyStepwise(session, migration, state, record);
        state = result.state;
        const ms = performance.now() - started;
        options.onProgress?.({ migration: migration.id, action: 'apply', phase: result.skipped ? 'skipped' : 'done', ms });
        if (!result.skipped) outcomes.push({ migration: migration.id, action: 'applied', operations: total, ms });
      }
      return outcomes;
    });
  }

  private async exec(session: Session, action: TransactionNode['action']): Promise<void> {
    const { sql } = this.dialect.compiler.compile({ kind: 'transaction', action, savepoint: undefined });
    await session.connection.write(sql, []);
  }

  private context(session: Session): MigrationContext {
    return {
      dialect: this.dialect.name,
      rows: (sql, params = []) => session.connection.rows(sql, params),
      execute: async (sql, params = []) => (await session.connection.write(sql, params)).affected,
    };
  }

  private async runStep(session: Session, step: Step): Promise<void> {
    if (step.kind === 'sql') await session.connection.write(step.sql, step.params);
    else await step.run(this.context(session));
  }

  private failure(migration: LoadedMigration, index: number, op: Operation, step: Step | undefined, position: string, cause: unknown, howTo: string): MigrationFailedError {
    if (cause instanceof MigrationFailedError) return cause;
    const statement = step === undefined ? undefined : step.kind === 'sql' ? step.sql : `runCode: ${step.description}`;
    const reason = cause instanceof Error ? cause.message : String(cause);
    const message = [
      `Migration ${migration.id} failed at operation ${index + 1} of ${migration.definition.operations.length} (${describeOperation(op)})${position}:`,
      ...(statement === undefined ? [] : [`  ${statement}`]),
      reason,
      howTo,
    ].join('\n');
    return new MigrationFailedError(message, migration.id, index, statement, { cause });
  }

  private async applyInTransaction(session: Session, migration: LoadedMigration, state: ProjectState): Promise<{ state: ProjectState; skipped: boolean }> {
    const saved = await this.dialect.migrations.beforeMigration(session.connection);
    const again = `It ran in one transaction, so nothing of ${migration.id} was applied. Fix the cause and run \`terrapin migrate\` again.`;
    try {
      await this.exec(session, 'begin');
      try {
        // Another process may have applied it while this one waited (SQLite's lock is BEGIN IMMEDIATE).
        const now = await session.recorder.applied();
        if (now.some((r) => r.app === migration.app && r.name === migration.name)) {
          await this.exec(session, 'commit');
          return { state: applyMigration(migration, state), skipped: true };
        }
        let current = state;
        for (const [index, op] of migration.definition.operations.entries()) {
          const where = whereOf(migration, index);
          const steps = operationSteps(op, current, where, this.dialect);
          for (const [n, step] of steps.entries()) {
            try {
              await this.runStep(session, step);
            } catch (cause) {
              throw this.failure(migration, index, op, step, `, statement ${n + 1} of ${steps.length}`, cause, again);
            }
          }
          current = applyOperation(op, current, where);
        }
        const problem = await this.dialect.migrations.checkBeforeCommit(session.connection);
        if (problem !== undefined) {
          const last = migration.definition.operations.length - 1;
          throw this.failure(migration, Math.max(last, 0), migration.definition.operations[Math.max(last, 0)]!, undefined, '', `foreign keys broken: ${problem}`, again);
        }
        const total = migration.definition.operations.length;
        await session.recorder.insert({ app: migration.app, name: migration.name, checksum: checksum(migration), operationsDone: total, statementsDone: 0, revertedStatements: 0, operationsTotal: total });
        await this.exec(session, 'commit');
        return { state: current, skipped: false };
      } catch (error) {
        await this.exec(session, 'rollback').catch(() => undefined);
        throw error;
      }
    } finally {
      await this.dialect.migrations.afterMigration(session.connection, saved);
    }
  }

  /** MySQL: each statement commits itself; the record moves forward with every one. */
  private async applyStepwise(session: Session, migration: LoadedMigration, state: ProjectState, record: AppliedRecord | undefined): Promise<{ state: ProjectState; skipped: boolean }> {
    const total = migration.definition.operations.length;
    const { app, name } = migration;
    let done = record?.operationsDone ?? 0;
    let statements = record?.statementsDone ?? 0;
    if (record === undefined) {
      await session.recorder.insert({ app, name, checksum: checksum(migration, 0), operationsDone: 0, statementsDone: 0, revertedStatements: 0, operationsTotal: total });
    }
    let current = applyMigration(migration, state, done);
    for (let index = done; index < total; index++) {
      const op = migration.definition.operations[index]!;
      const where = whereOf(migration, index);
      const steps = operationSteps(op, current, where, this.dialect);
      for (let n = index === done ? statements : 0; n < steps.length; n++) {
        const step = steps[n]!;
        const last = n === steps.length - 1;
        const progress = last
          ? { checksum: checksum(migration, index + 1), operationsDone: index + 1, statementsDone: 0, revertedStatements: 0 }
          : { checksum: checksum(migration, index), operationsDone: index, statementsDone: n + 1, revertedStatements: 0 };
        try {
          if (step.kind === 'code') {
            // Data changes are transactional even here: the code and its progress commit together.
            await this.exec(session, 'begin');
            try {
              await this.runStep(session, step);
              await session.recorder.progress(app, name, progress);
              await this.exec(session, 'commit');
            } catch (error) {
              await this.exec(session, 'rollback').catch(() => undefined);
              throw error;
            }
          } else {
            await this.runStep(session, step);
            await session.recorder.progress(app, name, progress);
          }
        } catch (cause) {
          const partial = n > 0 ? ` and ${plural(n, 'statement')} of operation ${index + 1}` : '';
          const edit = n > 0 ? ` If you change operation ${index + 1} itself, first undo its ${plural(n, 'completed statement')} by hand.` : '';
          throw this.failure(
            migration,
            index,
            op,
            step,
            `, statement ${n + 1} of ${steps.length}`,
            cause,
            `MySQL commits each DDL statement by itself: ${plural(index, 'operation')}${partial} of ${migration.id} stay applied, and ${RECORD_TABLE} records exactly that. Fix the cause (the data, or operation ${index + 1} in the file) and run \`terrapin migrate\` again: it resumes at operation ${index + 1}, statement ${n + 1}.${edit}`,
          );
        }
      }
      if (steps.length === 0) await session.recorder.progress(app, name, { checksum: checksum(migration, index + 1), operationsDone: index + 1, statementsDone: 0, revertedStatements: 0 });
      current = applyOperation(op, current, where);
      done = index + 1;
      statements = 0;
    }
    return { state: current, skipped: false };
  }

  /** The applied migrations a downgrade reverts, latest first. */
  private revertPlan(applied: readonly Applied[], spec: DowngradeSpec): LoadedMigration[] {
    const app = spec.app ?? (this.apps.length === 1 ? this.apps[0]! : undefined);
    if (app === undefined) throw new MigrationError(`Several apps have migrations here (${this.apps.join(', ')}); say which to downgrade (--app).`);
    const appliedIds = new Set(applied.map((a) => a.migration.id));
    const inOrder = this.order.filter((m) => appliedIds.has(m.id));
    const own = inOrder.filter((m) => m.app === app);
    let chosen: LoadedMigration[];
    if (spec.target === 'zero') chosen = own;
    else if (spec.target !== undefined) {
      const keep = this.graph.ancestors(this.graph.find(spec.target, app).id);
      chosen = own.filter((m) => !keep.has(m.id));
    } else chosen = own.slice(Math.max(0, own.length - (spec.steps ?? 1)));
    const revert = new Set<string>();
    for (const m of chosen) for (const d of this.graph.descendants(m.id)) if (appliedIds.has(d)) revert.add(d);
    return inOrder.filter((m) => revert.has(m.id)).reverse();
  }

  /** Reverts applied migrations (see DowngradeSpec), refusing up front if one cannot be undone. */
  async downgrade(spec: DowngradeSpec = {}, options: RunOptions = {}): Promise<MigrationOutcome[]> {
    return this.locked(options, async (session, records) => {
      const applied = this.check(records, true);
      const recordOf = new Map(applied.map((a) => [a.migration.id, a.record]));
      const plan = this.revertPlan(applied, spec);
      const active = new Set(applied.map((a) => a.migration.id));
      const prefixState = (migration: LoadedMigration): ProjectState =>
        replay(this.order.filter((m) => active.has(m.id) && m !== migration && this.order.indexOf(m) < this.order.indexOf(migration)));
      // Every reverse first: a downgrade that would stop at an irreversible operation does not start.
      const reverses = new Map<string, { ops: Operation[]; states: ProjectState[] }>();
      for (const migration of plan) {
        const record = recordOf.get(migration.id)!;
        if (record.statementsDone > 0) {
          throw new MigrationError(
            `${migration.id} stopped in the middle of operation ${record.operationsDone + 1} (${plural(record.statementsDone, 'statement')} ran); run \`terrapin migrate\` to finish it before downgrading, or undo those statements by hand.`,
          );
        }
        const states = [prefixState(migration)];
        for (let i = 0; i < record.operationsDone; i++) states.push(applyOperation(migration.definition.operations[i]!, states[i]!, whereOf(migration, i)));
        const ops: Operation[] = [];
        for (let i = 0; i < record.operationsDone; i++) {
          const reverse = reverseOperation(migration.definition.operations[i]!, states[i]!, whereOf(migration, i));
          if (isIrreversible(reverse)) {
            throw new IrreversibleMigrationError(
              `${migration.id} cannot be downgraded: operation ${i + 1} (${describeOperation(migration.definition.operations[i]!)}) is irreversible — ${reverse.irreversible}. Give it one (runSql's reverseSql, runCode's reverse; reverseSql: [] if nothing needs undoing) or stop the downgrade before ${migration.id}.`,
            );
          }
          ops.push(reverse);
        }
        reverses.set(migration.id, { ops, states });
      }
      const outcomes: MigrationOutcome[] = [];
      for (const migration of plan) {
        const started = performance.now();
        options.onProgress?.({ migration: migration.id, action: 'revert', phase: 'start' });
        const { ops, states } = reverses.get(migration.id)!;
        const record = recordOf.get(migration.id)!;
        if (options.fake === true) await session.recorder.remove(migration.app, migration.name);
        else if (this.dialect.migrations.transactionalDdl) await this.revertInTransaction(session, migration, ops, states);
        else await this.revertStepwise(session, migration, ops, states, record);
        active.delete(migration.id);
        const ms = performance.now() - started;
        options.onProgress?.({ migration: migration.id, action: 'revert', phase: 'done', ms });
        outcomes.push({ migration: migration.id, action: options.fake === true ? 'faked' : 'reverted', operations: ops.length, ms });
      }
      return outcomes;
    });
  }

  private async revertInTransaction(session: Session, migration: LoadedMigration, ops: readonly Operation[], states: readonly ProjectState[]): Promise<void> {
    const saved = await this.dialect.migrations.beforeMigration(session.connection);
    const again = `It ran in one transaction, so ${migration.id} is still applied. Fix the cause and run \`terrapin downgrade\` again.`;
    try {
      await this.exec(session, 'begin');
      try {
        for (let i = ops.length - 1; i >= 0; i--) {
          const steps = operationSteps(ops[i]!, states[i + 1]!, whereOf(migration, i), this.dialect);
          for (const [n, step] of steps.entries()) {
            try {
              await this.runStep(session, step);
            } catch (cause) {
              throw this.failure(migration, i, migration.definition.operations[i]!, step, ` while reverting it, statement ${n + 1} of ${steps.length}`, cause, again);
            }
          }
        }
        const problem = await this.dialect.migrations.checkBeforeCommit(session.connection);
        if (problem !== undefined) throw this.failure(migration, 0, migration.definition.operations[0]!, undefined, ' while reverting it', `foreign keys broken: ${problem}`, again);
        await session.recorder.remove(migration.app, migration.name);
        await this.exec(session, 'commit');
      } catch (error) {
        await this.exec(session, 'rollback').catch(() => undefined);
        throw error;
      }
    } finally {
      await this.dialect.migrations.afterMigration(session.connection, saved);
    }
  }

  private async revertStepwise(session: Session, migration: LoadedMigration, ops: readonly Operation[], states: readonly ProjectState[], record: AppliedRecord): Promise<void> {
    const { app, name } = migration;
    for (let i = ops.length - 1; i >= 0; i--) {
      const steps = operationSteps(ops[i]!, states[i + 1]!, whereOf(migration, i), this.dialect);
      const from = i === ops.length - 1 ? record.revertedStatements : 0;
      for (let n = from; n < steps.length; n++) {
        const last = n === steps.length - 1;
        const progress = last
          ? { checksum: checksum(migration, i), operationsDone: i, statementsDone: 0, revertedStatements: 0 }
          : { checksum: checksum(migration, i + 1), operationsDone: i + 1, statementsDone: 0, revertedStatements: n + 1 };
        try {
          await this.runStep(session, steps[n]!);
          await session.recorder.progress(app, name, progress);
        } catch (cause) {
          throw this.failure(
            migration,
            i,
            migration.definition.operations[i]!,
            steps[n],
            ` while reverting it, statement ${n + 1} of ${steps.length}`,
            cause,
            `MySQL commits each DDL statement by itself: the record says how far the downgrade got. Fix the cause and run \`terrapin downgrade\` again: it resumes there.`,
          );
        }
      }
      if (steps.length === 0) await session.recorder.progress(app, name, { checksum: checksum(migration, i), operationsDone: i, statementsDone: 0, revertedStatements: 0 });
    }
    await session.recorder.remove(app, name);
  }
}

