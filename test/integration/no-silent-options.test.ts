/**
 * No option is silently ignored: every unknown option in field options, relation options, `meta`,
 * `Terrapin.init` (and its config and apps), schema options, transactions and `registerTerrapin`
 * is a ConfigurationError naming the option and listing the valid ones; options Terrapin does not
 * support (dbDefault, meta.schema, modelConfig, SQLite read-only transactions) are refused by name.
 * The options that work (JSONField encoder/decoder, tableNameGenerator, configFile, readOnly) are
 * checked on every backend.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { it } from 'node:test';
import { pathToFileURL } from 'node:url';
import { Hono } from 'hono';
import express from 'express';
import Fastify from 'fastify';
import { ConfigurationError, Model, NotSupportedError, OperationalError, Terrapin, TransactionManagementError, fields, inTransaction, modelSchema } from '../../src/index.js';
import { registerTerrapin as registerHono } from '../../src/integrations/hono.js';
import { registerTerrapin as registerExpress } from '../../src/integrations/express.js';
import { registerTerrapin as registerFastify } from '../../src/integrations/fastify.js';
import { forEachBackend } from '../support/backends.js';

/** The error `fn` throws (or rejects with) is a `type` whose message matches every pattern. */
async function refuses(fn: () => unknown, type: abstract new (...args: never[]) => Error, ...patterns: RegExp[]): Promise<void> {
  let caught: unknown;
  try {
    await fn();
  } catch (error) {
    caught = error;
  }
  assert.ok(caught instanceof type, `expected ${type.name}, got ${String(caught)}`);
  for (const pattern of patterns) assert.match((caught as Error).message, pattern);
}

/** Registers one model on a fresh instance and closes it again. */
async function register(url: string, models: Record<string, unknown>, extra: Record<string, unknown> = {}): Promise<void> {
  const t = new Terrapin();
  try {
    await t.init({ dbUrl: url, modules: { models: [models] }, ...extra } as never);
  } finally {
    await t.close();
  }
}

/** A class with one field made by `make`, to register under a fresh name. */
function modelWith(make: () => unknown): typeof Model {
  return class Probe extends Model {
    value = make();
  } as typeof Model;
}

class Stamped extends Model {
  id = fields.IntField({ pk: true });
  /** Dates survive as Dates: the encoder tags them, the decoder revives them. */
  data = fields.JSONField<{ at: Date; n: number }>({
    encoder: (value) => JSON.stringify(value, (key, v: unknown) => (key !== '$date' && typeof v === 'string' && /^\d{4}-\d\d-\d\dT/.test(v) ? { $date: v } : v)),
    decoder: (text) => JSON.parse(text, (_key, v: unknown) => (v !== null && typeof v === 'object' && '$date' in v ? new Date((v as { $date: string }).$date) : v)) as { at: Date; n: number },
  });
  static override meta = { table: 'tk_stamped' };
}

forEachBackend('no_silent_options', [{ Stamped }], (ctx) => {
  it('field options: an unknown one names the model, field, option and the valid options', async () => {
    const cases: [() => unknown, RegExp][] = [
      [() => fields.IntField({ maxLength: 3 } as never), /unknown option 'maxLength'; the options are 'pk', 'primaryKey', 'null', 'default'/],
      [() => fields.CharField({ maxLength: 5, max_length: 5 } as never), /unknown option 'max_length'.*'maxLength'/],
      [() => fields.DecimalField({ maxDigits: 5, decimalPlaces: 2, places: 1 } as never), /unknown option 'places'.*'maxDigits', 'decimalPlaces'/],
      [() => fields.DatetimeField({ auto_now: true } as never), /unknown option 'auto_now'.*'autoNow', 'autoNowAdd'/],
      [() => fields.JSONField({ encode: JSON.stringify } as never), /unknown option 'encode'.*'encoder', 'decoder'/],
      [() => fields.TextField({ nullable: true } as never), /unknown option 'nullable'/],
    ];
    for (const [make, message] of cases) {
      await refuses(() => register(ctx.url, { Probe: modelWith(make) }), ConfigurationError, /Probe\.value \(\w+Field\)/, message);
    }
  });

  it("refuses dbDefault by name, saying to use 'default'", async () => {
    await refuses(() => register(ctx.url, { Probe: modelWith(() => fields.IntField({ dbDefault: 1 } as never)) }), NotSupportedError, /Probe\.value.*'dbDefault'.*use 'default'/);
  });

  it('relation options: an unknown one names the relation and lists the valid ones', async () => {
    class Parent extends Model {
      static override meta = { table: 'tk_parent' };
    }
    class Child extends Model {
      parent = fields.ForeignKeyField(() => Parent, { related_name: 'kids' } as never);
      static override meta = { table: 'tk_child' };
    }
    await refuses(() => register(ctx.url, { Parent, Child }), ConfigurationError, /Child\.parent \(ForeignKeyField\): unknown option 'related_name'; the options are 'relatedName'/);
    class Tagged extends Model {
      tags = fields.ManyToManyField(() => Parent, { throughTable: 'x' } as never);
      static override meta = { table: 'tk_tagged' };
    }
    await refuses(() => register(ctx.url, { Parent, Tagged }), ConfigurationError, /Tagged\.tags \(ManyToManyField\): unknown option 'throughTable'.*'through'/);
  });

  it('meta: an unknown key is refused with the valid ones; meta.schema is not supported', async () => {
    class Misspelt extends Model {
      static override meta = { tabel: 'x' } as never;
    }
    await refuses(() => register(ctx.url, { Misspelt }), ConfigurationError, /Misspelt: meta: unknown option 'tabel'; the options are 'table', 'abstract'/);
    class InSchema extends Model {
      static override meta = { table: 'x', schema: 'other' } as never;
    }
    await refuses(() => register(ctx.url, { InSchema }), NotSupportedError, /InSchema: meta\.schema: .*not supported/);
  });

  it('Terrapin.init, its config and its apps refuse unknown options', async () => {
    await refuses(() => register(ctx.url, { Stamped }, { use_tz: true }), ConfigurationError, /Terrapin\.init: unknown option 'use_tz'; the options are 'config', 'configFile', 'dbUrl'/);
    const t = new Terrapin();
    try {
      await refuses(() => t.init({ config: { connections: { default: ctx.url }, apps: { models: { models: [{ Stamped }] } }, routerz: [] } as never }), ConfigurationError, /config: unknown option 'routerz'/);
      await refuses(() => t.init({ config: { connections: { default: ctx.url }, apps: { models: { models: [{ Stamped }], default: 'x' } } } as never }), ConfigurationError, /config\.apps\.models: unknown option 'default'; the options are 'models', 'default_connection', 'defaultConnection'/);
      await refuses(() => t.init({ configFile: 'x.json', dbUrl: ctx.url } as never), ConfigurationError, /one of config, configFile or dbUrl/);
    } finally {
      await t.close();
    }
  });

  it('tableNameGenerator names the tables of models without meta.table', async () => {
    class Gadget extends Model {
      name = fields.CharField({ maxLength: 20 });
    }
    class Named extends Model {
      static override meta = { table: 'tk_named' };
    }
    const t = new Terrapin();
    try {
      await t.init({ dbUrl: ctx.url, modules: { models: [{ Gadget, Named }] }, tableNameGenerator: (cls) => `tk_gen_${cls.name.toLowerCase()}` });
      await t.generateSchemas({ safe: true });
      assert.equal(Gadget.describe().table, 'tk_gen_gadget');
      assert.equal(Named.describe().table, 'tk_named');
      await Gadget.create({ name: 'lamp' });
      const rows = await Gadget.raw('SELECT * FROM tk_gen_gadget');
      assert.deepEqual(rows.map((g) => g.name), ['lamp']);
    } finally {
      await t.close();
    }
    await refuses(() => register(ctx.url, { Gadget }, { tableNameGenerator: () => '' }), ConfigurationError, /Gadget: tableNameGenerator returned ""/);
  });

  it('configFile reads the config from a JSON file; other files are refused', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tp-tk-config-'));
    try {
      const modelsFile = join(dir, 'models.mjs');
      writeFileSync(modelsFile, `import { Model, fields } from ${JSON.stringify(new URL('../../src/index.js', import.meta.url).href)};\nexport class Filed extends Model { name = fields.CharField({ maxLength: 9 }); static meta = { table: 'tk_filed' }; }\n`);
      const file = join(dir, 'terrapin.json');
      writeFileSync(file, JSON.stringify({ connections: { default: ctx.url }, apps: { models: { models: [modelsFile] } } }));
      const t = new Terrapin();
      try {
        await t.init({ configFile: file });
        await t.generateSchemas({ safe: true });
        const { Filed } = (await import(pathToFileURL(modelsFile).href)) as { Filed: typeof Model & { create(v: object): Promise<unknown> } };
        await Filed.create({ name: 'from file' });
        assert.equal(await Filed.all().count(), 1);
      } finally {
        await t.close();
      }
      writeFileSync(join(dir, 'bad.json'), '{ connections: ');
      await refuses(() => new Terrapin().init({ configFile: join(dir, 'bad.json') }), ConfigurationError, /bad\.json' is not valid JSON/);
      await refuses(() => new Terrapin().init({ configFile: join(dir, 'config.yml') }), ConfigurationError, /not a \.json file/);
      await refuses(() => new Terrapin().init({ configFile: join(dir, 'missing.json') }), ConfigurationError, /cannot read configFile/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('JSONField encoder and decoder shape what is stored and read back', async () => {
    const at = new Date('2026-01-02T03:04:05.000Z');
    const made = await Stamped.create({ id: 1, data: { at, n: 2 } });
    const read = await Stamped.get({ id: made.id });
    assert.ok(read.data.at instanceof Date);
    assert.equal(read.data.at.getTime(), at.getTime());
    assert.equal(read.data.n, 2);
    // The stored JSON is the encoder's: the date sits under $date.
    const [raw] = await Stamped.filter({ id: 1 }).valuesList('data', { flat: true });
    assert.ok(raw!.at instanceof Date);
    const contains = await Stamped.filter({ data__contains: { n: 2 } } as never).count();
    assert.equal(contains, 1);
    await refuses(() => register(ctx.url, { Probe: modelWith(() => fields.JSONField({ encoder: 'json' } as never)) }), ConfigurationError, /'encoder' must be a function/);
  });

  it('inTransaction refuses unknown options; readOnly works where the backend has it', async () => {
    await refuses(() => inTransaction(async () => {}, { readonly: true } as never), ConfigurationError, /inTransaction: unknown option 'readonly'; the options are 'connection', 'isolation', 'retry', 'readOnly'/);
    if (ctx.backend === 'sqlite') {
      await refuses(() => inTransaction(async () => {}, { readOnly: true }), NotSupportedError, /SQLite has no read-only transactions/);
      return;
    }
    const count = await inTransaction(() => Stamped.all().count(), { readOnly: true });
    assert.equal(typeof count, 'number');
    await refuses(() => inTransaction(() => Stamped.create({ id: 2, data: { at: new Date(), n: 1 } }), { readOnly: true }), OperationalError, /read.only/i);
    assert.equal(await Stamped.filter({ id: 2 }).count(), 0);
    await refuses(
      () => inTransaction(() => inTransaction(async () => {}, { readOnly: true })),
      TransactionManagementError,
      /savepoint and cannot be made read-only/,
    );
  });

  it('schema options and schemaMeta refuse unknown keys; modelConfig and validators are refused by name', async () => {
    await refuses(() => modelSchema(Stamped, { exclud: ['id'] } as never), ConfigurationError, /modelSchema\(Stamped\): unknown option 'exclud'; the options are 'include', 'exclude'/);
    await refuses(() => modelSchema(Stamped, { modelConfig: {} } as never), NotSupportedError, /'modelConfig' is not supported/);
    await refuses(() => modelSchema(Stamped, { validators: [] } as never), NotSupportedError, /'validators' is not supported; declare validators on the model's fields/);
    class WithMeta extends Model {
      static schemaMeta = { exclude: [], maxdepth: 2 };
    }
    await refuses(() => modelSchema(WithMeta), ConfigurationError, /WithMeta\.schemaMeta: unknown option 'maxdepth'/);
  });

  it('registerTerrapin refuses unknown options on Hono, Express and Fastify', async () => {
    const init = { dbUrl: ctx.url, modules: { models: [{ Stamped }] } };
    const terrapin = new Terrapin();
    await refuses(() => registerHono(new Hono(), init, { terrapin, generateSchema: true } as never), ConfigurationError, /registerTerrapin \(Hono\): unknown option 'generateSchema'; the options are 'generateSchemas', 'terrapin'/);
    await refuses(() => registerExpress(express(), init, { terrapin, onError: () => {} } as never), ConfigurationError, /registerTerrapin \(Express\): unknown option 'onError'/);
    const app = Fastify();
    try {
      await refuses(() => registerFastify(app, init, { terrapin, openApi: {} } as never), ConfigurationError, /registerTerrapin \(Fastify\): unknown option 'openApi'/);
      const other = Fastify();
      await refuses(async () => {
        await registerFastify(other, { ...init, useTZ: true } as never, { terrapin });
        await other.ready();
      }, ConfigurationError, /Terrapin\.init: unknown option 'useTZ'/);
      await other.close().catch(() => {});
    } finally {
      await app.close();
      await terrapin.close();
    }
  });
});
