/**
 * Ajv's errors (what Fastify puts on `error.validation`) → FastAPI/pydantic-v2 shaped issues:
 * `{loc: ['body', 'name'], msg: 'Field required', type: 'missing'}`. A client written against a
 * FastAPI + Tortoise backend reads the same 422 bodies from a Terrapin one.
 */
import type { ValidationIssue } from './error-response.js';
import { typeError } from '../validation/type-errors.js';

/** The fields of an Ajv `ErrorObject` this mapping reads. */
export interface AjvErrorLike {
  keyword: string;
  instancePath?: string;
  params?: Record<string, unknown>;
  message?: string;
}

/** Where the value came from, in FastAPI's words: Fastify says querystring/params/headers. */
export type RequestPart = 'body' | 'query' | 'path' | 'header' | 'cookie';

const PARTS: Readonly<Record<string, RequestPart>> = {
  body: 'body',
  querystring: 'query',
  query: 'query',
  params: 'path',
  path: 'path',
  headers: 'header',
  header: 'header',
  cookies: 'cookie',
};

/** Fastify's `validationContext` (body, querystring, params, headers) → FastAPI's first `loc` element. */
export function requestPart(context: string | undefined): RequestPart {
  return PARTS[context ?? 'body'] ?? 'body';
}

/** '/tags/0/name' → ['tags', 0, 'name'] (JSON Pointer; list indexes as numbers, as pydantic reports them). */
function pointerSegments(pointer: string): (string | number)[] {
  if (pointer === '') return [];
  return pointer
    .split('/')
    .slice(1)
    .map((raw) => raw.replace(/~1/g, '/').replace(/~0/g, '~'))
    .map((segment) => (/^(0|[1-9]\d*)$/.test(segment) ? Number(segment) : segment));
}

function quoted(value: unknown): string {
  return typeof value === 'string' ? `'${value}'` : JSON.stringify(value);
}

/** "'a', 'b' or 'c'", pydantic's way of listing allowed values. */
function choices(values: readonly unknown[]): string {
  const parts = values.map(quoted);
  return parts.length <= 1 ? (parts[0] ?? '') : `${parts.slice(0, -1).join(', ')} or ${parts[parts.length - 1]}`;
}

function plural(count: unknown, noun: string): string {
  return `${String(count)} ${noun}${count === 1 ? '' : 's'}`;
}

/** The pydantic type and message for one Ajv keyword; unknown keywords keep Ajv's message. */
function describe(error: AjvErrorLike): { type: string; msg: string } {
  const p = error.params ?? {};
  switch (error.keyword) {
    case 'required':
      return { type: 'missing', msg: 'Field required' };
    case 'type': {
      const wanted = Array.isArray(p.type) ? String(p.type[0]) : String(p.type);
      return typeError(wanted) ?? { type: `${wanted}_type`, msg: `Input should be a valid ${wanted}` };
    }
    case 'maxLength':
      return { type: 'string_too_long', msg: `String should have at most ${plural(p.limit, 'character')}` };
    case 'minLength':
      return { type: 'string_too_short', msg: `String should have at least ${plural(p.limit, 'character')}` };
    case 'maximum':
      return { type: 'less_than_equal', msg: `Input should be less than or equal to ${String(p.limit)}` };
    case 'minimum':
      return { type: 'greater_than_equal', msg: `Input should be greater than or equal to ${String(p.limit)}` };
    case 'exclusiveMaximum':
      return { type: 'less_than', msg: `Input should be less than ${String(p.limit)}` };
    case 'exclusiveMinimum':
      return { type: 'greater_than', msg: `Input should be greater than ${String(p.limit)}` };
    case 'multipleOf':
      return { type: 'multiple_of', msg: `Input should be a multiple of ${String(p.multipleOf)}` };
    case 'enum':
      return { type: 'enum', msg: `Input should be ${choices(Array.isArray(p.allowedValues) ? p.allowedValues : [])}` };
    case 'const':
      return { type: 'literal_error', msg: `Input should be ${quoted(p.allowedValue)}` };
    case 'pattern':
      return { type: 'string_pattern_mismatch', msg: `String should match pattern '${String(p.pattern)}'` };
    case 'maxItems':
      return { type: 'too_long', msg: `List should have at most ${plural(p.limit, 'item')}` };
    case 'minItems':
      return { type: 'too_short', msg: `List should have at least ${plural(p.limit, 'item')}` };
    case 'additionalProperties':
      return { type: 'extra_forbidden', msg: 'Extra inputs are not permitted' };
    default:
      return { type: error.keyword, msg: error.message ?? `failed the '${error.keyword}' check` };
  }
}

/**
 * Ajv errors found in one part of the request → 422 issues. `loc` is the part, the path of the
 * offending value, and for `required` / `additionalProperties` the property concerned.
 */
export function ajvIssues(errors: readonly AjvErrorLike[], part: RequestPart): ValidationIssue[] {
  return errors.map((error) => {
    const loc: (string | number)[] = [part, ...pointerSegments(error.instancePath ?? '')];
    const property = error.keyword === 'required' ? error.params?.missingProperty : error.keyword === 'additionalProperties' ? error.params?.additionalProperty : undefined;
    if (typeof property === 'string') loc.push(property);
    return { loc, ...describe(error) };
  });
}
