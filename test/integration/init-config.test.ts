import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';
import {
  ConfigurationError,
  Model,
  ParamsError,
  Terrapin,
  fields,
  parseDbUrl,
  type ConnectionObject,
} from '../../src/index.js';
import { forEachBackend, type BackendContext } from '../support/backends.js';
import * as shop from '../fixtures/shop.js';
import { Customer, Product } from '../fixtures/shop.js';

/** The compiled fixture module, as a user would list it in config. */
const SHOP_MODULE = fileURLToPath(new URL('../fixtures/shop.js', import.meta.url));

function configError(message: RegExp) {
  return (error: unknown) => {
    assert.ok(error instanceof ConfigurationError, `expected ConfigurationError, got ${String(error)}`);
    assert.match((error as Error).message, message);
    return true;
  };
}

/** Runs `fn` with a fresh instance and always closes it, so the shop models can move to the next one. */
async function withInstance(fn: (t: Terrapin) => Promise<void>): Promise<void> {
  const t = new Terrapin();
  try {
    await fn(t);
  } finally {
    await t.close();
  }
}

/** A round trip through a model proves the instance works on this backend. */
async function roundTrip(t: Terrapin): Promise<void> {
  await t.generateSchemas({ safe: true });
  await Product.all().delete();
  const made = await Product.create({ sku: 'init', name: 'works' });
  assert.equal((await Product.get({ sku: 'init' })).id, made.id);
}

/** Tortoise's long connection form for the suite's database. */
function longForm(ctx: BackendContext): ConnectionObject {
  const s = parseDbUrl(ctx.url);
  if (s.dialect === 'sqlite') return { engine: 'tortoise.backends.sqlite', credentials: { file_path: s.path } };
  return {
    engine: s.dialect === 'postgres' ? 'tortoise.backends.asyncpg' : 'tortoise.backends.mysql',
    credentials: { host: s.host, port: s.port, user: s.user, password: s.password, database: s.database },
  };
}

forEachBackend('init_config', [], (ctx) => {
  it("takes Tortoise's config shape with model classes", async () => {
    await withInstance(async (t) => {
      await t.init({
        config: {
          connections: { default: ctx.url },
          apps: { models: { models: [Product, Customer], default_connection: 'default' } },
        },
      });
      assert.deepEqual(t.models.map((m) => m.name), ['Product', 'Customer']);
      await roundTrip(t);
    });
  });

  it('takes the long { engine, credentials } connection form', async () => {
    await withInstance(async (t) => {
      await t.init({ config: { connections: { main: longForm(ctx) }, apps: { shop: { models: [Product], defaultConnection: 'main' } } } });
      await roundTrip(t);
    });
  });

  it('imports models from a module path', async () => {
    await withInstance(async (t) => {
      await t.init({ config: { connections: { default: ctx.url }, apps: { models: { models: [SHOP_MODULE] } } } });
      assert.deepEqual(t.models.map((m) => m.name).sort(), ['Coupon', 'Customer', 'Product', 'Tag']);
      await roundTrip(t);
    });
  });

  it('takes module objects, with dbUrl and modules too', async () => {
    await withInstance(async (t) => {
      await t.init({ dbUrl: ctx.url, modules: { models: [shop] } });
      assert.deepEqual(t.models.map((m) => m.name).sort(), ['Coupon', 'Customer', 'Product', 'Tag']);
      assert.equal(t.models[0]!.app, 'models');
      await roundTrip(t);
    });
  });

  it('binds each app to its connection; a transaction must then name one', async () => {
    await withInstance(async (t) => {
      await t.init({
        config: {
          connections: { first: ctx.url, second: ctx.url },
          apps: {
            catalog: { models: [Product], default_connection: 'first' },
            crm: { models: [Customer], default_connection: 'second' },
          },
        },
      });
      assert.deepEqual(
        t.models.map((m) => [m.name, m.app, m.binding?.connection]),
        [
          ['Product', 'catalog', 'first'],
          ['Customer', 'crm', 'second'],
        ],
      );
      await assert.rejects(
        t.inTransaction(async () => undefined),
        (error: unknown) => {
          assert.ok(error instanceof ParamsError);
          assert.match((error as Error).message, /Several connections are configured \(first, second\); pass \{ connection: 'name' \}/);
          return true;
        },
      );
      assert.equal(await t.inTransaction(async () => 'ok', { connection: 'second' }), 'ok');
    });
  });

  it('a model used after close() says the instance was closed', async () => {
    const t = new Terrapin();
    await t.init({ dbUrl: ctx.url, modules: { models: [Product] } });
    await t.generateSchemas({ safe: true });
    await Product.all().count();
    await t.close();
    await assert.rejects(
      Product.all().count(),
      configError(/^Terrapin was closed \(Terrapin\.close\(\)\), so a query on Product cannot run\. Call await Terrapin\.init\(\.\.\.\) again first/),
    );
    await assert.rejects(Product.create({ sku: 'late', name: 'x' }), configError(/Terrapin was closed/));
    await assert.rejects(t.inTransaction(async () => undefined), configError(/Terrapin was closed/));
  });
});

describe('init errors', () => {
  it('refuses an unknown scheme and a SQLite URL without a path', async () => {
    const t = new Terrapin();
    await assert.rejects(
      t.init({ dbUrl: 'oracle://scott@db/orcl', modules: { models: [] } }),
      configError(/connection 'default': unknown database scheme 'oracle'\. Use one of: sqlite:\/\/, postgres:\/\/, mysql:\/\//),
    );
    await assert.rejects(
      t.init({ config: { connections: { default: 'sqlite://' }, apps: { models: { models: [] } } } }),
      configError(/connection 'default': the SQLite URL 'sqlite:\/\/' has no file path/),
    );
  });

  it('refuses an app naming a connection that is not configured', async () => {
    await assert.rejects(
      new Terrapin().init({
        config: {
          connections: { default: 'sqlite://:memory:' },
          apps: { models: { models: [Product], default_connection: 'replica' } },
        },
      }),
      configError(/app 'models' uses the connection 'replica', which is not in config\.connections \(default\)/),
    );
  });

  it('refuses a models module that cannot be imported or has no models', async () => {
    const missing = fileURLToPath(new URL('../fixtures/no-such-models.js', import.meta.url));
    await assert.rejects(
      new Terrapin().init({ dbUrl: 'sqlite://:memory:', modules: { models: [missing] } }),
      configError(new RegExp(`app 'models': cannot import the models module '${missing.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}'`)),
    );
    await assert.rejects(
      new Terrapin().init({ dbUrl: 'sqlite://:memory:', modules: { models: ['no-such-models-package'] } }),
      configError(/cannot import the models module 'no-such-models-package'/),
    );
    await assert.rejects(
      new Terrapin().init({ dbUrl: 'sqlite://:memory:', modules: { models: ['node:path'] } }),
      configError(/app 'models': the module 'node:path' exports no model classes/),
    );
    await assert.rejects(
      new Terrapin().init({ dbUrl: 'sqlite://:memory:', modules: { models: [42 as never] } }),
      configError(/app 'models': a models entry must be a module path, a module object or a model class, got number/),
    );
  });

  it('refuses malformed options', async () => {
    await assert.rejects(
      new Terrapin().init({ config: { connections: {}, apps: {} } }),
      configError(/config\.connections is empty/),
    );
    await assert.rejects(
      new Terrapin().init({ dbUrl: 'sqlite://:memory:', config: { connections: {}, apps: {} } } as never),
      configError(/one of config, configFile or dbUrl with modules, not config and dbUrl/),
    );
    await assert.rejects(new Terrapin().init({ dbUrl: 'sqlite://:memory:' } as never), configError(/Terrapin\.init needs dbUrl and modules/));
    await assert.rejects(new Terrapin().init({ config: { connections: { default: 'sqlite://:memory:' } } } as never), configError(/config needs both connections and apps/));
  });

  it('a model class belongs to one running instance', async () => {
    await withInstance(async (first) => {
      await first.init({ dbUrl: 'sqlite://:memory:', modules: { models: [Product] } });
      await assert.rejects(
        new Terrapin().init({ dbUrl: 'sqlite://:memory:', modules: { models: [Product] } }),
        configError(/Product is already registered with another Terrapin instance; a model class belongs to one/),
      );
      await first.generateSchemas();
      assert.equal(await Product.all().count(), 0, 'the first instance still owns it');
    });
  });

  it('a model never registered says to call Terrapin.init', async () => {
    class Unregistered extends Model {
      id = fields.IntField({ pk: true });
      name = fields.CharField({ maxLength: 10 });
    }
    const expected = /^Unregistered is not registered with Terrapin\. Call await Terrapin\.init\(\{ dbUrl: .*modules: \{ models: \[<the module that defines Unregistered>\] \} \}\) before using it/;
    assert.throws(() => Unregistered.all(), configError(expected));
    assert.throws(() => Unregistered.build({ name: 'x' }), configError(expected));
    await assert.rejects(Unregistered.create({ name: 'x' }), configError(expected));
    await assert.rejects(Unregistered.getOrCreate({ name: 'x' }), configError(expected));
    assert.throws(() => new Unregistered().pk, configError(expected));
    await assert.rejects(new Unregistered().save(), configError(expected));
  });
});
