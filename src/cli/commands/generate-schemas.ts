/** `terrapin generate-schemas`: the tables of the models, created directly (no migrations; for prototypes and tests). */
import type { Command } from 'commander';
import { withProject } from '../open-project.js';
import { runCommand, type GlobalOptions } from '../run-command.js';

export function registerGenerateSchemas(program: Command, globals: () => GlobalOptions): void {
  program
    .command('generate-schemas')
    .description('create the tables of the models directly, without migrations')
    .option('--safe', 'skip tables that exist already (CREATE TABLE IF NOT EXISTS)')
    .action((flags: { safe?: boolean }) =>
      runCommand('generate-schemas', globals(), () =>
        withProject(globals(), async ({ terrapin }) => {
          await terrapin.generateSchemas({ safe: flags.safe === true });
          const tables = terrapin.models.map((m) => m.table);
          return { summary: `Created the tables of ${tables.length} model${tables.length === 1 ? '' : 's'}`, lines: tables.map((t) => `  ${t}`), data: { tables } };
        }),
      ),
    );
}
