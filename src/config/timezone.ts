import { ConfigurationError, ParamsError } from '../errors.js';
import { isoString } from './iso-time.js';

/**
 * Tortoise's `use_tz` and `timezone`, for JS, where a `Date` is always an instant:
 * - `timezone` (an IANA name, default 'UTC') is the zone a datetime string without an offset is
 *   read in, the zone `autoNow` times of day are taken in, and the offset API responses show;
 * - `useTz: false` stores datetimes as wall-clock times in that zone, without an offset
 *   (TIMESTAMP rather than TIMESTAMPTZ on PostgreSQL), for databases shared with software
 *   that keeps local times. The default, `true`, stores UTC.
 */
export interface TimeSettings {
  readonly useTz: boolean;
  readonly timezone: string;
}

export const DEFAULT_TIME_SETTINGS: TimeSettings = { useTz: true, timezone: 'UTC' };

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(zone: string): Intl.DateTimeFormat {
  let format = formatters.get(zone);
  if (format === undefined) {
    format = new Intl.DateTimeFormat('en-US', {
      timeZone: zone,
      hourCycle: 'h23',
      era: 'short',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    formatters.set(zone, format);
  }
  return format;
}

/** The IANA zone name, checked against the runtime's time zone database. */
export function checkTimezone(zone: unknown): string {
  if (typeof zone !== 'string' || zone === '') {
    throw new ConfigurationError(`timezone must be an IANA zone name such as 'UTC' or 'Asia/Shanghai', got ${JSON.stringify(zone)}.`);
  }
  try {
    formatter(zone);
  } catch {
    throw new ConfigurationError(`timezone '${zone}' is not a time zone this runtime knows; use an IANA name such as 'UTC', 'Europe/Berlin' or 'Asia/Shanghai'.`);
  }
  return zone;
}

/**
 * The zone's offset computed by Intl (a few µs a call). Intl gives the year of the era ('44',
 * 'BC'), and the wall clock is rebuilt with setUTCFullYear: Date.UTC would read years 0–99 as
 * 1900–1999.
 */
function measuredOffset(instant: number, zone: string): number {
  const parts: Record<string, number> = {};
  let beforeChrist = false;
  for (const part of formatter(zone).formatToParts(instant)) {
    if (part.type === 'era') beforeChrist = part.value === 'BC';
    else parts[part.type] = Number(part.value);
  }
  const wall = utcMilliseconds(beforeChrist ? 1 - parts.year! : parts.year!, parts.month! - 1, parts.day!, parts.hour!, parts.minute!, parts.second!, 0);
  return wall - (instant - (((instant % 1000) + 1000) % 1000));
}

/** Milliseconds in 400 Gregorian years: the calendar repeats exactly after them. */
const FOUR_CENTURIES_MS = 146_097 * 86_400_000;

/**
 * `Date.UTC` for any year: Date.UTC reads years 0–99 as 1900–1999, and a wall clock just past the
 * last Date (the latest instant seen in a zone ahead of UTC) has no Date, so it is computed 400
 * years earlier and moved back.
 */
function utcMilliseconds(year: number, month: number, day: number, hour: number, minute: number, second: number, ms: number): number {
  const date = new Date(0);
  date.setUTCFullYear(year, month, day);
  date.setUTCHours(hour, minute, second, ms);
  const time = date.getTime();
  if (!Number.isNaN(time)) return time;
  const shift = year > 0 ? -400 : 400;
  date.setTime(0);
  date.setUTCFullYear(year + shift, month, day);
  date.setUTCHours(hour, minute, second, ms);
  return date.getTime() - (shift / 400) * FOUR_CENTURIES_MS;
}

/**
 * Offsets per zone and quarter hour. Reading or writing rows converts every datetime value, and
 * asking Intl each time cost 4–12 µs per value; an offset holds for months, so a quarter hour
 * whose first and last millisecond agree is remembered (one whose offset changes inside it is
 * measured on every call).
 */
const BUCKET_MS = 15 * 60_000;
/** The latest instant a Date holds (and minus it, the earliest). */
const MAX_DATE_MS = 8.64e15;
const MAX_BUCKETS = 50_000;
const offsetBuckets = new Map<string, Map<number, number>>();

/** Milliseconds the zone's wall clock is ahead of UTC at `instant`. */
export function zoneOffset(instant: number, zone: string): number {
  if (zone === 'UTC') return 0;
  let buckets = offsetBuckets.get(zone);
  if (buckets === undefined) offsetBuckets.set(zone, (buckets = new Map()));
  const bucket = Math.floor(instant / BUCKET_MS);
  const known = buckets.get(bucket);
  if (known !== undefined) return known;
  // The first and last millisecond of the quarter hour, within the range of Dates.
  const start = measuredOffset(Math.max(bucket * BUCKET_MS, -MAX_DATE_MS), zone);
  if (start !== measuredOffset(Math.min(bucket * BUCKET_MS + BUCKET_MS - 1, MAX_DATE_MS), zone)) return measuredOffset(instant, zone);
  if (buckets.size >= MAX_BUCKETS) buckets.clear();
  buckets.set(bucket, start);
  return start;
}

const pad = (n: number, width = 2): string => String(n).padStart(width, '0');

/** 'YYYY-MM-DD HH:MM:SS.mmm': the wall-clock time in `zone` at `date`, without an offset. */
export function wallClock(date: Date, zone: string): string {
  return shiftedIso(date.getTime(), zoneOffset(date.getTime(), zone)).replace('T', ' ');
}

/** 'YYYY-MM-DDTHH:MM:SS.mmm' of `instant` moved by `offset` ('+012020-…' and '-000043-…' beyond four-digit years). */
function shiftedIso(instant: number, offset: number): string {
  return new Date(instant + offset).toISOString().slice(0, -1);
}

const WALL_CLOCK = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?)?$/;

/**
 * The instant a wall-clock time in `zone` names. In the hour a clock is set back the earlier of
 * the two instants is taken; in the hour it skips, the time is read with the offset before the gap.
 */
export function fromWallClock(text: string, zone: string): Date | undefined {
  const match = WALL_CLOCK.exec(text.trim());
  if (match === null) return undefined;
  const [, y, mo, d, h = '0', mi = '0', s = '0', fraction = ''] = match;
  const asUtc = utcMilliseconds(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s), Number(fraction.padEnd(3, '0').slice(0, 3)));
  if (zone === 'UTC') return new Date(asUtc);
  const before = zoneOffset(asUtc - 86_400_000, zone);
  const after = zoneOffset(asUtc + 86_400_000, zone);
  // Try the offsets in force around that day, earlier first; keep the one that reads back the same.
  for (const offset of before >= after ? [before, after] : [after, before]) {
    const instant = asUtc - offset;
    if (zoneOffset(instant, zone) === offset) return new Date(instant);
  }
  return new Date(asUtc - before);
}

/**
 * A `Date` as ISO-8601 with the offset of `zone`: `localtime(date, 'Asia/Shanghai')` →
 * '2024-05-01T20:00:00.000+08:00'. UTC gives `toISOString()`'s 'Z' form.
 */
export function localtime(date: Date, zone = 'UTC'): string {
  if (!(date instanceof Date) || Number.isNaN(date.getTime())) throw new ParamsError(`localtime takes a valid Date, got ${String(date)}.`);
  if (zone === 'UTC') return isoString(date);
  // ISO-8601 offsets have whole minutes; local mean times before ~1900 had seconds too. The
  // wall clock is written with the rounded offset, so the string still names the exact instant.
  const minutes = Math.round(zoneOffset(date.getTime(), checkTimezone(zone)) / 60_000);
  // The zone's wall clock at the very ends of the Date range has no Date: name the instant in UTC.
  if (Math.abs(date.getTime() + minutes * 60_000) > MAX_DATE_MS) return isoString(date);
  const sign = minutes < 0 ? '-' : '+';
  const suffix = `${sign}${pad(Math.floor(Math.abs(minutes) / 60))}:${pad(Math.abs(minutes) % 60)}`;
  return `${shiftedIso(date.getTime(), minutes * 60_000)}${suffix}`;
}

/** The instant a wall-clock time string ('2024-05-01 20:00:00') names in `zone`: Tortoise's `make_aware`. */
export function makeAware(text: string, zone = 'UTC'): Date {
  const date = typeof text === 'string' ? fromWallClock(text, checkTimezone(zone)) : undefined;
  if (date === undefined) throw new ParamsError(`makeAware takes 'YYYY-MM-DD[ HH:MM[:SS[.ffffff]]]' without an offset, got ${JSON.stringify(text)}.`);
  return date;
}
