/**
 * `migrate` (alias `upgrade`) and `downgrade`: apply or revert migrations under the migration lock,
 * printing each migration as it finishes.
 */
import type { Command } from 'commander';
import { ConfigurationError } from '../../errors.js';
import type { MigrationOutcome, ProgressEvent, RunOptions } from '../../migrations/executor.js';
import { plural, withProject } from '../open-project.js';
import { runCommand, type CommandIo, type GlobalOptions } from '../run-command.js';

interface RunFlags {
  readonly app?: string;
  readonly fake?: boolean;
  readonly lockTimeout?: string;
}

function number(flag: string, value: string | undefined, integer: boolean): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || n < 0 || (integer && !Number.isInteger(n))) {
    throw new ConfigurationError(`${flag} must be a ${integer ? 'whole number' : 'number'} of at least 0, got '${value}'.`);
  }
  return n;
}

function runOptions(flags: RunFlags, io: CommandIo): RunOptions {
  const lockTimeout = number('--lock-timeout', flags.lockTimeout, false);
  return {
    fake: flags.fake === true,
    ...(lockTimeout === undefined ? {} : { lockTimeout }),
    onProgress: (event: ProgressEvent) => {
      if (event.phase === 'start') io.say(`${event.action === 'apply' ? 'Applying' : 'Reverting'} ${event.migration}…`);
      else if (event.phase === 'done') io.say(`  done (${Math.round(event.ms ?? 0)} ms)`);
    },
  };
}

const outcomeLine = (o: MigrationOutcome) => `${o.action} ${o.migration} (${plural(o.operations, 'operation')}, ${Math.round(o.ms)} ms)`;

export function registerApply(program: Command, globals: () => GlobalOptions): void {
  program
    .command('migrate')
    .alias('upgrade')
    .argument('[target]', 'apply up to this migration (app/name, or a name or number when unambiguous)')
    .description('apply the pending migrations (or up to target), one process at a time')
    .option('--app <app>', 'only this app')
    .option('--fake', 'record the migrations as applied without running them')
    .option('--lock-timeout <seconds>', 'how long to wait for another run’s lock (default 300)')
    .action((target: string | undefined, flags: RunFlags) =>
      runCommand('migrate', globals(), (io) =>
        withProject(globals(), async ({ migrations }) => {
          const outcomes = await migrations.upgrade(target, { ...runOptions(flags, io), ...(flags.app === undefined ? {} : { app: flags.app }) });
          return {
            summary: outcomes.length === 0 ? 'No migrations to apply: the database is up to date' : `${flags.fake === true ? 'Faked' : 'Applied'} ${plural(outcomes.length, 'migration')}`,
            lines: outcomes.map(outcomeLine),
            data: { outcomes },
          };
        }),
      ),
    );

  program
    .command('downgrade')
    .argument('[target]', "revert every migration after this one ('zero': all of the app's)")
    .description('revert the latest migration (or --steps N, or back to target)')
    .option('--steps <n>', 'revert this many of the latest migrations')
    .option('--app <app>', 'the app (needed when several apps have migrations)')
    .option('--fake', 'record the migrations as reverted without running them')
    .option('--lock-timeout <seconds>', 'how long to wait for another run’s lock (default 300)')
    .action((target: string | undefined, flags: RunFlags & { steps?: string }) =>
      runCommand('downgrade', globals(), (io) =>
        withProject(globals(), async ({ migrations }) => {
          const steps = number('--steps', flags.steps, true);
          if (steps !== undefined && target !== undefined) throw new ConfigurationError('downgrade takes --steps N or a target, not both.');
          if (steps === 0) throw new ConfigurationError('--steps must be at least 1.');
          const outcomes = await migrations.downgrade(
            { ...(target === undefined ? {} : { target }), ...(steps === undefined ? {} : { steps }), ...(flags.app === undefined ? {} : { app: flags.app }) },
            runOptions(flags, io),
          );
          return {
            summary: outcomes.length === 0 ? 'Nothing to revert' : `${flags.fake === true ? 'Faked reverting' : 'Reverted'} ${plural(outcomes.length, 'migration')}`,
            lines: outcomes.map(outcomeLine),
            data: { outcomes },
          };
        }),
      ),
    );
}
