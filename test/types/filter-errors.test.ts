/**
 * What the compiler says about wrong filter keys and aggregate paths: an error that names the key
 * and the reason, not a bare `never`. The type-level checks pin the error types; the last test
 * compiles mistakes with the TypeScript API against the built declarations (dist/src) and reads
 * the diagnostics as a user would see them.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { expectTypeOf } from 'expect-type';
import ts from 'typescript';
import type { FilterValueOf } from '../../src/types/filter-types.js';
import { User } from './support.js';
import { Model, fields, type Expression, type ReverseRelation } from '../../src/index.js';

class Shelf extends Model {
  id = fields.IntField({ pk: true });
  label = fields.CharField({ maxLength: 20 });
  room = fields.ForeignKeyField(() => Room, { relatedName: 'shelves' });
  declare volumes: ReverseRelation<Volume>;
}
class Room extends Model {
  id = fields.IntField({ pk: true });
  floor = fields.IntField();
  declare shelves: ReverseRelation<Shelf>;
}
class Volume extends Model {
  id = fields.IntField({ pk: true });
  title = fields.CharField({ maxLength: 50 });
  shelf = fields.ForeignKeyField(() => Shelf, { relatedName: 'volumes' });
}

describe('types: filter key errors name the key', () => {
  it('gives each kind of mistake its own message', () => {
    expectTypeOf<FilterValueOf<User, 'nme'>>().toEqualTypeOf<"filter key 'nme': no field, relation or annotation 'nme'">();
    expectTypeOf<FilterValueOf<User, 'name__like'>>().toEqualTypeOf<"filter key 'name__like': 'like' is not a lookup of 'name' (a text field)">();
    expectTypeOf<FilterValueOf<User, 'createdAt__icontains'>>().toEqualTypeOf<"filter key 'createdAt__icontains': 'icontains' is not a lookup of 'createdAt' (a datetime field)">();
    expectTypeOf<FilterValueOf<Volume, 'shelf__lable'>>().toEqualTypeOf<"filter key 'shelf__lable': no field or relation 'lable' on the related model">();
    expectTypeOf<FilterValueOf<Volume, 'shelf__room__flor__gt'>>().toEqualTypeOf<"filter key 'shelf__room__flor__gt': no field or relation 'flor' on the related model">();
    expectTypeOf<FilterValueOf<Volume, 'shelf__room__shelves__label'>>().toEqualTypeOf<
      "filter key 'shelf__room__shelves__label': 'shelves__label' goes past 2 relations, the depth filter keys are typed to (use a Q object)"
    >();
  });

  it('gives the right value type for the keys that parse', () => {
    expectTypeOf<FilterValueOf<User, 'name'>>().toEqualTypeOf<string | null | Expression>();
    expectTypeOf<FilterValueOf<User, 'name__in'>>().toEqualTypeOf<readonly (string | null)[] | Expression>();
    expectTypeOf<FilterValueOf<User, 'id__range'>>().toEqualTypeOf<readonly [number, number]>();
    expectTypeOf<FilterValueOf<User, 'createdAt__year'>>().toEqualTypeOf<number>();
    expectTypeOf<FilterValueOf<Volume, 'shelf__room__floor__gt'>>().toEqualTypeOf<number | Expression>();
    expectTypeOf<FilterValueOf<Volume, 'shelfId__in'>>().toEqualTypeOf<readonly (number | null)[] | Expression>();
    expectTypeOf<FilterValueOf<Volume, 'shelf__room__shelves'>>().toEqualTypeOf<Shelf | number | null | Expression>();
    expectTypeOf<FilterValueOf<Volume, 'shelf__isnull'>>().toEqualTypeOf<boolean>();
    // A key known only at run time is checked there (FieldError), not by the compiler.
    expectTypeOf<FilterValueOf<User, string>>().toEqualTypeOf<unknown>();
  });
});

const library = resolve(dirname(fileURLToPath(import.meta.url)), '../../src/index.js');

/** Type-checks `source` as an application file importing Terrapin's declarations; the error texts by line. */
function diagnostics(source: string): string[] {
  const dir = mkdtempSync(join(tmpdir(), 'terrapin-type-errors-'));
  try {
    const file = join(dir, 'app.ts');
    writeFileSync(file, source.replaceAll('TERRAPIN', library));
    writeFileSync(join(dir, 'package.json'), '{ "type": "module" }');
    const program = ts.createProgram([file], {
      strict: true,
      noEmit: true,
      skipLibCheck: true,
      target: ts.ScriptTarget.ES2022,
      module: ts.ModuleKind.NodeNext,
      moduleResolution: ts.ModuleResolutionKind.NodeNext,
      types: ['node'],
    });
    return ts
      .getPreEmitDiagnostics(program)
      .filter((d) => d.file?.fileName === file)
      .map((d) => `${d.file!.getLineAndCharacterOfPosition(d.start!).line + 1}: ${ts.flattenDiagnosticMessageText(d.messageText, ' ')}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('types: what the compiler prints', () => {
  it('names the wrong key, lookup, value type and aggregate path', { skip: !existsSync(library.replace(/\.js$/, '.d.ts')) && 'needs npm run build' }, () => {
    const errors = diagnostics(`import { Model, fields, Sum, Count, type ReverseRelation } from 'TERRAPIN';
class Author extends Model {
  id = fields.IntField({ pk: true });
  name = fields.CharField({ maxLength: 50 });
  declare books: ReverseRelation<Book>;
}
class Book extends Model {
  id = fields.IntField({ pk: true });
  title = fields.CharField({ maxLength: 50 });
  qty = fields.IntField();
  author = fields.ForeignKeyField(() => Author, { relatedName: 'books' });
}
export async function run(): Promise<void> {
  await Book.filter({ titel: 'x' });
  await Book.filter({ title__like: 'x' });
  await Book.filter({ qty: 'three' });
  await Book.filter({ author__nmae__icontains: 'x' }, { qty__gte: 1 });
  await Book.all().aggregate({ s: Sum('qtyy') });
  await Author.all().annotate({ n: Count('bokks') });
  await Book.filter({ title__icontains: 'x', author__name: 'y', author__books__qty__lt: 3 });
}
`);
    const at = (line: number): string => errors.filter((e) => e.startsWith(`${line}:`)).join(' | ');
    assert.match(at(14), /filter key 'titel': no field, relation or annotation 'titel'/);
    assert.match(at(15), /filter key 'title__like': 'like' is not a lookup of 'title'/);
    assert.match(at(16), /'string' is not assignable to type 'number \| Expression(<unknown>)? \| null'/);
    assert.match(at(17), /filter key 'author__nmae__icontains': no field or relation 'nmae' on the related model/);
    assert.match(at(18), /'qtyy' is not a field, relation or annotation of this model/);
    assert.match(at(19), /'bokks' is not a field, relation or annotation of this model/);
    assert.equal(at(20), '', 'the right keys compile');
    assert.equal(errors.length, 6, errors.join('\n'));
  });
});
