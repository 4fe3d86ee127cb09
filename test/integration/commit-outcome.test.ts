/**
 * What a transaction reports when its connection is killed around COMMIT: while workers insert one
 * row per inTransaction, every session on the suite's database is terminated every 100–250 ms
 * (pg_terminate_backend, MariaDB's KILL). Afterwards every insert that was reported committed is
 * there (0 lost) and none that was reported failed is (0 phantom): a COMMIT the server confirmed
 * (PostgreSQL's CommandComplete, even when the FATAL comes before ReadyForQuery) is a success, a
 * COMMIT the server answered with an error (its FATAL) a failure, and a COMMIT whose answer never
 * came (MariaDB's KILL may close the socket first) CommitOutcomeUnknownError — never a plain failure.
 * PostgreSQL and MySQL only: SQLite runs in-process, there is no connection to kill.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import mysql from 'mysql2/promise';
import postgres from 'postgres';
import { CommitOutcomeUnknownError, DatabaseUnavailableError, Model, OperationalError, Terrapin, fields } from '../../src/index.js';
import { MYSQL_ADMIN_URL, PG_ADMIN_URL, activeBackends, databaseName, freshDatabase } from '../support/backends.js';

class Entry extends Model {
  id = fields.IntField({ pk: true });
  tag = fields.CharField({ maxLength: 40, unique: true });
  static override meta = { table: 'outcome_entry' };
}

const SUITE = 'commit_outcome';
const RUN_MS = Number(process.env.TERRAPIN_COMMIT_OUTCOME_MS ?? 3000);
const WORKERS = 8;

/** Ends every session on the suite's database (never another database's). */
async function killer(backend: 'postgres' | 'mysql'): Promise<{ kill: () => Promise<number>; end: () => Promise<void> }> {
  const database = databaseName(SUITE);
  if (backend === 'postgres') {
    const admin = postgres(PG_ADMIN_URL, { max: 1, onnotice: () => {} });
    return {
      kill: async () =>
        (await admin`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = ${database} AND pid <> pg_backend_pid()`).length,
      end: () => admin.end({ timeout: 1 }),
    };
  }
  const admin = await mysql.createConnection(MYSQL_ADMIN_URL);
  return {
    kill: async () => {
      const [rows] = await admin.query<mysql.RowDataPacket[]>('SELECT id FROM information_schema.processlist WHERE db = ? AND id <> CONNECTION_ID()', [database]);
      for (const row of rows) await admin.query(`KILL ${Number(row.id)}`).catch(() => undefined);
      return rows.length;
    },
    end: () => admin.end(),
  };
}

/**
 * Runs `read` until it succeeds (at most a few times): a pooled connection the last kill ended just
 * before may fail one statement before the pool learns it is gone.
 */
async function afterKills<T>(read: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await read();
    } catch (error) {
      if (!(error instanceof DatabaseUnavailableError) || attempt >= 10) throw error;
    }
  }
}

for (const backend of ['postgres', 'mysql'] as const) {
  if (!activeBackends().includes(backend)) continue;
  describe(`${backend}: sessions killed around COMMIT`, () => {
    const terrapin = new Terrapin();
    before(async () => {
      const url = await freshDatabase(backend, SUITE);
      await terrapin.init({ dbUrl: `${url}?maxsize=${WORKERS}`, modules: { models: [Entry] } });
      await terrapin.generateSchemas();
    });
    after(() => terrapin.close());

    it(`no transaction reported committed is missing and none reported failed is present (${RUN_MS} ms of kills)`, async () => {
      const outcomes = new Map<string, 'committed' | 'failed' | 'unknown'>();
      let stop = false;
      let seq = 0;
      const worker = async (w: number) => {
        while (!stop) {
          const tag = `w${w}-${seq++}`;
          try {
            await terrapin.inTransaction(async () => Entry.create({ tag }));
            outcomes.set(tag, 'committed');
          } catch (error) {
            assert.ok(error instanceof OperationalError, String(error));
            outcomes.set(tag, error instanceof CommitOutcomeUnknownError ? 'unknown' : 'failed');
            if (error instanceof CommitOutcomeUnknownError) assert.ok(error instanceof DatabaseUnavailableError);
          }
        }
      };
      const { kill, end } = await killer(backend);
      let kills = 0;
      let killed = 0;
      const killing = (async () => {
        while (!stop) {
          await new Promise((resolve) => setTimeout(resolve, 100 + Math.random() * 150));
          killed += await kill();
          kills++;
        }
      })();
      const workers = Array.from({ length: WORKERS }, (_, w) => worker(w));
      await new Promise((resolve) => setTimeout(resolve, RUN_MS));
      stop = true;
      await Promise.all([...workers, killing]);
      await end();

      const present = new Set(await afterKills(() => Entry.all().valuesList('tag', { flat: true })));
      const count = { committed: 0, failed: 0, unknown: 0, unknownPresent: 0 };
      const lost: string[] = [];
      const phantom: string[] = [];
      for (const [tag, outcome] of outcomes) {
        count[outcome]++;
        if (outcome === 'committed' && !present.has(tag)) lost.push(tag);
        if (outcome === 'failed' && present.has(tag)) phantom.push(tag);
        if (outcome === 'unknown' && present.has(tag)) count.unknownPresent++;
      }
      console.log(
        `${backend}: ${outcomes.size} transactions, ${kills} kill rounds (${killed} sessions): ${count.committed} committed, ${count.failed} failed, ` +
          `${count.unknown} outcome unknown (${count.unknownPresent} of them committed); lost ${lost.length}, phantom ${phantom.length}`,
      );
      assert.deepEqual(lost, [], 'reported committed but missing');
      assert.deepEqual(phantom, [], 'reported failed but present');
      if (backend === 'postgres') {
        // pg_terminate_backend's FATAL comes before the COMMIT's CommandComplete (nothing was
        // committed: a failure) or after it (committed, even when it beats ReadyForQuery): the
        // client can always tell which.
        assert.equal(count.unknown, 0, 'PostgreSQL says whether each COMMIT took effect');
      }
      assert.ok(killed > 0 && count.failed + count.unknown > 0, 'the kills did hit transactions');
      assert.ok(count.committed > 0);
    });
  });
}
