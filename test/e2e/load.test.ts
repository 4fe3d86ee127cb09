/**
 * The example API under load on every backend: 2 000 requests over loopback, 50 at a time,
 * mixing reads (GET /users, GET /users/:id) and writes (POST /users, PATCH /users/:id, some of
 * them invalid). No request may fail with a 5xx, every answer must be the expected one, and the
 * users table must end with exactly the rows the successful POSTs created — no lost commit, no
 * row left behind by a rolled-back request.
 */
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { User } from '../../examples/app/models.js';
import { forEachBackendApp, request } from './support.js';

const SUITE = 'e2e_load';
const TOTAL = 2000;
const CONCURRENCY = 50;

type Kind = 'list' | 'get' | 'create' | 'create-invalid' | 'patch' | 'patch-invalid';

/** A fixed mix per 20 requests: 7 lists, 5 gets, 4 creates, 1 invalid create, 2 patches, 1 invalid patch. */
const MIX: Kind[] = [
  'create', 'list', 'get', 'list', 'patch', 'create', 'get', 'list', 'create-invalid', 'get',
  'list', 'create', 'patch-invalid', 'list', 'get', 'create', 'list', 'patch', 'get', 'list',
];

const EXPECTED: Record<Kind, number> = { list: 200, get: 200, create: 201, 'create-invalid': 422, patch: 200, 'patch-invalid': 422 };

forEachBackendApp(SUITE, (app) => {
  it(`serves ${TOTAL} mixed requests, ${CONCURRENCY} at a time, without a 5xx or a lost or stray row`, { timeout: 120_000 }, async () => {
    await User.all().delete();
    const created: number[] = [];
    const unexpected: string[] = [];
    const statuses = new Map<number, number>();
    let next = 0;
    let seq = 0;

    /** An id already created (committed before its 201 went out), or a fresh user when there is none yet. */
    const someId = (i: number): number | undefined => (created.length === 0 ? undefined : created[(i * 7919) % created.length]);

    async function one(i: number): Promise<void> {
      let kind = MIX[i % MIX.length]!;
      const id = someId(i);
      if ((kind === 'get' || kind === 'patch' || kind === 'patch-invalid') && id === undefined) kind = 'create';
      const path =
        kind === 'list'
          ? `/users?limit=${1 + (i % 20)}&offset=${i % 7}${i % 3 === 0 ? '&name__icontains=LOAD' : ''}`
          : kind === 'create' || kind === 'create-invalid'
            ? '/users'
            : `/users/${id}`;
      const init =
        kind === 'create'
          ? { body: { name: `load ${seq++}` } }
          : kind === 'create-invalid'
            ? { body: { name: 'x'.repeat(51) } }
            : kind === 'patch'
              ? { method: 'PATCH', body: { name: `patched ${i}` } }
              : kind === 'patch-invalid'
                ? { method: 'PATCH', body: { name: 7 } }
                : {};
      const reply = await request(app.base, path, init);
      statuses.set(reply.status, (statuses.get(reply.status) ?? 0) + 1);
      if (reply.status !== EXPECTED[kind]) {
        if (unexpected.length < 10) unexpected.push(`#${i} ${kind} ${path}: ${reply.status} ${JSON.stringify(reply.body)}`);
        return;
      }
      if (kind === 'create') created.push((reply.body as { id: number }).id);
    }

    async function worker(): Promise<void> {
      while (next < TOTAL) await one(next++);
    }

    const started = performance.now();
    await Promise.all(Array.from({ length: CONCURRENCY }, worker));
    const seconds = (performance.now() - started) / 1000;
    const summary = [...statuses].sort(([a], [b]) => a - b).map(([status, n]) => `${status}×${n}`).join(' ');
    console.log(`${app.backend}: ${TOTAL} requests in ${seconds.toFixed(1)} s (${Math.round(TOTAL / seconds)} req/s): ${summary}`);

    const serverErrors = [...statuses].filter(([status]) => status >= 500);
    assert.deepEqual(serverErrors, [], `no 5xx expected; first unexpected answers:\n${unexpected.join('\n')}`);
    assert.deepEqual(unexpected, []);
    assert.equal([...statuses.values()].reduce((a, b) => a + b, 0), TOTAL);

    // Exactly the rows the successful POSTs created: same count, same ids, nothing else.
    assert.ok(created.length > 400, `expected several hundred creations, got ${created.length}`);
    assert.equal(new Set(created).size, created.length, 'every POST got its own id');
    assert.equal(await User.all().count(), created.length);
    const ids = await User.all().valuesList('id', { flat: true });
    assert.deepEqual([...ids].sort((a, b) => a - b), [...created].sort((a, b) => a - b));
    // The invalid writes were refused before any SQL: no 51-character name, no numeric one.
    assert.equal(await User.filter({ name__startswith: 'xxxxx' }).count(), 0);
    assert.ok(seconds < 20, `${TOTAL} requests took ${seconds.toFixed(1)} s on ${app.backend}; the budget is 20 s`);
  });
});
