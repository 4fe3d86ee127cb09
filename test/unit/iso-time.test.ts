import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isoString, parseIsoString } from '../../src/config/iso-time.js';

/** A deterministic spread of instants from 1000 to 9999 and beyond both ends (xorshift). */
function instants(count: number): number[] {
  let state = 0x2545f491;
  const out: number[] = [];
  for (let i = 0; i < count; i++) {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    out.push(Math.round(((state >>> 0) / 2 ** 32) * 4.6e14 - 1.4e14));
  }
  return out;
}

describe('iso-time: the fast paths give the built-ins’ results', () => {
  it('isoString equals toISOString, inside and outside four-digit years', () => {
    for (const ms of [...instants(20_000), 0, 5, -1, Date.UTC(999, 11, 31, 23, 59, 59, 999), Date.UTC(10000, 0, 1), 8.64e15, -8.64e15]) {
      const date = new Date(ms);
      assert.equal(isoString(date), date.toISOString(), String(ms));
    }
  });

  it('isoString of an invalid Date throws the RangeError toISOString throws', () => {
    assert.throws(() => isoString(new Date(Number.NaN)), RangeError);
  });

  it('parseIsoString reads what isoString writes, to the millisecond', () => {
    for (const ms of instants(20_000)) {
      const text = new Date(ms).toISOString();
      assert.equal(parseIsoString(text).getTime(), new Date(text).getTime(), text);
    }
  });

  it('parseIsoString leaves every other text to Date, which decides', () => {
    const texts = [
      '2024-02-29T10:00:00.000Z', // leap day
      '2023-02-29T10:00:00.000Z', // no such day
      '2024-04-31T00:00:00.000Z',
      '2024-13-01T00:00:00.000Z',
      '2024-01-01T24:00:00.000Z',
      '2024-01-0aT00:00:00.000Z',
      '2024-01-01 00:00:00.000Z',
      '2024-01-01T00:00:00Z',
      '2024-01-01T00:00:00.000+02:00',
      '0999-01-01T00:00:00.000Z',
      '+012024-01-01T00:00:00.000Z',
      'not a date at all, 24 ch',
    ];
    for (const text of texts) {
      const fast = parseIsoString(text).getTime();
      const slow = new Date(text).getTime();
      assert.ok(fast === slow || (Number.isNaN(fast) && Number.isNaN(slow)), `${text}: ${fast} vs ${slow}`);
    }
  });
});
