import { ConfigurationError } from '../errors.js';
import { fromWallClock, wallClock, zoneOffset } from '../config/timezone.js';
import type { ValueConventions } from '../dialects/dialect.js';
import type { ColumnType } from '../sql/ast.js';
import type { CommonFieldOptions, FieldType } from '../types/field-brand.js';
import { Field, type Decoder } from './base.js';

export interface AutoTimeOptions<T> extends CommonFieldOptions<T> {
  /** Set to the current time on every save. */
  autoNow?: boolean;
  /** Set to the current time when the row is created. */
  autoNowAdd?: boolean;
}

type AutoOf<O> = O extends { readonly autoNow: true } ? true : O extends { readonly autoNowAdd: true } ? true : false;

const HAS_ZONE = /(Z|[+-]\d{2}:?\d{2})$/i;
const LEADING_DATE = /^(\d{4})-(\d{2})-(\d{2})/;

/** JS's Date rolls impossible days over ('2023-02-29' becomes 1 March); a stored value must not move. */
function impossibleDay(text: string): boolean {
  const match = LEADING_DATE.exec(text);
  if (match === null) return false;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  const days = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1];
  return days === undefined || day < 1 || day > days;
}

export abstract class AutoTimeField<T> extends Field<T> {
  protected override extraOptions(): readonly string[] {
    return ['autoNow', 'autoNowAdd'];
  }
  readonly autoNow: boolean;
  readonly autoNowAdd: boolean;
  /**
   * The app's `timezone` (set when the model is registered): naive datetime strings are read in
   * it, and a TimeField's `autoNow` takes the time of day there.
   */
  zone = 'UTC';
  /** The app stores datetimes as wall-clock text (`useTz: false`; set when the model is registered). */
  wallClockStorage = false;

  constructor(options: AutoTimeOptions<T>) {
    super(options);
    if (options.autoNow === true && options.autoNowAdd === true) {
      throw new ConfigurationError(`${new.target.name.replace(/Impl$/, '')}: autoNow and autoNowAdd are exclusive (autoNow already sets the value on create).`);
    }
    this.autoNow = options.autoNow === true;
    this.autoNowAdd = options.autoNowAdd === true || this.autoNow;
  }

  override get automatic(): boolean {
    return this.autoNowAdd;
  }

  abstract now(): T;
}

/**
 * An instant, as a JS `Date`. Stored in UTC on every backend (TIMESTAMPTZ, DATETIME(6) in a
 * UTC session, ISO-8601 text on SQLite). Strings are accepted in ISO form; one without a
 * zone is read as UTC, never as the server's local time.
 */
export class DatetimeFieldImpl extends AutoTimeField<Date> {
  readonly fieldType = 'DatetimeField';
  readonly kind = 'datetime' as const;

  columnType(): ColumnType {
    return { type: 'datetime' };
  }

  now(): Date {
    return new Date();
  }

  normalize(value: unknown): Date {
    let date: Date;
    if (value instanceof Date) date = value;
    else if (typeof value === 'string') date = HAS_ZONE.test(value.trim()) ? new Date(value) : this.naive(value);
    else if (typeof value === 'number') date = new Date(value);
    else throw this.invalid(value, 'expected a Date or an ISO-8601 string');
    if (Number.isNaN(date.getTime()) || (typeof value === 'string' && impossibleDay(value.trim()))) {
      throw this.invalid(value, 'is not a valid date and time');
    }
    if (this.wallClockStorage) {
      // 'YYYY-MM-DD HH:MM:SS' holds four-digit years only; anything else would be written as text
      // no backend reads back (or, on SQLite, stored as it is).
      const shifted = new Date(date.getTime() + zoneOffset(date.getTime(), this.zone)).getUTCFullYear();
      // NaN: the wall clock lies past the very end of the Date range, far outside the years anyway.
      const year = Number.isNaN(shifted) ? date.getUTCFullYear() : shifted;
      if (!(year >= 1 && year <= 9999)) {
        throw this.invalid(
          value,
          `with useTz: false datetimes are stored as wall-clock times 'YYYY-MM-DD HH:MM:SS', which hold the years 1–9999 only (this one is ${year} in ${this.zone}); use useTz: true to store others`,
        );
      }
    }
    return date;
  }

  /** A string without an offset is a wall-clock time in the app's timezone (UTC unless configured). */
  private naive(value: string): Date {
    if (this.zone === 'UTC') return new Date(`${value.trim().replace(' ', 'T')}Z`);
    return fromWallClock(value, this.zone) ?? new Date(Number.NaN);
  }

  protected override encodeCanonical(value: Date, conventions: ValueConventions): unknown {
    return conventions.encodeDatetime(value);
  }

  protected override makeDecoder(conventions: ValueConventions): Decoder {
    return conventions.decodeDatetime;
  }
}

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** A calendar date as a 'YYYY-MM-DD' string: JS has no date-only type, and a string cannot shift zones. */
export class DateFieldImpl extends Field<string> {
  readonly fieldType = 'DateField';
  readonly kind = 'date' as const;

  columnType(): ColumnType {
    return { type: 'date' };
  }

  normalize(value: unknown): string {
    if (value instanceof Date && !Number.isNaN(value.getTime())) return value.toISOString().slice(0, 10);
    if (typeof value === 'string') {
      const match = DATE.exec(value);
      if (match !== null) {
        const check = new Date(`${value}T00:00:00Z`);
        if (!Number.isNaN(check.getTime()) && check.toISOString().startsWith(value)) return value;
      }
    }
    throw this.invalid(value, "expected a date string 'YYYY-MM-DD' (or a Date, whose UTC date is taken)");
  }

  protected override makeDecoder(): Decoder {
    return (raw) => (raw instanceof Date ? raw.toISOString().slice(0, 10) : String(raw).slice(0, 10));
  }
}

const TIME = /^(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,6}))?)?$/;

/** A time of day as 'HH:MM:SS' with an optional fraction ('HH:MM:SS.ffffff'), trailing zeros trimmed. */
export class TimeFieldImpl extends AutoTimeField<string> {
  readonly fieldType = 'TimeField';
  readonly kind = 'time' as const;

  columnType(): ColumnType {
    return { type: 'time' };
  }

  now(): string {
    return wallClock(new Date(), this.zone).slice(11).replace(/\.?0+$/, '');
  }

  normalize(value: unknown): string {
    const match = typeof value === 'string' ? TIME.exec(value) : null;
    if (match === null || Number(match[1]) > 23 || Number(match[2]) > 59 || Number(match[3] ?? 0) > 59) {
      throw this.invalid(value, "expected a time string 'HH:MM', 'HH:MM:SS' or 'HH:MM:SS.ffffff'");
    }
    const fraction = (match[4] ?? '').replace(/0+$/, '');
    return `${match[1]}:${match[2]}:${match[3] ?? '00'}${fraction === '' ? '' : `.${fraction}`}`;
  }

  protected override makeDecoder(): Decoder {
    return (raw) => this.normalize(String(raw));
  }
}

/**
 * A duration in milliseconds (JS's unit), stored as a BIGINT count of microseconds as
 * Tortoise does, so fractional milliseconds down to a microsecond survive.
 */
export class TimeDeltaFieldImpl extends Field<number> {
  readonly fieldType = 'TimeDeltaField';
  readonly kind = 'timedelta' as const;

  columnType(): ColumnType {
    return { type: 'timedelta' };
  }

  normalize(value: unknown): number {
    if (typeof value !== 'number' || !Number.isFinite(value)) throw this.invalid(value, 'expected a duration in milliseconds');
    return value;
  }

  protected override encodeCanonical(value: number, conventions: ValueConventions): unknown {
    return conventions.encodeInt64(Math.round(value * 1000));
  }

  protected override makeDecoder(): Decoder {
    return (raw) => Number(raw) / 1000;
  }
}

/** Date and time as a `Date`; `autoNowAdd` sets it on create, `autoNow` on every save. */
export function DatetimeField<const O extends AutoTimeOptions<Date>>(options?: O): FieldType<Date, 'datetime', O, AutoOf<O>> {
  return new DatetimeFieldImpl(options ?? {}) as never;
}
/** A calendar date as 'YYYY-MM-DD'. */
export function DateField<const O extends CommonFieldOptions<string>>(options?: O): FieldType<string, 'date', O> {
  return new DateFieldImpl(options ?? {}) as never;
}
/** A time of day as 'HH:MM:SS[.ffffff]'. */
export function TimeField<const O extends AutoTimeOptions<string>>(options?: O): FieldType<string, 'time', O, AutoOf<O>> {
  return new TimeFieldImpl(options ?? {}) as never;
}
/** A duration in milliseconds. */
export function TimeDeltaField<const O extends CommonFieldOptions<number>>(options?: O): FieldType<number, 'timedelta', O> {
  return new TimeDeltaFieldImpl(options ?? {}) as never;
}
