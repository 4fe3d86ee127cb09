/**
 * Migrations for a Terrapin instance: its models, its connections and a folder of migration files
 * (one subfolder per app, as Aerich keeps them). The command line and `Terrapin.init({ migrate: true })`
 * both go through here.
 */
import { existsSync, mkdirSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Dialect } from '../dialects/dialect.js';
import type { ConnectionHandle } from '../execution/connection-handle.js';
import { ConfigurationError, MigrationError } from '../errors.js';
import type { ModelMeta } from '../model/meta.js';
import { detectChanges, sameState, type DetectOptions } from './autodetector.js';
import { MigrationExecutor, type DowngradeSpec, type MigrationOutcome, type RunOptions } from './executor.js';
import { MigrationGraph } from './graph.js';
import { loadMigrations } from './loader.js';
import { describeOperation, isIrreversible, operationSteps, reverseOperation, applyOperation, type Operation } from './operations/index.js';
import { replay, whereOf } from './replay.js';
import { appOf, type ProjectState } from './state.js';
import { stateFromModels } from './model-state.js';
import { cleanName, suggestName, writeMigration } from './writer.js';
import type { AppliedRecord } from './recorder.js';

/** What migrations need of a Terrapin instance (structurally, so this layer imports no value from above it). */
export interface MigrationHost {
  readonly models: readonly ModelMeta[];
  connection(name: string): ConnectionHandle;
}

export interface MakeOptions extends DetectOptions {
  /** Only this app (default: every app). */
  readonly app?: string;
  /** The name part of the file (default: from the operations). */
  readonly name?: string;
  /** Write a migration without operations, to fill in by hand. */
  readonly empty?: boolean;
  /** Write a migration that follows an app's two heads. */
  readonly merge?: boolean;
  /** Compute, do not write. */
  readonly dryRun?: boolean;
  readonly importFrom?: string;
}

export interface WrittenMigration {
  readonly id: string;
  readonly file: string;
  readonly operations: readonly string[];
}

export interface AppStatus {
  readonly app: string;
  readonly applied: readonly { readonly id: string; readonly appliedAt: string; readonly complete: boolean }[];
  readonly pending: readonly string[];
  readonly heads: readonly string[];
}

export class Migrations {
  readonly folder: string;
  private loaded: MigrationGraph | undefined;

  constructor(
    private readonly host: MigrationHost,
    folder = 'migrations',
  ) {
    this.folder = resolve(folder);
  }

  /** The apps: those of the registered models, and those with a folder of migrations. */
  get apps(): string[] {
    const apps = new Set(this.host.models.map((m) => m.app));
    if (existsSync(this.folder)) {
      for (const entry of readdirSync(this.folder).sort()) if (statSync(join(this.folder, entry)).isDirectory()) apps.add(entry);
    }
    return [...apps];
  }

  /** The connection an app's models are on (its first model's; 'default' for an app without models). */
  connectionOf(app: string): string {
    return this.host.models.find((m) => m.app === app)?.binding?.connection ?? 'default';
  }

  async graph(reload = false): Promise<MigrationGraph> {
    if (this.loaded === undefined || reload) this.loaded = new MigrationGraph(await loadMigrations(this.folder, this.apps));
    return this.loaded;
  }

  /** Refuses an app name that is neither a registered models' app nor a folder of migrations. */
  requireApp(app: string | undefined): void {
    if (app !== undefined && !this.apps.includes(app)) throw new ConfigurationError(`There is no app '${app}' (apps: ${this.apps.join(', ') || 'none'}).`);
  }

  /** The state the migration files build (all apps). */
  async fileState(): Promise<ProjectState> {
    return replay((await this.graph()).order);
  }

  modelState(): ProjectState {
    return stateFromModels(this.host.models);
  }

  /** Apps whose models differ from what their migrations build (`terrapin check`); only `app` when given. */
  async changedApps(app?: string): Promise<string[]> {
    this.requireApp(app);
    const graph = await this.graph(true);
    const files = replay(graph.order);
    const models = this.modelState();
    return (app === undefined ? this.apps : [app]).filter((name) => !sameState(files, models, name));
  }

  private nextNumber(graph: MigrationGraph, app: string): string {
    const numbers = graph.migrations.filter((m) => m.app === app).map((m) => Number(/^\d+/.exec(m.name)?.[0] ?? 0));
    return String(Math.max(0, ...numbers) + 1).padStart(4, '0');
  }

  /** Writes a migration per app whose models changed; returns what it wrote (nothing when nothing changed). */
  async makeMigrations(options: MakeOptions = {}): Promise<WrittenMigration[]> {
    this.requireApp(options.app);
    const graph = await this.graph(true);
    const apps = options.app === undefined ? this.apps : [options.app];
    if (options.merge === true) return this.merge(graph, apps, options);
    graph.checkHeads(apps);
    let state = replay(graph.order);
    const models = this.modelState();
    const written: WrittenMigration[] = [];
    const newHeads = new Map<string, string>();
    for (const app of apps) {
      const ops: Operation[] = options.empty === true ? [] : await detectChanges(state, models, app, options);
      if (ops.length === 0 && options.empty !== true) continue;
      const own = graph.heads(app);
      const first = own.length === 0;
      const name = `${this.nextNumber(graph, app)}_${options.name === undefined ? suggestName(ops, first) : cleanName(options.name)}`;
      const dependencies = own.map((m) => m.name);
      for (const other of this.referencedApps(ops, app)) {
        const head = newHeads.get(other) ?? graph.heads(other)[0]?.id;
        if (head !== undefined) dependencies.push(head);
      }
      const id = `${app}/${name}`;
      const file = join(this.folder, app, `${name}.ts`);
      for (const [i, op] of ops.entries()) state = applyOperation(op, state, { app, label: `${id}, operation ${i + 1}` });
      if (options.dryRun !== true) {
        mkdirSync(join(this.folder, app), { recursive: true });
        writeFileSync(file, writeMigration({ id, dependencies, operations: ops, importFrom: options.importFrom, empty: options.empty }));
      }
      newHeads.set(app, id);
      written.push({ id, file, operations: ops.map(describeOperation) });
    }
    if (options.dryRun !== true && written.length > 0) this.loaded = undefined;
    return written;
  }

  private referencedApps(ops: readonly Operation[], app: string): string[] {
    const apps = new Set<string>();
    const note = (ref: string | undefined) => {
      if (ref !== undefined && ref.includes('.') && appOf(ref) !== app) apps.add(appOf(ref));
    };
    for (const op of ops) {
      const fields = op.op === 'createModel' ? op.fields : op.op === 'addField' || op.op === 'alterField' ? [op.field] : [];
      for (const f of fields) note(f.references?.model);
      const m2ms = op.op === 'createModel' ? (op.manyToMany ?? []) : op.op === 'addManyToMany' || op.op === 'alterManyToMany' ? [op.field] : [];
      for (const m of m2ms) note(m.model);
    }
    return [...apps];
  }

  private merge(graph: MigrationGraph, apps: readonly string[], options: MakeOptions): WrittenMigration[] {
    const written: WrittenMigration[] = [];
    for (const app of apps) {
      const heads = graph.heads(app);
      if (heads.length < 2) continue;
      const name = `${this.nextNumber(graph, app)}_${options.name === undefined ? `merge_${heads.map((h) => /^\d+/.exec(h.name)?.[0] ?? h.name).join('_')}` : cleanName(options.name)}`;
      const id = `${app}/${name}`;
      const file = join(this.folder, app, `${name}.ts`);
      if (options.dryRun !== true) writeFileSync(file, writeMigration({ id, dependencies: heads.map((h) => h.name), operations: [], importFrom: options.importFrom }));
      written.push({ id, file, operations: [] });
    }
    this.loaded = undefined;
    return written;
  }

  /** One executor per connection, over the apps on it. */
  private async executors(app?: string): Promise<MigrationExecutor[]> {
    this.requireApp(app);
    const graph = await this.graph();
    const byConnection = new Map<string, string[]>();
    for (const each of app === undefined ? this.apps : [app]) {
      const name = this.connectionOf(each);
      byConnection.set(name, [...(byConnection.get(name) ?? []), each]);
    }
    return [...byConnection].map(([name, apps]) => new MigrationExecutor(this.host.connection(name), graph, apps, this.folder));
  }

  /** Applies pending migrations on every connection (or up to `target`). */
  async upgrade(target?: string, options: RunOptions & { app?: string } = {}): Promise<MigrationOutcome[]> {
    const outcomes: MigrationOutcome[] = [];
    let app = options.app;
    if (target !== undefined && app === undefined && target.includes('/')) app = target.slice(0, target.indexOf('/'));
    for (const executor of await this.executors(app)) outcomes.push(...(await executor.upgrade(target, options)));
    return outcomes;
  }

  async downgrade(spec: DowngradeSpec, options: RunOptions = {}): Promise<MigrationOutcome[]> {
    let app = spec.app;
    if (app === undefined && spec.target !== undefined && spec.target.includes('/')) app = spec.target.slice(0, spec.target.indexOf('/'));
    if (app === undefined) {
      const apps = this.apps.filter((a) => this.host.models.some((m) => m.app === a) || existsSync(join(this.folder, a)));
      if (apps.length !== 1) throw new MigrationError(`Several apps have migrations (${apps.join(', ')}); say which to downgrade with --app.`);
      app = apps[0]!;
    }
    const [executor] = await this.executors(app);
    return executor!.downgrade({ ...spec, app }, options);
  }

  async acceptChecksums(options: RunOptions = {}): Promise<string[]> {
    const changed: string[] = [];
    for (const executor of await this.executors()) changed.push(...(await executor.acceptChecksums(options)));
    return changed;
  }

  /** Applied and pending migrations per app, checked against the files. */
  async status(app?: string): Promise<AppStatus[]> {
    const graph = await this.graph();
    const out: AppStatus[] = [];
    for (const executor of await this.executors(app)) {
      const { applied, pending } = await executor.status();
      for (const each of [...new Set(executor.order.map((m) => m.app).concat(applied.map((a) => a.migration.app)))]) {
        out.push({
          app: each,
          applied: applied.filter((a) => a.migration.app === each).map((a) => ({ id: a.migration.id, appliedAt: a.record.appliedAt.toISOString(), complete: isDone(a.record) })),
          pending: pending.filter((m) => m.app === each).map((m) => m.id),
          heads: graph.heads(each).map((m) => m.id),
        });
      }
    }
    return out;
  }

  /** The statements a migration runs on `dialect` (or its reverse), without running them. */
  async sql(ref: string, dialect: Dialect, options: { backwards?: boolean; app?: string } = {}): Promise<SqlListing> {
    const graph = await this.graph();
    const migration = graph.find(ref, options.app);
    const before = replay(graph.order.slice(0, graph.order.indexOf(migration)));
    const states = [before];
    const ops = migration.definition.operations;
    for (let i = 0; i < ops.length; i++) states.push(applyOperation(ops[i]!, states[i]!, whereOf(migration, i)));
    const entries: SqlListing['operations'][number][] = [];
    if (options.backwards !== true) {
      ops.forEach((op, i) => entries.push({ index: i + 1, description: describeOperation(op), steps: operationSteps(op, states[i]!, whereOf(migration, i), dialect) }));
    } else {
      for (let i = ops.length - 1; i >= 0; i--) {
        const reverse = reverseOperation(ops[i]!, states[i]!, whereOf(migration, i));
        if (isIrreversible(reverse)) {
          entries.push({ index: i + 1, description: `${describeOperation(ops[i]!)} — irreversible: ${reverse.irreversible}`, steps: [] });
          continue;
        }
        entries.push({ index: i + 1, description: `Undo: ${describeOperation(ops[i]!)}`, steps: operationSteps(reverse, states[i + 1]!, whereOf(migration, i), dialect) });
      }
    }
    return { migration: migration.id, dialect: dialect.name, backwards: options.backwards === true, notes: dialect.schemaEditor.notes, transactional: dialect.migrations.transactionalDdl, operations: entries };
  }
}

function isDone(record: AppliedRecord): boolean {
  return record.operationsDone === record.operationsTotal && record.statementsDone === 0 && record.revertedStatements === 0;
}

export interface SqlListing {
  readonly migration: string;
  readonly dialect: string;
  readonly backwards: boolean;
  readonly notes: readonly string[];
  readonly transactional: boolean;
  readonly operations: readonly { readonly index: number; readonly description: string; readonly steps: ReturnType<typeof operationSteps> }[];
}

/** The SQL listing as text: a comment per operation, one statement per line; raw SQL and code marked. */
export function formatSql(listing: SqlListing): string {
  const lines = [`-- ${listing.migration} on ${listing.dialect}${listing.backwards ? ' (downgrade)' : ''}`];
  for (const note of listing.notes) lines.push(`-- ${note}`);
  lines.push(listing.transactional ? '-- In one transaction.' : '-- Not in a transaction: each DDL statement commits by itself.');
  for (const op of listing.operations) {
    lines.push(`-- ${op.index}. ${op.description}`);
    if (op.steps.length === 0) lines.push('--    (no statements)');
    for (const step of op.steps) {
      if (step.kind === 'code') {
        lines.push(`--    runCode: ${step.description} (a function; no SQL to show)`);
        continue;
      }
      if (step.raw) lines.push('--    raw SQL from the migration file, run as written:');
      lines.push(`${step.sql};${step.params.length > 0 ? ` -- parameters: ${JSON.stringify(step.params, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v))}` : ''}`);
    }
  }
  return lines.join('\n');
}
