import assert from 'node:assert/strict';
import { it } from 'node:test';
import { ConfigurationError, IntegrityError, Model, Terrapin, fields, type ModelOptions } from '../../src/index.js';
import { forEachBackend, type BackendContext } from '../support/backends.js';

/** Abstract base: contributes fields, has no table. */
class Timestamped extends Model {
  createdAt = fields.DatetimeField({ autoNowAdd: true });
  static override meta: ModelOptions = { abstract: true };
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- TypeScript's mixin pattern requires any[]
type ModelConstructor = new (...args: any[]) => Model;

/** A mixin: a function adding fields to any model class, inherited through the class chain. */
function Named<B extends ModelConstructor>(base: B) {
  return class WithName extends base {
    name = fields.CharField({ maxLength: 40, index: true, description: "the member's name" });
  };
}

class Member extends Named(Timestamped) {
  id = fields.IntField({ pk: true });
  team = fields.CharField({ maxLength: 20 });
  number = fields.SmallIntField();
  code = fields.CharField({ maxLength: 10, unique: true, null: true });
  static override meta = {
    table: 'member',
    uniqueTogether: [['team', 'number']],
    indexes: [['team', 'createdAt']],
    ordering: ['team', '-number'],
    tableDescription: "a team's members",
  };
}

/** No declared primary key: Terrapin adds `id`. */
class Plain extends Model {
  label = fields.CharField({ maxLength: 10 });
  static override meta = { table: 'plain' };
}

async function indexNames(ctx: BackendContext, table: string): Promise<string[]> {
  const conn = Terrapin.default.connection('default');
  const queries = {
    sqlite: [`SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = ?`, [table]],
    postgres: [`SELECT indexname FROM pg_indexes WHERE tablename = $1`, [table]],
    mysql: [`SELECT DISTINCT index_name FROM information_schema.statistics WHERE table_schema = DATABASE() AND table_name = ?`, [table]],
  } as const;
  const [sql, params] = queries[ctx.backend];
  return (await conn.rows(sql, params)).map((row) => String(row[0]));
}

forEachBackend('schema', [{ Timestamped, Member, Plain }], (ctx) => {
  it('inherits fields from abstract models and mixins, in declaration order', async () => {
    const member = await Member.create({ name: 'Ann', team: 'red', number: 7 });
    assert.ok(member.createdAt instanceof Date);
    assert.deepEqual(Object.keys(await Member.all().values().first() ?? {}), ['createdAt', 'name', 'id', 'team', 'number', 'code']);
  });

  it('adds an implicit integer id when no primary key is declared', async () => {
    const row = await Plain.create({ label: 'x' });
    assert.equal(typeof row.pk, 'number');
    assert.deepEqual(await Plain.filter({ pk: row.pk as number }).values(), [{ id: row.pk, label: 'x' }]);
  });

  it('enforces unique and uniqueTogether with IntegrityError', async () => {
    await Member.create({ name: 'Bo', team: 'blue', number: 1, code: 'B1' });
    await assert.rejects(Member.create({ name: 'Cy', team: 'blue', number: 1 }), IntegrityError);
    await assert.rejects(Member.create({ name: 'Di', team: 'green', number: 2, code: 'B1' }), IntegrityError);
    await Member.create({ name: 'Ed', team: 'green', number: 1 });
  });

  it('creates the declared indexes', async () => {
    const names = await indexNames(ctx, 'member');
    assert.ok(names.some((n) => n.startsWith('idx_member_name_')), `single-field index in ${names.join(', ')}`);
    assert.ok(names.some((n) => n.startsWith('idx_member_team_createdAt_')), `composite index in ${names.join(', ')}`);
    if (ctx.backend !== 'sqlite') {
      // SQLite names the indexes behind UNIQUE constraints itself (sqlite_autoindex_…).
      assert.ok(names.some((n) => n.startsWith('uid_member_team_number_')), `unique-together constraint in ${names.join(', ')}`);
    }
  });

  it('applies Meta.ordering by default and lets orderBy replace it', async () => {
    await Member.all().delete();
    for (const [team, number] of [['b', 1], ['a', 1], ['a', 3], ['b', 2]] as const) {
      await Member.create({ name: `${team}${number}`, team, number });
    }
    assert.deepEqual(await Member.all().valuesList('name', { flat: true }), ['a3', 'a1', 'b2', 'b1']);
    assert.deepEqual(await Member.all().orderBy('name').valuesList('name', { flat: true }), ['a1', 'a3', 'b1', 'b2']);
  });

  it('generateSchemas({ safe: true }) is idempotent; safe: false on existing tables fails', async () => {
    await Terrapin.generateSchemas({ safe: true });
    await Terrapin.generateSchemas();
    await assert.rejects(Terrapin.generateSchemas({ safe: false }), /already exists/i);
  });

  it('writes table and column comments where the backend keeps them', async () => {
    const sql = Terrapin.default.schemaSql({ safe: false }).default!.join(';\n');
    if (ctx.backend === 'postgres') {
      assert.match(sql, /COMMENT ON TABLE "member" IS 'a team''s members'/);
      assert.match(sql, /COMMENT ON COLUMN "member"\."name" IS 'the member''s name'/);
    } else if (ctx.backend === 'mysql') {
      assert.match(sql, /COMMENT='a team''s members'/);
      assert.match(sql, /`name` VARCHAR\(40\) NOT NULL COMMENT 'the member''s name'/);
    } else {
      assert.doesNotMatch(sql, /COMMENT/, 'SQLite has no comments');
    }
  });
});

it('refuses an abstract model as a query target and a non-pk field named id', async () => {
  class Orphan extends Model {
    id = fields.CharField({ maxLength: 5 });
    static override meta = { table: 'orphan' };
  }
  const instance = new Terrapin();
  await assert.rejects(instance.init({ dbUrl: 'sqlite://:memory:', modules: { models: [Orphan] } }), (error: unknown) => {
    assert.ok(error instanceof ConfigurationError);
    assert.match((error as Error).message, /Orphan\.id is not a primary key; mark it with 'pk: true' or rename it\./);
    return true;
  });
  assert.throws(() => Timestamped.all(), /Timestamped is not registered with Terrapin/);
});
