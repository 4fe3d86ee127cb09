/** Type tests for Q: untyped trees fit any model's filter(); Q<Model> checks its keys. */
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { Q } from '../../src/index.js';
import { User, typeOnly } from './support.js';

it('lets untyped Q trees into filter() and checks the keys of Q<Model>', () => {
  const checks = typeOnly(async () => {
    await User.filter(Q({ name: 'a' }).or(Q({ name: 'b' })));
    await User.filter(Q.or(Q.and(Q({ name: 'a' })), Q.not({ name__icontains: 'x' })));
    await User.exclude(Q<User>({ name__startswith: 'a', id__in: [1, 2] }));
    // @ts-expect-error Q<User> knows User has no field 'nme'
    Q<User>({ nme: 'a' });
    // @ts-expect-error Q<User> checks value types too
    Q<User>({ id__in: 'x' });
  });
  assert.equal(checks, 1);
});
