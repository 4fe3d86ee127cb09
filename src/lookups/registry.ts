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

const appliesTo = (lookup: Lookup, field: Field): boolean => lookup.kinds === undefined || lookup.kinds.includes(field.kind);

/**
 * Lookups by name; built-ins register themselves, `registerLookup` adds more. One name may have
 * several lookups for different field kinds (`contains` matches text, or contains JSON); the
 * latest registered that applies to the field wins.
 */
export class LookupRegistry {
  private readonly lookups = new Map<string, Lookup[]>();

  register(lookup: Lookup): void {
    const named = this.lookups.get(lookup.name);
    if (named === undefined) this.lookups.set(lookup.name, [lookup]);
    else named.unshift(lookup);
  }

  /** Whether `name` is a lookup at all (for telling lookups from field names in a key). */
  get(name: string): Lookup | undefined {
    return this.lookups.get(name)?.[0];
  }

  /** Whether `field` has the lookup `name`. */
  applies(field: Field, name: string): boolean {
    return this.lookups.get(name)?.some((l) => appliesTo(l, field)) === true;
  }

  /** The lookup `name` for `field`, or a FieldError that lists the lookups the field has. */
  forField(field: Field, name: string, key: string): Lookup {
    const named = this.lookups.get(name);
    const lookup = named?.find((l) => appliesTo(l, field));
    if (lookup !== undefined) return lookup;
    const valid = [...new Set([...this.lookups.values()].flat().filter((l) => appliesTo(l, field)).map((l) => l.name))];
    const what = named === undefined ? `unknown lookup '${name}'` : `lookup '${name}' does not apply to a ${field.fieldType}`;
    throw new FieldError(
      `${field.modelName}: ${what} in filter key '${key}'. Lookups for ${field.name}: ${valid.join(', ')}.`,
    );
  }
}
