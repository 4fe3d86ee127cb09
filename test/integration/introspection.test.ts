/**
 * introspectSchema and diffSchemas on every backend: the fixtures' tables read back as their DDL
 * declared them, two databases built alike compare equal, and each kind of difference is named.
 */
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { ConfigurationError, Model, ParamsError, diffSchemas, fields, introspectSchema, type LiveSchema, type LiveTable, type ModelSource } from '../../src/index.js';
import { constraintName } from '../../src/schema/tables.js';
import { activeBackends, type BackendName } from '../support/backends.js';
import { declaredSchema } from '../support/declared-schema.js';
import { FIXTURE_GROUPS } from '../support/fixture-groups.js';
import { fails, rejects } from '../support/expect-errors.js';
import { openDatabase, type LiveDatabase } from '../support/live-databases.js';


async function introspected(backend: BackendName, name: string, models: readonly ModelSource[]): Promise<LiveSchema> {
  const db = await openDatabase(backend, name, models);
  try {
    return await introspectSchema(db.handle);
  } finally {
    await db.close();
  }
}

const table = (schema: LiveSchema, name: string): LiveTable => {
  const found = schema.tables.find((t) => t.name === name);
  assert.ok(found, `no table ${name}`);
  return found;
};

/** Tables that differ from their namesake in exactly one respect. */
function differingModels(variant: 'a' | 'b') {
  const b = variant === 'b';
  class DiffTarget extends Model {
    id = fields.IntField({ pk: true });
    static override meta = { table: 'diff_target' };
  }
  class DiffType extends Model {
    id = fields.IntField({ pk: true });
    name = fields.CharField({ maxLength: b ? 40 : 30 });
    static override meta = { table: 'diff_type' };
  }
  class DiffNull extends Model {
    id = fields.IntField({ pk: true });
    n = fields.IntField({ null: b });
    static override meta = { table: 'diff_null' };
  }
  class DiffDefault extends Model {
    id = fields.IntField({ pk: true });
    n = fields.IntField({ default: b ? 2 : 1 });
    static override meta = { table: 'diff_default' };
  }
  class DiffUnique extends Model {
    id = fields.IntField({ pk: true });
    code = fields.CharField({ maxLength: 10, unique: !b });
    static override meta = { table: 'diff_unique' };
  }
  class DiffTogether extends Model {
    id = fields.IntField({ pk: true });
    x = fields.IntField();
    y = fields.IntField();
    static override meta = { table: 'diff_together', uniqueTogether: b ? [] : [['x', 'y']] };
  }
  class DiffIndex extends Model {
    id = fields.IntField({ pk: true });
    code = fields.CharField({ maxLength: 10, index: !b });
    static override meta = { table: 'diff_index' };
  }
  class DiffKey extends Model {
    id = fields.IntField({ pk: true });
    target = b ? fields.IntField({ sourceField: 'targetId', index: true }) : fields.ForeignKeyField(() => DiffTarget, { relatedName: false });
    static override meta = { table: 'diff_key' };
  }
  class DiffOnDelete extends Model {
    id = fields.IntField({ pk: true });
    target = fields.ForeignKeyField(() => DiffTarget, { relatedName: false, onDelete: b ? 'RESTRICT' : 'CASCADE' });
    static override meta = { table: 'diff_on_delete' };
  }
  class DiffComment extends Model {
    id = fields.IntField({ pk: true });
    n = fields.IntField({ description: b ? 'after' : 'before' });
    static override meta = { table: 'diff_comment' };
  }
  class DiffColumns extends Model {
    id = fields.IntField({ pk: true });
    x = fields.IntField();
    y = fields.IntField();
    static override meta = { table: 'diff_columns' };
  }
  class DiffColumnsB extends Model {
    id = fields.IntField({ pk: true });
    y = fields.IntField();
    x = fields.IntField();
    z = fields.IntField({ null: true });
    static override meta = { table: 'diff_columns' };
  }
  class DiffExtra extends Model {
    id = fields.IntField({ pk: true });
    static override meta = { table: 'diff_extra' };
  }
  const shared = [DiffTarget, DiffType, DiffNull, DiffDefault, DiffUnique, DiffTogether, DiffIndex, DiffKey, DiffOnDelete, DiffComment];
  return b ? [...shared, DiffColumnsB, DiffExtra] : [...shared, DiffColumns];
}

/** The statements that build the same hand-written tables on each backend (not Terrapin's DDL). */
const RAW_TABLES: Record<BackendName, string[]> = {
  sqlite: [
    'CREATE TABLE raw_parent (a INT NOT NULL, b TEXT NOT NULL, PRIMARY KEY (a, b))',
    `CREATE TABLE raw_child (id INTEGER PRIMARY KEY, a INT, b TEXT, note VARCHAR( 20 ) DEFAULT 'x', n NUMERIC DEFAULT '-3',
      CONSTRAINT raw_child_parent FOREIGN KEY (a, b) REFERENCES raw_parent (a, b) ON DELETE SET NULL ON UPDATE CASCADE, UNIQUE (note, n))`,
    'CREATE INDEX raw_child_lower ON raw_child (lower(note))',
    'CREATE UNIQUE INDEX raw_child_n ON raw_child (n DESC)',
  ],
  postgres: [
    'CREATE TABLE raw_parent (a INT NOT NULL, b TEXT NOT NULL, PRIMARY KEY (a, b))',
    `CREATE TABLE raw_child (id INT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY, a INT, b TEXT, note VARCHAR(20) DEFAULT 'x', n NUMERIC DEFAULT -3,
      CONSTRAINT raw_child_parent FOREIGN KEY (a, b) REFERENCES raw_parent (a, b) ON DELETE SET NULL ON UPDATE CASCADE, UNIQUE (note, n))`,
    'CREATE INDEX raw_child_lower ON raw_child (lower(note))',
    'CREATE UNIQUE INDEX raw_child_n ON raw_child (n DESC)',
  ],
  mysql: [
    'CREATE TABLE raw_parent (a INT NOT NULL, b VARCHAR(10) NOT NULL, PRIMARY KEY (a, b))',
    `CREATE TABLE raw_child (id INT AUTO_INCREMENT PRIMARY KEY, a INT, b VARCHAR(10), note VARCHAR(20) DEFAULT 'x', n DECIMAL(5,1) DEFAULT -3,
      CONSTRAINT raw_child_parent FOREIGN KEY (a, b) REFERENCES raw_parent (a, b) ON DELETE SET NULL ON UPDATE CASCADE, UNIQUE (note, n))`,
    'CREATE INDEX raw_child_lower ON raw_child (note(5))',
    'CREATE UNIQUE INDEX raw_child_n ON raw_child (n DESC)',
  ],
};

for (const backend of activeBackends()) {
  describe(backend, () => {
    /** Each group's tables, introspected once (several tests read them) along with what their DDL declared. */
    const groups = new Map<string, Promise<{ live: LiveSchema; declared: LiveSchema }>>();
    const groupSchemas = (group: string) => {
      let pending = groups.get(group);
      if (pending === undefined) {
        pending = (async () => {
          const db = await openDatabase(backend, `isp_${group}`, FIXTURE_GROUPS[group]!);
          try {
            return { live: await introspectSchema(db.handle), declared: declaredSchema(db.handle.dialect, db.terrapin.models) };
          } finally {
            await db.close();
          }
        })();
        groups.set(group, pending);
      }
      return pending;
    };
    /** A database without models, for tables written by hand; closed after the suite. */
    let raw: Promise<LiveDatabase> | undefined;
    const rawDatabase = () => (raw ??= openDatabase(backend, 'isp_raw', [], { generate: false }).then(async (db) => {
      for (const statement of RAW_TABLES[backend]) await db.handle.write(statement, []);
      return db;
    }));
    after(async () => {
      if (raw !== undefined) await (await raw).close();
    });

    for (const group of Object.keys(FIXTURE_GROUPS)) {
      it(`reads ${group} back as their DDL declared them`, async () => {
        const { live, declared } = await groupSchemas(group);
        assert.deepEqual(diffSchemas(live, declared, { labels: ['live', 'declared'] }), []);
        assert.deepEqual(live, declared);
        // Deterministic and JSON-serialisable: a JSON round trip changes nothing.
        assert.deepEqual(JSON.parse(JSON.stringify(live)), live);
      });
    }

    it('describes a many-to-many through table and a one-to-one exactly', async () => {
      const schema = (await groupSchemas('schema_models')).live;
      const tagType = { sqlite: 'char(36)', postgres: 'uuid', mysql: 'char(36)' }[backend];
      const onUpdate = backend === 'mysql' ? 'RESTRICT' : 'NO_ACTION';
      const plain = { default: null, primaryKey: false, autoIncrement: false, comment: null };
      assert.deepEqual(table(schema, 'sc_book_sc_tag'), {
        name: 'sc_book_sc_tag',
        comment: null,
        columns: [
          { name: 'bookId', type: 'int', nullable: false, ...plain },
          { name: 'tagId', type: tagType, nullable: false, ...plain },
        ],
        primaryKey: [],
        uniques: [{ name: 'uid_sc_book_sc_tag_bookId_tagId_5ae048', columns: ['bookId', 'tagId'] }],
        indexes: [{ name: 'idx_sc_book_sc_tag_tagId_543199', columns: ['tagId'], unique: false }],
        foreignKeys: [
          { name: 'fk_sc_book_sc_tag_bookId_f4e25c', columns: ['bookId'], refTable: 'sc_book', refColumns: ['id'], onDelete: 'CASCADE', onUpdate },
          { name: 'fk_sc_book_sc_tag_tagId_543199', columns: ['tagId'], refTable: 'sc_tag', refColumns: ['id'], onDelete: 'CASCADE', onUpdate },
        ],
      });
      const profile = table(schema, 'sc_profile');
      assert.deepEqual(profile.columns[0], { name: 'id', type: backend === 'sqlite' ? 'integer' : 'int', nullable: false, default: null, primaryKey: true, autoIncrement: true, comment: null });
      assert.deepEqual(profile.uniques, [{ name: { sqlite: null, postgres: 'sc_profile_authorId_key', mysql: 'authorId' }[backend], columns: ['authorId'] }]);
      const kitchen = table(schema, 'sc_kitchen');
      const name = kitchen.columns.find((c) => c.name === 'name')!;
      assert.equal(name.comment, backend === 'sqlite' ? null : 'A short name');
      const active = kitchen.columns.find((c) => c.name === 'active')!;
      assert.deepEqual([active.type, active.default], { sqlite: ['int', '1'], postgres: ['bool', 'true'], mysql: ['bool', '1'] }[backend]);
    });

    it('gives equal descriptions for two databases built alike', async () => {
      for (const group of Object.keys(FIXTURE_GROUPS)) {
        const a = (await groupSchemas(group)).live;
        const b = await introspected(backend, `isp_${group}_twin`, FIXTURE_GROUPS[group]!);
        assert.deepEqual(diffSchemas(a, b), []);
        assert.deepEqual(a, b);
      }
    });

    it('names each kind of difference', async () => {
      const a = await introspected(backend, 'isp_diff_a', differingModels('a'));
      const b = await introspected(backend, 'isp_diff_b', differingModels('b'));
      const expected = [
        'diff_columns: column z only in b',
        'diff_columns: column order (id, x, y) in a, (id, y, x) in b',
        ...(backend === 'sqlite' ? [] : ['diff_comment.n: comment before in a, after in b']),
        'diff_default.n: default 1 in a, 2 in b',
        `diff_index: index ${constraintName('idx', 'diff_index', ['code'])} (code) only in a`,
        'diff_key: foreign key (targetId) → diff_target(id) only in a',
        'diff_null.n: nullable false in a, true in b',
        'diff_on_delete: foreign key (targetId) → diff_target onDelete CASCADE in a, RESTRICT in b',
        'diff_together: unique (x, y) only in a',
        'diff_type.name: type varchar(30) in a, varchar(40) in b',
        'diff_unique: unique (code) only in a',
        'schema: table diff_extra only in b',
      ];
      assert.deepEqual([...diffSchemas(a, b)].sort(), [...expected].sort());
      // The same differences seen from the other side, with the sides' own names.
      const reverse = diffSchemas(b, a, { labels: ['live', 'models'] });
      assert.ok(reverse.includes('diff_type.name: type varchar(40) in live, varchar(30) in models'), reverse.join('\n'));
      assert.ok(reverse.includes('schema: table diff_extra only in live'), reverse.join('\n'));
      // Ignoring column order and names leaves the structural differences.
      const loose = diffSchemas(a, b, { ignoreColumnOrder: true, ignoreNames: true });
      assert.ok(!loose.some((line) => line.includes('column order')), loose.join('\n'));
      assert.ok(loose.includes('diff_index: index (code) only in a'), loose.join('\n'));
    });

    it('reports a renamed constraint unless names are ignored', async () => {
      const a = (await groupSchemas('fixtures')).live;
      const renamed: LiveSchema = {
        ...a,
        tables: a.tables.map((t) =>
          t.name === 'wh_stock'
            ? { ...t, foreignKeys: t.foreignKeys.map((k) => ({ ...k, name: `${k.name}_x` })), indexes: t.indexes.map((i) => ({ ...i, name: `${i.name}_x` })) }
            : t,
        ),
      };
      const differences = diffSchemas(a, renamed);
      assert.ok(differences.some((d) => /^wh_stock: foreign key \(warehouseId\) → wh_warehouse named fk_\S+ in a, fk_\S+_x in b$/.test(d)), differences.join('\n'));
      assert.ok(differences.some((d) => /^wh_stock: index idx_\S+_x \(warehouseId\) only in b$/.test(d)), differences.join('\n'));
      assert.deepEqual(diffSchemas(a, renamed, { ignoreNames: true }), []);
    });

    it('describes tables written by hand: composite keys, expression and descending indexes, spelled-out defaults', async () => {
      const db = await rawDatabase();
      const schema = await introspectSchema(db.handle, { tables: ['raw_child', 'raw_parent'] });
      assert.deepEqual(schema.tables.map((t) => t.name), ['raw_child', 'raw_parent']);
      const parent = table(schema, 'raw_parent');
      assert.deepEqual(parent.primaryKey, ['a', 'b']);
      assert.deepEqual(parent.columns.map((c) => [c.name, c.primaryKey, c.nullable]), [['a', true, false], ['b', true, false]]);
      const child = table(schema, 'raw_child');
      assert.deepEqual(child.foreignKeys, [
        { name: 'raw_child_parent', columns: ['a', 'b'], refTable: 'raw_parent', refColumns: ['a', 'b'], onDelete: 'SET_NULL', onUpdate: 'CASCADE' },
      ]);
      // MySQL has no unique index apart from a unique key; the others keep CREATE UNIQUE INDEX an index.
      assert.deepEqual(child.uniques.map((u) => u.columns), backend === 'mysql' ? [['n DESC'], ['note', 'n']] : [['note', 'n']]);
      const id = child.columns[0]!;
      // SQLite's INTEGER PRIMARY KEY without AUTOINCREMENT is the rowid: filled in, but ids may be reused.
      assert.deepEqual([id.primaryKey, id.autoIncrement, id.nullable], [true, backend !== 'sqlite', false]);
      const note = child.columns.find((c) => c.name === 'note')!;
      assert.deepEqual([note.type, note.default, note.nullable], ['varchar(20)', "'x'", true]);
      const n = child.columns.find((c) => c.name === 'n')!;
      assert.deepEqual([n.type, n.default], { sqlite: ['numeric', '-3'], postgres: ['decimal', '-3'], mysql: ['decimal(5,1)', '-3.0'] }[backend]);
      const lower = child.indexes.find((i) => i.name === 'raw_child_lower')!;
      assert.deepEqual(lower.columns, [{ sqlite: '(expression)', postgres: '(lower(note::text))', mysql: 'note(5)' }[backend]]);
      assert.equal(lower.unique, false);
      if (backend !== 'mysql') assert.deepEqual(child.indexes.find((i) => i.name === 'raw_child_n'), { name: 'raw_child_n', columns: ['n DESC'], unique: true });
    });

    it('leaves out excluded tables and refuses unknown options and tables', async () => {
      const db = await rawDatabase();
      const all = await introspectSchema(db.handle);
      assert.deepEqual(all.tables.map((t) => t.name), ['raw_child', 'raw_parent']);
      const some = await introspectSchema(db.handle, { exclude: ['raw_child', 'no_such_table'] });
      assert.deepEqual(some.tables.map((t) => t.name), ['raw_parent']);
      await rejects(introspectSchema(db.handle, { tabels: ['raw_child'] } as never), ConfigurationError, /introspectSchema: unknown option 'tabels'; the options are 'tables', 'exclude'/);
      await rejects(introspectSchema(db.handle, { tables: 'raw_child' } as never), ConfigurationError, /'tables' must be an array of table names/);
      await rejects(introspectSchema(db.handle, { tables: ['raw_child', 'nope'] }), ParamsError, /no table 'nope' in the database of connection 'default'/);
      fails(() => diffSchemas(all, all, { names: false } as never), ConfigurationError, /diffSchemas: unknown option 'names'/);
      // Inside a transaction, through its client.
      const inside = await db.terrapin.inTransaction((client) => introspectSchema(client, { tables: ['raw_parent'] }));
      assert.deepEqual(inside, some);
    });
  });
}
