/**
 * Scalar functions (Lower, Upper, Trim, Length, Coalesce, Concat, Random): the same results on
 * every backend, Unicode included, in annotate(), filters, values() and orderBy().
 */
import assert from 'node:assert/strict';
import { before, it } from 'node:test';
import { Coalesce, Concat, FieldError, Length, Lower, ParamsError, Random, Trim, Upper, Value } from '../../src/index.js';
import { forEachBackend } from '../support/backends.js';
import { Phrase } from '../fixtures/sales.js';

forEachBackend('functions', [{ Phrase }], () => {
  before(async () => {
    await Phrase.bulkCreate([
      Phrase.build({ text: 'Ärger', prefix: 'Großer', suffix: null }),
      Phrase.build({ text: '  padded  ', prefix: null, suffix: '!' }),
      Phrase.build({ text: '日本語', prefix: null, suffix: null }),
      Phrase.build({ text: 'smile 😀', prefix: '(', suffix: ')' }),
    ]);
  });

  it('Lower and Upper fold Unicode letters, not only ASCII', async () => {
    const row = await Phrase.filter({ text: 'Ärger' }).annotate({ low: Lower('text'), up: Upper('text'), pre: Upper('prefix') }).first();
    assert.equal(row?.low, 'ärger');
    assert.equal(row?.up, 'ÄRGER');
    // ß has no single upper-case letter on every backend, so only the other letters are compared.
    assert.match(row!.pre as string, /^GRO.+ER$/);
    const matched = await Phrase.all().annotate({ low: Lower('text') }).filter({ low: 'ärger' });
    assert.deepEqual(matched.map((p) => p.text), ['Ärger']);
  });

  it('Trim removes surrounding spaces; Length counts characters (CJK, emoji)', async () => {
    const rows = await Phrase.all().annotate({ trimmed: Trim('text'), len: Length('text'), trimmedLen: Length(Trim('text')) }).values('text', 'trimmed', 'len', 'trimmedLen');
    assert.deepEqual(rows, [
      { text: 'Ärger', trimmed: 'Ärger', len: 5, trimmedLen: 5 },
      { text: '  padded  ', trimmed: 'padded', len: 10, trimmedLen: 6 },
      { text: '日本語', trimmed: '日本語', len: 3, trimmedLen: 3 },
      { text: 'smile 😀', trimmed: 'smile 😀', len: 7, trimmedLen: 7 },
    ]);
    const short = await Phrase.all().annotate({ len: Length('text') }).filter({ len__lte: 5 }).orderBy('len');
    assert.deepEqual(short.map((p) => [p.text, p.len]), [['日本語', 3], ['Ärger', 5]]);
  });

  it('Coalesce takes the first non-null value', async () => {
    const rows = await Phrase.all().annotate({ shown: Coalesce('prefix', 'suffix', 'text') }).valuesList('shown', { flat: true });
    assert.deepEqual(rows, ['Großer', '!', '日本語', '(']);
    const fallback = await Phrase.all().annotate({ shown: Coalesce('suffix', new Value('-')) }).valuesList('shown', { flat: true });
    assert.deepEqual(fallback, ['-', '!', '-', ')']);
  });

  it('Concat skips NULLs on every backend', async () => {
    const rows = await Phrase.all().annotate({ full: Concat('prefix', 'text', 'suffix') }).valuesList('full', { flat: true });
    assert.deepEqual(rows, ['GroßerÄrger', '  padded  !', '日本語', '(smile 😀)']);
    const spaced = await Phrase.filter({ text: 'Ärger' }).annotate({ full: Concat('prefix', new Value(' '), Lower('text')) }).first();
    assert.equal(spaced?.full, 'Großer ärger');
  });

  it('Random() in orderBy returns every row, by a number in [0, 1)', async () => {
    const rows = await Phrase.all().annotate({ r: Random() }).orderBy('r');
    assert.equal(rows.length, 4);
    for (const row of rows) assert.ok(typeof row.r === 'number' && row.r >= 0 && row.r < 1, `r = ${row.r}`);
    const sorted = rows.map((p) => p.r).slice().sort((a, b) => a - b);
    assert.deepEqual(rows.map((p) => p.r), sorted);
    const shuffled = await Phrase.all().annotate({ r: Random() }).orderBy('-r').valuesList('text', { flat: true });
    assert.deepEqual(shuffled.slice().sort(), ['  padded  ', 'smile 😀', 'Ärger', '日本語'].sort());
  });

  it('bad arguments are errors before any SQL', () => {
    assert.throws(() => Phrase.all().annotate({ x: Lower('nope') }), (e: unknown) => e instanceof FieldError && /Phrase.*'nope'/.test((e as Error).message));
    assert.throws(() => Concat('text'), (e: unknown) => e instanceof ParamsError && /Concat takes at least two/.test((e as Error).message));
    assert.throws(() => Phrase.all().annotate({ x: 'text' as never }), ParamsError);
  });
});
