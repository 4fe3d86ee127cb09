/**
 * Choosing the SQLite library by URL (`?driver=`): better-sqlite3 on Node by default, a named one
 * when asked, a clear ConfigurationError for an unknown name or one this runtime cannot load.
 * (bun:sqlite and node:sqlite themselves run in test/runtimes/ under Bun and Deno.)
 */
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { afterEach, describe, it } from 'node:test';
import { ConfigurationError, Model, Terrapin, fields } from '../../src/index.js';

class Pebble extends Model {
  id = fields.IntField({ pk: true });
  name = fields.CharField({ maxLength: 20 });
  static override meta = { table: 'pebble' };
}

async function roundTrip(dbUrl: string): Promise<string[]> {
  await Terrapin.init({ dbUrl, modules: { models: [{ Pebble }] } });
  await Terrapin.generateSchemas();
  await Pebble.create({ name: 'a' });
  return Pebble.all().valuesList('name', { flat: true });
}

function nodeSqliteUsable(): boolean {
  try {
    const { DatabaseSync } = createRequire(import.meta.url)('node:sqlite') as { DatabaseSync: new (path: string) => { prepare(sql: string): object } };
    return 'setReturnArrays' in new DatabaseSync(':memory:').prepare('select 1');
  } catch {
    return false;
  }
}

describe('SQLite drivers', () => {
  afterEach(async () => {
    await Terrapin.close();
  });

  it('uses better-sqlite3 on Node, by default or by name', async () => {
    assert.deepEqual(await roundTrip('sqlite://:memory:'), ['a']);
    await Terrapin.close();
    assert.deepEqual(await roundTrip('sqlite://:memory:?driver=better-sqlite3'), ['a']);
  });

  it('refuses an unknown driver, naming the ones there are', async () => {
    await assert.rejects(
      roundTrip('sqlite://:memory:?driver=sqlite3'),
      (error: unknown) =>
        error instanceof ConfigurationError &&
        error.message === "connection 'default': unknown SQLite driver 'sqlite3' in the URL; use one of better-sqlite3, node:sqlite, bun:sqlite (e.g. 'sqlite://db.sqlite3?driver=node:sqlite').",
    );
  });

  it("refuses bun:sqlite outside Bun, pointing at this runtime's driver", async () => {
    await assert.rejects(
      roundTrip('sqlite://:memory:?driver=bun:sqlite'),
      (error: unknown) => error instanceof ConfigurationError && /the SQLite driver 'bun:sqlite' cannot be loaded here .*use \?driver=better-sqlite3/.test(error.message),
    );
  });

  it('node:sqlite works where Node has it (≥ 22.5 with row arrays), and says what it needs where not', async () => {
    if (nodeSqliteUsable()) assert.deepEqual(await roundTrip('sqlite://:memory:?driver=node:sqlite'), ['a']);
    else {
      await assert.rejects(roundTrip('sqlite://:memory:?driver=node:sqlite'), (error: unknown) => error instanceof ConfigurationError || /node:sqlite/.test(String(error)));
    }
  });
});
