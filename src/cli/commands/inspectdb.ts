/** `terrapin inspectdb [tables…]`: model source for the tables of an existing database, on stdout (or --output). */
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { inspectdb } from '../../inspectdb/inspectdb.js';
import { RECORD_TABLE } from '../../migrations/recorder.js';
import { withProject } from '../open-project.js';
import { runCommand, type GlobalOptions } from '../run-command.js';

const collect = (value: string, previous: string[]) => [...previous, value];

export function registerInspectdb(program: Command, globals: () => GlobalOptions): void {
  program
    .command('inspectdb')
    .argument('[tables...]', 'only these tables (default: all, except the migrations record)')
    .description('write model classes for the tables of an existing database')
    .option('--exclude <table>', 'leave this table out; repeatable', collect, [])
    .option('--connection <name>', 'the connection to read', 'default')
    .option('--output <file>', 'write the source to this file instead of stdout')
    .option('--import-from <module>', 'the module the models import from', 'terrapin')
    .action((tables: string[], flags: { exclude: string[]; connection: string; output?: string; importFrom: string }) =>
      runCommand('inspectdb', globals(), () =>
        withProject(globals(), async ({ terrapin }) => {
          const source = await inspectdb(terrapin.connection(flags.connection), {
            ...(tables.length === 0 ? {} : { tables }),
            exclude: [...flags.exclude, RECORD_TABLE],
            importFrom: flags.importFrom,
          });
          const models = (source.match(/^export class /gm) ?? []).length;
          const summary = `${models} model${models === 1 ? '' : 's'} from connection '${flags.connection}'`;
          if (flags.output !== undefined) {
            const file = resolve(flags.output);
            writeFileSync(file, source);
            return { summary: `Wrote ${summary} to ${file}`, data: { file, models } };
          }
          return { summary, raw: source, data: { source, models } };
        }),
      ),
    );
}
