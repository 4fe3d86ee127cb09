/**
 * Serialising through a generated schema: 10 000 already-loaded instances → schema.serialize()
 * (what fromOrm does once relations are loaded) → JSON.stringify, against JSON.stringify of the
 * same rows read with better-sqlite3 directly. Also the whole path: fromQueryset (query, hydrate,
 * serialise) against select-all + stringify. Standalone: `node dist/bench/serialize.js`.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { Model, Terrapin, fields, modelSchema } from '../src/index.js';
import { measure, report } from './harness.js';

const ROWS = 10000;
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 15);

class SerialItem extends Model {
  id = fields.IntField({ pk: true });
  name = fields.CharField({ maxLength: 100 });
  email = fields.CharField({ maxLength: 100 });
  age = fields.IntField();
  score = fields.FloatField();
  active = fields.BooleanField();
  createdAt = fields.DatetimeField();
  static override meta = { table: 'serial_item' };
}

const dir = mkdtempSync(join(tmpdir(), 'terrapin-serialize-'));
const path = join(dir, 'bench.sqlite3');
await Terrapin.init({ dbUrl: `sqlite://${path}`, modules: { models: [{ SerialItem }] } });
await Terrapin.generateSchemas();
const start = Date.UTC(2024, 0, 1);
await SerialItem.bulkCreate(
  Array.from({ length: ROWS }, (_, i) =>
    SerialItem.build({ name: `item ${i}`, email: `item${i}@example.com`, age: i % 90, score: i / 7, active: i % 2 === 0, createdAt: new Date(start + i * 60000) }),
  ),
);

const schema = modelSchema(SerialItem);
const instances = await SerialItem.all();
const raw = new Database(path, { readonly: true });
const selectAll = raw.prepare('SELECT id, name, email, age, score, active, createdAt FROM serial_item');
const rawRows = selectAll.all();

let sink = 0;
const results = [
  await measure(
    {
      name: `serialise ${ROWS} loaded rows + JSON.stringify`,
      ops: ROWS,
      orm: async () => {
        sink += JSON.stringify(instances.map((i) => schema.serialize(i))).length;
      },
      raw: async () => {
        sink += JSON.stringify(rawRows).length;
      },
    },
    ROUNDS,
  ),
  await measure(
    {
      name: `fromQueryset(all) ${ROWS} rows + JSON.stringify`,
      ops: ROWS,
      orm: async () => {
        sink += JSON.stringify(await schema.fromQueryset(SerialItem.all())).length;
      },
      raw: async () => {
        sink += JSON.stringify(selectAll.all()).length;
      },
    },
    ROUNDS,
  ),
];
report('sqlite', 'better-sqlite3', results);
if (sink === 0) console.log('(nothing serialised?)');

raw.close();
await Terrapin.close();
rmSync(dir, { recursive: true, force: true });
