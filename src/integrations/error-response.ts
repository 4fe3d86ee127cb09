/**
 * Terrapin errors → HTTP responses shaped like FastAPI's, as Tortoise's `add_exception_handlers`
 * does: `{"detail": "..."}` for a single message, `{"detail": [{loc, msg, type}]}` for validation.
 * Framework-neutral; fastify.ts, hono.ts and express.ts send what `errorResponse` returns.
 */
import { STATUS_CODES } from 'node:http';
import {
  CommitOutcomeUnknownError,
  DatabaseUnavailableError,
  DoesNotExist,
  FieldError,
  IntegrityError,
  ParamsError,
  QueryTimeoutError,
  SchemaValidationError,
  TransactionRetryError,
  ValidationError,
} from '../errors.js';

/** One item of a 422 `detail` list: where (`['body', 'name']`), what went wrong and its kind. */
export interface ValidationIssue {
  loc: (string | number)[];
  msg: string;
  type: string;
}

export interface ErrorBody {
  detail: string | ValidationIssue[];
}

export interface ErrorResponse {
  status: number;
  body: ErrorBody;
  /** A bug or outage rather than a bad request: log it server-side (the body says nothing about it). */
  unexpected: boolean;
}

/** A 422 whose `detail` lists `issues` (FastAPI's `RequestValidationError` body). */
export function validationResponse(issues: ValidationIssue[]): ErrorResponse {
  return { status: 422, body: { detail: issues }, unexpected: false };
}

function isIssue(value: unknown): value is ValidationIssue {
  if (typeof value !== 'object' || value === null) return false;
  const item = value as Record<string, unknown>;
  return Array.isArray(item.loc) && typeof item.msg === 'string' && typeof item.type === 'string';
}

/**
 * A schema validator's error list, if `error` carries one. `modelSchema(...).parse(body)` reports
 * `loc` inside the body (`['name']`), so it gains FastAPI's 'body' prefix; other validators' lists
 * are taken as they are.
 */
function issuesOf(error: ValidationError): ValidationIssue[] | undefined {
  const errors = (error as { errors?: unknown }).errors;
  if (!Array.isArray(errors) || errors.length === 0 || !errors.every(isIssue)) return undefined;
  const prefix = error instanceof SchemaValidationError ? ['body'] : [];
  return errors.map((item) => ({ loc: [...prefix, ...item.loc], msg: item.msg, type: item.type }));
}

/** The status an HTTP-aware error asks for (http-errors, Fastify's and body-parser's errors). */
function httpStatusOf(error: unknown): number | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const { statusCode, status } = error as { statusCode?: unknown; status?: unknown };
  const code = typeof statusCode === 'number' ? statusCode : status;
  return typeof code === 'number' && Number.isInteger(code) && code >= 400 && code <= 599 ? code : undefined;
}

/** What an unknown route answers, in the shape of every other error: `{"detail": "Not Found"}`. */
export const NOT_FOUND: ErrorResponse = { status: 404, body: { detail: 'Not Found' }, unexpected: false };

const INTERNAL: ErrorResponse = { status: 500, body: { detail: 'Internal Server Error' }, unexpected: true };

/**
 * An outage: 503, which clients and load balancers read as "try again later", rather than a 500
 * that says the request was wrong. The body says which kind of outage (a client retrying a write
 * must know when its outcome is unknown) but not the driver's message, host or SQL; the error is
 * flagged `unexpected` so the cause is logged server-side.
 */
function outageResponse(error: DatabaseUnavailableError): ErrorResponse {
  const detail =
    error instanceof CommitOutcomeUnknownError
      ? 'Service Unavailable: the database connection was lost while committing; the change may or may not have been saved, check before sending it again'
      : error instanceof QueryTimeoutError
        ? 'Service Unavailable: the database did not answer in time; try again later'
        : 'Service Unavailable: the database cannot be reached; try again later';
  return { status: 503, body: { detail }, unexpected: true };
}

/**
 * A deadlock or serialization failure that reached the handler (a request transaction cannot
 * retry: its handler would run twice): everything was rolled back, so sending the request again is
 * safe and likely to succeed — a 503 says so, where a 500 would say the request was at fault.
 */
const RETRY_LATER: ErrorResponse = {
  status: 503,
  body: { detail: 'Service Unavailable: the transaction conflicted with another one and was rolled back; send the request again' },
  unexpected: true,
};

/**
 * The response for an error a handler raised:
 * - DoesNotExist → 404 `{"detail": message}`
 * - IntegrityError → 422 `{"detail": [{"loc": [], "msg": message, "type": "IntegrityError"}]}`
 * - SchemaValidationError (`modelSchema(...).parse(body)`) → 422 with its `errors` as `detail`, loc prefixed 'body';
 *   another ValidationError carrying an `errors` list of {loc, msg, type} → 422 with that list as it is
 * - ValidationError / FieldError / ParamsError → 422, `loc` naming the field when the error knows it
 * - DatabaseUnavailableError (QueryTimeoutError, CommitOutcomeUnknownError) and TransactionRetryError
 *   → 503 `{"detail": "Service Unavailable: …"}`, flagged `unexpected` so it is logged
 * - an error carrying a 4xx `statusCode`/`status` (the framework's own) → that status, `{"detail": message}`
 * - anything else → 500 `{"detail": "Internal Server Error"}`, flagged `unexpected` so it is logged;
 *   the message, stack and SQL stay out of the body.
 */
export function errorResponse(error: unknown): ErrorResponse {
  if (error instanceof DoesNotExist) return { status: 404, body: { detail: error.message }, unexpected: false };
  if (error instanceof IntegrityError) {
    return validationResponse([{ loc: [], msg: error.message, type: 'IntegrityError' }]);
  }
  if (error instanceof ValidationError) {
    const issues = issuesOf(error);
    if (issues !== undefined) return validationResponse(issues);
    return validationResponse([{ loc: error.field === undefined ? [] : [error.field], msg: error.message, type: error.name }]);
  }
  if (error instanceof FieldError || error instanceof ParamsError) {
    return validationResponse([{ loc: [], msg: error.message, type: error.name }]);
  }
  if (error instanceof DatabaseUnavailableError) return outageResponse(error);
  if (error instanceof TransactionRetryError) return RETRY_LATER;
  const status = httpStatusOf(error);
  if (status !== undefined && status < 500) {
    const message = error instanceof Error && error.message !== '' ? error.message : (STATUS_CODES[status] ?? 'Error');
    return { status, body: { detail: message }, unexpected: false };
  }
  if (status !== undefined) return { status, body: { detail: STATUS_CODES[status] ?? 'Error' }, unexpected: true };
  return INTERNAL;
}
