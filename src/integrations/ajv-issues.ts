/**
 * Ajv's errors (what Fastify puts on `error.validation`) → FastAPI/pydantic-v2 shaped issues:
 * `{loc: ['body', 'name'], msg: 'Field required', type: 'missing'}`. A client written against a
 * FastAPI + Tortoise backend reads the same 422 bodies from a Terrapin one.
 */
import type { ValidationIssue } from './error-response.js';
import { typeError } from '../validation/type-errors.js';
import { BASE64, BIGINT, DATE, DATETIME, TIME, UUID, isDecimalPattern } from '../validation/patterns.js';

/** The fields of an Ajv `ErrorObject` this mapping reads. */
export interface AjvErrorLike {
  keyword: string;
  instancePath?: string;
  /** Where in the schema the check failed: '#/properties/published/anyOf/0/pattern'. */
  schemaPath?: string;
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

/**
 * The generated schemas check formats with patterns (patterns.ts); a mismatch reads as pydantic's
 * parsing error for the type, not as the 300-character regex.
 */
const PATTERN_ERRORS: ReadonlyMap<string, { type: string; msg: string }> = new Map([
  [DATE.source, { type: 'date_parsing', msg: 'Input should be a valid date in the format YYYY-MM-DD' }],
  [DATETIME.source, { type: 'datetime_parsing', msg: 'Input should be a valid datetime' }],
  [TIME.source, { type: 'time_parsing', msg: 'Input should be in a valid time format' }],
  [UUID.source, { type: 'uuid_parsing', msg: 'Input should be a valid UUID' }],
  [BASE64.source, { type: 'bytes_invalid_encoding', msg: 'Input should be valid base64' }],
  [BIGINT.source, { type: 'int_parsing', msg: 'Input should be a valid integer, unable to parse string as an integer' }],
]);

const FORMAT_ERRORS: Readonly<Record<string, { type: string; msg: string }>> = {
  date: PATTERN_ERRORS.get(DATE.source)!,
  'date-time': PATTERN_ERRORS.get(DATETIME.source)!,
  time: PATTERN_ERRORS.get(TIME.source)!,
  uuid: PATTERN_ERRORS.get(UUID.source)!,
};

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
      return (
        PATTERN_ERRORS.get(String(p.pattern)) ??
        (isDecimalPattern(String(p.pattern))
          ? { type: 'decimal_parsing', msg: 'Input should be a valid decimal' }
          : { type: 'string_pattern_mismatch', msg: `String should match pattern '${String(p.pattern)}'` })
      );
    case 'format':
      return FORMAT_ERRORS[String(p.format)] ?? { type: 'value_error', msg: `Input should be a valid ${String(p.format)}` };
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
  return relevant(errors).map((error) => {
    const loc: (string | number)[] = [part, ...pointerSegments(error.instancePath ?? '')];
    const property = error.keyword === 'required' ? error.params?.missingProperty : error.keyword === 'additionalProperties' ? error.params?.additionalProperty : undefined;
    if (typeof property === 'string') loc.push(property);
    return { loc, ...describe(error) };
  });
}

const BRANCH = /^(.*\/anyOf)\/(\d+)\//;

function isNullBranch(error: AjvErrorLike): boolean {
  return error.keyword === 'type' && error.params?.type === 'null';
}

/**
 * One error per problem, as pydantic reports them: a bad value for a nullable field (`anyOf`
 * [schema, null]) fails the field's schema, not also "should be None" and "must match a schema in
 * anyOf"; of the branches of an `anyOf` (a bigint as string or integer), the one whose type the
 * value has; a `format` failure is not repeated beside the `pattern` failure that checks the same.
 */
function relevant(errors: readonly AjvErrorLike[]): AjvErrorLike[] {
  const branches = new Map<string, Map<string, AjvErrorLike[]>>();
  const kept: (AjvErrorLike | string)[] = [];
  for (const error of errors) {
    if (error.keyword === 'anyOf') continue;
    const match = BRANCH.exec(error.schemaPath ?? '');
    if (match === null) {
      kept.push(error);
      continue;
    }
    const group = `${error.instancePath ?? ''} ${match[1]!}`;
    let byBranch = branches.get(group);
    if (byBranch === undefined) {
      branches.set(group, (byBranch = new Map()));
      kept.push(group);
    }
    const list = byBranch.get(match[2]!) ?? [];
    list.push(error);
    byBranch.set(match[2]!, list);
  }
  const out: AjvErrorLike[] = [];
  for (const item of kept) {
    if (typeof item !== 'string') {
      out.push(item);
      continue;
    }
    const candidates = [...branches.get(item)!.values()].filter((list) => !list.every(isNullBranch));
    const chosen = candidates.find((list) => !list.some((e) => e.keyword === 'type')) ?? candidates[0] ?? [];
    out.push(...chosen);
  }
  const patterned = new Set(out.filter((e) => e.keyword === 'pattern').map((e) => e.instancePath ?? ''));
  return out.filter((e) => !(e.keyword === 'format' && patterned.has(e.instancePath ?? '')));
}
