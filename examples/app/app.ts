/**
 * The example API as a Fastify app: the seed's FastAPI service in TypeScript. Tests build it with
 * `buildApp(dbUrl)`; main.ts serves it.
 */
import { fileURLToPath } from 'node:url';
import Fastify, { type FastifyInstance } from 'fastify';
import { errorResponse, registerTerrapin } from 'terrapin/fastify';
import { models } from './models.js';
import { libraryRoutes } from './routes/library.js';
import { userRoutes } from './routes/users.js';

/**
 * The committed migrations beside this file: examples/app/migrations in the sources, and the
 * compiled dist/examples/app/migrations when the app runs from the build (tsc compiles them with
 * the rest of examples/), whatever the working directory.
 */
export const MIGRATIONS = fileURLToPath(new URL('./migrations', import.meta.url));

export interface AppOptions {
  dbUrl: string;
  /** One line per request on stdout, and the errors behind 500s on stderr (default true). */
  logRequests?: boolean;
}

export async function buildApp(options: AppOptions): Promise<FastifyInstance> {
  // Fastify's logger at 'error': the plugin logs what made a 500 (the body says only "Internal
  // Server Error"); requests are logged by the hook below, in one short line each.
  const app = Fastify({
    logger: options.logRequests === false ? false : { level: 'error' },
    // Errors Fastify raises before routing (a path parameter over maxParamLength is a 414, a URL
    // that does not decode a 400) skip the error handler: give them the same `detail` shape.
    frameworkErrors: (error, _request, reply) => {
      const response = errorResponse(error);
      void reply.code(response.status as never).send(response.body as never);
    },
  });
  // The tables come from the migrations (applied once, under a lock, when several instances start
  // together), so a model change reaches an existing database: see docs/migrations.md.
  await registerTerrapin(app, { dbUrl: options.dbUrl, modules: { models }, migrate: true, migrations: MIGRATIONS }, {
    openapi: { title: 'Terrapin example API', version: '1.0.0', description: "The seed's users API, plus a small library." },
  });
  if (options.logRequests !== false) {
    app.addHook('onResponse', async (request, reply) => {
      console.log(`${request.method} ${request.url} ${reply.statusCode} ${reply.elapsedTime.toFixed(1)}ms`);
    });
  }
  await app.register(userRoutes);
  await app.register(libraryRoutes);
  return app;
}
