import { FieldError } from '../errors.js';
import type { Encoder, Field } from '../fields/base.js';
import type { Expr } from '../sql/ast.js';
import type { FieldKind } from '../types/field-brand.js';

/**
 * A lookup, Django style: the part after the last `__` in a filter key (`name__icontains`).
 * `prepare` checks the user's value when the filter is built (so errors point at the call);
 * `build` turns it into an AST condition when the query runs and the backend is known.
 */
export interface Lookup {
  readonly name: string;
  /** Field kinds it applies to; all when undefined. */
  readonly kinds?: readonly FieldKind[];
  prepare(field: Field, value: unknown, key: string): unknown;
  build(target: Expr, field: Field, prepared: unknown, encode: Encoder): Expr;
}

/** Lookups by name; built-ins register themselves, `registerLookup` adds more. */
export class LookupRegistry {
  private readonly lookups = new Map<string, Lookup>();

  register(lookup: Lookup): void {
    this.lookups.set(lookup.name, lookup);
  }

  get(name: string): Lookup | undefined {
    return this.lookups.get(name);
  }

  /** The lookup `name` for `field`, or a FieldError that lists the lookups the field has. */
  forField(field: Field, name: string, key: string): Lookup {
    const lookup = this.lookups.get(name);
    if (lookup !== undefined && (lookup.kinds === undefined || lookup.kinds.includes(field.kind))) return lookup;
    const valid = [...this.lookups.values()]
      .filter((l) => l.kinds === undefined || l.kinds.includes(field.kind))
      .map((l) => l.name);
    const what = lookup === undefined ? `unknown lookup '${name}'` : `lookup '${name}' does not apply to a ${field.fieldType}`;
    throw new FieldError(
      `${field.modelName}: ${what} in filter key '${key}'. Lookups for ${field.name}: ${valid.join(', ')}.`,
    );
  }
}
