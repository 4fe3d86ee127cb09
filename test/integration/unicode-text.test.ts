/**
 * NUL (U+0000) and lone surrogates (issue 17): one rule on every backend, checked before any SQL
 * (src/fields/unicode-text.ts). Before it, PostgreSQL failed with "invalid byte sequence for
 * encoding UTF8: 0x00" (a 500 in a web app), SQLite's LIKE matched every row for a pattern holding
 * NUL, and a lone surrogate was accepted while U+FFFD was stored.
 */
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { Model, ValidationError, fields } from '../../src/index.js';
import { errorResponse } from '../../src/integrations/error-response.js';
import { findUnstorableCharacter } from '../../src/fields/unicode-text.js';
import { forEachBackend } from '../support/backends.js';

class Glyph extends Model {
  id = fields.IntField({ pk: true });
  name = fields.CharField({ maxLength: 40 });
  notes = fields.TextField({ null: true });
  data = fields.JSONField({ null: true });
  static override meta = { table: 'unicode_glyph' };
}

/** Asserts `error` is the rule's ValidationError for Glyph.`field`, naming the character and its position. */
function refused(field: string, code: string, position: number) {
  return (error: unknown): boolean => {
    assert.ok(error instanceof ValidationError, `expected a ValidationError, got ${String(error)}`);
    assert.equal(error.model, 'Glyph');
    assert.equal(error.field, field);
    assert.ok(error.message.startsWith(`Glyph.${field}: `), error.message);
    assert.ok(error.message.includes(`(${code}) at position ${position}`), error.message);
    assert.match(error.message, /remove or replace it/);
    return true;
  };
}

const HIGH = '\uD83D'; // the first half of 😀 on its own
const LOW = '\uDE00'; // the second half on its own

it('findUnstorableCharacter: NUL and unpaired halves are found, paired surrogates are not', () => {
  assert.equal(findUnstorableCharacter('plain ASCII, é, 😀, 中文'), undefined);
  assert.deepEqual(findUnstorableCharacter('ab\u0000c'), { position: 2, code: 'U+0000', reason: 'a NUL character, which PostgreSQL cannot store and SQLite cannot match' });
  // Positions count code points, as the databases count characters: the emoji before it is one.
  assert.equal(findUnstorableCharacter(`😀x${HIGH}`)?.position, 2);
  assert.equal(findUnstorableCharacter(`${HIGH}`)?.code, 'U+D83D');
  assert.equal(findUnstorableCharacter(`${LOW}tail`)?.code, 'U+DE00');
  assert.equal(findUnstorableCharacter(`${HIGH}${HIGH}${LOW}`)?.position, 0, 'a high half followed by a pair is still lone');
});

forEachBackend('unicode_text', [{ Glyph }], () => {
  it('a refused value maps to a 422 naming the field (the web layer does not answer 500)', () => {
    const error = (() => {
      try {
        Glyph.filter({ name: 'a\u0000b' });
      } catch (caught) {
        return caught;
      }
      return undefined;
    })();
    const response = errorResponse(error);
    assert.equal(response.status, 422);
    assert.deepEqual((response.body.detail as { loc: unknown[] }[])[0]!.loc, ['name']);
  });

  it('NUL in a CharField, TextField or JSONField value: ValidationError, not "invalid byte sequence for encoding UTF8: 0x00"', async () => {
    await assert.rejects(Glyph.create({ name: 'a\u0000b' }), refused('name', 'U+0000', 1));
    await assert.rejects(Glyph.create({ name: 'ok', notes: '\u0000' }), refused('notes', 'U+0000', 0));
    await assert.rejects(Glyph.create({ name: 'ok', data: { tags: ['x', 'y\u0000'] } }), (error: unknown) => {
      refused('data', 'U+0000', 1)(error);
      assert.match((error as Error).message, /of \$\.tags\[1\]/);
      return true;
    });
    await assert.rejects(Glyph.create({ name: 'ok', data: { ['k\u0000']: 1 } }), refused('data', 'U+0000', 1));
    const saved = await Glyph.create({ name: 'kept' });
    await assert.rejects(async () => Glyph.filter({ id: saved.id }).update({ name: 'x\u0000' }), refused('name', 'U+0000', 1));
    saved.name = '\u0000';
    await assert.rejects(saved.save(), refused('name', 'U+0000', 0));
    await assert.rejects(Glyph.bulkCreate([{ name: 'fine' }, { name: 'bad\u0000' }]), refused('name', 'U+0000', 3));
    assert.deepEqual(await Glyph.all().valuesList('name', { flat: true }), ['kept'], 'nothing refused was written');
    await Glyph.all().delete();
  });

  it('a lone surrogate is refused, not answered as written while U+FFFD is stored', async () => {
    await assert.rejects(Glyph.create({ name: `smile ${HIGH}` }), refused('name', 'U+D83D', 6));
    await assert.rejects(Glyph.create({ name: 'ok', notes: `${LOW}` }), refused('notes', 'U+DE00', 0));
    await assert.rejects(Glyph.create({ name: 'ok', data: { s: HIGH } }), refused('data', 'U+D83D', 0));
    // A well-formed pair (the whole emoji) round-trips unchanged on every backend.
    const saved = await Glyph.create({ name: 'smile 😀', notes: '😀', data: { s: '😀' } });
    const read = await Glyph.get({ id: saved.id });
    assert.deepEqual([read.name, read.notes, read.data], ['smile 😀', '😀', { s: '😀' }]);
    await Glyph.all().delete();
  });

  it('name__icontains containing NUL: ValidationError on every backend, where SQLite matched every row', async () => {
    await Glyph.bulkCreate([{ name: 'alpha' }, { name: 'beta' }]);
    for (const lookup of ['contains', 'icontains', 'startswith', 'istartswith', 'endswith', 'iendswith', 'iexact']) {
      assert.throws(() => Glyph.filter({ [`name__${lookup}`]: '\u0000' } as never), (error: unknown) => {
        refused('name', 'U+0000', 0)(error);
        assert.match((error as Error).message, new RegExp(`filter 'name__${lookup}'`));
        return true;
      });
    }
    assert.throws(() => Glyph.filter({ name: 'al\u0000pha' }), refused('name', 'U+0000', 2));
    assert.throws(() => Glyph.filter({ name__in: ['alpha', `${HIGH}`] }), refused('name', 'U+D83D', 0));
    assert.throws(() => Glyph.filter({ name__gt: '\u0000' }), refused('name', 'U+0000', 0));
    assert.throws(() => Glyph.exclude({ notes__icontains: `a${LOW}` }), refused('notes', 'U+DE00', 1));
    assert.throws(() => Glyph.filter({ data__contains: { s: '\u0000' } }), refused('data', 'U+0000', 0));
    assert.throws(() => Glyph.filter({ data__filter: { s__icontains: `x${HIGH}` } }), refused('data', 'U+D83D', 1));
    // Ordinary text, including '%' and '_', still matches as data.
    assert.equal(await Glyph.filter({ name__icontains: 'ALP' }).count(), 1);
    assert.equal(await Glyph.filter({ name__icontains: '%' }).count(), 0);
    await Glyph.all().delete();
  });
});
