/**
 * The example API fuzzed over real HTTP (issue 17): malformed JSON, a 10 MB body, wrong content
 * types, deep nesting, prototype-pollution payloads, NUL and lone surrogates, odd path ids and
 * invalid query parameters, then fast-check's random JSON bodies, query strings and path ids on
 * every route. Every answer must be a 4xx (or a 2xx for a valid request) with a JSON `detail`,
 * never a 5xx or a dropped connection, and a refused request must leave the database unchanged.
 * CI-sized (a few seconds per backend); TERRAPIN_FUZZ_RUNS=2000 for a long run.
 */
import assert from 'node:assert/strict';
import { it } from 'node:test';
import fc from 'fast-check';
import { Author, Book, Tag, User } from '../../examples/app/models.js';
import { forEachBackendApp } from './support.js';

const SUITE = 'e2e_fuzz';
const RUNS = Number(process.env.TERRAPIN_FUZZ_RUNS ?? 60);

/** Tallies for docs/reliability.md: requests sent, by status. */
const statuses = new Map<number, number>();
let sent = 0;

interface Answer {
  status: number;
  body: unknown;
}

async function send(base: string, method: string, path: string, body?: string | Uint8Array, type = 'application/json'): Promise<Answer> {
  let response: Response;
  try {
    response = await fetch(`${base}${path}`, {
      method,
      ...(body === undefined ? {} : { body, headers: { 'content-type': type } }),
    });
  } catch (error) {
    assert.fail(`${method} ${path}: the connection was dropped (${(error as Error).cause ?? error})`);
  }
  const text = await response.text();
  sent++;
  statuses.set(response.status, (statuses.get(response.status) ?? 0) + 1);
  let parsed: unknown = text;
  try {
    parsed = text === '' ? undefined : JSON.parse(text);
  } catch {
    // checked below: an error answer must be JSON
  }
  return { status: response.status, body: parsed };
}

async function rowCounts(): Promise<number[]> {
  return Promise.all([User.all().count(), Author.all().count(), Book.all().count(), Tag.all().count()]);
}

/**
 * Sends one request and checks the rules: no 5xx; an error is JSON with `detail` (a string, or a
 * list of {loc, msg, type}); a refused request changed no row.
 */
async function check(base: string, method: string, path: string, body?: string | Uint8Array, type?: string): Promise<Answer> {
  const before = await rowCounts();
  const answer = await send(base, method, path, body, type);
  const what = `${method} ${path} ${typeof body === 'string' ? body.slice(0, 200) : body === undefined ? '' : `<${body.length} bytes>`}`;
  assert.ok(answer.status < 500, `${what}: ${answer.status} ${JSON.stringify(answer.body)}`);
  if (answer.status >= 400) {
    const detail = (answer.body as { detail?: unknown } | undefined)?.detail;
    const shaped =
      typeof detail === 'string' ||
      (Array.isArray(detail) && detail.every((d) => Array.isArray(d?.loc) && typeof d?.msg === 'string' && typeof d?.type === 'string'));
    assert.ok(shaped, `${what}: ${answer.status} without a detail: ${JSON.stringify(answer.body)}`);
    assert.deepEqual(await rowCounts(), before, `${what}: refused with ${answer.status} but the database changed`);
  }
  return answer;
}

const WRITES: [string, string][] = [
  ['POST', '/users'],
  ['POST', '/authors'],
  ['POST', '/tags'],
  ['POST', '/books'],
  ['PATCH', '/users/1'],
];
const LISTS = ['/users', '/authors', '/books', '/tags'];
const ODD_IDS = ['abc', '1.5', '-1', '0', '99999999999999999999', '1e3', '0x10', '%00', '%20', '1%00', '%F0%9F%98%80', '..', '%2e%2e', '%zz', 'x'.repeat(500)];

forEachBackendApp(SUITE, (app) => {
  it('hand-picked hostile requests: 4xx with a detail, never 5xx, nothing written', async () => {
    await User.create({ name: 'Existing' });
    const huge = `{"name":"${'x'.repeat(10 * 1024 * 1024)}"}`;
    const deep = `${'['.repeat(5000)}${']'.repeat(5000)}`;
    const deepObject = `${'{"a":'.repeat(3000)}1${'}'.repeat(3000)}`;
    for (const [method, path] of WRITES) {
      const cases: [string | Uint8Array, string | undefined, number | undefined][] = [
        ['{"name": ', undefined, 400],
        ['', undefined, 400],
        ['null', undefined, 422],
        ['[]', undefined, 422],
        ['"a string"', undefined, 422],
        ['{"name": "x"', undefined, 400],
        [huge, undefined, 413],
        [deep, undefined, undefined],
        [deepObject, undefined, undefined],
        ['name=Mallory', 'application/x-www-form-urlencoded', 415],
        // Fastify parses text/plain as a string: the body schema then refuses it.
        ['{"name":"Mallory"}', 'text/plain', 422],
        ['{"name":"Mallory"}', 'application/xml', 415],
        [new Uint8Array([0xff, 0xfe, 0x00, 0x7b]), undefined, 400],
        ['{"name":"a\\u0000b","title":"a\\u0000b","authorId":1}', undefined, 422],
        ['{"name":"\\ud800","title":"\\udfff","authorId":1}', undefined, 422],
        ['{"name":"Mallory","__proto__":{"admin":true}}', undefined, 400],
        ['{"name":"Mallory","constructor":{"prototype":{"admin":true}}}', undefined, 400],
        ['{"name":"Mallory","id":4242,"title":"t","authorId":1}', undefined, 422],
        ['{"name":{"$gt":""},"title":["x"],"authorId":"1 OR 1=1"}', undefined, 422],
      ];
      for (const [body, type, expected] of cases) {
        const answer = await check(app.base, method, path, body, type);
        if (expected !== undefined) assert.equal(answer.status, expected, `${method} ${path} ${typeof body === 'string' ? body.slice(0, 80) : 'bytes'}: ${JSON.stringify(answer.body).slice(0, 300)}`);
        else assert.ok(answer.status >= 400, `${method} ${path}: deep nesting answered ${answer.status}`);
      }
    }
    for (const id of ODD_IDS) {
      for (const [method, base] of [['GET', '/users/'], ['PATCH', '/users/'], ['DELETE', '/users/'], ['GET', '/authors/']] as const) {
        const answer = await check(app.base, method, `${base}${id}`, method === 'PATCH' ? '{"name":"Zed"}' : undefined);
        assert.ok([400, 404, 414, 422].includes(answer.status), `${method} ${base}${id}: ${answer.status}`);
      }
    }
    for (const path of LISTS) {
      for (const query of ['limit=garbage', 'limit=', 'limit=1&limit=2', 'offset=1e9999', 'limit=-0', 'limit[$gt]=1', '__proto__[x]=1', 'constructor=1', 'name__icontains=%00']) {
        const answer = await check(app.base, 'GET', `${path}?${query}`);
        assert.ok(answer.status >= 400 && answer.status < 500, `${path}?${query}: ${answer.status} ${JSON.stringify(answer.body).slice(0, 200)}`);
      }
    }
    // Bytes that are not UTF-8 (an encoded lone surrogate) decode to U+FFFD: an ordinary search.
    assert.equal((await check(app.base, 'GET', '/users?name__icontains=%ED%A0%80')).status, 200);
    assert.deepEqual(await User.all().valuesList('name', { flat: true }), ['Existing']);
    assert.deepEqual(Object.keys(Object.prototype), [], 'Object.prototype was not polluted');
  });

  it(`random JSON bodies, query strings and path ids (fast-check, ${RUNS} runs each): never 5xx, refused requests write nothing`, async () => {
    const text = fc.oneof(fc.string(), fc.string({ unit: 'binary' }), fc.constantFrom('', '%', '_', '\\', "'", '"', '\u0000', '\ud800', '😀', 'x'.repeat(300)));
    const value = fc.letrec((tie) => ({
      json: fc.oneof({ depthSize: 'small' }, text, fc.integer(), fc.double(), fc.boolean(), fc.constant(null), fc.array(tie('json'), { maxLength: 4 }), fc.dictionary(text, tie('json'), { maxKeys: 4 })),
    })).json;
    const keys = fc.constantFrom('name', 'title', 'authorId', 'tagIds', 'published', 'id', 'createdAt', 'extra', '__proto__', 'constructor');
    const body = fc.oneof(value, fc.dictionary(keys, value, { maxKeys: 5 }));
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...WRITES), body, async ([method, path], payload) => {
        await check(app.base, method, path, JSON.stringify(payload) ?? 'null');
      }),
      { numRuns: RUNS },
    );
    const queryKey = fc.constantFrom('limit', 'offset', 'name__icontains', 'tag', 'title__icontains', 'id', 'name', 'author__name', '__proto__');
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...LISTS), fc.array(fc.tuple(queryKey, text), { maxLength: 4 }), async (path, pairs) => {
        const query = new URLSearchParams(pairs.map(([k, v]): [string, string] => [k, v.replace(/[\ud800-\udfff]/g, '')])).toString();
        await check(app.base, 'GET', `${path}?${query}`);
      }),
      { numRuns: RUNS },
    );
    await fc.assert(
      fc.asyncProperty(fc.oneof(text, fc.bigInt().map(String), fc.double().map(String)), fc.constantFrom('GET', 'DELETE'), async (id, method) => {
        await check(app.base, method, `/users/${encodeURIComponent(id.replace(/[\ud800-\udfff]/g, '')) || '%20'}`);
      }),
      { numRuns: RUNS },
    );
    console.log(`api-fuzz (${app.backend}): ${sent} requests so far, by status ${JSON.stringify(Object.fromEntries([...statuses].sort((a, b) => a[0] - b[0])))}`);
  });
});
