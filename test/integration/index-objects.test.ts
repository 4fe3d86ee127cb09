/**
 * Index({ fields }) in meta.indexes (it crashed with "group.map is not a function" before): the
 * same index as a plain list of names, on every backend; options not built yet are refused by name.
 */
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { ConfigurationError, Index, Model, NotSupportedError, ParamsError, Terrapin, fields, introspectSchema } from '../../src/index.js';
import { forEachBackend } from '../support/backends.js';

class Person extends Model {
  first = fields.CharField({ maxLength: 20 });
  last = fields.CharField({ maxLength: 20 });
  static override meta = { table: 'tk_person', indexes: [Index({ fields: ['last', 'first'] })] };
}

forEachBackend('index_objects', [{ Person }], () => {
  it('creates the index an Index object describes', async () => {
    assert.deepEqual(Person.describe().indexes, [['last', 'first']]);
    const live = await introspectSchema(Terrapin.default.connection('default'));
    const table = live.tables.find((t) => t.name === 'tk_person')!;
    assert.ok(
      table.indexes.some((i) => i.columns.join(',') === 'last,first'),
      `no (last, first) index in ${JSON.stringify(table.indexes)}`,
    );
    await Person.create({ first: 'Ursula', last: 'Le Guin' });
    assert.equal(await Person.filter({ last: 'Le Guin' }).count(), 1);
  });

  it('refuses options it does not build yet, unknown options and a misspelt field', async () => {
    assert.throws(() => Index({ fields: ['last'], where: 'x' } as never), (e: unknown) => e instanceof NotSupportedError && /Index: 'where' is not supported yet; partial indexes/.test(e.message));
    assert.throws(() => Index({ fields: ['last'], name: 'x' } as never), NotSupportedError);
    assert.throws(() => Index({ fields: ['last'], type: 'gin' } as never), NotSupportedError);
    assert.throws(() => Index({ feilds: ['last'] } as never), (e: unknown) => e instanceof ParamsError && /unknown option 'feilds'; the options are 'fields'/.test(e.message));
    assert.throws(() => Index({ fields: [] }), ParamsError);
    class Bad extends Model {
      name = fields.CharField({ maxLength: 5 });
      static override meta = { table: 'tk_bad', indexes: [Index({ fields: ['nmae'] })] };
    }
    const t = new Terrapin();
    try {
      await assert.rejects(t.init({ dbUrl: 'sqlite://:memory:', modules: { models: [{ Bad }] } }), (e: unknown) => e instanceof Error && /nmae/.test(e.message));
      class Odd extends Model {
        static override meta = { table: 'tk_odd', indexes: [42] } as never;
      }
      await assert.rejects(new Terrapin().init({ dbUrl: 'sqlite://:memory:', modules: { models: [{ Odd }] } }), (e: unknown) => e instanceof ConfigurationError && /Meta\.indexes takes lists of field names or Index/.test(e.message));
    } finally {
      await t.close();
    }
  });
});
