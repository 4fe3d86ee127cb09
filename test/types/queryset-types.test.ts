/**
 * Type tests for QuerySets: filter keys and lookup values, orderBy keys and what awaiting each
 * kind of query gives. Compiled by tsc as part of `npm test`; nothing here runs a query.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { expectTypeOf } from 'expect-type';
import { Q, type FilterInput, type LazyResult, type QuerySet } from '../../src/index.js';
import { Everything, Status, User, typeOnly } from './support.js';

describe('types: filters', () => {
  it('accepts fields, lookups and pk; rejects unknown keys', () => {
    const checks = typeOnly(() => {
      User.filter({ name: 'x' });
      User.filter({ name__icontains: 'x' });
      User.filter({ name__in: ['a', 'b'] });
      User.filter({ pk: 1 });
      User.filter({ pk__in: [1, 2] });
      User.filter({ id__gte: 3 }, { name__startswith: 'a' });
      User.exclude({ name__isnull: true });
      // @ts-expect-error a typo of name
      User.filter({ nme: 'x' });
      // @ts-expect-error not a lookup
      User.filter({ name__like: 'x' });
      // @ts-expect-error wrong value type
      User.filter({ name: 1 });
      // @ts-expect-error isnull takes a boolean
      User.filter({ name__isnull: 'yes' });
    });
    assert.equal(checks, 1);
  });

  it('types JSON lookups: containment takes JSON, filter takes paths, text lookups do not apply', () => {
    const checks = typeOnly(() => {
      Everything.filter({ data: { a: 1 } });
      Everything.filter({ data__contains: { a: 1 } });
      Everything.filter({ loose__contained_by: [1, 'x', { y: null }] });
      Everything.filter({ loose__filter: { owner__name__icontains: 'x', tags__0: 'a', age__gte: 18 } });
      Everything.filter({ loose__not: null, data__isnull: false });
      // @ts-expect-error JSON has no bigint
      Everything.filter({ loose__contains: 1n });
      // @ts-expect-error filter takes an object of paths
      Everything.filter({ loose__filter: 'name' });
      // @ts-expect-error icontains applies to text, not to a JSON document
      Everything.filter({ loose__icontains: 'x' });
      // @ts-expect-error JSONField<{ a: number }> equality takes that shape
      Everything.filter({ data: { a: 'one' } });
    });
    assert.equal(checks, 1);
  });

  it('types lookup values: in takes an array, range a pair', () => {
    const checks = typeOnly(() => {
      Everything.filter({ age__in: [1, 2] });
      Everything.filter({ age: null });
      Everything.filter({ age__range: [1, 9] });
      Everything.filter({ big__gt: 10n });
      Everything.filter({ status: Status.Active });
      Everything.filter({ status__in: [Status.Active, Status.Banned] });
      // @ts-expect-error in takes an array
      Everything.filter({ age__in: 1 });
      // @ts-expect-error range takes a pair
      Everything.filter({ age__range: [1] });
      // @ts-expect-error a BigIntField compares with bigint
      Everything.filter({ big__gt: 'ten' });
      // @ts-expect-error not a Status member
      Everything.filter({ status: 'deleted' });
    });
    assert.equal(checks, 1);
  });

  it('offers date-part lookups only on temporal fields', () => {
    const checks = typeOnly(() => {
      User.filter({ createdAt__year: 2024 });
      User.filter({ createdAt__month: 2, createdAt__hour: 13 });
      Everything.filter({ day__week: 7 });
      Everything.filter({ clock__minute: 30 });
      // @ts-expect-error a CharField has no year
      User.filter({ name__year: 1 });
      // @ts-expect-error a DateField has no hour
      Everything.filter({ day__hour: 1 });
      // @ts-expect-error a TimeField has no year
      Everything.filter({ clock__year: 2024 });
      // @ts-expect-error the year is a number
      User.filter({ createdAt__year: '2024' });
    });
    assert.equal(checks, 1);
  });

  it('takes Q trees and FilterInput objects', () => {
    const input: FilterInput<User> = { name__iendswith: 'z' };
    const checks = typeOnly(() => {
      User.filter(input);
      User.filter(Q({ name: 'a' }).or(Q({ name: 'b' })));
      User.filter(Q.not({ id: 1 }), { name: 'c' });
    });
    assert.equal(checks, 1);
  });
});

describe('types: ordering and field lists', () => {
  it('orderBy() takes field names, optionally with "-"', () => {
    const checks = typeOnly(() => {
      User.all().orderBy('-name');
      User.all().orderBy('name', '-createdAt', 'pk', '-pk');
      // @ts-expect-error not a field of User
      User.all().orderBy('nope');
      // @ts-expect-error not a field of User
      User.all().orderBy('-nope');
      User.all().only('name');
      // @ts-expect-error not a field of User
      User.all().only('nope');
    });
    assert.equal(checks, 1);
  });
});

describe('types: query results', () => {
  it('awaits lists, single rows and nullable rows', () => {
    const checks = typeOnly(async () => {
      expectTypeOf(User.all()).toEqualTypeOf<QuerySet<User, User[]>>();
      expectTypeOf(await User.all()).toEqualTypeOf<User[]>();
      expectTypeOf(await User.filter({ name: 'x' }).orderBy('name').limit(2).offset(1)).toEqualTypeOf<User[]>();
      expectTypeOf(await User.get({ id: 1 })).toEqualTypeOf<User>();
      expectTypeOf(await User.all().get({ pk: 1 })).toEqualTypeOf<User>();
      expectTypeOf(await User.getOrNone({ id: 1 })).toEqualTypeOf<User | null>();
      expectTypeOf(await User.first()).toEqualTypeOf<User | null>();
      expectTypeOf(await User.filter({ name: 'x' }).first()).toEqualTypeOf<User | null>();
      expectTypeOf(await User.exists({ name: 'x' })).toEqualTypeOf<boolean>();
    });
    assert.equal(checks, 1);
  });

  it('count(), update() and delete() are lazy numbers', () => {
    const checks = typeOnly(async () => {
      expectTypeOf(User.all().count()).toEqualTypeOf<LazyResult<number>>();
      expectTypeOf(await User.all().count()).toEqualTypeOf<number>();
      expectTypeOf(await User.filter({ id: 1 }).update({ name: 'y' })).toEqualTypeOf<number>();
      expectTypeOf(await User.filter({ id: 1 }).delete()).toEqualTypeOf<number>();
      // @ts-expect-error update() takes field values
      await User.filter({ id: 1 }).update({ nope: 1 });
    });
    assert.equal(checks, 1);
  });

  it('values() gives plain rows of the named fields', () => {
    const checks = typeOnly(async () => {
      expectTypeOf(await User.all().values('id', 'name')).toEqualTypeOf<{ id: number; name: string }[]>();
      expectTypeOf(await User.all().values()).toEqualTypeOf<{ id: number; name: string; createdAt: Date }[]>();
      expectTypeOf(await User.all().values('name').first()).toEqualTypeOf<{ name: string } | null>();
      expectTypeOf(await User.all().values('name').get({ id: 1 })).toEqualTypeOf<{ name: string }>();
      expectTypeOf(await Everything.all().values('age')).toEqualTypeOf<{ age: number | null }[]>();
      // @ts-expect-error not a field of User
      await User.all().values('nope');
    });
    assert.equal(checks, 1);
  });

  it('valuesList() gives tuples, or bare values with { flat: true }', () => {
    const checks = typeOnly(async () => {
      expectTypeOf(await User.all().valuesList('name', { flat: true })).toEqualTypeOf<string[]>();
      expectTypeOf(await User.all().valuesList('id', 'name')).toEqualTypeOf<[number, string][]>();
      expectTypeOf(await User.all().valuesList('name', { flat: true }).first()).toEqualTypeOf<string | null>();
      // `.branded`: the plain identity check tells apart equal enum unions built in different ways.
      const tuples = await Everything.all().valuesList('id', 'age', 'status');
      expectTypeOf(tuples).branded.toEqualTypeOf<[bigint, number | null, Status][]>();
      // @ts-expect-error not a field of User
      await User.all().valuesList('nope', { flat: true });
      // @ts-expect-error not a field of User
      await User.all().valuesList('id', 'nope');
    });
    assert.equal(checks, 1);
  });

  it('iterates with for await over rows', () => {
    const checks = typeOnly(async () => {
      for await (const user of User.all()) expectTypeOf(user).toEqualTypeOf<User>();
      for await (const row of User.all().values('name')) expectTypeOf(row).toEqualTypeOf<{ name: string }>();
    });
    assert.equal(checks, 1);
  });
});
