import { ParamsError } from '../errors.js';
import type { Encoder, Field } from '../fields/base.js';
import { checkStorableText } from '../fields/unicode-text.js';
import { and, param, type DatePart, type Expr, type LikeMode, or } from '../sql/ast.js';
import type { FieldKind } from '../types/field-brand.js';
import { registerJsonLookups } from './json.js';
import type { Lookup, LookupRegistry } from './registry.js';

/** Decimals are compared by magnitude (SQLite keeps them as text). */
function magnitude(field: Field, expr: Expr): Expr {
  return field.kind === 'decimal' ? { kind: 'decimalValue', expr } : expr;
}

function single(field: Field, value: unknown): unknown {
  return value === null ? null : field.filterValue(value);
}

function list(field: Field, value: unknown, key: string): unknown[] {
  if (!Array.isArray(value) && !(value instanceof Set)) {
    throw new ParamsError(`${field.modelName}: filter '${key}' takes an array of values, got ${typeof value}.`);
  }
  return [...value].map((v) => single(field, v));
}

/** `IN` over the non-null values, OR-ed with IS NULL when the list holds null. */
function inList(target: Expr, values: unknown[], encode: Encoder, negated: boolean): Expr {
  const present = values.filter((v) => v !== null);
  const hasNull = present.length !== values.length;
  const inNode: Expr = { kind: 'in', expr: target, values: present.map((v) => param(encode(v))), negated };
  if (!negated) return hasNull ? or([inNode, { kind: 'isNull', expr: target, negated: false }]) : inNode;
  // NOT IN is null-inclusive, as Tortoise's not_in: rows whose value is NULL are kept unless null was listed.
  if (hasNull) return present.length === 0 ? { kind: 'isNull', expr: target, negated: true } : and([inNode, { kind: 'isNull', expr: target, negated: true }]);
  return present.length === 0 ? { kind: 'bool', value: true } : or([inNode, { kind: 'isNull', expr: target, negated: false }]);
}

/** Every kind but JSON, whose equality differs between backends (see the JSON lookups instead). */
const SCALAR_KINDS: readonly FieldKind[] = [
  'int', 'bigint', 'float', 'decimal', 'text', 'uuid', 'bool', 'datetime', 'date', 'time', 'timedelta', 'binary', 'enum',
];

export const exact: Lookup = {
  name: 'exact',
  kinds: SCALAR_KINDS,
  prepare: (field, value) => single(field, value),
  build: (target, field, value, encode) =>
    value === null
      ? { kind: 'isNull', expr: target, negated: false }
      : { kind: 'compare', op: '=', left: target, right: param(encode(value)) },
};

const not: Lookup = {
  name: 'not',
  kinds: SCALAR_KINDS,
  prepare: (field, value) => single(field, value),
  build: (target, _field, value, encode) =>
    value === null
      ? { kind: 'isNull', expr: target, negated: true }
      : or([
          { kind: 'compare', op: '<>', left: target, right: param(encode(value)) },
          { kind: 'isNull', expr: target, negated: false },
        ]),
};

function comparison(name: string, op: '<' | '<=' | '>' | '>='): Lookup {
  return {
    name,
    kinds: ['int', 'bigint', 'float', 'decimal', 'text', 'uuid', 'datetime', 'date', 'time', 'timedelta', 'enum'],
    prepare: (field, value, key) => {
      if (value === null) throw new ParamsError(`${field.modelName}: filter '${key}' cannot compare with null; use '${field.name}__isnull'.`);
      return field.filterValue(value);
    },
    build: (target, field, value, encode) => ({
      kind: 'compare',
      op,
      left: magnitude(field, target),
      right: magnitude(field, param(encode(value))),
    }),
  };
}

const inLookup: Lookup = {
  name: 'in',
  kinds: SCALAR_KINDS,
  prepare: (field, value, key) => list(field, value, key),
  build: (target, _field, values, encode) => inList(target, values as unknown[], encode, false),
};

const notIn: Lookup = {
  name: 'not_in',
  kinds: SCALAR_KINDS,
  prepare: (field, value, key) => list(field, value, key),
  build: (target, _field, values, encode) => inList(target, values as unknown[], encode, true),
};

const range: Lookup = {
  name: 'range',
  kinds: comparison('x', '<').kinds!,
  prepare: (field, value, key) => {
    if (!Array.isArray(value) || value.length !== 2 || value.includes(null)) {
      throw new ParamsError(`${field.modelName}: filter '${key}' takes a pair [low, high] of non-null values.`);
    }
    return [field.filterValue(value[0]), field.filterValue(value[1])];
  },
  build: (target, field, value, encode) => {
    const [low, high] = value as [unknown, unknown];
    return {
      kind: 'between',
      expr: magnitude(field, target),
      low: magnitude(field, param(encode(low))),
      high: magnitude(field, param(encode(high))),
    };
  },
};

function nullCheck(name: string, whenTrue: boolean): Lookup {
  return {
    name,
    prepare: (field, value, key) => {
      if (typeof value !== 'boolean') {
        throw new ParamsError(`${field.modelName}: filter '${key}' takes true or false, got ${JSON.stringify(value)}.`);
      }
      return value;
    },
    build: (target, _field, value) => ({ kind: 'isNull', expr: target, negated: (value as boolean) !== whenTrue }),
  };
}

const TEXT_KINDS: readonly FieldKind[] = ['text', 'uuid', 'enum', 'int', 'bigint', 'float', 'decimal', 'date', 'time'];

function textMatch(name: string, mode: LikeMode, caseInsensitive: boolean): Lookup {
  return {
    name,
    kinds: TEXT_KINDS,
    prepare: (field, value, key) => {
      // The pattern goes to SQL as a parameter, but SQLite's LIKE stops at a NUL: refuse it on every backend.
      if (typeof value === 'string') return checkStorableText(field, value, `filter '${key}' `);
      if (typeof value === 'number' || typeof value === 'bigint') return String(value);
      throw new ParamsError(`${field.modelName}: filter '${key}' takes a string, got ${value === null ? 'null' : typeof value}.`);
    },
    build: (target, field, value) => ({
      kind: 'like',
      expr: target,
      value: value as string,
      mode,
      caseInsensitive,
      // Only a column is known to have the field's type (an annotation may compute anything).
      ...(target.kind === 'column' ? { storage: field.columnType().type } : {}),
    }),
  };
}

const DATE_PARTS: Record<DatePart, readonly FieldKind[]> = {
  year: ['datetime', 'date'],
  quarter: ['datetime', 'date'],
  month: ['datetime', 'date'],
  week: ['datetime', 'date'],
  day: ['datetime', 'date'],
  hour: ['datetime', 'time'],
  minute: ['datetime', 'time'],
  second: ['datetime', 'time'],
  microsecond: ['datetime', 'time'],
};

function datePart(part: DatePart): Lookup {
  return {
    name: part,
    kinds: DATE_PARTS[part],
    prepare: (field, value, key) => {
      const n = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
      if (typeof n !== 'number' || !Number.isInteger(n)) {
        throw new ParamsError(`${field.modelName}: filter '${key}' takes an integer, got ${JSON.stringify(value)}.`);
      }
      return n;
    },
    build: (target, field, value) => ({
      kind: 'compare',
      op: '=',
      left: { kind: 'datePart', part, expr: target, storage: field.kind as 'datetime' | 'date' | 'time' },
      right: param(value),
    }),
  };
}

/** gt, gte, lt, lte. */
export const COMPARISONS: readonly Lookup[] = [
  comparison('gt', '>'),
  comparison('gte', '>='),
  comparison('lt', '<'),
  comparison('lte', '<='),
];

export function registerBuiltinLookups(registry: LookupRegistry): void {
  for (const lookup of [
    exact,
    not,
    inLookup,
    notIn,
    ...COMPARISONS,
    range,
    nullCheck('isnull', true),
    nullCheck('not_isnull', false),
    textMatch('contains', 'contains', false),
    textMatch('icontains', 'contains', true),
    textMatch('startswith', 'startsWith', false),
    textMatch('istartswith', 'startsWith', true),
    textMatch('endswith', 'endsWith', false),
    textMatch('iendswith', 'endsWith', true),
    textMatch('iexact', 'exact', true),
    ...(Object.keys(DATE_PARTS) as DatePart[]).map(datePart),
  ]) {
    registry.register(lookup);
  }
  registerJsonLookups(registry);
}
