/**
 * The `terrapin` command's config for the example API: `npm run terrapin -- makemigrations` (or
 * `check`, `migrate`, `history`…) from the repository root. The database is the one `npm start`
 * uses (db.sqlite3 in the root; DATABASE_URL overrides it for both), the migrations are the
 * committed ones the app applies when it starts (app.ts: `migrate: true`).
 */
import type { TerrapinCliConfig } from 'terrapin/migrations';

export default {
  dbUrl: 'sqlite://../../db.sqlite3',
  modules: { models: ['./models.ts'] },
  migrations: 'migrations',
} satisfies TerrapinCliConfig;
