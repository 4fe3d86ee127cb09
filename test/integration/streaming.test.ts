/**
 * `for await` over a QuerySet: every row exactly once, in the query's order, across pages of
 * 1000 (keyset pagination), with ties and NULLs in the ordering, with rows inserted and deleted
 * while the loop runs, and in every row shape (instances, only(), values(), valuesList()).
 */
import assert from 'node:assert/strict';
import { before, it } from 'node:test';
import { Model, fields } from '../../src/index.js';
import { forEachBackend } from '../support/backends.js';

class Reading extends Model {
  id = fields.IntField({ pk: true });
  /** Seven values over 2 500 rows: ties everywhere. */
  score = fields.IntField();
  /** Every third row has none. */
  label = fields.CharField({ maxLength: 10, null: true });
  seen = fields.BooleanField({ default: false });
  static override meta = { table: 'st_reading' };
}

const ROWS = 2500;

function rowFor(id: number) {
  return { id, score: id % 7, label: id % 3 === 0 ? null : `l${id % 11}`, seen: id % 2 === 0 };
}

async function collect<T>(rows: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const row of rows) out.push(row);
  return out;
}

forEachBackend('streaming', [{ Reading }], () => {
  before(async () => {
    await Reading.bulkCreate(Array.from({ length: ROWS }, (_, i) => rowFor(i + 1)));
  });

  it('yields every row once in the given order, ties broken by the primary key', async () => {
    const streamed = await collect(Reading.all().orderBy('score'));
    const expected = await Reading.all().orderBy('score', 'id').valuesList('id', { flat: true });
    assert.equal(streamed.length, ROWS);
    assert.deepEqual(streamed.map((r) => r.id), expected);
  });

  it('follows descending orderings over nullable columns, NULLs where the backends sort them', async () => {
    const streamed = await collect(Reading.all().orderBy('-label', 'score').valuesList('id', { flat: true }));
    assert.deepEqual(streamed, await Reading.all().orderBy('-label', 'score', 'id').valuesList('id', { flat: true }));
    const ascending = await collect(Reading.filter({ score__gte: 2 }).orderBy('label', '-id').values('id'));
    assert.deepEqual(ascending, await Reading.filter({ score__gte: 2 }).orderBy('label', '-id').values('id'));
    assert.deepEqual(Object.keys(ascending[0]!), ['id'], 'the cursor columns added for paging are not in the rows');
  });

  it('reads each row that stays exactly once while others are inserted and deleted', async () => {
    const before = new Set(await Reading.all().valuesList('id', { flat: true }));
    const deleted = new Set<number>();
    const behind = new Set<number>();
    const ahead = new Set<number>();
    const yielded: number[] = [];
    let next = 100_000;
    for await (const row of Reading.all().orderBy('score')) {
      yielded.push(row.id);
      if (yielded.length % 97 === 0) {
        // Delete two rows already read and one not read yet; insert one row behind the loop's
        // position (a lower score) and two ahead of it (a higher score, or the same with a higher id).
        const read = yielded.slice(-40, -38).filter((id) => !deleted.has(id));
        const later = await Reading.filter({ score__gt: row.score, id__lt: 100_000 }).orderBy('-id').first();
        const victims = [...read, ...(later === null ? [] : [later.id])];
        await Reading.filter({ id__in: victims }).delete();
        for (const id of victims) deleted.add(id);
        const inserts = [
          { id: next++, score: row.score - 1, label: 'new', seen: false },
          { id: next++, score: 6, label: 'new', seen: false },
          { id: next++, score: row.score, label: 'new', seen: false },
        ];
        await Reading.bulkCreate(inserts);
        behind.add(inserts[0]!.id);
        if (row.score < 6) ahead.add(inserts[1]!.id);
        ahead.add(inserts[2]!.id);
      }
    }
    assert.equal(new Set(yielded).size, yielded.length, 'no row is read twice');
    const missing = [...before].filter((id) => !deleted.has(id) && !yielded.includes(id));
    assert.deepEqual(missing, [], 'no row that stayed is skipped');
    assert.deepEqual(yielded.filter((id) => behind.has(id)), [], 'rows inserted behind the position are not read');
    // Rows inserted ahead are read when they land after the page already fetched (keyset.ts).
    assert.ok(yielded.some((id) => ahead.has(id)), 'rows inserted ahead of the fetched page are read');
    assert.ok(deleted.size > 40, `the loop changed the table (${deleted.size} deleted)`);
    await Reading.filter({ id__gte: 100_000 }).delete();
    await Reading.bulkCreate([...deleted].map(rowFor));
  });

  it('pages every row shape, with only(), offset and limit', async () => {
    const all = await Reading.all().orderBy('-score', 'id');
    const labels = await collect(Reading.all().orderBy('-score').valuesList('label', { flat: true }));
    assert.deepEqual(labels, all.map((r) => r.label));
    const pairs = await collect(Reading.all().orderBy('-score').valuesList('id', 'label'));
    assert.deepEqual(pairs, all.map((r) => [r.id, r.label]));
    const slim = await collect(Reading.all().only('id').orderBy('-score'));
    assert.deepEqual(slim.map((r) => r.id), all.map((r) => r.id));
    const window = await collect(Reading.all().orderBy('-score').offset(7).limit(1500).valuesList('id', { flat: true }));
    assert.deepEqual(window, all.slice(7, 1507).map((r) => r.id));
    // A boolean has no < or >, so this ordering pages with OFFSET, as before.
    const bySeen = await collect(Reading.all().orderBy('seen').valuesList('id', { flat: true }));
    assert.deepEqual(bySeen, await Reading.all().orderBy('seen', 'id').valuesList('id', { flat: true }));
  });
});
