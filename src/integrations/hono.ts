/**
 * Terrapin for Hono: init before serving, FastAPI-shaped error responses via `app.onError`, and a
 * `transactional()` middleware (Tortoise's `get_db` dependency).
 *
 *   const orm = await registerTerrapin(app, { dbUrl, modules: { models: [User] } });
 *   app.post('/users', transactional(), async (c) => c.json(await User.create(await c.req.json()), 201));
 *   process.once('SIGTERM', () => server.close(() => void orm.close()));
 */
import type { Context, ErrorHandler, Hono, MiddlewareHandler } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { InitOptions } from '../terrapin.js';
import { Terrapin } from '../terrapin.js';
import type { TransactionOptions } from '../transaction/run-in-transaction.js';
import type { TransactionClient } from '../transaction/transaction-client.js';
import { NOT_FOUND, errorResponse } from './error-response.js';
import { checkRegisterOptions, startTerrapin, type LifecycleOptions, type TerrapinHandle } from './lifecycle.js';
import { RequestTransaction, requestTransactionOptions } from './request-transaction.js';

export type { TerrapinHandle } from './lifecycle.js';
export type { ErrorBody, ErrorResponse, ValidationIssue } from './error-response.js';
export { errorResponse } from './error-response.js';

export interface ErrorHandlerOptions {
  /** Where unexpected errors (the 500s) are reported. Default: console.error. */
  logError?: (error: unknown, c: Context) => void;
}

export interface RegisterOptions extends LifecycleOptions, ErrorHandlerOptions {
  /** Install `terrapinErrorHandler` as the app's `onError`. Default true. */
  addExceptionHandlers?: boolean;
}

function defaultLog(error: unknown, c: Context): void {
  console.error(`${c.req.method} ${c.req.path} failed:`, error);
}

/**
 * An `app.onError` handler: Terrapin errors as Tortoise's FastAPI handlers answer them
 * (404 / 422 `{"detail": ...}`), Hono's HTTPException with its own status, anything else a bare
 * 500 `{"detail": "Internal Server Error"}` that is logged.
 */
/**
 * `await c.req.json()` on a body that is not JSON throws the platform's bare SyntaxError; it is the
 * client's mistake (400, as Fastify and Express's body parser answer), not a 500.
 */
function isMalformedJson(error: unknown, c: Context): boolean {
  return error instanceof SyntaxError && /json/i.test(c.req.header('content-type') ?? '') && /JSON/.test(error.message);
}

export function terrapinErrorHandler(options: ErrorHandlerOptions = {}): ErrorHandler {
  const log = options.logError ?? defaultLog;
  return (error, c) => {
    if (error instanceof HTTPException && error.res !== undefined) return error.getResponse();
    if (isMalformedJson(error, c)) return c.json({ detail: `Body is not valid JSON: ${error.message}` }, 400);
    const response = errorResponse(error);
    if (response.unexpected) log(error, c);
    return c.json(response.body, response.status as 500);
  };
}

/**
 * Initialises Terrapin (and creates missing tables with `generateSchemas`) and installs the error
 * handler. Await it before serving; call the returned `close()` on shutdown.
 */
export async function registerTerrapin(app: Hono<any, any, any>, init: InitOptions, options: RegisterOptions = {}): Promise<TerrapinHandle> {
  checkRegisterOptions('Hono', options, ['addExceptionHandlers', 'logError']);
  const handle = await startTerrapin(init, options);
  if (options.addExceptionHandlers ?? true) {
    app.onError(terrapinErrorHandler(options));
    app.notFound((c) => c.json(NOT_FOUND.body, NOT_FOUND.status as 404));
  }
  return handle;
}

/**
 * The variable `transactional()` sets: `c.get('transaction')` is the request's transaction, for
 * `usingDb` (type the app as `new Hono<{ Variables: TransactionVariables }>()`); undefined on
 * routes without the middleware.
 */
export interface TransactionVariables {
  transaction: TransactionClient | undefined;
}

export interface TransactionalOptions extends TransactionOptions {
  /** Default `Terrapin.default`. */
  terrapin?: Terrapin;
}

/**
 * Middleware running the rest of the request in one transaction: commit when the response is a
 * 2xx/3xx, roll back when a handler throws or the response is a 4xx/5xx. The handler and
 * everything it awaits see the transaction (and `c.get('transaction')` is it, for `usingDb`). The body must be built before the middleware returns
 * (a streamed body written later would run its queries after the transaction ended).
 */
export function transactional(options: TransactionalOptions = {}): MiddlewareHandler {
  const { terrapin = Terrapin.default, ...rest } = options;
  const transactionOptions = requestTransactionOptions(rest, 'transactional()');
  return async (c, next) => {
    const transaction = new RequestTransaction(terrapin, transactionOptions);
    try {
      // Hono's compose turns a downstream throw into c.error plus the onError response.
      await transaction.run((client) => {
        c.set('transaction' as never, client as never);
        return next();
      });
    } catch (error) {
      await transaction.finish(500);
      throw error;
    }
    const commitError = await transaction.finish(c.error !== undefined ? 500 : c.res.status);
    if (commitError !== undefined) throw commitError;
  };
}
