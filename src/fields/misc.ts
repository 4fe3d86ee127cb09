import type { ValueConventions } from '../dialects/dialect.js';
import type { ColumnType } from '../sql/ast.js';
import type { Bytes, CommonFieldOptions, FieldType } from '../types/field-brand.js';
import { Field, type Decoder } from './base.js';
import { describeUnstorable, findUnstorableInJson } from './unicode-text.js';

export class BooleanFieldImpl extends Field<boolean> {
  readonly fieldType = 'BooleanField';
  readonly kind = 'bool' as const;

  columnType(): ColumnType {
    return { type: 'boolean' };
  }

  normalize(value: unknown): boolean {
    if (typeof value !== 'boolean') throw this.invalid(value, 'expected true or false');
    return value;
  }

  protected override encodeCanonical(value: boolean, conventions: ValueConventions): unknown {
    return conventions.encodeBoolean(value);
  }

  protected override makeDecoder(): Decoder {
    return (raw) => (typeof raw === 'boolean' ? raw : Number(raw) !== 0);
  }
}

/** Any value JSON can hold. */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

export class JSONFieldImpl extends Field<unknown> {
  readonly fieldType = 'JSONField';
  readonly kind = 'json' as const;
  override readonly indexable = false;

  columnType(): ColumnType {
    return { type: 'json' };
  }

  normalize(value: unknown): unknown {
    let text: string | undefined;
    try {
      text = JSON.stringify(value);
    } catch (error) {
      throw this.invalid(value, `cannot be stored as JSON (${(error as Error).message})`);
    }
    if (text === undefined) throw this.invalid(value, 'cannot be stored as JSON');
    const unstorable = findUnstorableInJson(value);
    if (unstorable !== undefined) throw this.invalid(value, `${describeUnstorable(unstorable.found, ` of ${unstorable.path}`)}`);
    return value;
  }

  protected override encodeCanonical(value: unknown, conventions: ValueConventions): unknown {
    return conventions.encodeJson(value);
  }

  protected override makeDecoder(conventions: ValueConventions): Decoder {
    return conventions.decodeJson;
  }
}

export class BinaryFieldImpl extends Field<Bytes> {
  readonly fieldType = 'BinaryField';
  readonly kind = 'binary' as const;
  override readonly indexable = false;

  columnType(): ColumnType {
    return { type: 'binary' };
  }

  normalize(value: unknown): Bytes {
    if (Buffer.isBuffer(value)) return value;
    if (value instanceof Uint8Array) return Buffer.from(value.buffer, value.byteOffset, value.byteLength);
    throw this.invalid(value, 'expected a Buffer or Uint8Array');
  }

  protected override makeDecoder(): Decoder {
    return (raw) => (Buffer.isBuffer(raw) ? raw : Buffer.from(raw as Uint8Array));
  }
}

/** true or false; 0/1 on SQLite and MySQL, BOOL on PostgreSQL. */
export function BooleanField<const O extends CommonFieldOptions<boolean>>(options?: O): FieldType<boolean, 'bool', O> {
  return new BooleanFieldImpl(options ?? {}) as never;
}
type JsonOptions<T> = CommonFieldOptions<T>;

/**
 * Any JSON value; `JSONField<MyShape>(...)` types it. JSONB on PostgreSQL, JSON on MySQL, text on SQLite.
 * Overloads rather than an inferred options type, so that giving T explicitly still lets
 * `null: true` and `default` shape the field's type.
 */
export function JSONField<T = JsonValue>(options: JsonOptions<T> & { null: true }): FieldType<T, 'json', { null: true }>;
export function JSONField<T = JsonValue>(
  options: JsonOptions<T> & { default: T | (() => T) },
): FieldType<T, 'json', { default: T }>;
export function JSONField<T = JsonValue>(options?: JsonOptions<T>): FieldType<T, 'json', {}>;
export function JSONField(options?: JsonOptions<unknown>): unknown {
  return new JSONFieldImpl(options ?? {});
}
/** Bytes as a `Buffer` (typed `Uint8Array` without Node's types); cannot be unique or indexed (exact and in lookups work). */
export function BinaryField<const O extends CommonFieldOptions<Bytes>>(options?: O): FieldType<Bytes, 'binary', O> {
  return new BinaryFieldImpl(options ?? {}) as never;
}
