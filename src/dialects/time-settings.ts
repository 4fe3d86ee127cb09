import { fromWallClock, wallClock, type TimeSettings } from '../config/timezone.js';
import { ValidationError } from '../errors.js';
import type { Dialect, ValueConventions } from './dialect.js';

/** Datetimes as wall-clock times in `zone`, without an offset (Tortoise's `use_tz=False`). */
function naiveDatetimeValues(base: ValueConventions, zone: string): ValueConventions {
  return {
    ...base,
    encodeDatetime: (value) => wallClock(value, zone),
    decodeDatetime: (raw) => {
      // mysql2 reads DATETIME as UTC, so a Date from it carries the stored wall clock in its UTC fields.
      const text = raw instanceof Date ? raw.toISOString().slice(0, 23) : String(raw);
      const date = fromWallClock(text, zone);
      if (date === undefined) throw new ValidationError(`A stored datetime '${text}' is not a wall-clock time (useTz is false); expected 'YYYY-MM-DD HH:MM:SS[.ffffff]'.`);
      return date;
    },
  };
}

/**
 * The dialect a connection uses under the instance's time settings: unchanged with `useTz`
 * (UTC is stored everywhere), otherwise with wall-clock datetime values and, on PostgreSQL,
 * TIMESTAMP columns instead of TIMESTAMPTZ.
 */
export function withTimeSettings(dialect: Dialect, settings: TimeSettings): Dialect {
  if (settings.useTz) return dialect;
  return {
    ...dialect,
    compiler: dialect.naiveDatetimeCompiler ?? dialect.compiler,
    values: naiveDatetimeValues(dialect.values, settings.timezone),
  };
}
