import assert from 'node:assert/strict';
import { it } from 'node:test';
import { FieldError, Model, fields } from '../../src/index.js';
import { forEachBackend } from '../support/backends.js';

class Note extends Model {
  id = fields.IntField({ pk: true });
  title = fields.CharField({ maxLength: 200 });
  static override meta = { table: 'note' };
}

/** Hostile identifiers: every backend's quote characters inside table and column names. */
class Weird extends Model {
  id = fields.IntField({ pk: true });
  label = fields.CharField({ maxLength: 50, sourceField: 'la"bel`s \'col' });
  static override meta = { table: 'we"ird`tab\'le' };
}

const HOSTILE = [
  "'; DROP TABLE note; --",
  '"; DROP TABLE note; --',
  '`; DROP TABLE note; --',
  "' OR '1'='1",
  '\\',
  "\\'; SELECT 1; --",
  '%',
  '_',
  '!',
  '$1',
  '?',
];

forEachBackend('injection', [{ Note, Weird }], () => {
  it('treats hostile strings in every lookup as data', async () => {
    for (const text of HOSTILE) await Note.create({ title: text });
    for (const text of HOSTILE) {
      assert.deepEqual(await Note.filter({ title: text }).valuesList('title', { flat: true }), [text], `exact ${text}`);
      assert.equal(await Note.filter({ title__in: [text, 'other'] }).count(), 1, `in ${text}`);
      assert.ok((await Note.filter({ title__contains: text }).count()) >= 1, `contains ${text}`);
      assert.ok((await Note.filter({ title__icontains: text }).count()) >= 1, `icontains ${text}`);
      assert.ok((await Note.filter({ title__startswith: text }).count()) >= 1, `startswith ${text}`);
    }
    assert.equal(await Note.filter({ title__contains: '%' }).count(), 1, "'%' matches only the row that holds it");
    assert.equal(await Note.filter({ title__contains: '_' }).count(), 1, "'_' matches only the row that holds it");
    assert.equal(await Note.all().count(), HOSTILE.length, 'the table is intact');
  });

  it('refuses hostile field names passed as strings, before any SQL', async () => {
    const name = 'title" = title OR 1=1; --';
    assert.throws(() => Note.filter({ [name]: 'x' } as never), FieldError);
    assert.throws(() => Note.all().orderBy(name as never), (error: unknown) => {
      assert.ok(error instanceof FieldError);
      assert.match((error as Error).message, /Note has no field 'title" = title OR 1=1; --' \(in orderBy/);
      return true;
    });
    assert.throws(() => Note.all().values(name as never), FieldError);
    assert.throws(() => Note.all().update({ [name]: 'x' } as never), FieldError);
    await assert.rejects(Note.create({ title: 'x', [name]: 1 } as never), FieldError);
    assert.throws(() => Note.filter({ 'title__icontains" OR 1=1': 'x' } as never), FieldError);
  });

  it('quotes table and column names holding quote characters', async () => {
    const row = await Weird.create({ label: "it's \"quoted\"" });
    assert.equal((await Weird.get({ id: row.id })).label, "it's \"quoted\"");
    assert.equal(await Weird.filter({ label__icontains: 'QUOTED' }).count(), 1);
    assert.equal(await Weird.filter({ id: row.id }).update({ label: 'plain' }), 1);
    assert.deepEqual(await Weird.all().valuesList('label', { flat: true }), ['plain']);
    assert.equal(await Weird.filter({ id: row.id }).delete(), 1);
  });
});
