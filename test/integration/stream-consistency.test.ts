/**
 * What docs/queries.md promises about `for await` while other connections change the table: inside
 * a REPEATABLE READ transaction (or SERIALIZABLE) the loop sees the table as it was when the
 * transaction first read it — every row once, however many pages, whatever another connection
 * deletes or inserts meanwhile. (PostgreSQL's default READ COMMITTED takes a new snapshot for each
 * page, so a plain inTransaction is not enough there: the docs say so.) SQLite holds its one
 * connection for the transaction, so the other writer waits until the loop is done.
 */
import assert from 'node:assert/strict';
import { AsyncResource } from 'node:async_hooks';
import { beforeEach, it } from 'node:test';
import { Model, fields, inTransaction, type IsolationLevel } from '../../src/index.js';
import { forEachBackend } from '../support/backends.js';

class Reading extends Model {
  id = fields.IntField({ pk: true });
  value = fields.IntField();
  static override meta = { table: 'stream_reading' };
}

/** Runs `fn` in the transaction-free context of module load, as another request would. */
const runOutside = AsyncResource.bind(<T>(fn: () => Promise<T>): Promise<T> => fn());

const ROWS = 2500; // three pages

forEachBackend('stream_consistency', [{ Reading }], () => {
  beforeEach(async () => {
    await Reading.all().delete();
    await Reading.bulkCreate(Array.from({ length: ROWS }, (_, i) => ({ value: i })));
  });

  for (const isolation of ['REPEATABLE READ', 'SERIALIZABLE'] as IsolationLevel[]) {
    it(`inside a ${isolation} transaction, for await sees every row that existed once, while another connection deletes and inserts`, async () => {
      const before = await Reading.all().orderBy('id').valuesList('id', { flat: true });
      let other: Promise<unknown> | undefined;
      const seen: number[] = [];
      await inTransaction(
        async () => {
          for await (const row of Reading.all().orderBy('id')) {
            seen.push(row.id);
            if (seen.length === 1) {
              // The first page is in; another connection now deletes the lowest 500 ids and adds rows.
              other = runOutside(async () => {
                await Reading.filter({ id__in: before.slice(0, 500) }).delete();
                await Reading.bulkCreate(Array.from({ length: 300 }, () => ({ value: -1 })));
              });
              // Where the other connection runs at once (PostgreSQL, MySQL), let it commit first.
              await Promise.race([other, new Promise((resolve) => setTimeout(resolve, 300))]);
            }
          }
        },
        { isolation },
      );
      await other;
      assert.equal(seen.length, ROWS, 'no row skipped or repeated');
      assert.deepEqual(seen, before);
      assert.equal(await Reading.all().count(), ROWS - 500 + 300, 'the other connection did change the table');
    });
  }
});
