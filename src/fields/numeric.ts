import { ConfigurationError } from '../errors.js';
import type { ValueConventions } from '../dialects/dialect.js';
import type { ColumnType } from '../sql/ast.js';
import type { CommonFieldOptions, FieldType } from '../types/field-brand.js';
import { Field, type Decoder } from './base.js';

const toNumber = (raw: unknown): unknown => (typeof raw === 'number' ? raw : Number(raw));

abstract class IntegerFamily extends Field<number> {
  readonly kind = 'int' as const;
  override readonly allowsGenerated: boolean = true;
  protected abstract readonly min: number;
  protected abstract readonly max: number;

  normalize(value: unknown): number {
    const n = typeof value === 'bigint' ? Number(value) : value;
    if (typeof n !== 'number' || !Number.isInteger(n)) throw this.invalid(value, 'expected an integer');
    if (n < this.min || n > this.max) throw this.invalid(value, `must be between ${this.min} and ${this.max}`);
    return n;
  }

  /** MySQL returns BIGINT aggregates as strings and SQLite's safe-integer mode as bigint. */
  protected override makeDecoder(): Decoder {
    return toNumber;
  }
}

export class IntFieldImpl extends IntegerFamily {
  readonly fieldType = 'IntField';
  protected readonly min = -2147483648;
  protected readonly max = 2147483647;
  columnType(): ColumnType {
    return { type: 'int' };
  }
}

export class SmallIntFieldImpl extends IntegerFamily {
  readonly fieldType = 'SmallIntField';
  protected readonly min = -32768;
  protected readonly max = 32767;
  columnType(): ColumnType {
    return { type: 'smallint' };
  }
}

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

export class BigIntFieldImpl extends Field<bigint> {
  readonly fieldType = 'BigIntField';
  readonly kind = 'bigint' as const;
  override readonly allowsGenerated: boolean = true;

  columnType(): ColumnType {
    return { type: 'bigint' };
  }

  normalize(value: unknown): bigint {
    let n: bigint;
    if (typeof value === 'bigint') n = value;
    else if (typeof value === 'number' && Number.isSafeInteger(value)) n = BigInt(value);
    else if (typeof value === 'string' && /^-?\d+$/.test(value)) n = BigInt(value);
    else throw this.invalid(value, 'expected a bigint (or a safe integer number)');
    if (n < INT64_MIN || n > INT64_MAX) throw this.invalid(value, 'must fit in a signed 64-bit integer');
    return n;
  }

  protected override encodeCanonical(value: bigint, conventions: ValueConventions): unknown {
    return conventions.encodeBigInt(value);
  }

  protected override makeDecoder(): Decoder {
    return (raw) => (typeof raw === 'bigint' ? raw : BigInt(raw as string | number));
  }
}

export class FloatFieldImpl extends Field<number> {
  readonly fieldType = 'FloatField';
  readonly kind = 'float' as const;

  columnType(): ColumnType {
    return { type: 'float' };
  }

  normalize(value: unknown): number {
    if (typeof value !== 'number' || !Number.isFinite(value)) throw this.invalid(value, 'expected a finite number');
    return value;
  }

  protected override makeDecoder(): Decoder {
    return toNumber;
  }
}

export interface DecimalFieldOptions extends CommonFieldOptions<string> {
  maxDigits: number;
  decimalPlaces: number;
}

const DECIMAL = /^([+-]?)(\d*)(?:\.(\d*))?$/;

/** Decimals are strings in canonical form ('12.50' for decimalPlaces 2), so nothing passes through a float. */
export class DecimalFieldImpl extends Field<string> {
  protected override extraOptions(): readonly string[] {
    return ['maxDigits', 'decimalPlaces'];
  }
  readonly fieldType = 'DecimalField';
  readonly kind = 'decimal' as const;
  readonly maxDigits: number;
  readonly decimalPlaces: number;

  constructor(options: DecimalFieldOptions) {
    super(options);
    this.maxDigits = options.maxDigits;
    this.decimalPlaces = options.decimalPlaces;
    if (!Number.isInteger(this.maxDigits) || this.maxDigits < 1) {
      throw new ConfigurationError(`DecimalField: maxDigits must be an integer ≥ 1, got ${String(options.maxDigits)}.`);
    }
    if (!Number.isInteger(this.decimalPlaces) || this.decimalPlaces < 0 || this.decimalPlaces > this.maxDigits) {
      throw new ConfigurationError(
        `DecimalField: decimalPlaces must be an integer from 0 to maxDigits (${this.maxDigits}), got ${String(options.decimalPlaces)}.`,
      );
    }
  }

  columnType(): ColumnType {
    return { type: 'decimal', digits: this.maxDigits, places: this.decimalPlaces };
  }

  normalize(value: unknown): string {
    let text: string;
    if (typeof value === 'string') text = value.trim();
    else if (typeof value === 'number' && Number.isFinite(value)) text = String(value);
    else if (typeof value === 'bigint') text = value.toString();
    else throw this.invalid(value, "expected a decimal string such as '12.50'");
    if (/e/i.test(text) && typeof value === 'number') text = value.toFixed(this.decimalPlaces);
    const match = DECIMAL.exec(text);
    if (match === null || (match[2] === '' && (match[3] ?? '') === '')) {
      throw this.invalid(value, "expected a decimal string such as '12.50'");
    }
    const sign = match[1] === '-' ? '-' : '';
    const whole = match[2]!.replace(/^0+(?=\d)/, '') || '0';
    const fraction = (match[3] ?? '').replace(/0+$/, '');
    if (fraction.length > this.decimalPlaces) {
      throw this.invalid(value, `has ${fraction.length} decimal places, at most ${this.decimalPlaces} are allowed`);
    }
    const wholeDigits = whole === '0' ? 0 : whole.length;
    if (wholeDigits > this.maxDigits - this.decimalPlaces) {
      throw this.invalid(value, `has ${wholeDigits} digits before the point, at most ${this.maxDigits - this.decimalPlaces} fit`);
    }
    const canonical =
      this.decimalPlaces === 0 ? whole : `${whole}.${fraction.padEnd(this.decimalPlaces, '0')}`;
    return sign !== '' && /[1-9]/.test(canonical) ? `-${canonical}` : canonical;
  }

  protected override encodeCanonical(value: string, conventions: ValueConventions): unknown {
    return conventions.encodeDecimal(value);
  }

  protected override makeDecoder(): Decoder {
    return (raw) => this.normalize(typeof raw === 'number' ? raw.toFixed(this.decimalPlaces) : raw);
  }
}

export type IntFieldOptions = CommonFieldOptions<number>;
export type BigIntFieldOptions = CommonFieldOptions<bigint>;
export type FloatFieldOptions = CommonFieldOptions<number>;

/** 32-bit integer; a primary key is auto-incremented unless `generated: false`. */
export function IntField<const O extends IntFieldOptions>(options?: O): FieldType<number, 'int', O, false, true> {
  return new IntFieldImpl(options ?? {}) as never;
}
/** 16-bit integer. */
export function SmallIntField<const O extends IntFieldOptions>(options?: O): FieldType<number, 'int', O, false, true> {
  return new SmallIntFieldImpl(options ?? {}) as never;
}
/** 64-bit integer, read and written as `bigint` so no value loses precision. */
export function BigIntField<const O extends BigIntFieldOptions>(options?: O): FieldType<bigint, 'bigint', O, false, true> {
  return new BigIntFieldImpl(options ?? {}) as never;
}
/** Double-precision float. */
export function FloatField<const O extends FloatFieldOptions>(options?: O): FieldType<number, 'float', O> {
  return new FloatFieldImpl(options ?? {}) as never;
}
/** Exact decimal, as a string in canonical form ('12.50'). */
export function DecimalField<const O extends DecimalFieldOptions>(options: O): FieldType<string, 'decimal', O> {
  return new DecimalFieldImpl(options) as never;
}
