/**
 * Wire values (already checked by the Zod schema) → model values: ISO strings → Date, digit
 * strings or integers → bigint, base64 → Buffer, then each field's own checks (BigIntField's
 * 64-bit range, validators) and canonical form (decimal places, lower-case UUIDs), as create() would.
 */
import { ValidationError, type SchemaIssue } from '../errors.js';
import type { ObjectDesc, Shape } from './describe.js';

type Wire = Record<string, unknown>;
type Loc = (string | number)[];

function fromWire(shape: Shape, value: unknown): unknown {
  switch (shape.kind) {
    case 'datetime':
      return new Date(value as string);
    case 'bigint':
      return BigInt(value as string | number);
    case 'binary':
      return Buffer.from(value as string, 'base64');
    default:
      return value;
  }
}

export type ObjectParser = (wire: Wire, loc: Loc, errors: SchemaIssue[]) => Wire;

export function parserFor(root: ObjectDesc): ObjectParser {
  const built = new Map<ObjectDesc, ObjectParser>();
  const build = (desc: ObjectDesc): ObjectParser => {
    const existing = built.get(desc);
    if (existing !== undefined) return existing;
    const parse: ObjectParser = (wire, loc, errors) => {
      const out: Wire = {};
      for (const property of desc.properties) {
        const { name, shape } = property;
        if (!Object.hasOwn(wire, name) || property.role === 'computed') continue;
        const value = wire[name];
        if (value === null || value === undefined) {
          if (value === null) out[name] = null;
          continue;
        }
        if (shape.kind === 'object' || shape.kind === 'array') {
          const child = build(shape.of);
          out[name] = Array.isArray(value)
            ? value.map((item: Wire, i) => child(item, [...loc, name, i], errors))
            : child(value as Wire, [...loc, name], errors);
          continue;
        }
        try {
          out[name] = property.field!.validate(fromWire(shape, value));
        } catch (error) {
          if (!(error instanceof ValidationError)) throw error;
          const msg = error.message.replace(/^[^:]*: /, '').replace(/; got .*$/s, '');
          errors.push({ loc: [...loc, name], msg: `Value error, ${msg}`, type: 'value_error' });
        }
      }
      return out;
    };
    built.set(desc, parse);
    return parse;
  };
  return build(root);
}
