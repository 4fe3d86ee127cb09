/** `history` (applied and pending migrations, from the database) and `heads` (the latest migration of each app, from the files). */
import type { Command } from 'commander';
import { plural, withProject } from '../open-project.js';
import { runCommand, type GlobalOptions } from '../run-command.js';

export function registerStatus(program: Command, globals: () => GlobalOptions): void {
  program
    .command('history')
    .description('the applied migrations (with when) and the pending ones, per app')
    .option('--app <app>', 'only this app')
    .action((flags: { app?: string }) =>
      runCommand('history', globals(), () =>
        withProject(globals(), async ({ migrations }) => {
          const apps = await migrations.status(flags.app);
          const lines: string[] = [];
          for (const app of apps) {
            lines.push(`${app.app}:`);
            for (const m of app.applied) lines.push(`  [x] ${m.id}  applied ${m.appliedAt}${m.complete ? '' : '  (INCOMPLETE: stopped midway; run migrate to continue)'}`);
            for (const id of app.pending) lines.push(`  [ ] ${id}  pending`);
            if (app.applied.length + app.pending.length === 0) lines.push('  (no migrations)');
          }
          const applied = apps.reduce((n, a) => n + a.applied.length, 0);
          const pending = apps.reduce((n, a) => n + a.pending.length, 0);
          return { summary: `${plural(applied, 'migration')} applied, ${pending} pending`, lines, data: { apps } };
        }),
      ),
    );

  program
    .command('heads')
    .description('the latest migration of each app (two heads: branches to merge with makemigrations --merge)')
    .option('--app <app>', 'only this app')
    .action((flags: { app?: string }) =>
      runCommand('heads', globals(), () =>
        withProject(globals(), async ({ migrations }) => {
          migrations.requireApp(flags.app);
          const graph = await migrations.graph();
          const apps = (flags.app === undefined ? migrations.apps : [flags.app]).map((app) => ({ app, heads: graph.heads(app).map((m) => m.id) }));
          const lines = apps.map(({ app, heads }) => `${app}: ${heads.length === 0 ? '(no migrations)' : heads.join(', ')}${heads.length > 1 ? '  (divergent: run `terrapin makemigrations --merge`)' : ''}`);
          const divergent = apps.filter((a) => a.heads.length > 1).length;
          return { summary: divergent === 0 ? `${plural(apps.length, 'app')}, one head each at most` : `${plural(divergent, 'app')} with divergent heads`, lines, data: { apps } };
        }),
      ),
    );
}
