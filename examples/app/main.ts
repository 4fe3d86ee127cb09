/**
 * `npm start`: serves the example API on http://127.0.0.1:8000 (PORT and HOST change it), on
 * SQLite by default; DATABASE_URL switches to PostgreSQL or MySQL. Docs at /docs.
 */
import { buildApp } from './app.js';

const dbUrl = process.env.DATABASE_URL ?? 'sqlite://db.sqlite3';
const host = process.env.HOST ?? '127.0.0.1';
const port = Number(process.env.PORT ?? 8000);

const app = await buildApp({ dbUrl });
await app.listen({ host, port });
console.log(`Terrapin example API on http://${host}:${port} (database ${dbUrl.replace(/\/\/[^@]*@/, '//***@')}); docs at http://${host}:${port}/docs`);

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    console.log(`${signal}: closing`);
    void app.close().then(() => process.exit(0));
  });
}
