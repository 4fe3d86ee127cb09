/**
 * Signals: preSave/postSave/preDelete/postDelete listeners run in order, inside the write's
 * transaction (a throw rolls the write and the listeners' own writes back, on every backend),
 * and are not fired by bulk operations or QuerySet.update/delete.
 */
import assert from 'node:assert/strict';
import { afterEach, it } from 'node:test';
import { ValidationError, inTransaction, type Listener, type PostSaveSignal, type SignalName } from '../../src/index.js';
import { forEachBackend } from '../support/backends.js';
import { AuditEntry, Order } from '../fixtures/sales.js';

class Boom extends Error {}

forEachBackend('signals', [{ Order, AuditEntry }], () => {
  const removers: (() => void)[] = [];
  /** Registers a listener for one test. */
  function listen<S extends SignalName>(signal: S, listener: Listener<Order, S>): () => void {
    const remove = Order.registerListener(signal, listener);
    removers.push(remove);
    return remove;
  }

  afterEach(async () => {
    for (const remove of removers.splice(0)) remove();
    await Order.all().delete();
    await AuditEntry.all().delete();
  });

  it('runs listeners in registration order, awaiting each', async () => {
    const calls: string[] = [];
    listen('preSave', async () => {
      await new Promise((resolve) => setTimeout(resolve, 20));
      calls.push('pre 1');
    });
    listen('preSave', () => void calls.push('pre 2'));
    listen('postSave', () => void calls.push('post'));
    listen('preDelete', () => void calls.push('preDelete'));
    listen('postDelete', () => void calls.push('postDelete'));
    const order = await Order.create({ customer: 'ann' });
    assert.deepEqual(calls, ['pre 1', 'pre 2', 'post']);
    await order.delete();
    assert.deepEqual(calls, ['pre 1', 'pre 2', 'post', 'preDelete', 'postDelete']);
  });

  it('a removed listener is no longer called', async () => {
    let calls = 0;
    const remove = listen('postSave', () => void calls++);
    await Order.create({ customer: 'a' });
    remove();
    await Order.create({ customer: 'b' });
    assert.equal(calls, 1);
  });

  it('preSave can change the instance before it is written (and validated)', async () => {
    listen('preSave', ({ instance }) => {
      instance.customer = instance.customer.toUpperCase();
    });
    const order = await Order.create({ customer: 'bob' });
    assert.equal(order.customer, 'BOB');
    assert.equal((await Order.get({ id: order.id })).customer, 'BOB');
  });

  it('postSave gets created true on insert, false on update, and the updateFields', async () => {
    const events: [boolean, readonly string[] | undefined, unknown][] = [];
    listen('postSave', (event: PostSaveSignal<Order>) => void events.push([event.created, event.updateFields, event.sender]));
    const order = await Order.create({ customer: 'cy' });
    order.quantity = 3;
    await order.save();
    order.note = 'gift';
    await order.save({ updateFields: ['note'] });
    assert.deepEqual(events, [
      [true, undefined, Order],
      [false, undefined, Order],
      [false, ['note'], Order],
    ]);
  });

  it('a listener that throws rolls the insert back: nothing is left in the table', async () => {
    listen('postSave', () => {
      throw new Boom('postSave refused');
    });
    const order = Order.build({ customer: 'dan' });
    await assert.rejects(order.save(), (e: unknown) => e instanceof Boom && (e as Error).message === 'postSave refused');
    assert.equal(await Order.all().count(), 0);
    await assert.rejects(Order.create({ customer: 'eve' }), Boom);
    assert.equal(await Order.all().count(), 0);
  });

  it('after a rolled-back insert, the instance is unsaved again: the next save() inserts it', async () => {
    let refuse = true;
    listen('postSave', () => {
      if (refuse) throw new Boom('not yet');
    });
    const order = Order.build({ customer: 'retry' });
    await assert.rejects(order.save(), Boom);
    refuse = false;
    await order.save();
    assert.deepEqual(await Order.all().valuesList('customer', { flat: true }), ['retry']);
    assert.equal((await Order.get({ customer: 'retry' })).id, order.id);
  });

  it('a preSave that throws on update leaves the row unchanged', async () => {
    const order = await Order.create({ customer: 'fay', quantity: 2 });
    listen('preSave', () => {
      throw new Boom('no updates');
    });
    order.quantity = 9;
    await assert.rejects(order.save(), Boom);
    assert.equal((await Order.get({ id: order.id })).quantity, 2);
  });

  it('listeners see the write in their transaction; their own writes roll back with a failed save', async () => {
    const seen: boolean[] = [];
    listen('postSave', async ({ instance, usingDb }) => {
      seen.push(await Order.filter({ id: instance.id }).usingDb(usingDb).exists());
      await AuditEntry.create({ action: `saved ${instance.customer}` }, { usingDb });
      // Without usingDb, the ambient transaction is used too.
      await AuditEntry.create({ action: 'ambient' });
    });
    await Order.create({ customer: 'kept' });
    assert.deepEqual(seen, [true]);
    assert.deepEqual(await AuditEntry.all().valuesList('action', { flat: true }), ['saved kept', 'ambient']);
    listen('postSave', ({ instance }) => {
      if (instance.customer === 'lost') throw new Boom('refused');
    });
    await assert.rejects(Order.create({ customer: 'lost' }), Boom);
    assert.deepEqual(await Order.all().valuesList('customer', { flat: true }), ['kept']);
    assert.deepEqual(await AuditEntry.all().valuesList('action', { flat: true }), ['saved kept', 'ambient']);
  });

  it('inside an outer transaction, a failed save rolls back only its own savepoint', async () => {
    listen('postSave', ({ instance }) => {
      if (instance.customer === 'bad') throw new Boom('refused');
    });
    await inTransaction(async () => {
      await Order.create({ customer: 'good' });
      await assert.rejects(Order.create({ customer: 'bad' }), Boom);
    });
    assert.deepEqual(await Order.all().valuesList('customer', { flat: true }), ['good']);
  });

  it('delete listeners: a postDelete that throws keeps the row', async () => {
    const order = await Order.create({ customer: 'gus' });
    const seen: boolean[] = [];
    listen('preDelete', async ({ instance, usingDb }) => {
      seen.push(await Order.filter({ id: instance.id }).usingDb(usingDb).exists());
    });
    listen('postDelete', async ({ instance, usingDb }) => {
      seen.push(await Order.filter({ id: instance.id }).usingDb(usingDb).exists());
      throw new Boom('keep it');
    });
    await assert.rejects(order.delete(), Boom);
    assert.deepEqual(seen, [true, false]);
    assert.equal(await Order.filter({ id: order.id }).exists(), true);
  });

  it('a ValidationError from a preSave change is raised and nothing is written', async () => {
    listen('preSave', ({ instance }) => {
      instance.quantity = 0;
    });
    await assert.rejects(Order.create({ customer: 'hal' }), (e: unknown) => e instanceof ValidationError && /Order\.quantity: must be at least 1; got 0/.test((e as Error).message));
    assert.equal(await Order.all().count(), 0);
  });

  it('bulkCreate, bulkUpdate, QuerySet.update and QuerySet.delete fire no signals', async () => {
    let calls = 0;
    for (const signal of ['preSave', 'postSave', 'preDelete', 'postDelete'] as const) listen(signal, () => void calls++);
    const created = await Order.bulkCreate([Order.build({ customer: 'i1' }), Order.build({ customer: 'i2' })]);
    for (const order of created) order.quantity = 5;
    await Order.bulkUpdate(created, ['quantity']);
    await Order.filter({ customer: 'i1' }).update({ quantity: 7 });
    await Order.filter({ customer: 'i2' }).delete();
    assert.equal(calls, 0);
    assert.deepEqual(await Order.all().valuesList('customer', 'quantity'), [['i1', 7]]);
  });
});
