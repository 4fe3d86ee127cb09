/**
 * `terrapin sql <migration>`: the statements a migration runs (or, with --backwards, its reverse)
 * on the dialect of its app's connection, or on another with --dialect — nothing is run.
 */
import type { Command } from 'commander';
import { ConfigurationError } from '../../errors.js';
import { DIALECTS } from '../../dialects/by-name.js';
import type { DialectName } from '../../config/db-url.js';
import { formatSql } from '../../migrations/project.js';
import { withProject } from '../open-project.js';
import { runCommand, type GlobalOptions } from '../run-command.js';

export function registerSql(program: Command, globals: () => GlobalOptions): void {
  program
    .command('sql')
    .argument('<migration>', 'app/name, or a name or number when unambiguous')
    .description('print the SQL a migration would run, without running it')
    .option('--backwards', 'the SQL of its downgrade')
    .option('--app <app>', 'the app, when the name is not unique')
    .option('--dialect <dialect>', "sqlite, postgres or mysql (default: the app's connection's)")
    .action((ref: string, flags: { backwards?: boolean; app?: string; dialect?: string }) =>
      runCommand('sql', globals(), () =>
        withProject(globals(), async ({ migrations, terrapin }) => {
          if (flags.dialect !== undefined && !(flags.dialect in DIALECTS)) {
            throw new ConfigurationError(`--dialect must be one of ${Object.keys(DIALECTS).join(', ')}, got '${flags.dialect}'.`);
          }
          const migration = (await migrations.graph()).find(ref, flags.app);
          const dialect = flags.dialect === undefined ? terrapin.connection(migrations.connectionOf(migration.app)).dialect : DIALECTS[flags.dialect as DialectName];
          const listing = await migrations.sql(migration.id, dialect, { backwards: flags.backwards === true });
          const statements = listing.operations.reduce((n, op) => n + op.steps.length, 0);
          return {
            summary: `${listing.migration} on ${listing.dialect}${listing.backwards ? ' (downgrade)' : ''}: ${statements} statement${statements === 1 ? '' : 's'}, nothing run`,
            raw: formatSql(listing),
            data: { listing },
          };
        }),
      ),
    );
}
