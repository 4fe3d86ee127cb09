/**
 * The example API (`npm start`) end to end over real HTTP on every backend: the seed's users
 * CRUD, FastAPI-shaped 422/404 bodies, a rolled-back request, the library's nested responses and
 * many-to-many, and the OpenAPI document and Swagger UI.
 */
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { Author, Book, Tag, User } from '../../examples/app/models.js';
import { forEachBackendApp, request } from './support.js';

const SUITE = 'e2e_api';
const USER_KEYS = ['createdAt', 'id', 'name'];

/** A user as the API returns it: exactly the schema's fields, createdAt an ISO date-time. */
function assertUser(body: unknown, name: string): { id: number; name: string; createdAt: string } {
  assert.ok(typeof body === 'object' && body !== null, `expected a user object, got ${JSON.stringify(body)}`);
  assert.deepEqual(Object.keys(body).sort(), USER_KEYS);
  const user = body as { id: number; name: string; createdAt: string };
  assert.equal(user.name, name);
  assert.ok(Number.isInteger(user.id) && user.id > 0);
  assert.match(user.createdAt, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/);
  assert.ok(Math.abs(Date.parse(user.createdAt) - Date.now()) < 60_000, `createdAt ${user.createdAt} should be now`);
  return user;
}

forEachBackendApp(SUITE, (app) => {
  it('creates, reads, updates and deletes a user', async () => {
    const created = await request(app.base, '/users', { body: { name: 'Alice' } });
    assert.equal(created.status, 201);
    assert.match(created.type, /^application\/json/);
    const alice = assertUser(created.body, 'Alice');

    // The 201 went out after the commit: another connection sees the row.
    assert.equal((await User.get({ id: alice.id })).name, 'Alice');

    const read = await request(app.base, `/users/${alice.id}`);
    assert.equal(read.status, 200);
    assert.deepEqual(read.body, alice);

    const patched = await request(app.base, `/users/${alice.id}`, { method: 'PATCH', body: { name: 'Alicia' } });
    assert.equal(patched.status, 200);
    assert.deepEqual(patched.body, { ...alice, name: 'Alicia' });
    assert.equal((await User.get({ id: alice.id })).name, 'Alicia');

    // An empty PATCH changes nothing.
    const unchanged = await request(app.base, `/users/${alice.id}`, { method: 'PATCH', body: {} });
    assert.equal(unchanged.status, 200);
    assert.deepEqual(unchanged.body, { ...alice, name: 'Alicia' });

    const deleted = await request(app.base, `/users/${alice.id}`, { method: 'DELETE' });
    assert.equal(deleted.status, 204);
    assert.equal(deleted.body, undefined);
    assert.equal(await User.filter({ id: alice.id }).exists(), false);

    const again = await request(app.base, `/users/${alice.id}`);
    assert.equal(again.status, 404);
    assert.deepEqual(again.body, { detail: `No User matches id=${alice.id}.` });
    const deleteAgain = await request(app.base, `/users/${alice.id}`, { method: 'DELETE' });
    assert.equal(deleteAgain.status, 404);
  });

  it('lists users with limit/offset, name__icontains and the total', async () => {
    await User.all().delete();
    const names = ['Ann', 'anna', 'Bob', 'JOANNE', 'Carl'];
    const ids: number[] = [];
    for (const name of names) {
      const created = await request(app.base, '/users', { body: { name } });
      assert.equal(created.status, 201);
      ids.push(assertUser(created.body, name).id);
    }

    const all = await request(app.base, '/users');
    assert.equal(all.status, 200);
    const page = all.body as { items: { id: number; name: string }[]; total: number; limit: number; offset: number };
    assert.deepEqual(Object.keys(page).sort(), ['items', 'limit', 'offset', 'total']);
    assert.deepEqual({ total: page.total, limit: page.limit, offset: page.offset }, { total: 5, limit: 20, offset: 0 });
    assert.deepEqual(page.items.map((u) => u.name), names); // ordered by id (Meta.ordering)
    for (const item of page.items) assert.deepEqual(Object.keys(item).sort(), USER_KEYS);

    const second = (await request(app.base, '/users?limit=2&offset=2')).body as typeof page;
    assert.deepEqual(second.items.map((u) => u.id), ids.slice(2, 4));
    assert.deepEqual({ total: second.total, limit: second.limit, offset: second.offset }, { total: 5, limit: 2, offset: 2 });

    const beyond = (await request(app.base, '/users?limit=2&offset=10')).body as typeof page;
    assert.deepEqual(beyond.items, []);
    assert.equal(beyond.total, 5);

    // Case-insensitive on every backend; the total counts the matches, not the page.
    const ann = (await request(app.base, '/users?name__icontains=ANN&limit=2')).body as typeof page;
    assert.equal(ann.total, 3);
    assert.deepEqual(ann.items.map((u) => u.name), ['Ann', 'anna']);
    const annRest = (await request(app.base, '/users?name__icontains=ann&limit=2&offset=2')).body as typeof page;
    assert.deepEqual(annRest.items.map((u) => u.name), ['JOANNE']);

    // LIKE wildcards in the value are matched literally.
    const wildcard = (await request(app.base, `/users?name__icontains=${encodeURIComponent('%')}`)).body as typeof page;
    assert.equal(wildcard.total, 0);
  });

  it('answers 422 in FastAPI’s shape for bad bodies, and writes nothing', async () => {
    const before = await User.all().count();
    const cases: [unknown, unknown][] = [
      [{}, { loc: ['body', 'name'], msg: 'Field required', type: 'missing' }],
      [{ name: 'x'.repeat(51) }, { loc: ['body', 'name'], msg: 'String should have at most 50 characters', type: 'string_too_long' }],
      [{ name: 5 }, { loc: ['body', 'name'], msg: 'Input should be a valid string', type: 'string_type' }],
      [{ name: null }, { loc: ['body', 'name'], msg: 'Input should be a valid string', type: 'string_type' }],
      [{ name: 'x', admin: true }, { loc: ['body', 'admin'], msg: 'Extra inputs are not permitted', type: 'extra_forbidden' }],
    ];
    for (const [body, issue] of cases) {
      const response = await request(app.base, '/users', { body });
      assert.equal(response.status, 422, JSON.stringify(body));
      assert.match(response.type, /^application\/json/);
      assert.deepEqual(response.body, { detail: [issue] }, JSON.stringify(body));
    }
    // 50 characters is fine: the limit is inclusive, and counted in characters, not bytes.
    const fifty = await request(app.base, '/users', { body: { name: 'é'.repeat(50) } });
    assert.equal(fifty.status, 201);
    await User.filter({ id: (fifty.body as { id: number }).id }).delete();

    const patch = await request(app.base, '/users/1', { method: 'PATCH', body: { name: 'y'.repeat(51) } });
    assert.equal(patch.status, 422);
    assert.deepEqual(patch.body, { detail: [{ loc: ['body', 'name'], msg: 'String should have at most 50 characters', type: 'string_too_long' }] });

    const notJson = await request(app.base, '/users', { rawBody: '{"name": ' });
    assert.equal(notJson.status, 400);
    assert.equal(typeof (notJson.body as { detail: unknown }).detail, 'string');

    assert.equal(await User.all().count(), before);
  });

  it('answers 404 {"detail": ...} for an unknown id, 422 for bad query and path values', async () => {
    for (const [method, body] of [['GET'], ['PATCH', { name: 'Zed' }], ['DELETE']] as const) {
      const response = await request(app.base, '/users/999999', { method, ...(body === undefined ? {} : { body }) });
      assert.equal(response.status, 404, method);
      assert.deepEqual(response.body, { detail: 'No User matches id=999999.' }, method);
    }
    const invalid: [string, unknown][] = [
      ['/users?limit=abc', { loc: ['query', 'limit'], msg: 'Input should be a valid integer', type: 'int_type' }],
      ['/users?limit=0', { loc: ['query', 'limit'], msg: 'Input should be greater than or equal to 1', type: 'greater_than_equal' }],
      ['/users?limit=101', { loc: ['query', 'limit'], msg: 'Input should be less than or equal to 100', type: 'less_than_equal' }],
      ['/users?offset=-1', { loc: ['query', 'offset'], msg: 'Input should be greater than or equal to 0', type: 'greater_than_equal' }],
      ['/users/abc', { loc: ['path', 'id'], msg: 'Input should be a valid integer', type: 'int_type' }],
      ['/users/0', { loc: ['path', 'id'], msg: 'Input should be greater than or equal to 1', type: 'greater_than_equal' }],
      ['/authors/abc', { loc: ['path', 'id'], msg: 'Input should be a valid integer', type: 'int_type' }],
    ];
    for (const [path, issue] of invalid) {
      const response = await request(app.base, path);
      assert.equal(response.status, 422, path);
      assert.deepEqual(response.body, { detail: [issue] }, path);
    }
    const unknownRoute = await request(app.base, '/nowhere');
    assert.equal(unknownRoute.status, 404);
  });

  it('serves authors, books and tags as nested responses, with the many-to-many', async () => {
    const author = await request(app.base, '/authors', { body: { name: 'Ursula K. Le Guin' } });
    assert.equal(author.status, 201);
    const authorId = (author.body as { id: number }).id;
    assert.deepEqual(author.body, { id: authorId, name: 'Ursula K. Le Guin' });

    const tagIds: Record<string, number> = {};
    for (const name of ['sf', 'fantasy', 'classic']) {
      const tag = await request(app.base, '/tags', { body: { name } });
      assert.equal(tag.status, 201);
      assert.deepEqual(Object.keys(tag.body as object).sort(), ['id', 'name']);
      tagIds[name] = (tag.body as { id: number }).id;
    }
    const duplicate = await request(app.base, '/tags', { body: { name: 'sf' } });
    assert.equal(duplicate.status, 422);
    const issue = (duplicate.body as { detail: { loc: unknown; type: string }[] }).detail[0]!;
    assert.deepEqual([issue.loc, issue.type], [[], 'IntegrityError']);

    const dispossessed = await request(app.base, '/books', {
      body: { title: 'The Dispossessed', published: '1974-05-01', authorId, tagIds: [tagIds.sf!, tagIds.classic!] },
    });
    assert.equal(dispossessed.status, 201);
    const bookId = (dispossessed.body as { id: number }).id;
    assert.deepEqual(dispossessed.body, {
      id: bookId,
      title: 'The Dispossessed',
      published: '1974-05-01',
      author: { id: authorId, name: 'Ursula K. Le Guin' },
      tags: [
        { id: tagIds.classic, name: 'classic' },
        { id: tagIds.sf, name: 'sf' },
      ],
    });
    const earthsea = await request(app.base, '/books', { body: { title: 'A Wizard of Earthsea', authorId, tagIds: [tagIds.fantasy!] } });
    assert.equal(earthsea.status, 201);
    const earthseaId = (earthsea.body as { id: number }).id;
    assert.equal((earthsea.body as { published: unknown }).published, null);

    const detail = await request(app.base, `/authors/${authorId}`);
    assert.equal(detail.status, 200);
    assert.deepEqual(detail.body, {
      id: authorId,
      name: 'Ursula K. Le Guin',
      books: [
        { id: earthseaId, title: 'A Wizard of Earthsea', published: null, authorId, tags: [{ id: tagIds.fantasy, name: 'fantasy' }] },
        {
          id: bookId,
          title: 'The Dispossessed',
          published: '1974-05-01',
          authorId,
          tags: [
            { id: tagIds.classic, name: 'classic' },
            { id: tagIds.sf, name: 'sf' },
          ],
        },
      ],
    });

    const authors = await request(app.base, '/authors');
    assert.deepEqual(authors.body, [{ id: authorId, name: 'Ursula K. Le Guin' }]);
    const tags = await request(app.base, '/tags');
    assert.deepEqual((tags.body as { name: string }[]).map((t) => t.name), ['classic', 'fantasy', 'sf']);

    const books = (await request(app.base, '/books')).body as { title: string; tags: { name: string }[] }[];
    assert.deepEqual(books.map((b) => [b.title, b.tags.map((t) => t.name)]), [
      ['A Wizard of Earthsea', ['fantasy']],
      ['The Dispossessed', ['classic', 'sf']],
    ]);
    const sf = (await request(app.base, '/books?tag=sf')).body as { title: string }[];
    assert.deepEqual(sf.map((b) => b.title), ['The Dispossessed']);
    assert.deepEqual((await request(app.base, '/books?tag=none')).body, []);

    // The many-to-many through the ORM on the same database: from both sides.
    const sfTag = await Tag.get({ id: tagIds.sf! });
    assert.deepEqual((await sfTag.books.all()).map((b) => b.title), ['The Dispossessed']);
    const stored = await Book.get({ id: bookId });
    assert.deepEqual((await stored.tags.all().orderBy('name')).map((t) => t.name), ['classic', 'sf']);

    const missing = await request(app.base, '/authors/999999');
    assert.equal(missing.status, 404);
    assert.deepEqual(missing.body, { detail: 'No Author matches id=999999.' });
  });

  it('rolls a failed request back: a book with an unknown tag id is not stored', async () => {
    const author = await Author.create({ name: 'Rollback Author' });
    const tag = await Tag.create({ name: 'kept' });
    const booksBefore = await Book.all().count();

    const response = await request(app.base, '/books', { body: { title: 'Ghost Book', authorId: author.id, tagIds: [tag.id, 987654] } });
    assert.equal(response.status, 422);
    assert.deepEqual(response.body, { detail: [{ loc: [], msg: 'Unknown tag ids: 987654.', type: 'ParamsError' }] });
    // The INSERT ran before the check; the request's transaction took it back.
    assert.equal(await Book.filter({ title: 'Ghost Book' }).exists(), false);
    assert.equal(await Book.all().count(), booksBefore);
    assert.deepEqual((await tag.books.all()).length, 0);

    // A foreign key the database refuses: 422 IntegrityError, nothing stored.
    const orphan = await request(app.base, '/books', { body: { title: 'Orphan', authorId: 987654 } });
    assert.equal(orphan.status, 422);
    assert.equal((orphan.body as { detail: { type: string }[] }).detail[0]!.type, 'IntegrityError');
    assert.equal(await Book.filter({ title: 'Orphan' }).exists(), false);

    // The same request with good tags is stored with them.
    const ok = await request(app.base, '/books', { body: { title: 'Real Book', authorId: author.id, tagIds: [tag.id] } });
    assert.equal(ok.status, 201);
    assert.deepEqual((await tag.books.all()).map((b) => b.title), ['Real Book']);
  });

  it('serves a valid-looking OpenAPI 3 document with the /users paths and their schemas', async () => {
    const response = await request(app.base, '/openapi.json');
    assert.equal(response.status, 200);
    assert.match(response.type, /^application\/json/);
    const doc = response.body as {
      openapi: string;
      info: { title: string; version: string };
      paths: Record<string, Record<string, { requestBody?: any; responses: Record<string, any>; parameters?: any[]; summary?: string }>>;
      components: { schemas: Record<string, any> };
    };
    // Generated schemas are named components, as FastAPI's are; routes refer to them.
    const resolve = (schema: { $ref?: string }): any => {
      const name = schema.$ref?.replace('#/components/schemas/', '');
      assert.ok(name !== undefined && name in doc.components.schemas, `${schema.$ref} is a component`);
      return doc.components.schemas[name];
    };
    assert.match(doc.openapi, /^3\.\d+\.\d+$/);
    assert.deepEqual([doc.info.title, doc.info.version], ['Terrapin example API', '1.0.0']);
    for (const path of ['/users', '/users/{id}', '/authors', '/authors/{id}', '/tags', '/books']) assert.ok(path in doc.paths, `${path} is documented`);
    assert.equal('/openapi.json' in doc.paths, false);
    assert.deepEqual(Object.keys(doc.paths['/users']!).sort(), ['get', 'post']);
    assert.deepEqual(Object.keys(doc.paths['/users/{id}']!).sort(), ['delete', 'get', 'patch']);

    const post = doc.paths['/users']!.post!;
    assert.equal(post.summary, 'Create a user');
    assert.deepEqual(post.requestBody.content['application/json'].schema, { $ref: '#/components/schemas/UserIn' });
    const bodySchema = resolve(post.requestBody.content['application/json'].schema);
    assert.deepEqual(bodySchema.required, ['name']);
    assert.deepEqual(Object.keys(bodySchema.properties), ['name']);
    assert.equal(bodySchema.properties.name.maxLength, 50);
    const out = resolve(post.responses['201'].content['application/json'].schema);
    assert.deepEqual(Object.keys(out.properties).sort(), USER_KEYS);
    assert.equal(out.properties.createdAt.format, 'date-time');
    const validation = resolve(post.responses['422'].content['application/json'].schema);
    assert.deepEqual(resolve(validation.properties.detail.items).required, ['loc', 'msg', 'type']);
    // A list response refers to the same component; nested models are components of their own.
    assert.deepEqual(doc.paths['/users']!.get!.responses['200'].content['application/json'].schema.properties.items.items, post.responses['201'].content['application/json'].schema);
    const author = resolve(doc.paths['/authors/{id}']!.get!.responses['200'].content['application/json'].schema);
    resolve(author.properties.books.items);

    const list = doc.paths['/users']!.get!;
    assert.deepEqual(list.parameters!.map((p: { name: string; in: string }) => `${p.in}:${p.name}`).sort(), ['query:limit', 'query:name__icontains', 'query:offset']);
    const getOne = doc.paths['/users/{id}']!.get!;
    assert.deepEqual(getOne.parameters!.map((p: { name: string; in: string; required: boolean }) => [p.in, p.name, p.required]), [['path', 'id', true]]);
  });

  it('serves Swagger UI at /docs', async () => {
    // @fastify/swagger-ui may redirect /docs to /docs/ or /docs/static/index.html; fetch follows.
    const response = await request(app.base, '/docs');
    assert.equal(response.status, 200);
    assert.match(response.type, /^text\/html/);
    assert.match(String(response.body), /<title>Swagger UI<\/title>/);
    const init = await request(app.base, '/docs/static/swagger-initializer.js');
    assert.equal(init.status, 200);
    const json = await request(app.base, '/docs/json');
    assert.equal(json.status, 200);
    assert.equal((json.body as { openapi: string }).openapi.startsWith('3.'), true);
  });
});
