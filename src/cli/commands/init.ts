/**
 * `terrapin init`: writes terrapin.config.ts (or .json) and creates the migrations folder. It needs
 * no database and never overwrites a config that is there.
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import type { Command } from 'commander';
import { ConfigurationError } from '../../errors.js';
import { CONFIG_FILES } from '../config.js';
import { runCommand, type GlobalOptions } from '../run-command.js';

interface InitOptions {
  readonly dbUrl: string;
  readonly models: string;
  readonly migrations: string;
  readonly format: string;
}

/** The config `init` writes (TypeScript): the same object Terrapin.init takes, plus the migrations folder. */
export function configSource(options: { dbUrl: string; models: string; migrations: string }): string {
  return [
    "import type { TerrapinCliConfig } from 'terrapin/migrations';",
    '',
    'export default {',
    `  dbUrl: ${JSON.stringify(options.dbUrl)},`,
    `  modules: { models: [${JSON.stringify(options.models)}] },`,
    `  migrations: ${JSON.stringify(options.migrations)},`,
    '} satisfies TerrapinCliConfig;',
    '',
  ].join('\n');
}

export function registerInit(program: Command, globals: () => GlobalOptions): void {
  program
    .command('init')
    .description('write terrapin.config.ts and create the migrations folder (no database needed)')
    .option('--db-url <url>', 'the database URL the config names (DATABASE_URL overrides it at run time)', 'sqlite://db.sqlite3')
    .option('--models <module>', 'the models module, relative to the config', './models.ts')
    .option('--migrations <folder>', 'the migrations folder, relative to the config', 'migrations')
    .option('--format <format>', 'ts or json', 'ts')
    .action((options: InitOptions) =>
      runCommand('init', globals(), async () => {
        if (options.format !== 'ts' && options.format !== 'json') throw new ConfigurationError(`--format must be ts or json, got '${options.format}'.`);
        const cwd = process.cwd();
        const existing = CONFIG_FILES.find((name) => existsSync(join(cwd, name)));
        if (existing !== undefined) throw new ConfigurationError(`${existing} already exists in ${cwd}; edit it, or delete it to start again.`);
        const file = resolve(cwd, globals().config ?? `terrapin.config.${options.format}`);
        if (existsSync(file)) throw new ConfigurationError(`${file} already exists; edit it, or delete it to start again.`);
        const settings = { dbUrl: options.dbUrl, models: options.models, migrations: options.migrations };
        const text =
          options.format === 'json' ? `${JSON.stringify({ dbUrl: settings.dbUrl, modules: { models: [settings.models] }, migrations: settings.migrations }, null, 2)}\n` : configSource(settings);
        writeFileSync(file, text);
        const folder = resolve(cwd, options.migrations);
        mkdirSync(folder, { recursive: true });
        const lines = [`Wrote ${relative(cwd, file)}`, `Created ${relative(cwd, folder) || '.'}/`];
        if (!existsSync(resolve(cwd, options.models))) lines.push(`Next: write your models in ${options.models}, then run \`terrapin init-db\`.`);
        else lines.push('Next: run `terrapin init-db` to create and apply the first migration.');
        return { summary: 'Initialised the project', lines, data: { config: file, migrations: folder } };
      }),
    );
}
