/**
 * Validation schemas generated from models (modelSchema / querysetSchema), on every backend:
 * fromOrm output passes both the Zod schema and Ajv with jsonSchema(); inputs the database would
 * refuse are refused with Pydantic-shaped { loc, msg, type } errors; cycles, depth, include/exclude
 * paths, computed properties, schemaMeta, the "In" schema, stable names and bounded query counts.
 */
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { Ajv2020 } from 'ajv/dist/2020.js';
import * as formats from 'ajv-formats';
import {
  ConfigurationError,
  FieldError,
  NoValuesFetched,
  ParamsError,
  SchemaValidationError,
  Terrapin,
  ValidationError,
  modelSchema,
  querysetSchema,
  type JsonSchema,
} from '../../src/index.js';
import { forEachBackend } from '../support/backends.js';
import { Author, Book, Employee, Kitchen, Profile, Publisher, Role, Tag, schemaModels } from '../fixtures/schema-models.js';
import { counted } from '../support/expect-errors.js';

const addFormats = (formats as unknown as { default: (ajv: Ajv2020) => Ajv2020 }).default;

function ajvValidator(schema: JsonSchema) {
  const ajv = new Ajv2020({ allErrors: true, strict: true });
  addFormats(ajv);
  return ajv.compile(schema);
}

/** The value passes both the Zod schema and Ajv. */
function assertAccepted(schema: { zod: { safeParse(v: unknown): { success: boolean; error?: unknown } }; jsonSchema(): JsonSchema }, value: unknown) {
  const zod = schema.zod.safeParse(value);
  assert.ok(zod.success, `zod refused: ${JSON.stringify(zod.error)}`);
  const validate = ajvValidator(schema.jsonSchema());
  assert.ok(validate(value), `ajv refused: ${JSON.stringify(validate.errors)}`);
}

function assertRefusedByAjv(schema: { jsonSchema(): JsonSchema }, value: unknown) {
  assert.equal(ajvValidator(schema.jsonSchema())(value), false, `ajv accepted ${JSON.stringify(value)}`);
}

/** Runs `fn` and returns its result with the statements it ran. */

/** The error `fn` throws must be a SchemaValidationError with exactly these { loc, type } items. */
function refusedWith(expected: { loc: (string | number)[]; type: string }[]) {
  return (error: unknown) => {
    assert.ok(error instanceof SchemaValidationError, `expected SchemaValidationError, got ${String(error)}`);
    assert.ok(error instanceof ValidationError);
    assert.deepEqual(
      error.errors.map((e) => ({ loc: e.loc, type: e.type })),
      expected,
    );
    for (const e of error.errors) assert.equal(typeof e.msg, 'string');
    return true;
  };
}

const kitchenData = () => ({
  small: -5,
  big: 9007199254740993n,
  ratio: 2.5,
  price: '123456.7',
  name: 'crème 🍰',
  token: '1B4E28BA-2FA1-11D2-883F-0016D3CCA427',
  role: Role.Admin,
  at: new Date('2024-02-29T12:34:56.789Z'),
  day: '2024-02-29',
  clock: '23:59:59.5',
  span: 1500.25,
  data: { a: 1 },
  extra: [1, 'two', { three: null }],
  blob: Buffer.from([0, 1, 2, 250, 251, 252]),
});

let seq = 0;
const prefix = () => `s${++seq}`;

/** An author with a publisher, a profile and two books; one book has two tags. */
async function shelf() {
  const p = prefix();
  const publisher = await Publisher.create({ name: `${p} press` });
  const author = await Author.create({ firstName: `${p} Ann`, lastName: 'Lee', passwordHash: 'hash!', publisher });
  await Profile.create({ bio: `${p} bio`, author });
  const books = [await Book.create({ title: `${p} one`, author }), await Book.create({ title: `${p} two`, author })];
  const tags = [await Tag.create({ name: `${p} b` }), await Tag.create({ name: `${p} a` })];
  await books[0]!.tags.add(...tags);
  return { p, publisher, author, books, tags };
}

forEachBackend('schemas', [schemaModels], () => {
  it('every field type: fromOrm gives JSON-ready values that pass Zod and Ajv, and parse gives model values back', async () => {
    const kitchen = await Kitchen.create(kitchenData());
    const schema = modelSchema(Kitchen);
    const out = await schema.fromOrm(kitchen);
    assert.deepEqual(Object.keys(out), [
      'id', 'small', 'count', 'big', 'ratio', 'price', 'name', 'body', 'token', 'role', 'level', 'active',
      'at', 'createdAt', 'updatedAt', 'day', 'clock', 'span', 'data', 'extra', 'blob',
    ]);
    assert.equal(out.big, '9007199254740993');
    assert.equal(out.price, '123456.70');
    assert.equal(out.at, '2024-02-29T12:34:56.789Z');
    assert.equal(out.token, '1b4e28ba-2fa1-11d2-883f-0016d3cca427');
    assert.equal(out.blob, Buffer.from([0, 1, 2, 250, 251, 252]).toString('base64'));
    assert.equal(out.body, null);
    assert.equal(out.clock, '23:59:59.5');
    assert.deepEqual(JSON.parse(JSON.stringify(out)), out, 'already JSON: survives a round trip unchanged');
    assertAccepted(schema, out);

    const value = schema.parse(JSON.parse(JSON.stringify(out)));
    assert.equal(value.big, 9007199254740993n);
    assert.ok(value.at instanceof Date && value.at.getTime() === kitchen.at.getTime());
    assert.ok(Buffer.isBuffer(value.blob) && value.blob.equals(kitchen.blob!));
    assert.equal(value.name, 'crème 🍰');

    // Reloaded from the database, the same.
    const again = await schema.fromOrm(await Kitchen.get({ id: kitchen.id }));
    assert.deepEqual({ ...again, updatedAt: out.updatedAt, createdAt: out.createdAt }, out);
  });

  it('the "In" schema takes what create() needs; its parse result creates the row', async () => {
    const In = modelSchema(Kitchen, { excludeReadonly: true });
    assert.equal(In.name, 'KitchenIn');
    const properties = Object.keys(In.jsonSchema().properties as object);
    assert.ok(!properties.includes('id') && !properties.includes('createdAt') && !properties.includes('updatedAt'));
    assert.deepEqual(In.jsonSchema().required, ['small', 'big', 'ratio', 'price', 'name', 'token', 'role', 'at', 'day', 'clock', 'span', 'data']);
    const body = {
      small: 3, big: 42, ratio: 0.5, price: '-0.5', name: 'x', token: '1b4e28ba-2fa1-11d2-883f-0016d3cca427', role: 'reader',
      at: '2024-01-31T10:00:00+02:00', day: '2024-01-31', clock: '08:00', span: 0, data: { a: 2 },
    };
    assertAccepted(In, body);
    const created = await Kitchen.create(In.parse(body));
    assert.equal(created.big, 42n);
    assert.equal(created.price, '-0.50');
    assert.equal(created.at.toISOString(), '2024-01-31T08:00:00.000Z');

    const BookIn = modelSchema(Book, { excludeReadonly: true });
    assert.deepEqual(Object.keys(BookIn.jsonSchema().properties as object), ['title', 'authorId'], 'key columns stay, relation objects go');
    assert.throws(() => BookIn.parse({ title: 't', authorId: 1, id: 5 }), refusedWith([{ loc: ['id'], type: 'extra_forbidden' }]));
  });

  it('refuses what the database would refuse, with { loc, msg, type } and a message naming each problem', () => {
    const In = modelSchema(Kitchen, { excludeReadonly: true });
    const good = {
      small: 1, big: '1', ratio: 1, price: '1', name: 'ok', token: '1b4e28ba-2fa1-11d2-883f-0016d3cca427', role: 'admin',
      at: '2024-01-01T00:00:00Z', day: '2024-01-01', clock: '00:00', span: 1, data: {},
    };
    In.parse(good);
    const { price: _price, ...withoutPrice } = good;
    const bad = { ...withoutPrice, name: 'x'.repeat(11), role: 'owner', small: 40000, ratio: 'many', day: '2023-02-29', extra: undefined };
    assert.throws(
      () => In.parse(bad),
      refusedWith([
        { loc: ['small'], type: 'less_than_equal' },
        { loc: ['ratio'], type: 'float_type' },
        { loc: ['price'], type: 'missing' },
        { loc: ['name'], type: 'string_too_long' },
        { loc: ['role'], type: 'enum' },
        { loc: ['day'], type: 'date_parsing' },
      ]),
    );
    try {
      In.parse({ ...good, name: 'x'.repeat(11) });
    } catch (error) {
      assert.ok(error instanceof SchemaValidationError);
      assert.deepEqual(error.errors, [{ loc: ['name'], msg: 'String should have at most 10 characters', type: 'string_too_long' }]);
      assert.match(error.message, /^1 validation error for KitchenIn \(Kitchen\):\n {2}name: String should have at most 10 characters \[string_too_long\], got 'xxxxxxxxxxx' \(string\)\nFix the input/);
      assert.equal(error.model, 'Kitchen');
    }
    // Each refused by Ajv too.
    for (const wrong of [
      { ...good, name: 'x'.repeat(11) },
      { ...good, role: 'owner' },
      { ...good, small: 1.5 },
      { ...good, big: 'twelve' },
      { ...good, price: '1.234' },
      { ...good, price: 1 },
      { ...good, token: 'not-a-uuid' },
      { ...good, at: '2024-01-01T00:00:00' },
      { ...good, clock: '24:00' },
      { ...good, data: null },
      { ...good, blob: 'not base64!' },
      { ...good, unknown: 1 },
    ]) {
      assertRefusedByAjv(In, wrong);
      assert.equal(In.safeParse(wrong).success, false, JSON.stringify(wrong));
    }
    // A nullable field takes null; a non-nullable one does not.
    assert.equal(In.safeParse({ ...good, body: null, blob: null, extra: null }).success, true);
    assert.throws(() => In.parse({ ...good, name: null }), refusedWith([{ loc: ['name'], type: 'string_type' }]));
    // Code points, not UTF-16 units: ten emoji fit a maxLength of 10 (20 UTF-16 units).
    assert.equal(In.safeParse({ ...good, name: '🍰'.repeat(10) }).success, true);
    assertAccepted(In, { ...good, name: '🍰'.repeat(10) });
    // Checks the wire format cannot express run too: BigIntField's 64-bit range.
    assert.throws(() => In.parse({ ...good, big: '9999999999999999999' }), refusedWith([{ loc: ['big'], type: 'value_error' }]));
    assert.throws(() => In.parse('nope'), refusedWith([{ loc: [], type: 'model_type' }]));
    assert.throws(() => In.parse('nope'), (error: SchemaValidationError) => error.errors[0]?.msg === 'Input should be a valid dictionary');
  });

  it('relations nest (reverse FK and many-to-many as arrays); cycles are cut, and nothing excluded leaks', async () => {
    const s = await shelf();
    const schema = modelSchema(Author);
    const { result: out, queries } = await counted(() => schema.fromOrm(s.author));
    // The publisher is attached since create(); profile, books and books__tags take one query each.
    assert.equal(queries.length, 3, queries.join('\n'));
    assert.deepEqual(Object.keys(out), ['id', 'firstName', 'lastName', 'publisher', 'profile', 'books', 'fullName']);
    assert.equal(JSON.stringify(out).includes('hash!'), false, 'schemaMeta excludes passwordHash');
    assert.equal(out.fullName, `${s.p} Ann Lee`);
    assert.deepEqual(out.publisher, { id: s.publisher.id, name: `${s.p} press` });
    const books = out.books as { title: string; tags: { name: string }[]; author?: unknown }[];
    assert.deepEqual(books.map((b) => b.title), [`${s.p} one`, `${s.p} two`]);
    assert.deepEqual(books[0]!.tags.map((t) => t.name), [`${s.p} a`, `${s.p} b`]);
    assert.equal(books[0]!.author, undefined, 'Book.author would lead back to Author: dropped');
    assertAccepted(schema, out);
    // Loaded relations are not fetched again.
    const reloaded = await Author.get({ id: s.author.id });
    const again = await counted(() => schema.fromOrm(reloaded));
    assert.equal(again.queries.length, 4, 'publisher too, now');
    assert.deepEqual(again.result, out);
    await s.author.fetchRelated('publisher', 'profile', 'books', 'books__tags');
    const loaded = await counted(() => schema.fromOrm(s.author));
    assert.equal(loaded.queries.length, 0);
    assert.deepEqual(loaded.result, out);
    assert.deepEqual(schema.serialize(s.author), out);
  });

  it('allowCycles keeps a model reappearing, down to maxDepth; a self reference ends too', async () => {
    const boss = await Employee.create({ name: 'boss' });
    const mid = await Employee.create({ name: 'mid', manager: boss });
    await Employee.create({ name: 'low', manager: mid });
    const flat = modelSchema(Employee);
    assert.deepEqual(Object.keys(flat.jsonSchema().properties as object), ['id', 'name', 'managerId'], 'manager is Employee again: dropped, its key stays');
    const deep = modelSchema(Employee, { allowCycles: true, maxDepth: 2 });
    const out = await deep.fromOrm(mid);
    const manager = out.manager as Record<string, unknown>;
    assert.equal(manager.name, 'boss');
    assert.equal(manager.manager, null);
    const reports = manager.reports as Record<string, unknown>[];
    assert.deepEqual(reports.map((r) => r.name), ['mid']);
    assert.ok(!('manager' in reports[0]!) && !('reports' in reports[0]!), 'depth 2 reached: no relations below');
    assert.equal(reports[0]!.managerId, boss.id);
    assertAccepted(deep, out);
    const names = Object.keys(deep.jsonSchema().$defs as object);
    assert.ok(names.every((n) => n.startsWith(`${deep.name}.`)), names.join());
    // Author ↔ Book with cycles allowed: bounded by maxDepth.
    const s = await shelf();
    const cyclic = modelSchema(Author, { allowCycles: true, maxDepth: 3 });
    const tree = await cyclic.fromOrm(s.author);
    const book = (tree.books as Record<string, unknown>[])[0]!;
    const back = book.author as Record<string, unknown>;
    assert.equal(back.id, s.author.id);
    assert.ok(Array.isArray(back.books));
    assert.ok(!('author' in (back.books as Record<string, unknown>[])[0]!));
    assertAccepted(cyclic, tree);
  });

  it('include and exclude take paths into relations; optional makes fields optional', async () => {
    const s = await shelf();
    const slim = modelSchema(Author, { include: ['firstName', 'books__title', 'books__tags__name'] });
    const out = await slim.fromOrm(s.author);
    assert.deepEqual(out, {
      firstName: `${s.p} Ann`,
      books: [{ title: `${s.p} one`, tags: [{ name: `${s.p} a` }, { name: `${s.p} b` }] }, { title: `${s.p} two`, tags: [] }],
      fullName: `${s.p} Ann Lee`,
    });
    assertAccepted(slim, out);
    const noTags = modelSchema(Author, { exclude: ['books__tags', 'profile', 'publisher', 'books__published'] });
    const out2 = await noTags.fromOrm(s.author);
    assert.deepEqual(out2.books, s.books.map((b) => ({ id: b.id, title: b.title, authorId: s.author.id })));
    assert.equal('profile' in out2, false);
    assert.equal(out2.publisherId, s.publisher.id, 'the relation left out, its key column shows');
    const patch = modelSchema(Author, { excludeReadonly: true, optional: ['firstName', 'lastName'] });
    assert.deepEqual(patch.parse({ lastName: 'New' }), { lastName: 'New' });
    assert.throws(() => modelSchema(Author, { exclude: ['books__titel'] }).jsonSchema(), (error: unknown) => {
      assert.ok(error instanceof FieldError);
      assert.match(error.message, /exclude names 'books__titel', but Book has no field or relation 'titel'/);
      return true;
    });
    assert.throws(() => modelSchema(Author, { include: ['nmae'] }).zod, /include names 'nmae', but Author has no field or relation 'nmae'\. Fields of Author: id, firstName/);
    assert.throws(() => modelSchema(Author, { computed: ['nope'] }).zod, /computed names 'nope', which is not a getter or method of Author/);
    assert.throws(() => modelSchema(Author, { optional: ['books'] }).zod, /optional names 'books', which is not a field of Author/);
  });

  it('computed: getters and methods, typed; async methods are awaited by fromOrm, refused by serialize', async () => {
    const s = await shelf();
    const schema = modelSchema(Author, { include: ['id'], computed: { bookCount: 'integer' } });
    const out = await schema.fromOrm(s.author);
    assert.deepEqual(out, { id: s.author.id, fullName: `${s.p} Ann Lee`, bookCount: 2 });
    assert.deepEqual((schema.jsonSchema().properties as Record<string, unknown>).bookCount, {
      type: 'integer', minimum: -Number.MAX_SAFE_INTEGER, maximum: Number.MAX_SAFE_INTEGER, readOnly: true,
    });
    assertAccepted(schema, out);
    assert.throws(() => schema.serialize(s.author), (error: unknown) => error instanceof ParamsError && /bookCount \(computed\) returned a promise/.test(error.message));
    // Computed properties are output only: parse drops them.
    assert.deepEqual(schema.parse({ id: 1, fullName: 'x' }), { id: 1 });
  });

  it('schemaMeta defaults apply to the model wherever it is nested', async () => {
    const s = await shelf();
    const out = await modelSchema(Book).fromOrm(s.books[0]!);
    const author = out.author as Record<string, unknown>;
    assert.equal(author.fullName, `${s.p} Ann Lee`);
    assert.equal('passwordHash' in author, false);
    const tight = modelSchema(Profile, { exclude: ['author__publisher'] });
    const profile = await tight.fromQueryset(Profile.get({ authorId: s.author.id }));
    assert.deepEqual(Object.keys(profile.author as object), ['id', 'firstName', 'lastName', 'publisherId', 'books', 'fullName']);
  });

  it('fromQueryset: one query per relation level, however many rows', async () => {
    const p = prefix();
    const authors = await Author.bulkCreate(Array.from({ length: 10 }, (_, i) => Author.build({ firstName: `${p}${i}`, lastName: 'x' })));
    const saved = await Author.filter({ firstName__startswith: p });
    assert.equal(authors.length, 10);
    await Book.bulkCreate(Array.from({ length: 1000 }, (_, i) => Book.build({ title: `${p} ${i}`, authorId: saved[i % 10]!.id })));
    const schema = modelSchema(Book, { include: ['id', 'title', 'author__id', 'author__firstName'] });
    const { result, queries } = await counted(() => schema.fromQueryset(Book.filter({ title__startswith: `${p} ` })));
    assert.equal(result.length, 1000);
    assert.equal(queries.length, 2, queries.join('\n'));
    assert.deepEqual(Object.keys(result[0]!.author as object), ['id', 'firstName', 'fullName']);
    const list = querysetSchema(Book, { include: ['id', 'title', 'author__id', 'author__firstName'] });
    assert.equal(list.name, `${schema.name}_list`);
    const listed = await counted(() => list.fromQueryset(Book.filter({ title__startswith: `${p} ` })));
    assert.equal(listed.queries.length, 2);
    assert.deepEqual(listed.result, result);
    assertAccepted(list, result);
    assert.equal(list.parse(JSON.parse(JSON.stringify(result.slice(0, 2)))).length, 2);
    assert.throws(() => list.parse([{ id: 1 }]), refusedWith([{ loc: [0, 'title'], type: 'missing' }]));
    // fromOrm of a list loads for all of them at once.
    const instances = await Book.filter({ title__startswith: `${p} ` }).limit(50);
    const batch = await counted(() => list.fromOrm(instances));
    assert.equal(batch.queries.length, 1);
    assert.equal(batch.result.length, 50);
    assert.throws(() => schema.prefetched(Author.all() as never), /serialises Book rows; this QuerySet reads Author/);
  });

  it('names: stable and unique; the same options give the same object; JSON Schema $refs resolve', () => {
    assert.equal(modelSchema(Author), modelSchema(Author));
    assert.equal(modelSchema(Author).name, 'Author');
    const a = modelSchema(Author, { exclude: ['books'], maxDepth: 2 });
    assert.equal(a, modelSchema(Author, { maxDepth: 2, exclude: ['books'] }));
    assert.match(a.name, /^Author_[0-9a-f]{6}$/);
    assert.notEqual(a.name, modelSchema(Author, { exclude: ['books'] }).name);
    assert.equal(modelSchema(Author, { name: 'AuthorOut' }).name, 'AuthorOut');
    assert.throws(() => modelSchema(Book, { name: 'AuthorOut' }), (error: unknown) => error instanceof ConfigurationError && /'AuthorOut' is already used by another schema \(of Author/.test(error.message));
    assert.throws(() => modelSchema(Book, { name: 'Book Out' }), ParamsError);
    assert.equal(querysetSchema(Author), querysetSchema(Author));
    assert.equal(querysetSchema(Author).name, 'Author_list');
    const components = modelSchema(Author).components();
    assert.deepEqual(Object.keys(components), ['Author', 'Author.publisher', 'Author.profile', 'Author.books.tags', 'Author.books']);
    // Every $ref points at a component; Ajv compiles it as an OpenAPI-style document.
    const ajv = new Ajv2020({ strict: true });
    addFormats(ajv);
    ajv.addKeyword('components');
    ajv.addSchema({ $id: 'doc', components: { schemas: components } });
    assert.ok(ajv.getSchema('doc#/components/schemas/Author'));
    const list = querysetSchema(Author).jsonSchema();
    assert.equal(list.type, 'array');
    assert.deepEqual(list.items, { $ref: '#/$defs/Author' });
    ajvValidator(list);
  });

  it('serialize() refuses instances whose relations are not loaded, and instances of another model', async () => {
    const s = await shelf();
    const fresh = await Author.get({ id: s.author.id });
    assert.throws(() => modelSchema(Author).serialize(fresh), (error: unknown) => error instanceof NoValuesFetched && /Author\.publisher is not fetched, and the schema Author includes it/.test(error.message));
    await assert.rejects(modelSchema(Author).fromOrm(s.books[0] as never), /Author serialises Author instances, got a Book/);
  });
});
