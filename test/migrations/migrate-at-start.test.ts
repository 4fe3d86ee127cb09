/** `Terrapin.init({ migrate: true })` and `registerTerrapin(app, { migrate: true })` apply pending migrations at start. */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, beforeEach, describe, it } from 'node:test';
import Fastify from 'fastify';
import { Hono } from 'hono';
import express from 'express';
import { ConfigurationError, Model, Terrapin, fields } from '../../src/index.js';
import { registerTerrapin as fastifyTerrapin } from '../../src/integrations/fastify.js';
import { registerTerrapin as honoTerrapin } from '../../src/integrations/hono.js';
import { registerTerrapin as expressTerrapin } from '../../src/integrations/express.js';
import { activeBackends } from '../support/backends.js';
import { MIGRATIONS_ENTRY, MigrationBed } from './support.js';

function models() {
  class Note extends Model {
    id = fields.IntField({ pk: true });
    text = fields.CharField({ maxLength: 50 });
    static override meta = { table: 'note' };
  }
  return { Note };
}

for (const backend of activeBackends()) {
  describe(backend, () => {
    const bed = new MigrationBed(backend, 'at_start');
    const folder = join(bed.folder, 'migrations');
    // The files come from makemigrations; the database stays empty until a start applies them.
    beforeEach(async () => {
      await bed.reset();
      await bed.with([models()], (m) => m.makeMigrations({ importFrom: MIGRATIONS_ENTRY }));
    });
    after(() => bed.close());

    it('Terrapin.init({ migrate: true }) applies the pending migrations', async () => {
      const { Note } = models();
      const terrapin = new Terrapin();
      await terrapin.init({ dbUrl: bed.migratedUrl, modules: { models: [{ Note }] }, migrate: true, migrations: folder });
      try {
        await Note.create({ text: 'hi' });
        assert.equal(await Note.all().count(), 1);
        const records = await terrapin.connection('default').rows('SELECT app, name FROM terrapin_migrations', []);
        assert.deepEqual(records.map((r) => r.join('/')), ['models/0001_initial']);
      } finally {
        await terrapin.close();
      }
      // A second start finds nothing to do.
      const again = new Terrapin();
      await again.init({ dbUrl: bed.migratedUrl, modules: { models: [models()] }, migrate: true, migrations: folder });
      await again.close();
    });

    it('a missing migrations folder is a ConfigurationError that says how to make one', async () => {
      const terrapin = new Terrapin();
      await assert.rejects(
        terrapin.init({ dbUrl: bed.migratedUrl, modules: { models: [models()] }, migrate: true, migrations: join(bed.folder, 'nowhere') }),
        (error: unknown) =>
          error instanceof ConfigurationError && /^migrate: true, but there is no migrations folder '.*nowhere'\. Create the first migration with `npx terrapin init-db`/.test(error.message),
      );
    });

    it('registerTerrapin with migrate: true, on Fastify, Hono and Express', async () => {
      for (const register of ['fastify', 'hono', 'express'] as const) {
        await bed.reset();
        await bed.with([models()], (m) => m.makeMigrations({ importFrom: MIGRATIONS_ENTRY }));
        const { Note } = models();
        const terrapin = new Terrapin();
        const init = { dbUrl: bed.migratedUrl, modules: { models: [{ Note }] }, migrate: true, migrations: folder };
        if (register === 'fastify') {
          const app = Fastify();
          await fastifyTerrapin(app, init, { terrapin });
          await Note.create({ text: register });
          await app.close();
        } else {
          const handle = register === 'hono' ? await honoTerrapin(new Hono(), init, { terrapin }) : await expressTerrapin(express(), init, { terrapin });
          await Note.create({ text: register });
          await handle.close();
        }
      }
    });
  });
}
