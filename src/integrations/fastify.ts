/**
 * Terrapin for Fastify — Tortoise's `register_tortoise` for FastAPI, as a Fastify plugin:
 *
 *   await registerTerrapin(app, { dbUrl, modules: { models: [User] } }, { generateSchemas: true });
 *   app.post('/users', { config: { transaction: true }, schema: { body } }, async (request) => ...);
 *
 * The plugin opens the connections when it loads and closes them in `onClose`; errors become
 * FastAPI-shaped responses (error-response.ts); routes with `config.transaction` run in one
 * transaction per request (request-transaction.ts).
 */
import type {
  FastifyError,
  FastifyInstance,
  FastifyPluginAsync,
  FastifyReply,
  FastifyRequest,
  RouteOptions,
} from 'fastify';
import { ConfigurationError } from '../errors.js';
import { checkOptions } from '../config/check-options.js';
import { Terrapin, type InitOptions } from '../terrapin.js';
import type { TransactionOptions } from '../transaction/run-in-transaction.js';
import type { TransactionClient } from '../transaction/transaction-client.js';
import { ajvIssues, requestPart, type AjvErrorLike } from './ajv-issues.js';
import { installValidators } from './fastify-validator.js';
import { NOT_FOUND, errorResponse, validationResponse, type ErrorResponse } from './error-response.js';
import { registerOpenApi, type OpenApiOptions } from './fastify-openapi.js';
import { RequestTransaction, requestTransactionOptions } from './request-transaction.js';

export type { OpenApiOptions } from './fastify-openapi.js';
export type { ErrorBody, ErrorResponse, ValidationIssue } from './error-response.js';
export { errorResponse } from './error-response.js';

declare module 'fastify' {
  interface FastifyInstance {
    /** The Terrapin instance `registerTerrapin` initialised. */
    terrapin: Terrapin;
  }
  interface FastifyRequest {
    /**
     * The request's transaction on a route with `config.transaction` (null elsewhere): queries
     * inside the handler use it without being told; pass it as `usingDb` to say so, as the
     * seed's `conn=Depends(get_db)` and `using_db=conn` do.
     */
    transaction: TransactionClient | null;
  }
  interface FastifyContextConfig {
    /** Run the handler in a transaction: commit on a 2xx/3xx reply, roll back on an error or a 4xx/5xx reply. */
    transaction?: boolean | TransactionOptions;
  }
}

export interface RegisterOptions {
  /** Create missing tables after init (`generateSchemas({ safe: true })`). Default false. */
  generateSchemas?: boolean;
  /** Map Terrapin errors and validation failures to FastAPI-shaped responses. Default true. */
  addExceptionHandlers?: boolean;
  /** The instance to initialise and close. Default `Terrapin.default`. */
  terrapin?: Terrapin;
  /** Serve an OpenAPI 3 document at /openapi.json and Swagger UI at /docs. */
  openapi?: OpenApiOptions;
  /**
   * Validate JSON bodies without type coercion (`{"name": 5}` is a 422, as in FastAPI) and refuse
   * unknown keys (extra_forbidden), while query, path and header values are still converted.
   * Default true; false keeps Fastify's own validator (which coerces and drops unknown keys).
   */
  strictBodies?: boolean;
}

/** Every RegisterOptions key: the plugin passes the rest to `Terrapin.init`, which refuses unknown ones. */
const REGISTER_OPTIONS = ['generateSchemas', 'addExceptionHandlers', 'terrapin', 'openapi', 'strictBodies'];
/** What Fastify's own `register` reads from plugin options. */
const FASTIFY_REGISTER_OPTIONS = ['prefix', 'logLevel', 'logSerializers'];

/** The plugin's options: how to init (as `Terrapin.init`) plus `RegisterOptions`. */
export type TerrapinPluginOptions = InitOptions & RegisterOptions;

/** Marks a route whose handler runs in a transaction (set on its config by the onRoute hook). */
const WRAPPED = Symbol.for('terrapin.transactional');
const TRANSACTION = Symbol('terrapin.requestTransaction');

type TransactionalRequest = FastifyRequest & { [TRANSACTION]?: RequestTransaction };

/** The root instances already set up, so `registerTerrapin` plus the plugin do it once. */
const prepared = new WeakSet<FastifyInstance>();

/**
 * The response for an error Fastify hands its error handler: Ajv validation failures become
 * 422s with `loc` = [body|query|path|header, ...path to the value]; the rest as `errorResponse`.
 */
export function fastifyErrorResponse(error: unknown): ErrorResponse {
  const { validation, validationContext } = (error ?? {}) as Partial<FastifyError>;
  if (Array.isArray(validation)) {
    return validationResponse(ajvIssues(validation as unknown as AjvErrorLike[], requestPart(validationContext)));
  }
  return errorResponse(error);
}

function sendError(this: FastifyInstance, error: FastifyError, request: FastifyRequest, reply: FastifyReply): FastifyReply {
  const response = fastifyErrorResponse(error);
  if (response.unexpected) request.log.error({ err: error }, `${request.method} ${request.url} failed`);
  return reply.code(response.status).send(response.body);
}

function toArray<T>(value: T | T[] | undefined): T[] {
  return value === undefined ? [] : Array.isArray(value) ? value : [value];
}

/**
 * onSend of a transactional route: ends the transaction by the status, before the bytes leave.
 * Callback style: an async hook would add a promise of its own to every request.
 */
function finishTransaction(
  request: FastifyRequest,
  reply: FastifyReply,
  payload: unknown,
  done: (error: Error | null, payload?: unknown) => void,
): void {
  const transaction = (request as TransactionalRequest)[TRANSACTION];
  if (transaction === undefined) {
    done(null, payload);
    return;
  }
  transaction.finish(reply.statusCode).then((commitError) => {
    // Fastify sends this through the error handler instead of the success reply.
    if (commitError !== undefined) done(commitError as Error);
    else done(null, payload);
  });
}

/**
 * Wraps the handler of a route with `config.transaction` so that it runs inside the transaction's
 * AsyncLocalStorage context (hooks run in other contexts, so they cannot open it themselves).
 */
function makeTransactional(route: RouteOptions, terrapin: Terrapin): void {
  const setting = route.config?.transaction;
  if (setting === undefined || setting === false || route.config?.[WRAPPED as never] === true) return;
  const options: TransactionOptions = setting === true ? {} : requestTransactionOptions(setting, `Route ${String(route.method)} ${route.url}`);
  const handler = route.handler;
  route.handler = function transactionalHandler(this: FastifyInstance, request, reply) {
    const transaction = new RequestTransaction(terrapin, options);
    (request as TransactionalRequest)[TRANSACTION] = transaction;
    // No onSend when the reply was hijacked (decide by what was written) or the client left (roll back).
    reply.raw.once('close', () => void transaction.finish(reply.raw.writableFinished ? reply.raw.statusCode : 499));
    return transaction.run((client) => {
      request.transaction = client;
      const result = handler.call(this, request, reply);
      // A callback-style handler sends later; resolving with the reply waits for that send.
      return result === undefined ? reply : result;
    });
  };
  route.onSend = [...toArray(route.onSend), finishTransaction] as RouteOptions['onSend'];
  route.config = { ...route.config, [WRAPPED]: true } as RouteOptions['config'];
}

/**
 * The parts that must exist before routes are declared: the onRoute hook that makes routes
 * transactional, and the error handler (child plugins copy the error handler when created).
 */
function prepare(app: FastifyInstance, options: RegisterOptions): void {
  if (prepared.has(app)) return;
  prepared.add(app);
  const terrapin = options.terrapin ?? Terrapin.default;
  // Declared up front so every request object has the same shape (Fastify's advice for speed).
  if (!app.hasRequestDecorator('transaction')) app.decorateRequest('transaction', null);
  app.addHook('onRoute', (route) => makeTransactional(route, terrapin));
  // A route declared before the hook existed would silently run without its transaction.
  app.addHook('onRequest', (request, _reply, done) => {
    const config = request.routeOptions.config as unknown as Record<PropertyKey, unknown>;
    if (config.transaction === undefined || config.transaction === false || config[WRAPPED] === true) {
      done();
      return;
    }
    done(
      new ConfigurationError(
        `Route ${request.method} ${request.routeOptions.url ?? request.url} asks for a transaction but was declared before Terrapin was registered; ` +
          'call `await registerTerrapin(app, ...)` before declaring routes (or declare them in a plugin registered after it).',
      ),
    );
  });
  if (options.addExceptionHandlers ?? true) {
    app.setErrorHandler(sendError);
    // Fastify's own 404 body is {"message","error","statusCode"}; clients read `detail` everywhere.
    app.setNotFoundHandler((_request, reply) => reply.code(NOT_FOUND.status).send(NOT_FOUND.body));
  }
  if (options.strictBodies ?? true) installValidators(app);
}

async function plugin(app: FastifyInstance, options: TerrapinPluginOptions): Promise<void> {
  prepare(app, options);
  const terrapin = options.terrapin ?? Terrapin.default;
  const init: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(options)) {
    if (!REGISTER_OPTIONS.includes(key) && !FASTIFY_REGISTER_OPTIONS.includes(key)) init[key] = value;
  }
  await terrapin.init(init as unknown as InitOptions);
  app.addHook('onClose', async () => {
    await terrapin.close();
  });
  if (options.generateSchemas === true) await terrapin.generateSchemas({ safe: true });
  app.decorate('terrapin', terrapin);
  if (options.openapi !== undefined) await registerOpenApi(app, options.openapi);
}

// fastify-plugin's marker: decorations, hooks and the error handler apply to the app itself, not a child scope.
(plugin as unknown as Record<symbol, unknown>)[Symbol.for('skip-override')] = true;
(plugin as unknown as Record<symbol, unknown>)[Symbol.for('fastify.display-name')] = 'terrapin';

/** The plugin itself, for `app.register(terrapinPlugin, { dbUrl, modules, ... })`; register it before your routes. */
export const terrapinPlugin = plugin as FastifyPluginAsync<TerrapinPluginOptions>;

/**
 * Registers Terrapin on a Fastify app: `Terrapin.init` when the plugin loads, `close()` when the app
 * closes, FastAPI-shaped error responses, `config: { transaction: true }` on routes. Await it before
 * declaring routes, as with any plugin that watches routes.
 *
 * @example
 * const app = Fastify();
 * await registerTerrapin(app, { dbUrl: 'sqlite://db.sqlite3', modules: { models: [User] } }, { generateSchemas: true });
 */
export function registerTerrapin(app: FastifyInstance, init: InitOptions, options: RegisterOptions = {}): PromiseLike<undefined> & FastifyInstance {
  checkOptions('registerTerrapin (Fastify)', options, REGISTER_OPTIONS);
  prepare(app, options);
  return app.register(terrapinPlugin, { ...init, ...options } as TerrapinPluginOptions);
}
