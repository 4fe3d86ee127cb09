import { randomUUID } from 'node:crypto';
import { ConfigurationError } from '../errors.js';
import type { ColumnType } from '../sql/ast.js';
import type { CommonFieldOptions, FieldType } from '../types/field-brand.js';
import { Field } from './base.js';
import { checkStorableText } from './unicode-text.js';

/** Length in characters (code points), as PostgreSQL and MySQL count VARCHAR(n). */
function charLength(value: string): number {
  let count = 0;
  for (const _ of value) count++;
  return count;
}

export interface CharFieldOptions extends CommonFieldOptions<string> {
  maxLength: number;
}

export class CharFieldImpl extends Field<string> {
  protected override extraOptions(): readonly string[] {
    return ['maxLength'];
  }
  readonly fieldType: string = 'CharField';
  readonly kind = 'text' as const;
  readonly maxLength: number;

  constructor(options: CharFieldOptions) {
    super(options);
    this.maxLength = options.maxLength;
    if (!Number.isInteger(this.maxLength) || this.maxLength < 1) {
      throw new ConfigurationError(`CharField: maxLength must be an integer ≥ 1, got ${String(options.maxLength)}.`);
    }
  }

  columnType(): ColumnType {
    return { type: 'varchar', length: this.maxLength };
  }

  normalize(value: unknown): string {
    if (typeof value !== 'string') throw this.invalid(value, 'expected a string');
    // UTF-16 length is never below the code-point count, so short strings skip the count.
    if (value.length > this.maxLength && charLength(value) > this.maxLength) {
      throw this.invalid(value, `is ${charLength(value)} characters long, at most ${this.maxLength} are allowed`);
    }
    return checkStorableText(this, value);
  }

  override filterValue(value: unknown): string {
    if (typeof value !== 'string') throw this.invalid(value, 'expected a string');
    return checkStorableText(this, value);
  }
}

export class TextFieldImpl extends Field<string> {
  readonly fieldType = 'TextField';
  readonly kind = 'text' as const;
  override readonly indexable = false;

  columnType(): ColumnType {
    return { type: 'text' };
  }

  normalize(value: unknown): string {
    if (typeof value !== 'string') throw this.invalid(value, 'expected a string');
    return checkStorableText(this, value);
  }
}

const UUID = /^[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}$/i;

/** UUIDs are strings in lower-case hyphenated form; a UUID primary key defaults to a random one. */
export class UUIDFieldImpl extends Field<string> {
  readonly fieldType = 'UUIDField';
  readonly kind = 'uuid' as const;

  constructor(options: CommonFieldOptions<string>) {
    super(options.pk === true || options.primaryKey === true ? { default: randomUUID, ...options } : options);
  }

  columnType(): ColumnType {
    return { type: 'uuid' };
  }

  normalize(value: unknown): string {
    if (typeof value !== 'string' || !UUID.test(value)) {
      throw this.invalid(value, "expected a UUID string such as '1b4e28ba-2fa1-11d2-883f-0016d3cca427'");
    }
    const hex = value.replace(/-/g, '').toLowerCase();
    return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
  }
}

/** A TypeScript enum object or a plain object of named values. */
export type EnumLike<V> = Readonly<Record<string, V | string>>;

/** The member values of an enum object (numeric enums also carry reverse name mappings). */
function enumValues<V extends string | number>(enumType: object, kind: 'string' | 'number'): V[] {
  return Object.values(enumType).filter((v) => typeof v === kind) as V[];
}

export interface CharEnumFieldOptions<V> extends CommonFieldOptions<V> {
  /** Column length; defaults to the longest member value. */
  maxLength?: number;
}

export class CharEnumFieldImpl extends CharFieldImpl {
  override readonly fieldType = 'CharEnumField';
  readonly members: readonly string[];
  private readonly memberSet: ReadonlySet<string>;

  constructor(enumType: object, options: CharEnumFieldOptions<string>) {
    const members = enumValues<string>(enumType, 'string');
    if (members.length === 0) throw new ConfigurationError('CharEnumField: the enum has no string members.');
    const longest = Math.max(...members.map(charLength));
    super({ ...options, maxLength: options.maxLength || longest });
    this.members = members;
    this.memberSet = new Set(members);
  }

  override normalize(value: unknown): string {
    if (typeof value !== 'string' || !this.memberSet.has(value)) {
      throw this.invalid(value, `must be one of ${this.members.map((m) => `'${m}'`).join(', ')}`);
    }
    return value;
  }

  override filterValue(value: unknown): string {
    return this.normalize(value);
  }
}

export class IntEnumFieldImpl extends Field<number> {
  readonly fieldType = 'IntEnumField';
  readonly kind = 'enum' as const;
  readonly members: readonly number[];
  private readonly memberSet: ReadonlySet<number>;

  constructor(enumType: object, options: CommonFieldOptions<number>) {
    super(options);
    const members = enumValues<number>(enumType, 'number');
    if (members.length === 0) throw new ConfigurationError('IntEnumField: the enum has no numeric members.');
    const outside = members.find((m) => !Number.isInteger(m) || m < -32768 || m > 32767);
    if (outside !== undefined) {
      throw new ConfigurationError(`IntEnumField: member value ${outside} does not fit in a SMALLINT (-32768..32767).`);
    }
    this.members = members;
    this.memberSet = new Set(members);
  }

  columnType(): ColumnType {
    return { type: 'smallint' };
  }

  normalize(value: unknown): number {
    if (typeof value !== 'number' || !this.memberSet.has(value)) {
      throw this.invalid(value, `must be one of ${this.members.join(', ')}`);
    }
    return value;
  }

  protected override makeDecoder() {
    return (raw: unknown) => (typeof raw === 'number' ? raw : Number(raw));
  }
}

/** Bounded text: VARCHAR(maxLength); longer values raise ValidationError before any SQL runs. */
export function CharField<const O extends CharFieldOptions>(options: O): FieldType<string, 'text', O> {
  return new CharFieldImpl(options) as never;
}
/** Unbounded text; cannot be unique or indexed. */
export function TextField<const O extends CommonFieldOptions<string>>(options?: O): FieldType<string, 'text', O> {
  return new TextFieldImpl(options ?? {}) as never;
}
/** A UUID as a lower-case string; as a primary key it defaults to `crypto.randomUUID()`. */
export function UUIDField<const O extends CommonFieldOptions<string>>(
  options?: O,
): FieldType<string, 'uuid', O, false, true> {
  return new UUIDFieldImpl(options ?? {}) as never;
}
/** A string enum stored as VARCHAR: `CharEnumField(Status)` or `CharEnumField({ A: 'a', B: 'b' } as const)`. */
export function CharEnumField<E extends EnumLike<string>, const O extends CharEnumFieldOptions<E[keyof E]>>(
  enumType: E,
  options?: O,
): FieldType<Extract<E[keyof E], string>, 'enum', O> {
  return new CharEnumFieldImpl(enumType, (options ?? {}) as CharEnumFieldOptions<string>) as never;
}
/** A numeric enum stored as SMALLINT. */
export function IntEnumField<E extends EnumLike<number>, const O extends CommonFieldOptions<E[keyof E]>>(
  enumType: E,
  options?: O,
): FieldType<Extract<E[keyof E], number>, 'enum', O> {
  return new IntEnumFieldImpl(enumType, (options ?? {}) as CommonFieldOptions<number>) as never;
}
