/**
 * The `terrapin` command, run as a user runs it: the built bin (package.json's `bin`) in a temporary
 * project that links the package (node_modules/terrapin), with the terrapin.config.ts that
 * docs/migrations.md shows and TypeScript model files, on every backend. DATABASE_URL points the
 * project at the suite's database on PostgreSQL and MySQL/MariaDB.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { activeBackends, freshDatabase } from '../support/backends.js';
import { codeBlockAfter, root } from '../package/support.js';

const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { bin: Record<string, string>; exports: Record<string, Record<string, string>> };
const BIN = join(root, manifest.bin.terrapin!);
const DOC = readFileSync(join(root, 'docs', 'migrations.md'), 'utf8');

interface Ran {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

function terrapin(cwd: string, args: readonly string[], env: NodeJS.ProcessEnv = {}): Promise<Ran> {
  return new Promise((resolve) => {
    execFile(process.execPath, [BIN, ...args], { cwd, env: { ...process.env, DATABASE_URL: '', ...env } }, (error, stdout, stderr) => {
      resolve({ code: error === null ? 0 : typeof error.code === 'number' ? error.code : -1, stdout, stderr });
    });
  });
}

/** Runs and expects exit 0, with the output in the failure message. */
async function ok(cwd: string, args: readonly string[], env: NodeJS.ProcessEnv = {}): Promise<Ran> {
  const ran = await terrapin(cwd, args, env);
  assert.equal(ran.code, 0, `terrapin ${args.join(' ')} exited ${ran.code}\n${ran.stdout}\n${ran.stderr}`);
  return ran;
}

const json = (ran: Ran) => JSON.parse(ran.stdout) as Record<string, unknown>;

const MODELS_V1 = `import { Model, fields } from 'terrapin';

export class User extends Model {
  id = fields.IntField({ pk: true });
  name = fields.CharField({ maxLength: 50 });
  static override meta = { table: 'cli_user' };
}
`;
const MODELS_V2 = MODELS_V1.replace("name = fields.CharField({ maxLength: 50 });", "fullName = fields.CharField({ maxLength: 50 });\n  age = fields.IntField({ null: true });");

function project(): string {
  const dir = mkdtempSync(join(tmpdir(), 'tp_cli_project_'));
  mkdirSync(join(dir, 'node_modules'));
  symlinkSync(root, join(dir, 'node_modules', 'terrapin'), 'dir');
  writeFileSync(join(dir, 'package.json'), '{ "name": "cli-test-project", "private": true, "type": "module" }\n');
  return dir;
}

it('terrapin/migrations is a package subpath export with types', () => {
  assert.deepEqual(manifest.exports['./migrations'], {
    types: './dist/src/migrations/index.d.ts',
    import: './dist/src/migrations/index.js',
    require: './dist/src/migrations/index.js',
  });
});

describe('usage errors (no database)', () => {
  let dir = '';
  before(() => {
    dir = project();
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('--help lists every command, and each command has --help', async () => {
    const help = (await ok(dir, ['--help'])).stdout;
    for (const command of ['init', 'init-db', 'makemigrations', 'migrate|upgrade', 'downgrade', 'history', 'heads', 'sql', 'check', 'inspectdb', 'generate-schemas']) {
      assert.match(help, new RegExp(`^  ${command.replace('|', '\\|')} `, 'm'), command);
    }
    assert.match((await ok(dir, ['makemigrations', '--help'])).stdout, /--rename <Model\.old=new>/);
  });

  it('an unknown command or option exits 1 naming it', async () => {
    const command = await terrapin(dir, ['migrat']);
    assert.equal(command.code, 1);
    assert.match(command.stderr, /unknown command 'migrat'/);
    assert.match(command.stderr, /Did you mean migrate\?/);
    const option = await terrapin(dir, ['migrate', '--frob']);
    assert.equal(option.code, 1);
    assert.match(option.stderr, /unknown option '--frob'/);
  });

  it('no config file, and a config with an unknown key, are one-line errors', async () => {
    const missing = await terrapin(dir, ['migrate']);
    assert.equal(missing.code, 1);
    assert.equal(missing.stderr, `terrapin migrate: ConfigurationError: No terrapin.config.ts (or .js/.json) in ${dir}. Run \`terrapin init\` to write one, or pass --config <file>.\n`);
    writeFileSync(join(dir, 'bad.config.json'), '{ "dburl": "sqlite://x.sqlite3", "modules": {} }');
    const bad = await terrapin(dir, ['--config', 'bad.config.json', 'check', '--json']);
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /^terrapin check: ConfigurationError: .*bad\.config\.json: unknown config key 'dburl'; the keys are 'dbUrl', 'modules'/);
    assert.equal(bad.stderr.split('\n').length, 2, 'one line');
    assert.doesNotMatch(bad.stderr, /    at /, 'no stack without --verbose');
    assert.deepEqual((json(bad) as { error: unknown }).error, { type: 'ConfigurationError', message: (json(bad) as { error: { message: string } }).error.message });
    assert.match((await terrapin(dir, ['--config', 'bad.config.json', '--verbose', 'check'])).stderr, /    at /);
  });
});

for (const backend of activeBackends()) {
  describe(`the workflow on ${backend}`, () => {
    let dir = '';
    let env: NodeJS.ProcessEnv = {};
    before(async () => {
      dir = project();
      env = backend === 'sqlite' ? {} : { DATABASE_URL: await freshDatabase(backend, 'cli') };
    });
    after(() => rmSync(dir, { recursive: true, force: true }));

    it('init writes the config docs/migrations.md shows, and the migrations folder', async () => {
      const ran = await ok(dir, ['init']);
      assert.match(ran.stdout, /^Wrote terrapin\.config\.ts\nCreated migrations\/\n.*\nInitialised the project \(\d+ ms\)\n$/);
      assert.equal(readFileSync(join(dir, 'terrapin.config.ts'), 'utf8'), codeBlockAfter(DOC, '## The config file'));
      assert.ok(existsSync(join(dir, 'migrations')));
      const again = await terrapin(dir, ['init']);
      assert.equal(again.code, 1);
      assert.match(again.stderr, /terrapin\.config\.ts already exists/);
    });

    it('init-db writes the first migration from the models and applies it', async () => {
      writeFileSync(join(dir, 'models.ts'), MODELS_V1);
      const ran = await ok(dir, ['init-db'], env);
      assert.match(ran.stdout, /^models\/0001_initial {2}\(migrations\/models\/0001_initial\.ts\)\n {2}- Create model User\nWrote 1 migration and applied 1 migration \(\d+ ms\)\n$/);
      assert.match(ran.stderr, /^Applied models\/0001_initial \(\d+ ms\)\n$/);
      assert.deepEqual(readdirSync(join(dir, 'migrations', 'models')), ['0001_initial.ts']);
      assert.match(readFileSync(join(dir, 'migrations', 'models', '0001_initial.ts'), 'utf8'), /from 'terrapin\/migrations'/);
      const again = await terrapin(dir, ['init-db'], env);
      assert.equal(again.code, 1);
      assert.match(again.stderr, /init-db: the app 'models' already has migrations/);
    });

    it('check exits 0 while models and migrations agree, 1 after a model edit', async () => {
      assert.match((await ok(dir, ['check'], env)).stdout, /^The migrations match the models \(\d+ ms\)\n$/);
      // A misspelt --app is an error, never a "match" for an app that does not exist.
      for (const command of ['check', 'heads']) {
        const unknown = await terrapin(dir, [command, '--app', 'modles'], env);
        assert.equal(unknown.code, 1);
        assert.equal(unknown.stderr, `terrapin ${command}: ConfigurationError: There is no app 'modles' (apps: models).\n`);
      }
      writeFileSync(join(dir, 'models.ts'), MODELS_V2);
      const differ = await terrapin(dir, ['check', '--json'], env);
      assert.equal(differ.code, 1);
      const body = json(differ) as { ok: boolean; changed: string[] };
      assert.equal(body.ok, false);
      assert.deepEqual(body.changed, ['models']);
    });

    it('makemigrations without a terminal refuses the ambiguous rename, naming --rename', async () => {
      const ran = await terrapin(dir, ['makemigrations'], env);
      assert.equal(ran.code, 1);
      assert.match(ran.stderr, /^terrapin makemigrations: MigrationError: .*pass --rename User\.name=fullName/);
      // The message docs/migrations.md quotes under "Renames", as it is.
      const quoted = /```text\n([\s\S]*?)\n```/.exec(DOC.slice(DOC.indexOf('\n## Renames\n')))![1];
      assert.equal(ran.stderr, `${quoted}\n`);
      assert.equal(ran.stderr.split('\n').length, 2, 'one line');
      assert.deepEqual(readdirSync(join(dir, 'migrations', 'models')), ['0001_initial.ts']);
    });

    it('makemigrations --rename --name writes the rename, and check passes again', async () => {
      const ran = await ok(dir, ['makemigrations', '--rename', 'User.name=fullName', '--name', 'profile'], env);
      assert.match(ran.stdout, /^models\/0002_profile .*\n {2}- Rename field User\.name to fullName\n {2}- Add field User\.age\nWrote 1 migration \(\d+ ms\)\n$/);
      await ok(dir, ['check'], env);
      assert.match((await ok(dir, ['makemigrations'], env)).stdout, /^No changes/);
    });

    it('sql prints the statements without running them', async () => {
      const ran = await ok(dir, ['sql', '0002'], env);
      const q = backend === 'mysql' ? '`' : '"';
      assert.ok(ran.stdout.includes(`RENAME COLUMN ${q}name${q} TO ${q}fullName${q};`), ran.stdout);
      assert.match(ran.stderr, /^models\/0002_profile on \w+: 2 statements, nothing run \(\d+ ms\)\n$/);
      const history = json(await ok(dir, ['history', '--json'], env)) as { apps: { pending: string[] }[] };
      assert.deepEqual(history.apps[0]!.pending, ['models/0002_profile']);
    });

    it('migrate applies it; history and heads --json say so', async () => {
      const migrate = json(await ok(dir, ['migrate', '--json'], env)) as { ok: boolean; outcomes: { migration: string; action: string }[] };
      assert.equal(migrate.ok, true);
      assert.deepEqual(migrate.outcomes.map((o) => [o.migration, o.action]), [['models/0002_profile', 'applied']]);
      assert.match((await ok(dir, ['upgrade'], env)).stdout, /^No migrations to apply/);
      const history = json(await ok(dir, ['history', '--json'], env)) as { apps: { app: string; applied: { id: string; complete: boolean }[]; pending: string[] }[] };
      assert.deepEqual(history.apps.map((a) => [a.app, a.applied.map((m) => [m.id, m.complete]), a.pending]), [['models', [['models/0001_initial', true], ['models/0002_profile', true]], []]]);
      const heads = json(await ok(dir, ['heads', '--json'], env)) as { apps: unknown };
      assert.deepEqual(heads.apps, [{ app: 'models', heads: ['models/0002_profile'] }]);
    });

    it('inspectdb prints the model of the table, not the migrations record', async () => {
      const ran = await ok(dir, ['inspectdb'], env);
      assert.match(ran.stdout, /export class CliUser extends Model/);
      assert.match(ran.stdout, /fullName = fields\.CharField\(\{ maxLength: 50 \}\)/);
      assert.doesNotMatch(ran.stdout, /terrapin_migrations/);
      assert.match(ran.stderr, /^1 model from connection 'default' \(\d+ ms\)\n$/);
    });

    it('downgrade reverts the latest migration; --steps and a target together are refused', async () => {
      const both = await terrapin(dir, ['downgrade', '0001', '--steps', '1'], env);
      assert.equal(both.code, 1);
      assert.match(both.stderr, /downgrade takes --steps N or a target, not both/);
      const ran = json(await ok(dir, ['downgrade', '--json'], env)) as { outcomes: { migration: string; action: string }[] };
      assert.deepEqual(ran.outcomes.map((o) => [o.migration, o.action]), [['models/0002_profile', 'reverted']]);
      const zero = json(await ok(dir, ['downgrade', 'zero', '--json'], env)) as { outcomes: { migration: string }[] };
      assert.deepEqual(zero.outcomes.map((o) => o.migration), ['models/0001_initial']);
      await ok(dir, ['migrate'], env);
    });

    it('generate-schemas creates the tables on an empty database', async () => {
      const other = backend === 'sqlite' ? { DATABASE_URL: `sqlite://${join(dir, 'fresh.sqlite3')}` } : { DATABASE_URL: await freshDatabase(backend, 'cli_gen') };
      assert.match((await ok(dir, ['generate-schemas'], other)).stdout, /^ {2}cli_user\nCreated the tables of 1 model \(\d+ ms\)\n$/);
      assert.match((await ok(dir, ['inspectdb', 'cli_user'], other)).stdout, /export class CliUser/);
    });

    it('a database that cannot be reached is a one-line error and exit 1', async () => {
      const url = backend === 'sqlite' ? `sqlite://${join(dir, 'no', 'such', 'dir', 'db.sqlite3')}` : `${env.DATABASE_URL!.replace(/\/[^/]*$/, '/tp_cli_no_such_db')}`;
      const ran = await terrapin(dir, ['migrate'], { DATABASE_URL: url });
      assert.equal(ran.code, 1, ran.stdout);
      assert.match(ran.stderr, /^terrapin migrate: \w+Error: /);
      assert.equal(ran.stderr.split('\n').length, 2, ran.stderr);
    });
  });
}
