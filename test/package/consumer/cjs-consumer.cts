// A CommonJS consumer (`.cts`, `import … = require()` as verbatimModuleSyntax wants): Node ≥ 20.19
// loads the ES module through require(), and TypeScript ≥ 5.8 types it under `module: nodenext`.
import terrapin = require('terrapin');

const { Model, Terrapin, fields } = terrapin;

class Person extends Model {
  id = fields.IntField({ pk: true });
  name = fields.CharField({ maxLength: 20 });
  static override meta = { table: 'person' };
}

async function main(): Promise<void> {
  await Terrapin.init({ dbUrl: 'sqlite://:memory:', modules: { models: [{ Person }] } });
  await Terrapin.generateSchemas();
  await Person.create({ name: 'Bob' });
  await Person.create({ name: 'Ann' });
  const names: string[] = await Person.all().orderBy('name').valuesList('name', { flat: true });
  const count: number = await Person.all().count();
  await Terrapin.close();
  console.log(JSON.stringify({ names, count }));
}

void main();
