/**
 * The model toolkit: describe() (fields and relations as plain data), raw() (your SQL, bound
 * parameters, decoded instances) and field validators on save, create and update.
 */
import assert from 'node:assert/strict';
import { before, it } from 'node:test';
import { ValidationError, inTransaction } from '../../src/index.js';
import { forEachBackend } from '../support/backends.js';
import { Label, Order, Title, Writer } from '../fixtures/sales.js';

function validationError(pattern: RegExp, field: string): (e: unknown) => boolean {
  return (e: unknown) => {
    assert.ok(e instanceof ValidationError, `expected ValidationError, got ${String(e)}`);
    assert.match(e.message, pattern);
    assert.equal(e.model, 'Order');
    assert.equal(e.field, field);
    return true;
  };
}

forEachBackend('toolkit', [{ Writer, Title, Label, Order }], () => {
  let writer: Writer;

  before(async () => {
    writer = await Writer.create({ name: 'Ann' });
    await Title.create({ title: 'First', price: '12.50', copies: 9007199254740993n, publishedAt: new Date('2020-05-01T10:00:00Z'), author: writer });
    await Title.create({ title: "O'Brien; DROP TABLE sl_title; --", price: '1.00', publishedAt: new Date('2021-01-01T00:00:00Z'), author: writer });
  });

  it('describe() lists the primary key, data fields with their options, and the model options', () => {
    const d = Title.describe();
    assert.equal(d.name, 'Title');
    assert.equal(d.table, 'sl_title');
    assert.equal(d.app, 'models');
    assert.deepEqual(d.ordering, ['id']);
    assert.deepEqual(d.uniqueTogether, []);
    assert.deepEqual(
      { name: d.pkField.name, fieldType: d.pkField.fieldType, pk: d.pkField.pk, generated: d.pkField.generated, unique: d.pkField.unique },
      { name: 'id', fieldType: 'IntField', pk: true, generated: true, unique: true },
    );
    assert.deepEqual(
      d.dataFields.map((f) => f.name),
      ['title', 'price', 'pages', 'copies', 'rating', 'views', 'publishedAt', 'authorId'],
    );
    const byName = new Map(d.dataFields.map((f) => [f.name, f]));
    assert.deepEqual(byName.get('title'), {
      name: 'title', fieldType: 'CharField', kind: 'text', dbColumn: 'title', nullable: false, unique: false, indexed: false,
      generated: false, pk: false, default: undefined, description: undefined, constraints: { maxLength: 100 },
    });
    assert.deepEqual(byName.get('price')?.constraints, { maxDigits: 10, decimalPlaces: 2 });
    assert.equal(byName.get('pages')?.default, 100);
    assert.equal(byName.get('copies')?.default, '0', 'a bigint default is described as a string (JSON has no bigint)');
    assert.equal(byName.get('authorId')?.indexed, true);
    // JSON-ready: survives a round trip.
    assert.deepEqual(JSON.parse(JSON.stringify(d)).dataFields.length, 8);
  });

  it('describe() lists forward, reverse and many-to-many relations', () => {
    assert.deepEqual(Title.describe().relations, [
      { name: 'author', kind: 'fk', relatedModel: 'Writer', keyField: 'authorId', onDelete: 'CASCADE', nullable: false, through: undefined },
      {
        name: 'tags', kind: 'm2m', relatedModel: 'Label', keyField: undefined, onDelete: 'CASCADE', nullable: true,
        through: { table: 'sl_title_sl_label', ownKey: 'titleId', targetKey: 'labelId' },
      },
    ]);
    assert.deepEqual(Writer.describe().relations.map((r) => [r.name, r.kind, r.relatedModel]), [['books', 'reverseFk', 'Title']]);
    assert.deepEqual(Label.describe().relations[0]?.through, { table: 'sl_title_sl_label', ownKey: 'labelId', targetKey: 'titleId' });
    const order = Order.describe();
    assert.equal(order.dataFields.find((f) => f.name === 'total')?.default, '0.00');
    assert.equal(order.dataFields.find((f) => f.name === 'note')?.nullable, true);
  });

  it('raw() binds parameters and returns decoded instances', async () => {
    const rows = await Title.raw('SELECT * FROM sl_title WHERE title LIKE ? AND pages >= ?', ['F%', 100]);
    assert.equal(rows.length, 1);
    const [first] = rows;
    assert.ok(first instanceof Title);
    assert.equal(first.title, 'First');
    assert.equal(first.price, '12.50');
    assert.equal(first.copies, 9007199254740993n);
    assert.ok(first.publishedAt instanceof Date);
    assert.equal(first.publishedAt.toISOString(), '2020-05-01T10:00:00.000Z');
    assert.equal(first.authorId, writer.id);
    // A raw instance saves like any other.
    first.views = 3;
    await first.save();
    assert.equal((await Title.get({ id: first.id })).views, 3);
  });

  it('raw() binds a hostile value as data, never as SQL', async () => {
    const hostile = "O'Brien; DROP TABLE sl_title; --";
    const rows = await Title.raw('SELECT * FROM sl_title WHERE title = ?', [hostile]);
    assert.deepEqual(rows.map((t) => t.title), [hostile]);
    assert.deepEqual(await Title.raw('SELECT * FROM sl_title WHERE title = ?', ["x' OR '1'='1"]), []);
    assert.equal(await Title.all().count(), 2, 'the table is still there');
  });

  it('raw() runs in the ambient transaction', async () => {
    await assert.rejects(
      inTransaction(async () => {
        await Order.create({ customer: 'inside' });
        const seen = await Order.raw('SELECT * FROM sl_order WHERE customer = ?', ['inside']);
        assert.equal(seen.length, 1);
        throw new Error('roll back');
      }),
      /roll back/,
    );
    assert.deepEqual(await Order.raw('SELECT * FROM sl_order WHERE customer = ?', ['inside']), []);
  });

  it('validators run on create and save, with the model, field and reason in a ValidationError', async () => {
    await assert.rejects(Order.create({ customer: 'a', quantity: 0 }), validationError(/^Order\.quantity: must be at least 1; got 0 \(number\)\.$/, 'quantity'));
    await assert.rejects(Order.create({ customer: 'a', quantity: 101 }), validationError(/Order\.quantity: must be at most 100; got 101/, 'quantity'));
    await assert.rejects(Order.create({ customer: 'a', note: 'hi!' }), validationError(/Order\.note: no exclamation marks; got 'hi!'/, 'note'));
    assert.equal(await Order.filter({ customer: 'a' }).count(), 0, 'nothing was written');
    const order = await Order.create({ customer: 'b', quantity: 100, note: null });
    order.quantity = 500;
    await assert.rejects(order.save(), validationError(/must be at most 100; got 500/, 'quantity'));
    assert.equal((await Order.get({ id: order.id })).quantity, 100);
  });

  it('validators run on QuerySet.update() and bulkCreate(); null skips them', async () => {
    await Order.create({ customer: 'c' });
    assert.throws(() => Order.filter({ customer: 'c' }).update({ quantity: -1 }), validationError(/must be at least 1; got -1/, 'quantity'));
    await assert.rejects(Order.bulkCreate([Order.build({ customer: 'd', quantity: 200 })]), ValidationError);
    assert.equal(await Order.filter({ customer: 'd' }).count(), 0);
    assert.equal(await Order.filter({ customer: 'c' }).update({ note: null, quantity: 50 }), 1);
  });
});
