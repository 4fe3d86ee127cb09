/**
 * The example API's list routes (issue 17: "/books, /authors and /tags have no pagination", "today
 * /books?limit=<garbage> answers 200", "unknown query keys are ignored"): every list is paginated
 * with a bounded default and a maximum, invalid or unknown query parameters are a 422 in the
 * seed's detail shape, and only the filters a route declares reach the database.
 */
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { Author, Book, Tag, User } from '../../examples/app/models.js';
import { DEFAULT_LIMIT, MAX_LIMIT } from '../../examples/app/list-query.js';
import { forEachBackendApp, request } from './support.js';

const SUITE = 'e2e_lists';
const LISTS = ['/users', '/authors', '/books', '/tags'] as const;

/** The items of a list response (/users answers a page object, the library lists an array). */
function itemsOf(path: string, body: unknown): { id: number }[] {
  return (path === '/users' ? (body as { items: { id: number }[] }).items : body) as { id: number }[];
}

forEachBackendApp(SUITE, (app) => {
  it('every list route answers a bounded page by default, at most MAX_LIMIT, pages neither repeating nor skipping', async () => {
    const count = MAX_LIMIT + 5;
    const author = await Author.create({ name: 'Prolific' });
    await Author.bulkCreate(Array.from({ length: count - 1 }, () => ({ name: 'Prolific' }))); // ties: the id breaks them
    await User.bulkCreate(Array.from({ length: count }, (_, i) => ({ name: `user ${i}` })));
    await Tag.bulkCreate(Array.from({ length: count }, (_, i) => ({ name: `tag ${String(i).padStart(3, '0')}` })));
    await Book.bulkCreate(Array.from({ length: count }, () => ({ title: 'Same Title', authorId: author.id })));
    for (const path of LISTS) {
      const first = await request(app.base, path);
      assert.equal(first.status, 200, path);
      assert.equal(itemsOf(path, first.body).length, DEFAULT_LIMIT, `${path} without a limit answers ${DEFAULT_LIMIT} rows`);
      const ids = new Set<number>();
      for (let offset = 0; offset < count; offset += MAX_LIMIT) {
        const page = await request(app.base, `${path}?limit=${MAX_LIMIT}&offset=${offset}`);
        assert.equal(page.status, 200, path);
        for (const item of itemsOf(path, page.body)) {
          assert.ok(!ids.has(item.id), `${path}: id ${item.id} on two pages`);
          ids.add(item.id);
        }
      }
      assert.equal(ids.size, count, `${path}: the pages cover every row once`);
      const tooMany = await request(app.base, `${path}?limit=${MAX_LIMIT + 1}`);
      assert.equal(tooMany.status, 422, path);
      assert.deepEqual(tooMany.body, { detail: [{ loc: ['query', 'limit'], msg: `Input should be less than or equal to ${MAX_LIMIT}`, type: 'less_than_equal' }] });
    }
  });

  it('invalid and unknown query parameters are a 422 on every list route, never ignored', async () => {
    for (const path of LISTS) {
      const cases: [string, unknown][] = [
        ['limit=garbage', { loc: ['query', 'limit'], msg: 'Input should be a valid integer', type: 'int_type' }],
        ['limit=1.5', { loc: ['query', 'limit'], msg: 'Input should be a valid integer', type: 'int_type' }],
        ['limit=0', { loc: ['query', 'limit'], msg: 'Input should be greater than or equal to 1', type: 'greater_than_equal' }],
        ['offset=-1', { loc: ['query', 'offset'], msg: 'Input should be greater than or equal to 0', type: 'greater_than_equal' }],
        ['offset=abc', { loc: ['query', 'offset'], msg: 'Input should be a valid integer', type: 'int_type' }],
        // Unknown keys: a misspelt filter, a hidden column, a lookup through a relation.
        ['name__contains=x', { loc: ['query', 'name__contains'], msg: 'Extra inputs are not permitted', type: 'extra_forbidden' }],
        ['id__gt=0', { loc: ['query', 'id__gt'], msg: 'Extra inputs are not permitted', type: 'extra_forbidden' }],
        ['author__name=x', { loc: ['query', 'author__name'], msg: 'Extra inputs are not permitted', type: 'extra_forbidden' }],
      ];
      for (const [query, issue] of cases) {
        const response = await request(app.base, `${path}?${query}`);
        assert.equal(response.status, 422, `${path}?${query}: ${JSON.stringify(response.body)}`);
        assert.deepEqual(response.body, { detail: [issue] }, `${path}?${query}`);
      }
    }
  });

  it('the declared filters work: name__icontains, a book tag, a book title; NUL in a filter is a 422', async () => {
    await Book.all().delete();
    await Tag.all().delete();
    await Author.all().delete();
    await User.all().delete();
    const author = await Author.create({ name: 'Ursula K. Le Guin' });
    await Author.create({ name: 'Someone Else' });
    const [sf, fantasy] = [await Tag.create({ name: 'sf' }), await Tag.create({ name: 'fantasy' })];
    const dispossessed = await Book.create({ title: 'The Dispossessed', authorId: author.id });
    await dispossessed.tags.add(sf, fantasy);
    await Book.create({ title: 'A Wizard of Earthsea', authorId: author.id });
    const names = (body: unknown, key: string) => (body as Record<string, string>[]).map((item) => item[key]);
    assert.deepEqual(names((await request(app.base, '/authors?name__icontains=GUIN')).body, 'name'), ['Ursula K. Le Guin']);
    assert.deepEqual(names((await request(app.base, '/tags?name__icontains=S')).body, 'name'), ['fantasy', 'sf']);
    assert.deepEqual(names((await request(app.base, '/books?tag=sf')).body, 'title'), ['The Dispossessed']);
    assert.deepEqual(names((await request(app.base, '/books?title__icontains=earth')).body, 'title'), ['A Wizard of Earthsea']);
    const nul = await request(app.base, '/users?name__icontains=%00');
    assert.equal(nul.status, 422, JSON.stringify(nul.body));
    assert.deepEqual((nul.body as { detail: { loc: unknown[]; type: string }[] }).detail.map((d) => [d.loc, d.type]), [[['name'], 'ValidationError']]);
  });
});
