import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeEach, describe, it } from 'node:test';
import {
  DoesNotExist,
  FieldError,
  IntegrityError,
  Model,
  OperationalError,
  ParamsError,
  Terrapin,
  fields,
} from '../../src/index.js';
import { forEachBackend, type BackendContext } from '../support/backends.js';
import { Coupon, Product, Tag } from '../fixtures/shop.js';
import { errorMatching } from '../support/expect-errors.js';

/** The same table seen by two models: the database says NOT NULL, the loose model lets null through. */
class StrictNote extends Model {
  id = fields.IntField({ pk: true });
  body = fields.CharField({ maxLength: 20 });
  static override meta = { table: 'shop_note' };
}
class LooseNote extends Model {
  id = fields.IntField({ pk: true });
  body = fields.CharField({ maxLength: 20, null: true });
  static override meta = { table: 'shop_note' };
}

/** A database the two note instances can share (the suite's own one is in memory on SQLite). */
function sharedUrl(ctx: BackendContext): string {
  if (ctx.backend !== 'sqlite') return ctx.url;
  const file = join(tmpdir(), `terrapin_instance_${process.pid}.sqlite3`);
  rmSync(file, { force: true });
  return `sqlite://${file}`;
}

forEachBackend('instance', [{ Product, Tag, Coupon }], (ctx) => {
  beforeEach(async () => {
    await Product.all().delete();
    await Tag.all().delete();
    await Coupon.all().delete();
  });

  describe('save and delete', () => {
    it('build() + save() inserts; new Model() with assigned fields saves too', async () => {
      const built = Product.build({ sku: 'b1', name: 'Built' });
      assert.equal(built.id, undefined);
      assert.equal(await built.save(), built, 'save() returns the instance');
      assert.equal(typeof built.id, 'number');
      const constructed = new Product();
      constructed.sku = 'n1';
      constructed.name = 'New';
      await constructed.save();
      assert.equal(typeof constructed.id, 'number');
      assert.equal(constructed.price, 0, 'the default is applied');
      assert.equal(constructed.stock, null);
      const loaded = await Product.get({ sku: 'n1' });
      assert.deepEqual([loaded.id, loaded.name, loaded.price, loaded.stock], [constructed.id, 'New', 0, null]);
    });

    it('save({ forceCreate }) on a loaded instance hits the primary key', async () => {
      await Product.create({ sku: 'fc', name: 'x' });
      const loaded = await Product.get({ sku: 'fc' });
      loaded.sku = 'fc2';
      await assert.rejects(loaded.save({ forceCreate: true }), (error: unknown) => {
        assert.ok(error instanceof IntegrityError, String(error));
        return true;
      });
      assert.equal(await Product.all().count(), 1);
    });

    it('save({ forceUpdate }) on a missing row raises IntegrityError; on an unchanged row it succeeds', async () => {
      const ghost = Product.build({ id: 987_654, sku: 'ghost', name: 'x' });
      await assert.rejects(
        ghost.save({ forceUpdate: true }),
        errorMatching(IntegrityError, /Product with id=987654 does not exist, so forceUpdate could not update it/),
      );
      assert.equal(await Product.all().count(), 0);
      const real = await Product.create({ sku: 'real', name: 'same' });
      const loaded = await Product.get({ id: real.id });
      await loaded.save({ forceUpdate: true });
      assert.equal((await Product.get({ id: real.id })).name, 'same');
    });

    it('delete() of an unsaved instance raises OperationalError', async () => {
      await assert.rejects(
        Product.build({ sku: 'd', name: 'd' }).delete(),
        errorMatching(OperationalError, /Cannot delete an unsaved Product: it has no row in the database/),
      );
      const saved = await Product.create({ sku: 'd', name: 'd' });
      await saved.delete();
      assert.equal(await Product.filter({ sku: 'd' }).exists(), false);
      await assert.rejects(saved.delete(), OperationalError, 'a deleted instance is unsaved again');
    });
  });

  describe('instance helpers', () => {
    it('refreshFromDb reloads every field or only the named ones', async () => {
      const p = await Product.create({ sku: 'r', name: 'before', price: 1 });
      await Product.filter({ id: p.id }).update({ name: 'after', price: 2 });
      await p.refreshFromDb({ fields: ['price'] });
      assert.equal(p.price, 2);
      assert.equal(p.name, 'before', 'fields not named stay as they were');
      await p.refreshFromDb();
      assert.equal(p.name, 'after');
      await assert.rejects(
        Product.build({ sku: 'u', name: 'u' }).refreshFromDb(),
        errorMatching(DoesNotExist, /Cannot refresh an unsaved Product/),
      );
      await Product.filter({ id: p.id }).delete();
      await assert.rejects(p.refreshFromDb(), errorMatching(DoesNotExist, new RegExp(`Product with id=${p.id} no longer exists`)));
    });

    it('updateFromDict sets fields, chains, and refuses unknown names', async () => {
      const p = await Product.create({ sku: 'ud', name: 'x' });
      const same = p.updateFromDict({ name: 'y', price: 9 });
      assert.equal(same, p);
      await p.updateFromDict({ stock: 3 }).save();
      const loaded = await Product.get({ id: p.id });
      assert.deepEqual([loaded.name, loaded.price, loaded.stock], ['y', 9, 3]);
      assert.throws(
        () => p.updateFromDict({ colour: 'red' } as never),
        errorMatching(FieldError, /Product has no field 'colour' \(in updateFromDict\)\. Valid fields: id, sku, name, price, stock, pk/),
      );
    });

    it('clone() leaves a generated pk unset and saves as a new row', async () => {
      const original = await Product.create({ sku: 'c1', name: 'orig', price: 4 });
      const copy = original.clone();
      assert.equal(copy.id, undefined);
      assert.equal(copy.name, 'orig');
      assert.ok(copy instanceof Product);
      copy.sku = 'c2';
      await copy.save();
      assert.notEqual(copy.id, original.id);
      assert.equal(await Product.all().count(), 2);
      const withPk = original.clone({ pk: 555 });
      withPk.sku = 'c3';
      await withPk.save();
      assert.equal((await Product.get({ sku: 'c3' })).id, 555);
    });

    it('clone() gives a UUID pk a new value; a plain pk needs clone({ pk })', async () => {
      const tag = await Tag.create({ label: 'one' });
      assert.match(tag.id, /^[0-9a-f-]{36}$/);
      const copy = tag.clone();
      assert.match(copy.id, /^[0-9a-f-]{36}$/);
      assert.notEqual(copy.id, tag.id);
      copy.label = 'two';
      await copy.save();
      assert.equal(await Tag.all().count(), 2);

      const coupon = await Coupon.create({ code: 'SPRING', percent: 10 });
      assert.throws(
        () => coupon.clone(),
        errorMatching(ParamsError, /Coupon\.code is neither generated nor defaulted; pass clone\(\{ pk: value \}\)/),
      );
      const summer = coupon.clone({ pk: 'SUMMER' });
      await summer.save();
      assert.equal((await Coupon.get({ code: 'SUMMER' })).percent, 10);
    });

    it('pk reads and writes the primary key whatever it is called', async () => {
      const coupon = await Coupon.create({ code: 'PK', percent: 1 });
      assert.equal(coupon.pk, 'PK');
      const p = Product.build({ sku: 'pk', name: 'x' });
      assert.equal(p.pk, undefined);
      p.pk = 4242;
      assert.equal(p.id, 4242);
      await p.save();
      assert.equal((await Product.get({ pk: 4242 })).sku, 'pk');
      assert.equal(new Product().pk, undefined, 'an instance made with new has no key yet');
    });

    it('create() and build() refuse unknown keys with FieldError', async () => {
      await assert.rejects(
        Product.create({ sku: 's', name: 'x', colour: 'red' } as never),
        errorMatching(FieldError, /Product has no field 'colour'\. Valid fields: id, sku, name, price, stock/),
      );
      assert.throws(() => Product.build({ sku: 's', nmae: 'x' } as never), errorMatching(FieldError, /Product has no field 'nmae'/));
      assert.equal(await Product.all().count(), 0);
    });
  });

  describe('IntegrityError', () => {
    it('a unique violation is an IntegrityError that keeps the driver error', async () => {
      await Product.create({ sku: 'same', name: 'a' });
      await assert.rejects(Product.create({ sku: 'same', name: 'b' }), (error: unknown) => {
        assert.ok(error instanceof IntegrityError, String(error));
        assert.ok(error instanceof OperationalError, 'IntegrityError is an OperationalError');
        assert.equal(error.name, 'IntegrityError');
        assert.match(error.message, /unique|duplicate/i);
        assert.ok(error.cause instanceof Error, 'cause is the driver error');
        assert.notEqual(error.cause, error);
        assert.equal(typeof error.sql, 'string');
        return true;
      });
    });

    it('a NOT NULL violation is an IntegrityError that keeps the driver error', async () => {
      const url = sharedUrl(ctx);
      const strict = new Terrapin();
      const loose = new Terrapin();
      try {
        await strict.init({ dbUrl: url, modules: { models: [StrictNote] } });
        await strict.generateSchemas({ safe: true });
        await loose.init({ dbUrl: url, modules: { models: [LooseNote] } });
        await assert.rejects(LooseNote.create({ body: null }), (error: unknown) => {
          assert.ok(error instanceof IntegrityError, String(error));
          assert.ok(error instanceof OperationalError);
          assert.match(error.message, /null/i);
          assert.ok(error.cause instanceof Error);
          return true;
        });
        await LooseNote.create({ body: 'fine' });
        assert.equal(await StrictNote.all().count(), 1);
      } finally {
        await loose.close();
        await strict.close();
      }
    });
  });
});
