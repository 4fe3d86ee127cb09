/**
 * Expressions as filter values (`price__gt: F('cost')`, `id__in: Subquery(…)`), F().pow(), and
 * division that is a float on every backend (PostgreSQL and SQLite divide integers exactly too).
 */
import assert from 'node:assert/strict';
import { before, it } from 'node:test';
import { F, Model, ParamsError, FieldError, Subquery, fields } from '../../src/index.js';
import { forEachBackend } from '../support/backends.js';

class Item extends Model {
  id = fields.IntField({ pk: true });
  name = fields.CharField({ maxLength: 20 });
  price = fields.IntField();
  cost = fields.IntField();
  weight = fields.DecimalField({ maxDigits: 6, decimalPlaces: 2 });
  limit = fields.DecimalField({ maxDigits: 6, decimalPlaces: 2, null: true });
  static override meta = { table: 'tk_item' };
}

class Flag extends Model {
  itemId = fields.IntField({ null: true });
  static override meta = { table: 'tk_flag' };
}

forEachBackend('expression_filters', [{ Item, Flag }], () => {
  before(async () => {
    await Item.bulkCreate([
      Item.build({ id: 1, name: 'loss', price: 5, cost: 7, weight: '10.00', limit: '9.50' }),
      Item.build({ id: 2, name: 'even', price: 7, cost: 7, weight: '2.00', limit: '20.00' }),
      Item.build({ id: 3, name: 'gain', price: 9, cost: 2, weight: '9.00', limit: null }),
    ]);
    await Flag.bulkCreate([Flag.build({ itemId: 3 }), Flag.build({ itemId: 1 }), Flag.build({ itemId: null })]);
  });

  const names = (rows: readonly Item[]) => rows.map((r) => r.name);

  it('compares a column with another column through F', async () => {
    assert.deepEqual(names(await Item.filter({ price__gt: F('cost') }).orderBy('id')), ['gain']);
    assert.deepEqual(names(await Item.filter({ price__gte: F('cost') }).orderBy('id')), ['even', 'gain']);
    assert.deepEqual(names(await Item.filter({ price__lt: F('cost') }).orderBy('id')), ['loss']);
    assert.deepEqual(names(await Item.filter({ price: F('cost') })), ['even']);
    assert.deepEqual(names(await Item.filter({ price__not: F('cost') }).orderBy('id')), ['loss', 'gain']);
    assert.deepEqual(names(await Item.exclude({ price: F('cost') }).orderBy('id')), ['loss', 'gain']);
    // Arithmetic on the right, decimals compared by magnitude (SQLite keeps them as text: '9.50' > '10.00' as text).
    assert.deepEqual(names(await Item.filter({ price__gt: F('cost').mul(2) })), ['gain']);
    assert.deepEqual(names(await Item.filter({ weight__gt: F('limit') })), ['loss']);
  });

  it('takes a Subquery of one column for in and not_in', async () => {
    const flagged = Subquery(Flag.all().values('itemId'));
    assert.deepEqual(names(await Item.filter({ id__in: flagged }).orderBy('id')), ['loss', 'gain']);
    assert.deepEqual(names(await Item.filter({ id__not_in: Subquery(Flag.filter({ itemId__not_isnull: true }).values('itemId')) })), ['even']);
    // A subquery with LIMIT (MySQL cannot take one directly inside IN).
    const newest = Subquery(Flag.filter({ itemId__not_isnull: true }).orderBy('-itemId').limit(1).valuesList('itemId', { flat: true }));
    assert.deepEqual(names(await Item.filter({ id__in: newest })), ['gain']);
    // The same table inside and out.
    assert.deepEqual(names(await Item.filter({ id__in: Subquery(Item.filter({ price__gt: 6 }).values('id')) }).orderBy('id')), ['even', 'gain']);
  });

  it('updates and annotates with pow, and divides as a float everywhere', async () => {
    const rows = await Item.all().orderBy('id').annotate({ sq: F('price').pow(2), half: F('price').div(2), ratio: F('cost').div(F('price')) }).values('id', 'sq', 'half', 'ratio');
    assert.deepEqual(rows.map((r) => [r.id, r.sq, r.half]), [[1, 25, 2.5], [2, 49, 3.5], [3, 81, 4.5]]);
    assert.ok(Math.abs((rows[0]!.ratio as number) - 1.4) < 1e-9);
    assert.deepEqual(names(await Item.all().annotate({ half: F('price').div(2) }).filter({ half__gt: 4 })), ['gain']);
  });

  it('refuses expressions where they cannot work, naming the key', async () => {
    assert.throws(() => Item.filter({ name__icontains: F('name') as never }), (e: unknown) => e instanceof ParamsError && /filter 'name__icontains' cannot take an expression; F\(\.\.\.\) and Subquery\(\.\.\.\) work with exact, not, gt/.test(e.message));
    assert.throws(() => Item.filter({ id__in: F('price') }), (e: unknown) => e instanceof ParamsError && /filter 'id__in' takes a list or a Subquery/.test(e.message));
    assert.throws(() => Item.filter({ price__gt: F('cots') }), (e: unknown) => e instanceof FieldError && /cots/.test(e.message));
    assert.throws(() => Item.all().annotate({ p: F('name').pow(2) }), (e: unknown) => e instanceof FieldError && /F\('name'\) is a CharField; arithmetic .* needs a numeric field/.test(e.message));
  });
});
