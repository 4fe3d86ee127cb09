/**
 * Zod issues → `{ loc, msg, type }` items with Pydantic v2's error types and messages, so a web
 * layer can answer 422 exactly as FastAPI does (it prefixes `loc` with 'body').
 */
import type { z } from 'zod';
import { SchemaValidationError, type SchemaIssue } from '../errors.js';
import { describeValue } from '../fields/base.js';
import { INT_MESSAGE } from './zod.js';
import { typeError } from './type-errors.js';

type Loc = (string | number)[];

const FORMAT_TYPES: Record<string, string> = {
  datetime: 'datetime_parsing',
  date: 'date_parsing',
  time: 'time_parsing',
  uuid: 'uuid_parsing',
  decimal: 'decimal_parsing',
  base64: 'base64_decode',
  bigint: 'int_parsing',
};

/** The value at `path` in `input`, and whether its key is missing from its parent object. */
function at(input: unknown, path: readonly PropertyKey[]): { value: unknown; missing: boolean } {
  let value = input;
  for (const key of path) {
    if (value === null || typeof value !== 'object' || !Object.hasOwn(value, key)) return { value: undefined, missing: true };
    value = (value as Record<PropertyKey, unknown>)[key];
  }
  // JSON has no undefined: a key holding it was left out.
  return { value, missing: value === undefined };
}

function one(issue: z.core.$ZodIssue, input: unknown): SchemaIssue[] {
  const loc: Loc = issue.path.map((k) => (typeof k === 'number' ? k : String(k)));
  switch (issue.code) {
    case 'invalid_type': {
      if (at(input, issue.path).missing) return [{ loc, msg: 'Field required', type: 'missing' }];
      if (issue.message === INT_MESSAGE) return [{ loc, msg: issue.message, type: issue.expected === 'int' ? 'int_from_float' : 'int_type' }];
      const known = typeError(issue.expected === 'int' ? 'integer' : issue.expected);
      return [{ loc, msg: known?.msg ?? issue.message, type: known?.type ?? `${issue.expected}_type` }];
    }
    case 'too_big':
      if (issue.origin === 'string') return [{ loc, msg: `String should have at most ${String(issue.maximum)} characters`, type: 'string_too_long' }];
      if (issue.origin === 'array') return [{ loc, msg: `List should have at most ${String(issue.maximum)} items`, type: 'too_long' }];
      return [{ loc, msg: `Input should be less than or equal to ${String(issue.maximum)}`, type: 'less_than_equal' }];
    case 'too_small':
      if (issue.origin === 'string') return [{ loc, msg: `String should have at least ${String(issue.minimum)} characters`, type: 'string_too_short' }];
      if (issue.origin === 'array') return [{ loc, msg: `List should have at least ${String(issue.minimum)} items`, type: 'too_short' }];
      return [{ loc, msg: `Input should be greater than or equal to ${String(issue.minimum)}`, type: 'greater_than_equal' }];
    case 'invalid_format':
      return [{ loc, msg: issue.message, type: FORMAT_TYPES[issue.format] ?? 'string_pattern_mismatch' }];
    case 'invalid_value':
      return [{ loc, msg: issue.message, type: 'enum' }];
    case 'unrecognized_keys':
      return issue.keys.map((key) => ({ loc: [...loc, key], msg: 'Extra inputs are not permitted', type: 'extra_forbidden' }));
    case 'invalid_union':
      // Only the bigint union reaches here with every branch refusing the input's type.
      return [{ loc, msg: issue.message, type: 'int_parsing' }];
    case 'custom':
      return [{ loc, msg: issue.message, type: String((issue.params as { type?: unknown } | undefined)?.type ?? 'value_error') }];
    case 'not_multiple_of':
      return [{ loc, msg: `Input should be a multiple of ${String(issue.divisor)}`, type: 'multiple_of' }];
    default:
      return [{ loc, msg: issue.message, type: 'value_error' }];
  }
}

export function schemaIssues(issues: readonly z.core.$ZodIssue[], input: unknown): SchemaIssue[] {
  return issues.flatMap((issue) => one(issue, input));
}

/** The error for a list of issues: its message names the schema, each location, problem and value, and what to do. */
export function schemaError(schemaName: string, model: string, errors: readonly SchemaIssue[], input: unknown): SchemaValidationError {
  const lines = errors.map((e) => {
    const { value, missing } = at(input, e.loc);
    return `  ${e.loc.length === 0 ? '(root)' : e.loc.join('.')}: ${e.msg} [${e.type}]${missing ? '' : `, got ${describeValue(value)}`}`;
  });
  const count = errors.length === 1 ? '1 validation error' : `${errors.length} validation errors`;
  return new SchemaValidationError(
    `${count} for ${schemaName} (${model}):\n${lines.join('\n')}\nFix the input; error.errors lists each problem as { loc, msg, type }.`,
    errors,
    model,
  );
}
