/**
 * FastAPI's free docs for a Fastify app: an OpenAPI 3 document at /openapi.json and Swagger UI
 * at /docs, via @fastify/swagger and @fastify/swagger-ui (optional peers, loaded only when asked).
 * Routes that validate their input document the 422 body the error handler sends, as FastAPI's do.
 */
import type { FastifyInstance, FastifySchema } from 'fastify';
import { ConfigurationError } from '../errors.js';

export interface OpenApiOptions {
  title: string;
  version: string;
  description?: string;
  /** Where Swagger UI is served. Default '/docs'. */
  docsPath?: string;
  /** Where the JSON document is served. Default '/openapi.json'. */
  jsonPath?: string;
}

/** FastAPI's `HTTPValidationError` schema. */
const VALIDATION_ERROR_BODY = {
  description: 'Validation Error',
  type: 'object',
  properties: {
    detail: {
      type: 'array',
      items: {
        type: 'object',
        required: ['loc', 'msg', 'type'],
        properties: {
          loc: { type: 'array', items: { anyOf: [{ type: 'string' }, { type: 'integer' }] } },
          msg: { type: 'string' },
          type: { type: 'string' },
        },
      },
    },
  },
} as const;

const INPUT_PARTS = ['body', 'querystring', 'params', 'headers'] as const;

/** Adds the 422 response to the documentation of routes that validate input (not to the route itself). */
function withValidationResponse({ schema, url }: { schema: FastifySchema; url: string }): { schema: FastifySchema; url: string } {
  if (schema === undefined || schema === null || !INPUT_PARTS.some((part) => schema[part] !== undefined)) return { schema, url };
  const response = (schema.response ?? {}) as Record<string, unknown>;
  if (response['422'] !== undefined) return { schema, url };
  return { schema: { ...schema, response: { ...response, 422: VALIDATION_ERROR_BODY } }, url };
}

async function load<T>(name: string, importer: () => Promise<{ default: T }>): Promise<T> {
  try {
    return (await importer()).default;
  } catch (cause) {
    throw new ConfigurationError(`The openapi option needs the package '${name}': npm install ${name}`, { cause });
  }
}

export async function registerOpenApi(app: FastifyInstance, options: OpenApiOptions): Promise<void> {
  const swagger = await load('@fastify/swagger', () => import('@fastify/swagger'));
  const swaggerUi = await load('@fastify/swagger-ui', () => import('@fastify/swagger-ui'));
  const info = { title: options.title, version: options.version, ...(options.description === undefined ? {} : { description: options.description }) };
  await app.register(swagger, { openapi: { openapi: '3.0.3', info }, transform: withValidationResponse });
  await app.register(swaggerUi, { routePrefix: options.docsPath ?? '/docs' });
  app.get(options.jsonPath ?? '/openapi.json', { schema: { hide: true } }, async () => app.swagger());
}
