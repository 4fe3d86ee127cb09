/**
 * `useTz` and `timezone`: what is stored (read back with raw SQL), what comes back, naive strings,
 * autoNow/autoNowAdd, date parts, schema output, on every backend; the conversions at DST edges;
 * and the configuration errors.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ConfigurationError, Model, ParamsError, Terrapin, ValidationError, fields, localtime, makeAware, modelSchema } from '../../src/index.js';
import { activeBackends, freshDatabase, type BackendName } from '../support/backends.js';
import { zoneOffset } from '../../src/config/timezone.js';
import { fails, rejects } from '../support/expect-errors.js';

export class Meeting extends Model {
  id = fields.IntField({ pk: true });
  at = fields.DatetimeField();
  createdAt = fields.DatetimeField({ autoNowAdd: true });
  updatedAt = fields.DatetimeField({ autoNow: true });
  clock = fields.TimeField({ autoNow: true });
  static override meta = { table: 'tz_meeting' };
}

const NOON_UTC = new Date('2024-05-01T12:00:00.000Z');

/** The `at` column as stored, as 'YYYY-MM-DD HH:MM:SS' (backends hand it back in different forms). */
async function storedAt(backend: BackendName, id: number): Promise<string> {
  const handle = Terrapin.default.connection('default');
  const sql = {
    sqlite: 'SELECT "at" FROM "tz_meeting" WHERE "id" = ?',
    postgres: `SELECT to_char("at" AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS') || CASE WHEN pg_typeof("at") = 'timestamp with time zone'::regtype THEN ' tz' ELSE '' END FROM "tz_meeting" WHERE "id" = $1`,
    mysql: 'SELECT DATE_FORMAT(`at`, \'%Y-%m-%d %H:%i:%s\') FROM `tz_meeting` WHERE `id` = ?',
  }[backend];
  const [[value]] = (await handle.rows(sql, [id])) as [[unknown]];
  return String(value).replace('T', ' ').replace(/\.\d+Z?$/, '').replace(/Z$/, '');
}

function withinNow(value: Date, start: number): void {
  assert.ok(value.getTime() >= start - 1 && value.getTime() <= Date.now() + 1, `${value.toISOString()} is not the time of the write`);
}

for (const backend of activeBackends()) {
  describe(`${backend}: useTz false, timezone Asia/Shanghai (UTC+8)`, () => {
    before(async () => {
      const url = await freshDatabase(backend, 'timezones_naive');
      await Terrapin.init({ dbUrl: url, modules: { models: [{ Meeting }] }, useTz: false, timezone: 'Asia/Shanghai' });
      await Terrapin.generateSchemas();
    });
    after(() => Terrapin.close());

    it('stores the wall-clock time in the zone, without an offset, and reads back the same instant', async () => {
      assert.equal(Terrapin.default.useTz, false);
      assert.equal(Terrapin.default.timezone, 'Asia/Shanghai');
      const meeting = await Meeting.create({ id: 1, at: NOON_UTC });
      // PostgreSQL: the column is TIMESTAMP (no ' tz' suffix), holding Shanghai's 20:00.
      assert.equal(await storedAt(backend, 1), '2024-05-01 20:00:00');
      assert.equal((await Meeting.get({ id: 1 })).at.getTime(), NOON_UTC.getTime());
      assert.equal(meeting.at.getTime(), NOON_UTC.getTime());
    });

    it('refuses a Date outside the years a wall-clock time holds, before any SQL', async () => {
      for (const [at, year] of [
        [new Date('+012020-01-01T00:00:00.000Z'), 12020],
        [new Date('-000043-03-15T12:00:00.000Z'), -43],
        [new Date('9999-12-31T20:00:00.000Z'), 10000], // 04:00 on 1 January 10000 in Shanghai
        [new Date(8.64e15), 275760], // the latest Date: its Shanghai wall clock has no Date at all
      ] as const) {
        await rejects(
          Meeting.create({ id: 90, at }),
          ValidationError,
          `Meeting.at: with useTz: false datetimes are stored as wall-clock times 'YYYY-MM-DD HH:MM:SS', which hold the years 1–9999 only (this one is ${year} in Asia/Shanghai); use useTz: true to store others; got ${at.toISOString()} (Date).`,
        );
      }
      assert.equal(await Meeting.filter({ id: 90 }).count(), 0);
    });

    it('stores and reads back years 1–99 (not the 1900s)', async () => {
      const at = new Date('0050-06-01T00:00:00.000Z');
      await Meeting.create({ id: 91, at });
      assert.equal((await Meeting.get({ id: 91 })).at.toISOString(), at.toISOString());
      assert.equal(await Meeting.filter({ at }).count(), 1);
      await Meeting.filter({ id: 91 }).delete();
    });

    it('reads a string without an offset in the zone; one with an offset as written', async () => {
      const naive = await Meeting.create({ id: 2, at: '2024-05-01 20:00:00' as unknown as Date });
      assert.equal(naive.at.toISOString(), '2024-05-01T12:00:00.000Z');
      const offset = await Meeting.create({ id: 3, at: '2024-05-01T20:00:00+02:00' as unknown as Date });
      assert.equal(offset.at.toISOString(), '2024-05-01T18:00:00.000Z');
      assert.equal(await storedAt(backend, 3), '2024-05-02 02:00:00');
    });

    it('filters and date parts work on the wall clock', async () => {
      assert.deepEqual(await Meeting.filter({ at: NOON_UTC }).orderBy('id').valuesList('id', { flat: true }), [1, 2]);
      assert.deepEqual(await Meeting.filter({ at__gt: NOON_UTC }).valuesList('id', { flat: true }), [3]);
      assert.deepEqual(await Meeting.filter({ at__hour: 20 }).orderBy('id').valuesList('id', { flat: true }), [1, 2]);
      assert.deepEqual(await Meeting.filter({ at__day: 2 }).valuesList('id', { flat: true }), [3]);
      const [row] = await Meeting.filter({ id: 1 }).values('at');
      assert.equal(row!.at.getTime(), NOON_UTC.getTime());
    });

    it('autoNowAdd and autoNow store the current wall clock; a TimeField takes the time of day in the zone', async () => {
      const start = Date.now();
      const meeting = await Meeting.create({ id: 4, at: NOON_UTC });
      const loaded = await Meeting.get({ id: 4 });
      withinNow(loaded.createdAt, start);
      withinNow(loaded.updatedAt, start);
      assert.equal(loaded.createdAt.getTime(), meeting.createdAt.getTime());
      const shanghaiHour = (new Date().getUTCHours() + 8) % 24;
      const hour = Number(loaded.clock.slice(0, 2));
      assert.ok(hour === shanghaiHour || hour === (shanghaiHour + 23) % 24, `clock ${loaded.clock} is not Shanghai's hour ${shanghaiHour}`);
    });

    it('schema output shows the zone offset', async () => {
      const schema = modelSchema(Meeting, { include: ['id', 'at'] });
      const out = await schema.fromOrm(await Meeting.get({ id: 1 }));
      assert.deepEqual(out, { id: 1, at: '2024-05-01T20:00:00.000+08:00' });
    });

    it('update(), bulkCreate() and bulkUpdate() write wall-clock times too', async () => {
      await Meeting.bulkCreate([10, 11].map((id) => Meeting.build({ id, at: NOON_UTC })));
      assert.equal(await storedAt(backend, 10), '2024-05-01 20:00:00');
      const [ten, eleven] = await Meeting.filter({ id__in: [10, 11] }).orderBy('id');
      ten!.at = new Date('2025-01-01T00:30:00Z');
      eleven!.at = new Date('2025-01-01T01:30:00Z');
      await Meeting.bulkUpdate([ten!, eleven!], ['at']);
      assert.equal(await storedAt(backend, 11), '2025-01-01 09:30:00');
      await Meeting.filter({ id: 10 }).update({ at: new Date('2025-06-01T16:00:00Z') });
      assert.equal(await storedAt(backend, 10), '2025-06-02 00:00:00');
      assert.deepEqual(
        (await Meeting.filter({ id__in: [10, 11] }).orderBy('id').valuesList('at', { flat: true })).map((d) => d.toISOString()),
        ['2025-06-01T16:00:00.000Z', '2025-01-01T01:30:00.000Z'],
      );
    });
  });

  describe(`${backend}: useTz true (the default), timezone America/New_York`, () => {
    before(async () => {
      const url = await freshDatabase(backend, 'timezones_aware');
      await Terrapin.init({ dbUrl: url, modules: { models: [{ Meeting }] }, timezone: 'America/New_York' });
      await Terrapin.generateSchemas();
    });
    after(() => Terrapin.close());

    it('stores UTC and reads naive strings in the zone, daylight saving included', async () => {
      assert.equal(Terrapin.default.useTz, true);
      const winter = await Meeting.create({ id: 1, at: '2024-01-15 07:00' as unknown as Date });
      const summer = await Meeting.create({ id: 2, at: '2024-07-01T08:00:00' as unknown as Date });
      assert.equal(winter.at.toISOString(), '2024-01-15T12:00:00.000Z');
      assert.equal(summer.at.toISOString(), '2024-07-01T12:00:00.000Z');
      assert.equal(await storedAt(backend, 1), backend === 'postgres' ? '2024-01-15 12:00:00 tz' : '2024-01-15 12:00:00');
      assert.equal((await Meeting.get({ id: 2 })).at.toISOString(), '2024-07-01T12:00:00.000Z');
    });

    if (backend === 'postgres') {
      it('PostgreSQL: a TIMESTAMP without zone read back (here through Model.raw) is UTC, whatever the process zone', async () => {
        // The driver's own parser would read the text in the process's zone; make that zone not UTC.
        const zone = process.env['TZ'];
        process.env['TZ'] = 'Asia/Tokyo';
        try {
          const [row] = await Meeting.raw(
            `SELECT "id", ("at" AT TIME ZONE 'UTC') AS "at", "createdAt", "updatedAt", "clock" FROM "tz_meeting" WHERE "id" = ?`,
            [2],
          );
          assert.equal(row!.at.toISOString(), '2024-07-01T12:00:00.000Z');
        } finally {
          if (zone === undefined) delete process.env['TZ'];
          else process.env['TZ'] = zone;
        }
      });
    }

    if (backend === 'postgres') {
      it("PostgreSQL: 'infinity' and '-infinity' are the latest and earliest Dates, both ways, never an invalid Date", async () => {
        const handle = Terrapin.default.connection('default');
        await Meeting.create({ id: 10, at: new Date(8.64e15) });
        await Meeting.create({ id: 11, at: new Date(-8.64e15) });
        await handle.write(`INSERT INTO "tz_meeting" ("id", "at", "createdAt", "updatedAt", "clock") VALUES (12, 'infinity', now(), now(), '12:00')`, []);
        const stored = await handle.rows(`SELECT "id", "at" = 'infinity', "at" = '-infinity' FROM "tz_meeting" WHERE "id" >= 10 ORDER BY "id"`, []);
        assert.deepEqual(stored, [
          [10, true, false],
          [11, false, true],
          [12, true, false],
        ]);
        const read = await Meeting.filter({ id__gte: 10 }).orderBy('id').valuesList('at', { flat: true });
        assert.deepEqual(read.map((at) => (at as Date).getTime()), [8.64e15, -8.64e15, 8.64e15]);
        // A TIMESTAMP without zone (text on the wire) reads the same way, and so do other eras.
        const bc = new Date('-000043-03-15T12:00:00.123Z');
        const far = new Date('+012020-01-01T00:00:00.123Z');
        await Meeting.create({ id: 13, at: bc });
        await Meeting.create({ id: 14, at: far });
        const naive = await Meeting.raw(`SELECT "id", ("at" AT TIME ZONE 'UTC') AS "at", "createdAt", "updatedAt", "clock" FROM "tz_meeting" WHERE "id" >= ? ORDER BY "id"`, [12]);
        assert.deepEqual(
          naive.map((m) => m.at.toISOString()),
          [new Date(8.64e15), bc, far].map((d) => d.toISOString()),
        );
        await Meeting.filter({ id__gte: 10 }).delete();
      });
    }

    it('schema output uses the offset in force at each instant', async () => {
      const schema = modelSchema(Meeting, { include: ['id', 'at'] });
      assert.deepEqual(await schema.fromQueryset(Meeting.all().orderBy('id')), [
        { id: 1, at: '2024-01-15T07:00:00.000-05:00' },
        { id: 2, at: '2024-07-01T08:00:00.000-04:00' },
      ]);
    });
  });
}

describe('timezone conversions', () => {
  it('offsets of any era: local mean time in years 1–99 and BC (not read as 1900s), five-digit years', () => {
    // Shanghai kept local mean time, +8:05:43, before 1928; ISO offsets have whole minutes.
    assert.equal(zoneOffset(Date.UTC(2024, 4, 1), 'Asia/Shanghai'), 8 * 3_600_000);
    const year50 = new Date('0050-06-01T00:00:00.000Z');
    assert.equal(zoneOffset(year50.getTime(), 'Asia/Shanghai'), (8 * 3600 + 5 * 60 + 43) * 1000);
    assert.equal(localtime(year50, 'Asia/Shanghai'), '0050-06-01T08:06:00.000+08:06');
    const bc = new Date('-000043-03-15T12:00:00.000Z');
    assert.equal(zoneOffset(bc.getTime(), 'Asia/Shanghai'), (8 * 3600 + 5 * 60 + 43) * 1000);
    assert.equal(localtime(bc, 'Asia/Shanghai'), '-000043-03-15T20:06:00.000+08:06');
    assert.equal(localtime(new Date('+012020-07-01T12:00:00.000Z'), 'America/New_York'), '+012020-07-01T08:00:00.000-04:00');
    // A wall clock in years 1–99 reads back as that year.
    assert.equal(makeAware('0050-06-01 08:05:43', 'Asia/Shanghai').toISOString(), '0050-06-01T00:00:00.000Z');
    // The ends of the Date range: the zone's wall clock there may have no Date; the instant is then named in UTC.
    assert.equal(localtime(new Date(8.64e15), 'Asia/Shanghai'), '+275760-09-13T00:00:00.000Z');
    assert.equal(localtime(new Date(8.64e15), 'America/New_York'), '+275760-09-12T20:00:00.000-04:00');
    assert.equal(localtime(new Date(-8.64e15), 'America/New_York'), '-271821-04-20T00:00:00.000Z');
  });

  it('localtime writes an instant with the offset of a zone; UTC keeps the Z form', () => {
    assert.equal(localtime(NOON_UTC, 'Asia/Shanghai'), '2024-05-01T20:00:00.000+08:00');
    assert.equal(localtime(NOON_UTC, 'Asia/Kolkata'), '2024-05-01T17:30:00.000+05:30');
    assert.equal(localtime(NOON_UTC, 'America/St_Johns'), '2024-05-01T09:30:00.000-02:30');
    assert.equal(localtime(NOON_UTC), '2024-05-01T12:00:00.000Z');
    assert.equal(localtime(new Date('1969-12-31T23:59:59.500Z'), 'Europe/Paris'), '1970-01-01T00:59:59.500+01:00');
  });

  it('makeAware reads wall clocks at daylight-saving edges: the earlier instant when repeated, the pre-gap offset when skipped', () => {
    assert.equal(makeAware('2024-11-03 01:30', 'America/New_York').toISOString(), '2024-11-03T05:30:00.000Z');
    assert.equal(makeAware('2024-03-10 02:30', 'America/New_York').toISOString(), '2024-03-10T07:30:00.000Z');
    assert.equal(makeAware('2024-03-10 03:30', 'America/New_York').toISOString(), '2024-03-10T07:30:00.000Z');
    assert.equal(makeAware('2024-10-27 02:30:00.250', 'Europe/Berlin').toISOString(), '2024-10-27T00:30:00.250Z');
    assert.equal(makeAware('2024-05-01').toISOString(), '2024-05-01T00:00:00.000Z');
  });

  it('remembers offsets per quarter hour, yet stays exact inside a quarter hour that changes offset', () => {
    const intl = (instant: number, zone: string): number => {
      const parts: Record<string, number> = {};
      const format = new Intl.DateTimeFormat('en-US', { timeZone: zone, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric' });
      for (const part of format.formatToParts(instant)) parts[part.type] = Number(part.value);
      return Date.UTC(parts.year!, parts.month! - 1, parts.day!, parts.hour!, parts.minute!, parts.second!) - (instant - (((instant % 1000) + 1000) % 1000));
    };
    // India left local mean time (+5:21:10) for +5:30 at 18:38:50 UTC, mid quarter hour; Berlin's DST starts on one.
    const around = [Date.UTC(1905, 11, 31, 18, 30), Date.UTC(2024, 2, 31, 0, 50)];
    for (const [zone, start] of [['Asia/Kolkata', around[0]!], ['Europe/Berlin', around[1]!]] as const) {
      for (let instant = start; instant < start + 20 * 60_000; instant += 10_000) {
        assert.equal(zoneOffset(instant, zone), intl(instant, zone), `${zone} at ${new Date(instant).toISOString()}`);
      }
    }
    // An offset with seconds is written rounded to the minute, and the wall clock with it: the same instant.
    const lastMeanTime = new Date(Date.UTC(1905, 11, 31, 18, 38, 49));
    assert.equal(localtime(lastMeanTime, 'Asia/Kolkata'), '1905-12-31T23:59:49.000+05:21');
    assert.equal(new Date(localtime(lastMeanTime, 'Asia/Kolkata')).getTime(), lastMeanTime.getTime());
  });

  it('refuses what is not a wall-clock time', () => {
    fails(() => makeAware('2024-05-01T20:00:00+08:00', 'Asia/Shanghai'), ParamsError, /without an offset, got "2024-05-01T20:00:00\+08:00"\.$/);
    fails(() => localtime(new Date('nope'), 'UTC'), ParamsError, 'localtime takes a valid Date, got Invalid Date.');
  });
});

describe('timezone configuration errors', () => {
  it('an unknown zone or a non-boolean useTz is a ConfigurationError before any connection opens', async () => {
    const terrapin = new Terrapin();
    await rejects(
      terrapin.init({ dbUrl: 'sqlite://:memory:', modules: { models: [] }, timezone: 'Mars/Olympus_Mons' }),
      ConfigurationError,
      "timezone 'Mars/Olympus_Mons' is not a time zone this runtime knows; use an IANA name such as 'UTC', 'Europe/Berlin' or 'Asia/Shanghai'.",
    );
    await rejects(
      terrapin.init({ config: { connections: { default: 'sqlite://:memory:' }, apps: {}, use_tz: 'yes' as never } }),
      ConfigurationError,
      'useTz must be true or false, got "yes".',
    );
  });

  it("the config's own keys win over the keyword options, as in Tortoise", async () => {
    const terrapin = new Terrapin();
    await terrapin.init({ config: { connections: { default: 'sqlite://:memory:' }, apps: {}, timezone: 'Europe/Oslo', use_tz: false }, timezone: 'UTC', useTz: true });
    assert.equal(terrapin.timezone, 'Europe/Oslo');
    assert.equal(terrapin.useTz, false);
    await terrapin.close();
  });
});
