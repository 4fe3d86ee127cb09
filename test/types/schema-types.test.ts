/**
 * Type tests for generated schemas: the wire input (`z.infer<typeof s.zod>`, SchemaInput), the JSON
 * `fromOrm` returns (SchemaOutput) and the model values `parse` returns (SchemaValue), for plain
 * fields of every type, with include/exclude/optional/computed, schemaMeta and the "In" schema.
 */
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { expectTypeOf } from 'expect-type';
import { z } from 'zod';
import { modelSchema, querysetSchema, type SchemaInput, type SchemaOutput, type SchemaValue, type JsonValue } from '../../src/index.js';
import { Author, Book, Kitchen, Level, Role } from '../fixtures/schema-models.js';
import { typeOnly } from './support.js';

it('types schema inputs, outputs and parsed values', () => {
  const checks = typeOnly(
    async (k: Kitchen) => {
      const s = modelSchema(Kitchen);
      const out = await s.fromOrm(k);
      expectTypeOf(out).branded.toEqualTypeOf<{
        id: number;
        small: number;
        count: number;
        big: string;
        ratio: number;
        price: string;
        name: string;
        body: string | null;
        token: string;
        role: Role;
        level: Level;
        active: boolean;
        at: string;
        createdAt: string;
        updatedAt: string;
        day: string;
        clock: string;
        span: number;
        data: { a: number };
        extra: JsonValue;
        blob: string | null;
      }>();
      expectTypeOf<SchemaOutput<typeof s>>().toEqualTypeOf(out);
      type In = z.infer<typeof s.zod>;
      expectTypeOf<In>().toEqualTypeOf<SchemaInput<typeof s>>();
      expectTypeOf<In['big']>().toEqualTypeOf<string | number>();
      expectTypeOf<In>().toHaveProperty('count').toEqualTypeOf<number | undefined>();
      const value = s.parse({});
      expectTypeOf(value.big).toEqualTypeOf<bigint>();
      expectTypeOf(value.at).toEqualTypeOf<Date>();
      expectTypeOf(value.blob).toEqualTypeOf<Buffer | null | undefined>();
      expectTypeOf<SchemaValue<typeof s>>().toEqualTypeOf(value);
      const result = s.safeParse({});
      if (result.success) expectTypeOf(result.data).toEqualTypeOf(value);
      else expectTypeOf(result.error.errors[0]!.loc).toEqualTypeOf<readonly (string | number)[]>();
      // The "In" schema has no primary key; its parse result goes to create().
      const input = modelSchema(Kitchen, { excludeReadonly: true }).parse({});
      expectTypeOf(input).not.toHaveProperty('id');
      await Kitchen.create(input);
    },
    async (a: Author, b: Book) => {
      // schemaMeta (declared `as const`): passwordHash left out, fullName computed.
      const out = await modelSchema(Author).fromOrm(a);
      expectTypeOf(out).not.toHaveProperty('passwordHash');
      expectTypeOf(out.fullName).toEqualTypeOf<string>();
      expectTypeOf(out.firstName).toEqualTypeOf<string>();
      expectTypeOf(out.books).toEqualTypeOf<Record<string, unknown>[] | undefined>();
      expectTypeOf(out.publisher).toEqualTypeOf<Record<string, unknown> | null | undefined>();
      // include and exclude by name; computed with a Zod type.
      const slim = await modelSchema(Author, { include: ['id', 'lastName'], computed: { tags: z.array(z.string()) } }).fromOrm(a);
      expectTypeOf(slim).toEqualTypeOf<{ id: number; lastName: string; fullName: string; tags: string[] }>();
      const noPublisher = await modelSchema(Author, { exclude: ['publisher', 'books', 'profile'] }).fromOrm(a);
      expectTypeOf(noPublisher.publisherId).toEqualTypeOf<number | null>();
      // Key columns in the "In" schema; optional fields for a PATCH body.
      const bookIn = modelSchema(Book, { excludeReadonly: true });
      expectTypeOf<SchemaInput<typeof bookIn>>().toHaveProperty('authorId').toEqualTypeOf<number>();
      expectTypeOf<SchemaInput<typeof bookIn>>().not.toHaveProperty('author');
      const patch = modelSchema(Book, { excludeReadonly: true, optional: ['title', 'authorId'] }).parse({});
      expectTypeOf(patch.title).toEqualTypeOf<string | undefined>();
      // Lists.
      const list = querysetSchema(Book);
      const rows = await list.fromQueryset(Book.all());
      expectTypeOf(rows[0]!.title).toEqualTypeOf<string>();
      expectTypeOf<SchemaOutput<typeof list>>().toEqualTypeOf(rows);
      const one = await modelSchema(Book).fromQueryset(Book.get({ id: 1 }));
      expectTypeOf(one.title).toEqualTypeOf<string>();
      const maybe = await modelSchema(Book).fromQueryset(Book.filter({ id: 1 }).first());
      expectTypeOf(maybe).toEqualTypeOf<SchemaOutput<ReturnType<typeof modelSchema<typeof Book>>> | null>();
      // @ts-expect-error a schema serialises its own model
      await modelSchema(Author).fromOrm(b);
    },
  );
  assert.equal(checks, 2);
});
