/**
 * The commands that compare models with migration files: `makemigrations` writes the difference,
 * `init-db` writes the first migration and applies it, `check` exits 1 when there is a difference
 * (for CI: a model edit without its migration fails the build).
 */
import { readdirSync, existsSync } from 'node:fs';
import { join, relative } from 'node:path';
import type { Command } from 'commander';
import { MigrationError } from '../../errors.js';
import type { WrittenMigration } from '../../migrations/project.js';
import { NON_INTERACTIVE } from '../../migrations/autodetector.js';
import { questioner } from '../questioner.js';
import { plural, withProject } from '../open-project.js';
import { runCommand, type GlobalOptions } from '../run-command.js';

const collect = (value: string, previous: string[]) => [...previous, value];

function describeWritten(written: readonly WrittenMigration[]): string[] {
  const lines: string[] = [];
  for (const m of written) {
    lines.push(`${m.id}  (${relative(process.cwd(), m.file)})`);
    for (const op of m.operations) lines.push(`  - ${op}`);
  }
  return lines;
}

interface MakeFlags {
  readonly name?: string;
  readonly empty?: boolean;
  readonly merge?: boolean;
  readonly app?: string;
  readonly rename: string[];
  readonly drop: string[];
  readonly fill: string[];
  readonly dryRun?: boolean;
}

export function registerMake(program: Command, globals: () => GlobalOptions): void {
  program
    .command('makemigrations')
    .description('write a migration for every app whose models differ from its migrations')
    .option('--name <name>', 'the name part of the file (default: from the operations)')
    .option('--empty', 'write a migration without operations, to fill in by hand')
    .option('--merge', 'write a migration that joins an app’s two heads')
    .option('--app <app>', 'only this app')
    .option('--rename <Model.old=new>', 'a renamed field (Model.old=new) or model (Old=New); repeatable', collect, [])
    .option('--drop <Model.field>', 'a field (Model.field) or model (Model) removed for real, not renamed; repeatable', collect, [])
    .option('--fill <Model.field=value>', 'the value existing rows get for a new NOT NULL field (JSON or text); repeatable', collect, [])
    .option('--dry-run', 'show what would be written, write nothing')
    .action((flags: MakeFlags) =>
      runCommand('makemigrations', globals(), () =>
        withProject(globals(), async ({ migrations }) => {
          const written = await migrations.makeMigrations({
            ...(flags.name === undefined ? {} : { name: flags.name }),
            ...(flags.app === undefined ? {} : { app: flags.app }),
            empty: flags.empty === true,
            merge: flags.merge === true,
            dryRun: flags.dryRun === true,
            renames: flags.rename,
            drops: flags.drop,
            fills: flags.fill,
            questioner: globals().json === true ? NON_INTERACTIVE : questioner(),
          });
          const verb = flags.dryRun === true ? 'Would write' : 'Wrote';
          return {
            summary: written.length === 0 ? 'No changes: the migrations match the models' : `${verb} ${plural(written.length, 'migration')}`,
            lines: describeWritten(written),
            data: { dryRun: flags.dryRun === true, written },
          };
        }),
      ),
    );

  program
    .command('init-db')
    .description('write the first migration from the models and apply it (a new project)')
    .option('--app <app>', 'only this app')
    .action((flags: { app?: string }) =>
      runCommand('init-db', globals(), (io) =>
        withProject(globals(), async ({ migrations }) => {
          const apps = flags.app === undefined ? migrations.apps : [flags.app];
          for (const app of apps) {
            const folder = join(migrations.folder, app);
            if (existsSync(folder) && readdirSync(folder).some((f) => /\.(c|m)?(t|j)s$/.test(f))) {
              throw new MigrationError(`init-db: the app '${app}' already has migrations in ${folder}; use \`terrapin makemigrations\` and \`terrapin migrate\` instead.`);
            }
          }
          const written = await migrations.makeMigrations(flags.app === undefined ? {} : { app: flags.app });
          const applied = await migrations.upgrade(undefined, {
            ...(flags.app === undefined ? {} : { app: flags.app }),
            onProgress: (e) => e.phase === 'done' && io.say(`Applied ${e.migration} (${Math.round(e.ms ?? 0)} ms)`),
          });
          return {
            summary: `Wrote ${plural(written.length, 'migration')} and applied ${plural(applied.length, 'migration')}`,
            lines: describeWritten(written),
            data: { written, applied },
          };
        }),
      ),
    );

  program
    .command('check')
    .description('exit 1 when the models differ from what the migrations build (for CI)')
    .option('--app <app>', 'only this app')
    .action((flags: { app?: string }) =>
      runCommand('check', globals(), () =>
        withProject(globals(), async ({ migrations }) => {
          const changed = await migrations.changedApps(flags.app);
          if (changed.length === 0) return { summary: 'The migrations match the models', data: { changed } };
          let pending: WrittenMigration[] = [];
          try {
            pending = await migrations.makeMigrations({ dryRun: true, questioner: NON_INTERACTIVE, ...(flags.app === undefined ? {} : { app: flags.app }) });
          } catch (error) {
            // An ambiguous rename: the operations are for makemigrations to settle; the answer stays "differ".
            if (!(error instanceof MigrationError)) throw error;
          }
          return {
            summary: `The models differ from the migrations in ${plural(changed.length, 'app')} (${changed.join(', ')}): run \`terrapin makemigrations\``,
            lines: pending.flatMap((m) => [`${m.id.split("/")[0]} needs:`, ...m.operations.map((op) => `  - ${op}`)]),
            data: { changed, operations: Object.fromEntries(pending.map((m) => [m.id.split('/')[0], m.operations])) },
            exitCode: 1,
          };
        }),
      ),
    );
}
