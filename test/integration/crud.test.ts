import assert from 'node:assert/strict';
import { it } from 'node:test';
import { DoesNotExist, FieldError, MultipleObjectsReturned, ValidationError } from '../../src/index.js';
import { forEachBackend } from '../support/backends.js';
import { Person, User } from '../fixtures/people.js';

forEachBackend('crud', [{ User, Person }], () => {
  it('creates the seed user with its id and creation time', async () => {
    const before = Date.now();
    const user = await User.create({ name: 'Alice' });
    assert.equal(typeof user.id, 'number');
    assert.ok(user.createdAt instanceof Date);
    assert.ok(user.createdAt.getTime() >= before - 1000);
    const loaded = await User.get({ id: user.id });
    assert.equal(loaded.name, 'Alice');
    assert.equal(loaded.createdAt.getTime(), user.createdAt.getTime());
  });

  it('build() + save() inserts, a second save() updates', async () => {
    const person = Person.build({ name: 'Bob', age: 30 });
    assert.equal(person.active, true, 'defaults are filled by build()');
    await person.save();
    person.age = 31;
    await person.save();
    assert.equal((await Person.get({ pk: person.id })).age, 31);
    assert.equal(await Person.filter({ name: 'Bob' }).count(), 1);
  });

  it('save({ updateFields }) writes only the named fields', async () => {
    const person = await Person.create({ name: 'Carl', age: 20 });
    person.age = 21;
    person.name = 'changed in memory only';
    await person.save({ updateFields: ['age'] });
    const loaded = await Person.get({ id: person.id });
    assert.equal(loaded.age, 21);
    assert.equal(loaded.name, 'Carl');
  });

  it('get() raises DoesNotExist and MultipleObjectsReturned with the filters in the message', async () => {
    await assert.rejects(Person.get({ name: 'nobody' }), (error: unknown) => {
      assert.ok(error instanceof DoesNotExist);
      assert.match((error as Error).message, /No Person matches name='nobody'/);
      return true;
    });
    await Person.create({ name: 'Twin' });
    await Person.create({ name: 'Twin' });
    await assert.rejects(Person.get({ name: 'Twin' }), MultipleObjectsReturned);
    assert.equal(await Person.getOrNone({ name: 'nobody' }), null);
  });

  it('delete() removes the row; refreshFromDb() reloads values', async () => {
    const person = await Person.create({ name: 'Dora', age: 5 });
    await Person.filter({ id: person.id }).update({ age: 6 });
    await person.refreshFromDb();
    assert.equal(person.age, 6);
    await person.delete();
    assert.equal(await Person.filter({ id: person.id }).exists(), false);
  });

  it('rejects bad input before any SQL runs', async () => {
    const countBefore = await Person.all().count();
    await assert.rejects(Person.create({ name: 'x'.repeat(51) }), (error: unknown) => {
      assert.ok(error instanceof ValidationError);
      assert.equal((error as ValidationError).field, 'name');
      assert.match((error as Error).message, /Person\.name: is 51 characters long, at most 50/);
      return true;
    });
    await assert.rejects(Person.create({ name: 42 as unknown as string }), /Person\.name: expected a string; got 42 \(number\)/);
    assert.throws(() => Person.filter({ nmae: 'x' } as never), (error: unknown) => {
      assert.ok(error instanceof FieldError);
      assert.match((error as Error).message, /Person has no field 'nmae'.*Valid fields: id, name, email/);
      return true;
    });
    assert.equal(await Person.all().count(), countBefore);
  });
});
