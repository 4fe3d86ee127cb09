/**
 * Schema description → Zod schema for the wire (JSON) form. No transforms: `z.infer` is the JSON
 * shape, and `parse()` converts to model values afterwards. Every string format is checked with
 * the regular expressions of patterns.ts, the same ones the JSON Schema uses.
 */
import { z } from 'zod';
import type { ObjectDesc, PropertyDesc, Shape } from './describe.js';
import { BASE64, BIGINT, DATE, DATETIME, TIME, UUID, codePoints, decimalPattern } from './patterns.js';

/** The message of every integer check; issues.ts tells integer type errors from number ones by it. */
export const INT_MESSAGE = 'Input should be a valid integer';

/** A string matching `pattern`; the issue names the format, which errors.ts maps to a Pydantic error type. */
function formatted(pattern: RegExp, format: string, message: string): z.ZodString {
  return z.string().check((ctx) => {
    if (!pattern.test(ctx.value)) ctx.issues.push({ code: 'invalid_format', format, input: ctx.value, message });
  });
}

/** At most `max` characters counted in code points (as JSON Schema and VARCHAR count), not UTF-16 units. */
function maxCodePoints(max: number): z.ZodString {
  return z.string().check((ctx) => {
    if (ctx.value.length > max && codePoints(ctx.value) > max) {
      ctx.issues.push({ code: 'too_big', origin: 'string', maximum: max, inclusive: true, input: ctx.value, message: `String should have at most ${max} characters` });
    }
  });
}

/** Any JSON value but null (a non-nullable JSONField refuses NULL). */
const jsonNotNull = z.json().check((ctx) => {
  if (ctx.value === null) ctx.issues.push({ code: 'custom', params: { type: 'json_type' }, input: ctx.value, message: 'Input should be a JSON value other than null' });
});

function scalar(shape: Exclude<Shape, { kind: 'object' | 'array' }>, nullable: boolean): z.ZodType {
  switch (shape.kind) {
    case 'integer':
      return z.int({ error: INT_MESSAGE }).min(shape.min).max(shape.max);
    case 'bigint':
      return z.union([formatted(BIGINT, 'bigint', 'Input should be a string of at most 19 digits'), z.int({ error: INT_MESSAGE })], {
        error: 'Input should be an integer or a string of digits',
      });
    case 'number':
    case 'timedelta':
      return z.number();
    case 'decimal':
      return formatted(
        decimalPattern(shape.maxDigits, shape.decimalPlaces),
        'decimal',
        `Input should be a decimal string with at most ${shape.maxDigits - shape.decimalPlaces} digits before the point and ${shape.decimalPlaces} after it, e.g. '12.50'`,
      );
    case 'string':
      return shape.maxLength === undefined ? z.string() : maxCodePoints(shape.maxLength);
    case 'uuid':
      return formatted(UUID, 'uuid', "Input should be a UUID such as '1b4e28ba-2fa1-11d2-883f-0016d3cca427'");
    case 'enum': {
      const values = shape.members as [string | number, ...(string | number)[]];
      const quoted = values.map((v) => (typeof v === 'string' ? `'${v}'` : String(v)));
      const list = quoted.length === 1 ? quoted[0] : `${quoted.slice(0, -1).join(', ')} or ${quoted.at(-1)}`;
      return z.literal(values, { error: `Input should be ${list}` });
    }
    case 'boolean':
      return z.boolean();
    case 'datetime':
      return formatted(DATETIME, 'datetime', "Input should be an ISO 8601 date and time with a time zone, e.g. '2024-01-31T12:00:00Z'");
    case 'date':
      return formatted(DATE, 'date', "Input should be a date 'YYYY-MM-DD'");
    case 'time':
      return formatted(TIME, 'time', "Input should be a time 'HH:MM', 'HH:MM:SS' or 'HH:MM:SS.ffffff'");
    case 'binary':
      return formatted(BASE64, 'base64', 'Input should be base64-encoded bytes');
    case 'json':
      return nullable ? z.json() : jsonNotNull;
    case 'any':
      return z.json();
    case 'custom':
      return shape.zod;
  }
}

export function propertyZod(property: PropertyDesc, objects: (desc: ObjectDesc) => z.ZodType): z.ZodType {
  const { shape } = property;
  let schema: z.ZodType;
  if (shape.kind === 'object') schema = objects(shape.of);
  else if (shape.kind === 'array') schema = z.array(objects(shape.of));
  else schema = scalar(shape as Exclude<Shape, { kind: 'object' | 'array' }>, property.nullable);
  // A nullable JSON field already takes null, and a custom computed type says for itself.
  if (property.nullable && shape.kind !== 'json' && shape.kind !== 'custom') schema = schema.nullable();
  if (property.description !== undefined) schema = schema.describe(property.description);
  return property.optional ? schema.optional() : schema;
}

/** A strict object per description (unknown keys are errors, as Tortoise's `extra="forbid"`); nested ones built once. */
export function objectZod(root: ObjectDesc): z.ZodObject {
  const built = new Map<ObjectDesc, z.ZodObject>();
  const build = (desc: ObjectDesc): z.ZodObject => {
    let schema = built.get(desc);
    if (schema === undefined) {
      const shape: Record<string, z.ZodType> = {};
      for (const property of desc.properties) shape[property.name] = propertyZod(property, build);
      schema = z.strictObject(shape).meta(desc.description === undefined ? { title: desc.name } : { title: desc.name, description: desc.description });
      built.set(desc, schema);
    }
    return schema;
  };
  return build(root);
}
