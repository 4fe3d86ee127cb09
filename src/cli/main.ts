#!/usr/bin/env node
/**
 * `terrapin`: the command line (package.json `bin`). One file per command group in commands/;
 * this one only assembles them. Global options: --config, --json, --verbose.
 *
 *   npx terrapin init && npx terrapin init-db && npx terrapin makemigrations && npx terrapin migrate
 */
import { Command } from 'commander';
import { registerApply } from './commands/apply.js';
import { registerGenerateSchemas } from './commands/generate-schemas.js';
import { registerInit } from './commands/init.js';
import { registerInspectdb } from './commands/inspectdb.js';
import { registerMake } from './commands/make.js';
import { registerSql } from './commands/sql.js';
import { registerStatus } from './commands/status.js';
import type { GlobalOptions } from './run-command.js';

const program = new Command('terrapin')
  .description('Terrapin migrations, introspection and schema commands (configured by terrapin.config.ts)')
  .option('-c, --config <file>', 'the config file (default: terrapin.config.ts/.mts/.js/.mjs/.json in the working directory)')
  .option('--json', 'print one JSON object on stdout (for scripts)')
  .option('-v, --verbose', 'on failure, print the whole error with its stack and causes')
  .showSuggestionAfterError()
  .showHelpAfterError('(run terrapin --help for the commands and options)');

const globals = (): GlobalOptions => program.opts<GlobalOptions>();

registerInit(program, globals);
registerMake(program, globals);
registerApply(program, globals);
registerStatus(program, globals);
registerSql(program, globals);
registerInspectdb(program, globals);
registerGenerateSchemas(program, globals);

// Subcommands reject options they do not know, and so does the program itself (commander's default).
await program.parseAsync(process.argv);
