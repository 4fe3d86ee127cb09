/**
 * Type tests for models: field value types, create() input and instance methods.
 * The value is in compilation (tsc fails on a mismatch or on an unused @ts-expect-error);
 * the it() bodies only hold the checks, and nothing here needs a database.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { expectTypeOf } from 'expect-type';
import type { CreateInput, FieldKeys, JsonValue, ModelData, PkValue, QuerySet, UpdateInput, ValueOf } from '../../src/index.js';
import type { Model } from '../../src/index.js';
import { Country, Everything, Priority, Status, User, typeOnly, type Interchangeable } from './support.js';

describe('types: model classes', () => {
  // Regression: `save(options: SaveOptions<this>)` made no subclass assignable to Model, because
  // TypeScript measures FieldKeys<M> as invariant; every generic helper over models broke.
  it('a subclass instance is a Model and fits QuerySet<M extends Model>', () => {
    expectTypeOf<User>().toExtend<Model>();
    expectTypeOf<Everything>().toExtend<Model>();
    expectTypeOf<Country>().toExtend<Model>();
    expectTypeOf<QuerySet<User>>().toEqualTypeOf<QuerySet<User, User[]>>();
    const checks = typeOnly(async (user: User) => {
      const model: Model = user;
      const describe = <M extends Model>(instance: M): unknown => instance.pk;
      describe(user);
      const saveAll = async <M extends Model>(instances: readonly M[]): Promise<M[]> => Promise.all(instances.map((i) => i.save()));
      expectTypeOf(await saveAll([user])).toEqualTypeOf<User[]>();
      void model;
    });
    assert.equal(checks, 1);
  });
});

describe('types: field values', () => {
  it('reads the seed User fields as plain values', () => {
    expectTypeOf<Interchangeable<User['name'], string>>().toEqualTypeOf<true>();
    expectTypeOf<Interchangeable<User['id'], number>>().toEqualTypeOf<true>();
    expectTypeOf<Interchangeable<User['createdAt'], Date>>().toEqualTypeOf<true>();
    expectTypeOf<User['name']>().not.toBeAny();
    expectTypeOf<ValueOf<User, 'name'>>().toEqualTypeOf<string>();
    const checks = typeOnly((user: User) => {
      const name: string = user.name;
      user.name = name.toUpperCase();
      // @ts-expect-error a CharField holds strings
      user.name = 1;
      // @ts-expect-error not nullable
      user.name = null;
      expectTypeOf(user.createdAt.getTime()).toEqualTypeOf<number>();
    });
    assert.equal(checks, 1);
  });

  it('gives each field kind its value type', () => {
    expectTypeOf<ValueOf<Everything, 'id'>>().toEqualTypeOf<bigint>();
    expectTypeOf<ValueOf<Everything, 'small'>>().toEqualTypeOf<number>();
    expectTypeOf<ValueOf<Everything, 'big'>>().toEqualTypeOf<bigint>();
    expectTypeOf<ValueOf<Everything, 'ratio'>>().toEqualTypeOf<number>();
    expectTypeOf<ValueOf<Everything, 'price'>>().toEqualTypeOf<string>();
    expectTypeOf<ValueOf<Everything, 'label'>>().toEqualTypeOf<string>();
    expectTypeOf<ValueOf<Everything, 'token'>>().toEqualTypeOf<string>();
    expectTypeOf<ValueOf<Everything, 'flag'>>().toEqualTypeOf<boolean>();
    expectTypeOf<ValueOf<Everything, 'at'>>().toEqualTypeOf<Date>();
    expectTypeOf<ValueOf<Everything, 'updatedAt'>>().toEqualTypeOf<Date>();
    expectTypeOf<ValueOf<Everything, 'day'>>().toEqualTypeOf<string>();
    expectTypeOf<ValueOf<Everything, 'clock'>>().toEqualTypeOf<string>();
    expectTypeOf<ValueOf<Everything, 'span'>>().toEqualTypeOf<number>();
    expectTypeOf<ValueOf<Everything, 'data'>>().toEqualTypeOf<{ a: number }>();
    expectTypeOf<ValueOf<Everything, 'loose'>>().toEqualTypeOf<JsonValue>();
    expectTypeOf<Interchangeable<Everything['big'], bigint>>().toEqualTypeOf<true>();
    expectTypeOf<Interchangeable<Everything['price'], string>>().toEqualTypeOf<true>();
    expectTypeOf<Interchangeable<Everything['at'], Date>>().toEqualTypeOf<true>();
    expectTypeOf<Interchangeable<Everything['data'], { a: number }>>().toEqualTypeOf<true>();
    const checks = typeOnly((row: Everything) => {
      expectTypeOf(row.data.a).toEqualTypeOf<number>();
      // @ts-expect-error JSONField<{ a: number }> has no 'b'
      void row.data.b;
      // @ts-expect-error a BigIntField is a bigint, not a number
      row.big = 1;
      row.big = 1n;
      // @ts-expect-error a DecimalField is a string, so no float rounding sneaks in
      row.price = 1.5;
    });
    assert.equal(checks, 1);
  });

  it('makes nullable fields T | null (never undefined)', () => {
    expectTypeOf<ValueOf<Everything, 'age'>>().toEqualTypeOf<number | null>();
    expectTypeOf<ValueOf<Everything, 'body'>>().toEqualTypeOf<string | null>();
    expectTypeOf<ValueOf<Everything, 'blob'>>().toEqualTypeOf<Buffer | null>();
    expectTypeOf<Interchangeable<Everything['age'], number | null>>().toEqualTypeOf<true>();
    expectTypeOf<Interchangeable<Everything['age'], number>>().toEqualTypeOf<false>();
    const checks = typeOnly((row: Everything) => {
      row.age = null;
      // @ts-expect-error null, not undefined, is the missing value
      row.age = undefined;
      // @ts-expect-error may be null, so not assignable to number
      const age: number = row.age;
      void age;
    });
    assert.equal(checks, 1);
  });

  it('gives enum fields the enum union', () => {
    expectTypeOf<ValueOf<Everything, 'status'>>().toEqualTypeOf<Status>();
    expectTypeOf<ValueOf<Everything, 'priority'>>().toEqualTypeOf<Priority>();
    expectTypeOf<ValueOf<Everything, 'color'>>().toEqualTypeOf<'red' | 'green' | null>();
    const checks = typeOnly((row: Everything) => {
      row.status = Status.Banned;
      // @ts-expect-error not a member of Status
      row.status = 'deleted';
      row.color = 'red';
      // @ts-expect-error not a member of Color
      row.color = 'blue';
      row.priority = Priority.High;
    });
    assert.equal(checks, 1);
  });

  it('lists the data fields (not methods, not pk) as FieldKeys', () => {
    expectTypeOf<FieldKeys<User>>().toEqualTypeOf<'id' | 'name' | 'createdAt'>();
    expectTypeOf<ModelData<User>>().toEqualTypeOf<{ id: number; name: string; createdAt: Date }>();
    expectTypeOf<PkValue<User>>().toEqualTypeOf<number>();
    expectTypeOf<PkValue<Everything>>().toEqualTypeOf<bigint>();
    expectTypeOf<PkValue<Country>>().toEqualTypeOf<string>();
  });
});

describe('types: create input', () => {
  it('requires exactly the fields without a default, null, generated pk or automatic time', () => {
    expectTypeOf<CreateInput<User>>().toEqualTypeOf<{ name: string; id?: number; createdAt?: Date }>();
    // `.branded`: the plain identity check tells apart equal enum unions built in different ways.
    expectTypeOf<CreateInput<Everything>>().branded.toEqualTypeOf<{
      small: number;
      big: bigint;
      price: string;
      token: string;
      flag: boolean;
      at: Date;
      day: string;
      clock: string;
      span: number;
      data: { a: number };
      loose: JsonValue;
      status: Status;
      id?: bigint;
      age?: number | null;
      ratio?: number;
      label?: string;
      body?: string | null;
      updatedAt?: Date;
      blob?: Buffer | null;
      priority?: Priority;
      color?: 'red' | 'green' | null;
    }>();
  });

  it('requires a primary key that is not generated', () => {
    expectTypeOf<CreateInput<Country>>().toEqualTypeOf<{ code: string; name: string }>();
  });

  it('checks create(), build() and bulkCreate() arguments', () => {
    const checks = typeOnly(
      async () => {
        // @ts-expect-error name is required
        await User.create({});
        const user = await User.create({ name: 'x' });
        expectTypeOf(user).toEqualTypeOf<User>();
        // @ts-expect-error unknown field (a typo of name)
        await User.create({ name: 'x', nme: 1 });
        // @ts-expect-error wrong value type
        await User.create({ name: 1 });
        await User.create({ name: 'x', id: 5, createdAt: new Date() });
        expectTypeOf(User.build({ name: 'x' })).toEqualTypeOf<User>();
        // @ts-expect-error code is a non-generated primary key
        await Country.create({ name: 'France' });
      },
      async () => {
        const created = await User.bulkCreate([{ name: 'a' }, { name: 'b' }]);
        expectTypeOf(created).toEqualTypeOf<User[]>();
        expectTypeOf(await User.bulkCreate([User.build({ name: 'a' }), { name: 'b' }])).toEqualTypeOf<User[]>();
        // @ts-expect-error every object needs a name
        await User.bulkCreate([{ name: 'a' }, {}]);
      },
    );
    assert.equal(checks, 2);
  });
});

describe('types: model methods', () => {
  it('save() takes updateFields naming real fields', () => {
    const checks = typeOnly(async (user: User) => {
      expectTypeOf(await user.save()).toEqualTypeOf<User>();
      await user.save({ updateFields: ['name'] });
      // @ts-expect-error not a field of User
      await user.save({ updateFields: ['nope'] });
      await user.refreshFromDb({ fields: ['name', 'createdAt'] });
      // @ts-expect-error not a field of User
      await user.refreshFromDb({ fields: ['nope'] });
    });
    assert.equal(checks, 1);
  });

  it('getOrCreate() and updateOrCreate() return [instance, created]', () => {
    const checks = typeOnly(async () => {
      expectTypeOf(await User.getOrCreate({ name: 'x' })).toEqualTypeOf<[User, boolean]>();
      expectTypeOf(await User.updateOrCreate({ name: 'x' }, { createdAt: new Date() })).toEqualTypeOf<[User, boolean]>();
      // @ts-expect-error defaults are field values
      await User.getOrCreate({ name: 'x' }, { nope: 1 });
    });
    assert.equal(checks, 1);
  });

  it('updateFromDict() takes a partial of field values', () => {
    expectTypeOf<UpdateInput<User>>().toEqualTypeOf<{ id?: number; name?: string; createdAt?: Date }>();
    const checks = typeOnly((user: User) => {
      expectTypeOf(user.updateFromDict({ name: 'y' })).toEqualTypeOf<User>();
      // @ts-expect-error not a field of User
      user.updateFromDict({ nope: 'y' });
      // @ts-expect-error wrong value type
      user.updateFromDict({ name: 2 });
    });
    assert.equal(checks, 1);
  });

  it('bulkUpdate() and inBulk() name real fields', () => {
    const checks = typeOnly(async (users: User[]) => {
      expectTypeOf(await User.bulkUpdate(users, ['name'])).toEqualTypeOf<number>();
      // @ts-expect-error not a field of User
      await User.bulkUpdate(users, ['nope']);
      expectTypeOf(await User.inBulk([1, 2])).toEqualTypeOf<Map<number, User>>();
    });
    assert.equal(checks, 1);
  });
});
