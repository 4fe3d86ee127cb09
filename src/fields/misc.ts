import type { ValueConventions } from '../dialects/dialect.js';
import type { ColumnType } from '../sql/ast.js';
import type { Bytes, CommonFieldOptions, FieldType } from '../types/field-brand.js';
import { ConfigurationError, ValidationError } from '../errors.js';
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

/** JSONField's own codec: `encoder` turns a value into JSON text, `decoder` JSON text into a value. */
export interface JsonCodecOptions<T> {
  /** Writes a value as JSON text (Tortoise's `encoder`), e.g. to store Dates or bigints your way. Default JSON.stringify. */
  encoder?: (value: T) => string;
  /** Reads stored JSON text back (Tortoise's `decoder`), e.g. to revive Dates. Default JSON.parse. */
  decoder?: (text: string) => T;
}

export class JSONFieldImpl extends Field<unknown> {
  readonly fieldType = 'JSONField';
  readonly kind = 'json' as const;
  override readonly indexable = false;
  private readonly encodeText: ((value: unknown) => string) | undefined;
  private readonly decodeText: ((text: string) => unknown) | undefined;

  constructor(options: CommonFieldOptions<unknown> & JsonCodecOptions<unknown>) {
    super(options);
    for (const name of ['encoder', 'decoder'] as const) {
      if (options[name] !== undefined && typeof options[name] !== 'function') {
        throw new ConfigurationError(`JSONField: '${name}' must be a function, got ${typeof options[name]}.`);
      }
    }
    this.encodeText = options.encoder;
    this.decodeText = options.decoder;
  }

  protected override extraOptions(): readonly string[] {
    return ['encoder', 'decoder'];
  }

  columnType(): ColumnType {
    return { type: 'json' };
  }

  /** The JSON text of a value, through the field's encoder when it has one. */
  private text(value: unknown): string | undefined {
    const text = this.encodeText === undefined ? JSON.stringify(value) : this.encodeText(value);
    if (this.encodeText !== undefined && typeof text !== 'string') {
      throw this.invalid(value, `the field's encoder returned ${typeof text}, not JSON text`);
    }
    return text;
  }

  normalize(value: unknown): unknown {
    let text: string | undefined;
    try {
      text = this.text(value);
      if (this.encodeText !== undefined && text !== undefined) JSON.parse(text);
    } catch (error) {
      if (error instanceof ValidationError) throw error;
      throw this.invalid(value, `cannot be stored as JSON (${(error as Error).message})`);
    }
    if (text === undefined) throw this.invalid(value, 'cannot be stored as JSON');
    const unstorable = findUnstorableInJson(value);
    if (unstorable !== undefined) throw this.invalid(value, `${describeUnstorable(unstorable.found, ` of ${unstorable.path}`)}`);
    return value;
  }

  protected override encodeCanonical(value: unknown, conventions: ValueConventions): unknown {
    // The encoder's text, as the JSON value it spells: each backend then binds it its own way.
    return conventions.encodeJson(this.encodeText === undefined ? value : JSON.parse(this.encodeText(value)));
  }

  protected override makeDecoder(conventions: ValueConventions): Decoder {
    const decodeText = this.decodeText;
    if (decodeText === undefined) return conventions.decodeJson;
    // The decoder gets text on every backend; where the column is read as text it is passed as is.
    return (raw) => decodeText(conventions.jsonText(raw));
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
type JsonOptions<T> = CommonFieldOptions<T> & JsonCodecOptions<T>;

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
