/**
 * A query on a model whose table was never created says how to create it, on every backend
 * (SQLite's `no such table`, PostgreSQL's 42P01, MySQL's 1146), instead of the bare driver message.
 */
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { Model, OperationalError, Terrapin, fields } from '../../src/index.js';
import { forEachBackend } from '../support/backends.js';

class Present extends Model {
  id = fields.IntField({ pk: true });
  static override meta = { table: 'mt_present' };
}

class Absent extends Model {
  id = fields.IntField({ pk: true });
  name = fields.CharField({ maxLength: 20 });
  static override meta = { table: 'mt_absent' };
}

const MESSAGES = {
  sqlite: /^SQLite: no such table: mt_absent\. The table does not exist in this database: create the models' tables with `await Terrapin\.generateSchemas\(\)`/,
  postgres: /^PostgreSQL: relation "mt_absent" does not exist\. The table does not exist in this database: .* or run your migrations, before querying\.$/,
  mysql: /^MySQL: Table '[^']+\.mt_absent' doesn't exist\. The table does not exist in this database: .*generateSchemas/,
};

forEachBackend('missing_table', [{ Present }], (ctx) => {
  it('names generateSchemas() and migrations for a table that was never created', async () => {
    await Terrapin.close();
    // The same database, now with a model whose table generateSchemas() never made.
    await Terrapin.init({ dbUrl: ctx.url, modules: { models: [{ Present, Absent }] } });
    for (const attempt of [() => Absent.all(), () => Absent.create({ name: 'x' }), () => Absent.filter({ name: 'x' }).count()]) {
      await assert.rejects(attempt(), (error: unknown) => {
        assert.ok(error instanceof OperationalError, String(error));
        assert.match(error.message, MESSAGES[ctx.backend]);
        assert.ok(error.cause !== undefined);
        return true;
      });
    }
    // The server databases keep the table generateSchemas() made (a new in-memory SQLite has none).
    if (ctx.backend !== 'sqlite') assert.deepEqual(await Present.all(), []);
  });
});
