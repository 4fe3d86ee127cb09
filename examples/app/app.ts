/**
 * The example API as a Fastify app: the seed's FastAPI service in TypeScript. Tests build it with
 * `buildApp(dbUrl)`; main.ts serves it.
 */
import Fastify, { type FastifyInstance } from 'fastify';
import { errorResponse, registerTerrapin } from '../../src/integrations/fastify.js';
import { models } from './models.js';
import { libraryRoutes } from './routes/library.js';
import { userRoutes } from './routes/users.js';

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
  await registerTerrapin(app, { dbUrl: options.dbUrl, modules: { models } }, {
    generateSchemas: true,
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
