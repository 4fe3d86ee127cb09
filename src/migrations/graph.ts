/**
 * The migrations of every app as a graph: each depends on the ones it names. The graph orders them
 * (a migration after its dependencies, ties by app and name), finds each app's head (the migration
 * no other one of the app follows) and refuses two heads: two branches that both follow one
 * migration must be merged (`terrapin makemigrations --merge`) before either runs.
 */
import { createHash } from 'node:crypto';
import { ConfigurationError, DivergentHeadsError } from '../errors.js';
import type { MigrationDefinition } from './migration.js';

export interface LoadedMigration {
  readonly app: string;
  readonly name: string;
  /** 'app/name'. */
  readonly id: string;
  /** Ids of the migrations it depends on. */
  readonly dependencies: readonly string[];
  readonly definition: MigrationDefinition;
  /** The file it came from, when it came from one. */
  readonly file: string | undefined;
}

/** JSON with sorted keys and functions as a marker: the same operations give the same text. */
function canonical(value: unknown): string {
  if (typeof value === 'function') return '"[function]"';
  if (value === undefined) return 'null';
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(',')}}`;
}

/**
 * The checksum of a migration's dependencies and its first `operations` operations (all by default):
 * of what it does, not of its file's bytes, so the TypeScript file and its compiled .js, or a
 * reformatted file, agree; any change to an operation's data changes it. runCode bodies are not part of it.
 */
export function checksum(migration: LoadedMigration, operations = migration.definition.operations.length): string {
  const text = canonical({ dependencies: migration.dependencies, operations: migration.definition.operations.slice(0, operations) });
  return createHash('sha256').update(text).digest('hex');
}

/** 'name' in `app`'s migrations means 'app/name'; 'other/name' is another app's. */
export function dependencyId(app: string, dependency: string): string {
  return dependency.includes('/') ? dependency : `${app}/${dependency}`;
}

export function loadedMigration(app: string, name: string, definition: MigrationDefinition, file?: string): LoadedMigration {
  return { app, name, id: `${app}/${name}`, dependencies: definition.dependencies.map((d) => dependencyId(app, d)), definition, file };
}

export class MigrationGraph {
  readonly byId: ReadonlyMap<string, LoadedMigration>;
  /** Every migration, each after its dependencies. */
  readonly order: readonly LoadedMigration[];

  constructor(readonly migrations: readonly LoadedMigration[]) {
    const byId = new Map<string, LoadedMigration>();
    for (const m of migrations) {
      if (byId.has(m.id)) throw new ConfigurationError(`Two migrations are called ${m.id} (${byId.get(m.id)!.file ?? '?'} and ${m.file ?? '?'}); rename one.`);
      byId.set(m.id, m);
    }
    for (const m of migrations) {
      for (const dep of m.dependencies) {
        if (!byId.has(dep)) throw new ConfigurationError(`Migration ${m.id} depends on ${dep}, which does not exist; fix its dependencies.`);
      }
    }
    this.byId = byId;
    this.order = this.sorted();
  }

  private sorted(): LoadedMigration[] {
    const done = new Set<string>();
    const out: LoadedMigration[] = [];
    const remaining = [...this.migrations].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    while (remaining.length > 0) {
      const index = remaining.findIndex((m) => m.dependencies.every((d) => done.has(d)));
      if (index === -1) throw new ConfigurationError(`The migrations ${remaining.map((m) => m.id).join(', ')} depend on each other in a circle; fix their dependencies.`);
      const [next] = remaining.splice(index, 1);
      done.add(next!.id);
      out.push(next!);
    }
    return out;
  }

  /** The apps' migrations that no other migration of the same app follows. */
  heads(app: string): LoadedMigration[] {
    const own = this.order.filter((m) => m.app === app);
    const followed = new Set(own.flatMap((m) => m.dependencies));
    return own.filter((m) => !followed.has(m.id));
  }

  /** Refuses an app with two heads, naming them and the migration they both follow. */
  checkHeads(apps: readonly string[]): void {
    for (const app of apps) {
      const heads = this.heads(app);
      if (heads.length <= 1) continue;
      const parents = heads.map((h) => h.dependencies.filter((d) => d.startsWith(`${app}/`)).join(', ') || 'nothing');
      throw new DivergentHeadsError(
        `App '${app}' has ${heads.length} heads: ${heads.map((h, i) => `${h.name} (after ${parents[i]})`).join(' and ')}. Two branches of migrations were made from one parent; run \`terrapin makemigrations --merge\` to add a migration that follows both, then migrate.`,
      );
    }
  }

  /** `id` and everything it depends on, directly or not. */
  ancestors(id: string): Set<string> {
    const out = new Set<string>();
    const visit = (current: string) => {
      if (out.has(current)) return;
      out.add(current);
      for (const dep of this.byId.get(current)?.dependencies ?? []) visit(dep);
    };
    visit(id);
    return out;
  }

  /** `id` and everything that depends on it, directly or not. */
  descendants(id: string): Set<string> {
    const out = new Set<string>([id]);
    for (const m of this.order) if (m.dependencies.some((d) => out.has(d))) out.add(m.id);
    return out;
  }

  /** A migration named by id ('app/0002_x'), by name within `app`, or by its number ('0002'). */
  find(ref: string, app: string | undefined): LoadedMigration {
    const candidates = this.migrations.filter((m) =>
      ref.includes('/') ? m.id === ref : (app === undefined || m.app === app) && (m.name === ref || m.name.startsWith(`${ref}_`)),
    );
    if (candidates.length === 1) return candidates[0]!;
    const known = this.migrations.map((m) => m.id).join(', ') || 'none';
    if (candidates.length === 0) throw new ConfigurationError(`There is no migration '${ref}'${app === undefined ? '' : ` in app '${app}'`}. Migrations: ${known}.`);
    throw new ConfigurationError(`'${ref}' names several migrations (${candidates.map((m) => m.id).join(', ')}); write it as app/name.`);
  }
}
