/**
 * Terrapin for Express (4 and 5): init before serving, FastAPI-shaped error responses, and a
 * `transactional()` middleware (Tortoise's `get_db` dependency).
 *
 *   const orm = await registerTerrapin(app, { dbUrl, modules: { models: [User] } });
 *   app.post('/users', transactional(), asyncHandler(async (req, res) => res.status(201).json(await User.create(req.body))));
 *   process.once('SIGTERM', () => server.close(() => void orm.close()));
 */
import type { ErrorRequestHandler, Express, NextFunction, Request, RequestHandler, Response } from 'express';
import type { InitOptions } from '../terrapin.js';
import { Terrapin } from '../terrapin.js';
import type { TransactionOptions } from '../transaction/run-in-transaction.js';
import { NOT_FOUND, errorResponse, type ErrorResponse } from './error-response.js';
import { checkRegisterOptions, startTerrapin, type LifecycleOptions, type TerrapinHandle } from './lifecycle.js';
import { RequestTransaction, requestTransactionOptions } from './request-transaction.js';

export type { TerrapinHandle } from './lifecycle.js';
export type { ErrorBody, ErrorResponse, ValidationIssue } from './error-response.js';
export { errorResponse } from './error-response.js';

export interface ErrorHandlerOptions {
  /** Where unexpected errors (the 500s) are reported. Default: console.error. */
  logError?: (error: unknown, request: Request) => void;
}

export interface RegisterOptions extends LifecycleOptions, ErrorHandlerOptions {
  /** Append `terrapinErrorHandler` after every route (when the first request arrives). Default true. */
  addExceptionHandlers?: boolean;
}

function defaultLog(error: unknown, request: Request): void {
  console.error(`${request.method} ${request.originalUrl} failed:`, error);
}

/** Writes `response` with the raw `end`, bypassing a transactional wrapper. */
function writeError(res: Response, response: ErrorResponse, end: (chunk: string) => unknown): void {
  const body = JSON.stringify(response.body);
  res.statusCode = response.status;
  res.removeHeader('etag');
  res.setHeader('content-type', 'application/json; charset=utf-8');
  res.setHeader('content-length', Buffer.byteLength(body));
  end.call(res, body);
}

/**
 * Error middleware: Terrapin errors as Tortoise's FastAPI handlers answer them (404 / 422
 * `{"detail": ...}`), errors with a 4xx `status` (body-parser's, http-errors) with their status,
 * anything else a bare 500 `{"detail": "Internal Server Error"}` that is logged. Add it last.
 */
export function terrapinErrorHandler(options: ErrorHandlerOptions = {}): ErrorRequestHandler {
  const log = options.logError ?? defaultLog;
  return function terrapinErrors(error: unknown, req: Request, res: Response, next: NextFunction): void {
    if (res.headersSent) {
      next(error);
      return;
    }
    const response = errorResponse(error);
    if (response.unexpected) log(error, req);
    res.status(response.status).json(response.body);
  };
}

/** Answers `404 {"detail": "Not Found"}`: put it after your routes, before `terrapinErrorHandler()`. */
export function terrapinNotFoundHandler(): RequestHandler {
  return (_req, res) => void res.status(NOT_FOUND.status).json(NOT_FOUND.body);
}

/**
 * Initialises Terrapin (and creates missing tables with `generateSchemas`). Await it before
 * serving; call the returned `close()` on shutdown. Express error middleware must come after the
 * routes, so with `addExceptionHandlers` the handler is appended when the first request arrives;
 * routes added after that come after it too — then add `app.use(terrapinErrorHandler())` yourself.
 */
export async function registerTerrapin(app: Express, init: InitOptions, options: RegisterOptions = {}): Promise<TerrapinHandle> {
  checkRegisterOptions('Express', options, ['addExceptionHandlers', 'logError']);
  const handle = await startTerrapin(init, options);
  if (options.addExceptionHandlers ?? true) {
    let appended = false;
    app.use((_req, _res, next) => {
      // The router reads its stack length on every step, so a layer pushed now still runs for this request.
      if (!appended) {
        appended = true;
        // After every route: what no route answered is a 404 in the shape of every other error.
        app.use(terrapinNotFoundHandler());
        app.use(terrapinErrorHandler(options));
      }
      next();
    });
  }
  return handle;
}

/**
 * Express 4 ignores the promise an async handler returns, so its rejection never reaches the
 * error middleware (and a transactional request would wait for a response that never comes).
 * Wrap async handlers with this; Express 5 does it itself.
 */
export function asyncHandler(fn: (req: Request, res: Response, next: NextFunction) => unknown): RequestHandler {
  return (req, res, next) => {
    try {
      const result = fn(req, res, next);
      if (result !== null && typeof (result as PromiseLike<unknown>)?.then === 'function') (result as PromiseLike<unknown>).then(undefined, next);
    } catch (error) {
      next(error);
    }
  };
}

export interface TransactionalOptions extends TransactionOptions, ErrorHandlerOptions {
  /** Default `Terrapin.default`. */
  terrapin?: Terrapin;
}

/**
 * Middleware running the rest of the request in one transaction: the route's handlers and
 * everything they await see it (and `res.locals.transaction` holds it, for `usingDb`). It ends when the response ends: commit for a 2xx/3xx (before the
 * response is written, so the client can read its writes), roll back for a 4xx/5xx or an error.
 */
export function transactional(options: TransactionalOptions = {}): RequestHandler {
  const { terrapin = Terrapin.default, logError = defaultLog, ...rest } = options;
  const transactionOptions = requestTransactionOptions(rest, 'transactional()');
  return (req, res, next) => {
    const transaction = new RequestTransaction(terrapin, transactionOptions);
    const end = res.end;
    res.end = function endAfterTransaction(this: Response, ...args: unknown[]) {
      res.end = end;
      void transaction.finish(res.statusCode).then((commitError) => {
        if (commitError === undefined || res.headersSent) {
          (end as (...a: unknown[]) => Response).apply(res, args);
          return;
        }
        // COMMIT failed: the writes are gone, so the success response must not go out.
        const response = errorResponse(commitError);
        if (response.unexpected) logError(commitError, req);
        writeError(res, response, end as (chunk: string) => unknown);
      });
      return this;
    } as Response['end'];
    // The client left before a response: nothing will be sent, roll back.
    res.once('close', () => transaction.abandon());
    transaction
      .run((client) => {
        res.locals['transaction'] = client;
        next();
      })
      .catch(next);
  };
}
