/**
 * The main job for now: the seed's User model on the embedded SQLite default.
 * Creates the table, adds a user inside a transaction, and lists what is stored.
 * Set DATABASE_URL to run it on PostgreSQL or MySQL instead.
 */
import { Model, Terrapin, fields, inTransaction } from '../src/index.js';

export class User extends Model {
  id = fields.IntField({ pk: true });
  name = fields.CharField({ maxLength: 50 });
  createdAt = fields.DatetimeField({ autoNowAdd: true });
  static override meta = { table: 'auth_user' };
}

const dbUrl = process.env.DATABASE_URL ?? 'sqlite://db.sqlite3';

await Terrapin.init({ dbUrl, modules: { models: [{ User }] } });
try {
  await Terrapin.generateSchemas({ safe: true });
  const user = await inTransaction(async () => User.create({ name: `user ${(await User.all().count()) + 1}` }));
  console.log(`created ${user.name} (id ${user.id}) at ${user.createdAt.toISOString()}`);
  const recent = await User.all().orderBy('-createdAt').limit(5).values('id', 'name', 'createdAt');
  console.log(`${await User.all().count()} users in ${dbUrl}; the latest:`);
  console.table(recent.map((u) => ({ ...u, createdAt: u.createdAt.toISOString() })));
} finally {
  await Terrapin.close();
}
