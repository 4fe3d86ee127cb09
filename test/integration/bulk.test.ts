import assert from 'node:assert/strict';
import { beforeEach, describe, it } from 'node:test';
import { FieldError, IntegrityError, OperationalError, ParamsError, ValidationError } from '../../src/index.js';
import { forEachBackend } from '../support/backends.js';
import { Customer, Product } from '../fixtures/shop.js';
import { errorMatching } from '../support/expect-errors.js';

forEachBackend('bulk', [{ Product, Customer }], () => {
  beforeEach(async () => {
    await Product.all().delete();
    await Customer.all().delete();
  });

  describe('bulkCreate', () => {
    it('returns the instances in order with their primary keys set', async () => {
      const made = await Product.bulkCreate([
        { sku: 'a', name: 'A', price: 1 },
        { sku: 'b', name: 'B', price: 2 },
        { sku: 'c', name: 'C', price: 3 },
      ]);
      assert.equal(made.length, 3);
      assert.deepEqual(made.map((p) => p.sku), ['a', 'b', 'c']);
      for (const p of made) {
        assert.equal(typeof p.id, 'number');
        assert.equal((await Product.get({ id: p.id })).sku, p.sku, 'each key belongs to its own row');
      }
      assert.ok(made[0]!.id < made[1]!.id && made[1]!.id < made[2]!.id);
      assert.equal(made[0]!.stock, null, 'nullable fields read back as null');
    });

    it('inserts 10 000 rows in several batches', async () => {
      const objects = Array.from({ length: 10_000 }, (_, i) => ({ sku: `bulk-${i}`, name: `n${i}`, price: i }));
      const made = await Product.bulkCreate(objects, { batchSize: 700 });
      assert.equal(await Product.all().count(), 10_000);
      const ids = new Set(made.map((p) => p.id));
      assert.equal(ids.size, 10_000, 'every instance got its own key');
      const sample = await Product.get({ sku: 'bulk-7777' });
      assert.equal(sample.id, made[7777]!.id);
      assert.equal(sample.price, 7777);
    });

    it('accepts instances and plain objects in one call', async () => {
      const built = Product.build({ sku: 'built', name: 'Built' });
      const constructed = new Product();
      constructed.sku = 'constructed';
      constructed.name = 'Constructed';
      const made = await Product.bulkCreate([built, { sku: 'plain', name: 'Plain' }, constructed]);
      assert.equal(made[0], built, 'an instance passed in is the instance returned');
      assert.equal(made[2], constructed);
      assert.equal(made[2]!.price, 0, 'defaults fill an instance made with new');
      assert.deepEqual(
        (await Product.all().orderBy('id')).map((p) => [p.id, p.sku]),
        made.map((p) => [p.id, p.sku]),
      );
    });

    it('ignoreConflicts skips rows that hit a unique field', async () => {
      await Product.create({ sku: 'dup', name: 'original' });
      await Product.bulkCreate(
        [
          { sku: 'dup', name: 'ignored' },
          { sku: 'fresh', name: 'new' },
        ],
        { ignoreConflicts: true },
      );
      assert.equal(await Product.all().count(), 2);
      assert.equal((await Product.get({ sku: 'dup' })).name, 'original');
      assert.equal((await Product.get({ sku: 'fresh' })).name, 'new');
    });

    it('upserts with onConflict + updateFields', async () => {
      const existing = await Product.create({ sku: 'up', name: 'old', price: 1, stock: 5 });
      const made = await Product.bulkCreate(
        [
          { sku: 'up', name: 'new', price: 2, stock: 99 },
          { sku: 'up2', name: 'other', price: 3, stock: 1 },
        ],
        { onConflict: ['sku'], updateFields: ['name', 'price'] },
      );
      const row = await Product.get({ sku: 'up' });
      assert.equal(row.id, existing.id);
      assert.equal(row.name, 'new');
      assert.equal(row.price, 2);
      assert.equal(row.stock, 5, 'fields not in updateFields keep their value');
      assert.equal((await Product.get({ sku: 'up2' })).price, 3);
      assert.equal(await Product.all().count(), 2);
      // Where the backend returns keys from an upsert they must be the rows' keys.
      if (made[0]!.id !== undefined) assert.equal(made[0]!.id, existing.id);
    });

    it('refuses contradictory options and uneven objects with ParamsError', async () => {
      await assert.rejects(
        Product.bulkCreate([{ sku: 'x', name: 'x' }], { ignoreConflicts: true, updateFields: ['name'] }),
        errorMatching(ParamsError, /Product: bulkCreate takes ignoreConflicts or onConflict with updateFields, not both/),
      );
      await assert.rejects(
        Product.bulkCreate([{ sku: 'x', name: 'x' }], { updateFields: ['name'] }),
        errorMatching(ParamsError, /Product: an upsert needs both onConflict .* and updateFields/),
      );
      await assert.rejects(
        Product.bulkCreate([{ sku: 'x', name: 'x' }], { onConflict: ['sku'] }),
        errorMatching(ParamsError, /an upsert needs both onConflict/),
      );
      await assert.rejects(
        Product.bulkCreate([{ sku: 'x', name: 'x' }, { id: 12345, sku: 'y', name: 'y' }]),
        errorMatching(ParamsError, /Product: bulkCreate needs the same fields on every object; object 0 sets \(sku, name, price, stock\) but object 1 sets \(id, sku, name, price, stock\)/),
      );
      await assert.rejects(
        Product.bulkCreate([{ sku: 'x', name: 'x' }], { batchSize: 0 }),
        errorMatching(ParamsError, /batchSize must be a positive integer, got 0/),
      );
      assert.equal(await Product.all().count(), 0);
    });

    it('a ValidationError in row 500 writes nothing, even across batches', async () => {
      const objects = Array.from({ length: 1000 }, (_, i) => Product.build({ sku: `v-${i}`, name: `n${i}` }));
      objects[500]!.name = 'x'.repeat(51);
      await assert.rejects(
        Product.bulkCreate(objects, { batchSize: 100 }),
        errorMatching(ValidationError, /Product\.name: is 51 characters long, at most 50/),
      );
      assert.equal(await Product.all().count(), 0);
      const plain = Array.from({ length: 1000 }, (_, i) => ({ sku: `p-${i}`, name: `n${i}`, price: i === 500 ? ('many' as unknown as number) : i }));
      await assert.rejects(Product.bulkCreate(plain, { batchSize: 100 }), ValidationError);
      assert.equal(await Product.all().count(), 0);
    });

    it('an IntegrityError in a later batch rolls back the earlier batches', async () => {
      const objects = Array.from({ length: 300 }, (_, i) => ({ sku: i === 250 ? 'i-10' : `i-${i}`, name: 'n' }));
      await assert.rejects(Product.bulkCreate(objects, { batchSize: 100 }), (error: unknown) => {
        assert.ok(error instanceof IntegrityError, String(error));
        assert.ok(error instanceof OperationalError);
        assert.ok(error.cause instanceof Error, 'the driver error is kept as cause');
        return true;
      });
      assert.equal(await Product.all().count(), 0);
    });
  });

  describe('bulkUpdate', () => {
    it('writes several fields of many objects and returns the count', async () => {
      const made = await Product.bulkCreate(Array.from({ length: 40 }, (_, i) => ({ sku: `u-${i}`, name: `n${i}`, price: i })));
      for (const p of made) {
        p.name = `renamed ${p.sku}`;
        p.price = p.price * 10 + 1;
        p.stock = 7;
      }
      const affected = await Product.bulkUpdate(made, ['name', 'price'], { batchSize: 15 });
      assert.equal(affected, 40);
      const rows = await Product.all().orderBy('id');
      assert.deepEqual(
        rows.map((p) => [p.name, p.price, p.stock]),
        made.map((_, i) => [`renamed u-${i}`, i * 10 + 1, null]),
        'only the named fields are written',
      );
    });

    it('refuses objects without a primary key and a pk in fields', async () => {
      const saved = await Product.create({ sku: 's', name: 's' });
      await assert.rejects(
        Product.bulkUpdate([saved, Product.build({ sku: 't', name: 't' })], ['name']),
        errorMatching(ParamsError, /Product: object 1 passed to bulkUpdate has no primary key; save it first/),
      );
      await assert.rejects(
        Product.bulkUpdate([saved], ['id', 'name']),
        errorMatching(FieldError, /Product: bulkUpdate cannot write the primary key 'id'/),
      );
      await assert.rejects(
        Product.bulkUpdate([saved], ['nmae' as 'name']),
        errorMatching(FieldError, /Product has no field 'nmae' \(in bulkUpdate\)/),
      );
      assert.equal(await Product.bulkUpdate([], ['name']), 0);
    });
  });

  describe('inBulk', () => {
    it('maps primary keys or a unique field to instances', async () => {
      const [a, b] = await Product.bulkCreate([
        { sku: 'k1', name: 'one' },
        { sku: 'k2', name: 'two' },
      ]);
      const byPk = await Product.inBulk([a!.id, b!.id, 999_999]);
      assert.equal(byPk.size, 2);
      assert.equal(byPk.get(a!.id)?.sku, 'k1');
      assert.equal(byPk.get(b!.id)?.name, 'two');
      const bySku = await Product.inBulk(['k2', 'nope'], 'sku');
      assert.deepEqual([...bySku.keys()], ['k2']);
      assert.equal(bySku.get('k2')?.id, b!.id);
      assert.equal((await Product.inBulk([])).size, 0);
    });

    it('refuses a non-unique field with FieldError', async () => {
      await assert.rejects(
        Product.inBulk(['x'], 'name'),
        errorMatching(FieldError, /Product\.name is not unique, so inBulk could return several rows per value; use filter\(\) with name__in/),
      );
    });
  });

  describe('getOrCreate / updateOrCreate', () => {
    it('creates once, then returns the existing row', async () => {
      const [made, created] = await Customer.getOrCreate({ email: 'a@x' }, { name: 'Ann', visits: 3 });
      assert.equal(created, true);
      assert.equal(made.name, 'Ann');
      assert.equal(made.visits, 3);
      assert.equal(typeof made.id, 'number');
      const [again, createdAgain] = await Customer.getOrCreate({ email: 'a@x' }, { name: 'Other' });
      assert.equal(createdAgain, false);
      assert.equal(again.id, made.id);
      assert.equal(again.name, 'Ann', 'defaults are not applied to an existing row');
      assert.equal(await Customer.all().count(), 1);
    });

    it('refuses a key given differently in filters and defaults', async () => {
      await assert.rejects(
        Customer.getOrCreate({ email: 'b@x' }, { email: 'c@x', name: 'B' }),
        errorMatching(ParamsError, /Customer: 'email' is both a filter \(b@x\) and a default \(c@x\); give it once/),
      );
      assert.equal(await Customer.all().count(), 0);
    });

    it('50 concurrent calls for one key create exactly one row', async () => {
      const results = await Promise.all(
        Array.from({ length: 50 }, (_, i) => Customer.getOrCreate({ email: 'race@x' }, { name: `caller ${i}` })),
      );
      assert.equal(await Customer.filter({ email: 'race@x' }).count(), 1);
      const row = await Customer.get({ email: 'race@x' });
      assert.equal(results.filter(([, created]) => created).length, 1, 'exactly one caller created it');
      for (const [customer] of results) {
        assert.equal(customer.id, row.id);
        assert.equal(customer.name, row.name);
      }
    });

    it('updateOrCreate updates an existing row or creates a new one', async () => {
      const existing = await Customer.create({ email: 'u@x', name: 'Before', visits: 1 });
      const [updated, created] = await Customer.updateOrCreate({ email: 'u@x' }, { name: 'After', visits: 2 });
      assert.equal(created, false);
      assert.equal(updated.id, existing.id);
      const reloaded = await Customer.get({ id: existing.id });
      assert.equal(reloaded.name, 'After');
      assert.equal(reloaded.visits, 2);
      const [made, createdNew] = await Customer.updateOrCreate({ email: 'n@x' }, { name: 'New' });
      assert.equal(createdNew, true);
      assert.equal((await Customer.get({ email: 'n@x' })).id, made.id);
      assert.equal(await Customer.all().count(), 2);
    });
  });
});
