/**
 * docs/troubleshooting.md's advice on un-awaited queries, checked: `@typescript-eslint/no-floating-promises`
 * by default reports only native Promises, so the doc says `create()`/`save()` are caught without
 * `checkThenables` and QuerySets and lazy results (`all()`, `filter().update()`, `.delete()`,
 * `.count()`) only with it. That split holds only while the first are native Promises and the
 * others are thenables that are not; and a lazy `update()` that is never awaited sends nothing.
 */
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { Model, fields } from '../../src/index.js';
import { forEachBackend } from '../support/backends.js';

class FloatingNote extends Model {
  id = fields.IntField({ pk: true });
  name = fields.CharField({ maxLength: 50 });
  static override meta = { table: 'floating_note' };
}

const isThenable = (value: unknown): boolean => typeof (value as { then?: unknown }).then === 'function';

forEachBackend('floating_promises', [FloatingNote], () => {
  it('create() and save() return native Promises (the rule reports them by default)', async () => {
    const creating = FloatingNote.create({ name: 'Ann' });
    assert.ok(creating instanceof Promise);
    const note = await creating;
    const saving = note.save();
    assert.ok(saving instanceof Promise);
    await saving;
  });

  it('all(), filter().update(), .delete() and .count() are thenables but not Promises (checkThenables: true needed)', async () => {
    const lazy = {
      'all()': FloatingNote.all(),
      'filter().update()': FloatingNote.filter({ name: 'Ann' }).update({ name: 'Anne' }),
      'filter().delete()': FloatingNote.filter({ name: 'nobody' }).delete(),
      'all().count()': FloatingNote.all().count(),
    };
    for (const [call, value] of Object.entries(lazy)) {
      assert.ok(isThenable(value), `${call} is a thenable`);
      assert.ok(!(value instanceof Promise), `${call} is not a native Promise`);
    }
    // Never awaited, the update above sent nothing.
    assert.deepEqual(await FloatingNote.all().valuesList('name', { flat: true }), ['Ann']);
    assert.equal(await FloatingNote.filter({ name: 'Ann' }).update({ name: 'Anne' }), 1);
    assert.deepEqual(await FloatingNote.all().valuesList('name', { flat: true }), ['Anne']);
  });
});
