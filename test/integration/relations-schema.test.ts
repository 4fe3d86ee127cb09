import assert from 'node:assert/strict';
import { it } from 'node:test';
import { Terrapin } from '../../src/index.js';
import { forEachBackend, type BackendContext } from '../support/backends.js';
import { libraryModels } from '../fixtures/library.js';

interface ForeignKeyInfo {
  column: string;
  refTable: string;
  refColumn: string;
  onDelete: string;
}

function rows(sql: string, params: readonly unknown[]): Promise<unknown[][]> {
  return Terrapin.default.connection('default').rows(sql, params);
}

/** The table's FOREIGN KEY constraints as the database reports them, sorted by column. */
async function foreignKeys(ctx: BackendContext, table: string): Promise<ForeignKeyInfo[]> {
  let found: unknown[][];
  if (ctx.backend === 'sqlite') {
    // PRAGMA foreign_key_list: id, seq, table, from, to, on_update, on_delete, match.
    found = (await rows(`PRAGMA foreign_key_list("${table}")`, [])).map((r) => [r[3], r[2], r[4], r[6]]);
  } else if (ctx.backend === 'postgres') {
    found = await rows(
      `SELECT kcu.column_name, ccu.table_name, ccu.column_name, rc.delete_rule
         FROM information_schema.table_constraints tc
         JOIN information_schema.referential_constraints rc
           ON rc.constraint_name = tc.constraint_name AND rc.constraint_schema = tc.table_schema
         JOIN information_schema.key_column_usage kcu
           ON kcu.constraint_name = tc.constraint_name AND kcu.table_schema = tc.table_schema
         JOIN information_schema.constraint_column_usage ccu
           ON ccu.constraint_name = tc.constraint_name AND ccu.constraint_schema = tc.table_schema
        WHERE tc.constraint_type = 'FOREIGN KEY' AND tc.table_name = $1`,
      [table],
    );
  } else {
    found = await rows(
      `SELECT kcu.COLUMN_NAME, kcu.REFERENCED_TABLE_NAME, kcu.REFERENCED_COLUMN_NAME, rc.DELETE_RULE
         FROM information_schema.REFERENTIAL_CONSTRAINTS rc
         JOIN information_schema.KEY_COLUMN_USAGE kcu
           ON kcu.CONSTRAINT_SCHEMA = rc.CONSTRAINT_SCHEMA AND kcu.CONSTRAINT_NAME = rc.CONSTRAINT_NAME AND kcu.TABLE_NAME = rc.TABLE_NAME
        WHERE rc.CONSTRAINT_SCHEMA = DATABASE() AND rc.TABLE_NAME = ?`,
      [table],
    );
  }
  return found
    .map(([column, refTable, refColumn, onDelete]) => ({
      column: String(column),
      refTable: String(refTable),
      refColumn: String(refColumn),
      onDelete: String(onDelete),
    }))
    .sort((a, b) => a.column.localeCompare(b.column));
}

/** The column sets of the table's UNIQUE constraints (primary key excluded), each sorted. */
async function uniqueSets(ctx: BackendContext, table: string): Promise<string[][]> {
  let found: unknown[][];
  if (ctx.backend === 'sqlite') {
    found = await rows(
      `SELECT il.name, ii.name FROM pragma_index_list(?) AS il JOIN pragma_index_info(il.name) AS ii
        WHERE il."unique" = 1 AND il.origin != 'pk'`,
      [table],
    );
  } else if (ctx.backend === 'postgres') {
    found = await rows(
      `SELECT tc.constraint_name, kcu.column_name
         FROM information_schema.table_constraints tc
         JOIN information_schema.key_column_usage kcu
           ON kcu.constraint_name = tc.constraint_name AND kcu.table_schema = tc.table_schema
        WHERE tc.constraint_type = 'UNIQUE' AND tc.table_name = $1`,
      [table],
    );
  } else {
    found = await rows(
      `SELECT tc.CONSTRAINT_NAME, kcu.COLUMN_NAME
         FROM information_schema.TABLE_CONSTRAINTS tc
         JOIN information_schema.KEY_COLUMN_USAGE kcu
           ON kcu.CONSTRAINT_SCHEMA = tc.CONSTRAINT_SCHEMA AND kcu.CONSTRAINT_NAME = tc.CONSTRAINT_NAME AND kcu.TABLE_NAME = tc.TABLE_NAME
        WHERE tc.CONSTRAINT_TYPE = 'UNIQUE' AND tc.CONSTRAINT_SCHEMA = DATABASE() AND tc.TABLE_NAME = ?`,
      [table],
    );
  }
  const groups = new Map<string, string[]>();
  for (const [name, column] of found) {
    const list = groups.get(String(name)) ?? [];
    list.push(String(column));
    groups.set(String(name), list);
  }
  return [...groups.values()].map((g) => g.sort()).sort((a, b) => a.join().localeCompare(b.join()));
}

async function columnsOf(ctx: BackendContext, table: string): Promise<string[]> {
  const queries = {
    sqlite: [`SELECT name FROM pragma_table_info(?)`, [table]],
    postgres: [`SELECT column_name FROM information_schema.columns WHERE table_name = $1`, [table]],
    mysql: [`SELECT COLUMN_NAME FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = ?`, [table]],
  } as const;
  const [sql, params] = queries[ctx.backend];
  return (await rows(sql, params)).map((r) => String(r[0])).sort();
}

async function tableNames(ctx: BackendContext): Promise<string[]> {
  const queries = {
    sqlite: [`SELECT name FROM sqlite_master WHERE type = 'table'`, []],
    postgres: [`SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'`, []],
    mysql: [`SELECT TABLE_NAME FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE()`, []],
  } as const;
  const [sql, params] = queries[ctx.backend];
  return (await rows(sql, params)).map((r) => String(r[0])).sort();
}

forEachBackend('relations_schema', [libraryModels], (ctx) => {
  it('creates a FOREIGN KEY per key with its onDelete rule (the primary key, or toField)', async () => {
    assert.deepEqual(await foreignKeys(ctx, 'book'), [
      { column: 'authorId', refTable: 'author', refColumn: 'id', onDelete: 'CASCADE' },
      { column: 'editorId', refTable: 'author', refColumn: 'id', onDelete: 'SET NULL' },
      { column: 'publisherId', refTable: 'publisher', refColumn: 'code', onDelete: 'SET NULL' },
    ]);
    assert.deepEqual(await foreignKeys(ctx, 'restrict_child'), [
      { column: 'ownerId', refTable: 'owner', refColumn: 'id', onDelete: 'RESTRICT' },
    ]);
    assert.deepEqual(await foreignKeys(ctx, 'no_action_child'), [
      { column: 'ownerId', refTable: 'owner', refColumn: 'id', onDelete: 'NO ACTION' },
    ]);
    // relatedName: false only drops the reverse side; the constraint stays.
    assert.deepEqual(await foreignKeys(ctx, 'review'), [{ column: 'bookId', refTable: 'book', refColumn: 'id', onDelete: 'CASCADE' }]);
  });

  it('creates no constraint with dbConstraint: false', async () => {
    assert.deepEqual(await foreignKeys(ctx, 'loose'), []);
    assert.deepEqual(await columnsOf(ctx, 'loose'), ['authorId', 'id']);
  });

  it('makes the key of a one-to-one unique', async () => {
    assert.deepEqual(await uniqueSets(ctx, 'profile'), [['authorId']]);
    assert.deepEqual(await foreignKeys(ctx, 'profile'), [{ column: 'authorId', refTable: 'author', refColumn: 'id', onDelete: 'CASCADE' }]);
    assert.deepEqual(await uniqueSets(ctx, 'book'), [], 'a plain foreign key is not unique');
  });

  it('creates the through table with its named keys, two constraints and a unique pair', async () => {
    assert.deepEqual(await columnsOf(ctx, 'book_tag'), ['bookRef', 'tagRef']);
    assert.deepEqual(await foreignKeys(ctx, 'book_tag'), [
      { column: 'bookRef', refTable: 'book', refColumn: 'id', onDelete: 'CASCADE' },
      { column: 'tagRef', refTable: 'tag', refColumn: 'id', onDelete: 'CASCADE' },
    ]);
    assert.deepEqual(await uniqueSets(ctx, 'book_tag'), [['bookRef', 'tagRef']]);
  });

  it('names the self many-to-many keys apart and points both at the same table', async () => {
    assert.deepEqual(await columnsOf(ctx, 'person_friend'), ['personId', 'personRelId']);
    assert.deepEqual(await foreignKeys(ctx, 'person_friend'), [
      { column: 'personId', refTable: 'person', refColumn: 'id', onDelete: 'CASCADE' },
      { column: 'personRelId', refTable: 'person', refColumn: 'id', onDelete: 'CASCADE' },
    ]);
    assert.deepEqual(await foreignKeys(ctx, 'person'), [{ column: 'parentId', refTable: 'person', refColumn: 'id', onDelete: 'SET NULL' }]);
  });

  it('uses a declared through model as the table, creating no other', async () => {
    const tables = await tableNames(ctx);
    assert.ok(tables.includes('book_label'));
    assert.ok(!tables.some((t) => t.startsWith('book_label') && t !== 'book_label'), `tables: ${tables.join(', ')}`);
    assert.deepEqual(await columnsOf(ctx, 'book_label'), ['bookId', 'id', 'labelId', 'note']);
    assert.deepEqual(await foreignKeys(ctx, 'book_label'), [
      { column: 'bookId', refTable: 'book', refColumn: 'id', onDelete: 'CASCADE' },
      { column: 'labelId', refTable: 'label', refColumn: 'id', onDelete: 'CASCADE' },
    ]);
  });

  it('creates both keys of tables that refer to each other', async () => {
    assert.deepEqual(await foreignKeys(ctx, 'team'), [{ column: 'captainId', refTable: 'player', refColumn: 'id', onDelete: 'SET NULL' }]);
    assert.deepEqual(await foreignKeys(ctx, 'player'), [{ column: 'teamId', refTable: 'team', refColumn: 'id', onDelete: 'SET NULL' }]);
    const ddl = Terrapin.default.schemaSql({ safe: false }).default!;
    const alters = ddl.filter((s) => /^ALTER TABLE/i.test(s));
    if (ctx.backend === 'sqlite') {
      // SQLite checks references only when rows are written, so the cyclic key stays inline.
      assert.deepEqual(alters, []);
    } else {
      assert.equal(alters.length, 1, `one ALTER TABLE for the cycle, got:\n${alters.join('\n')}`);
      assert.match(alters[0]!, /FOREIGN KEY/);
    }
    // The cycle works in use: a team whose captain plays for it.
    const { Team, Player } = libraryModels;
    const team = await Team.create({ name: 'reds' });
    const player = await Player.create({ name: 'Ann', team });
    team.captain = player;
    await team.save();
    const loaded = await Team.get({ id: team.id });
    assert.equal((await loaded.captain)?.name, 'Ann');
    assert.deepEqual(await Player.filter({ captainOf__name: 'reds' }).valuesList('name', { flat: true }), ['Ann']);
  });

  it('generateSchemas in safe mode runs again over the cycle without adding its key twice', async () => {
    await Terrapin.generateSchemas({ safe: true });
    await Terrapin.generateSchemas({ safe: true });
    assert.deepEqual(await foreignKeys(ctx, 'team'), [{ column: 'captainId', refTable: 'player', refColumn: 'id', onDelete: 'SET NULL' }]);
  });
});
