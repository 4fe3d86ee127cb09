/**
 * Database servers a test starts for itself, to break on purpose: a PostgreSQL 15 cluster and a
 * MariaDB server on a port of the caller's (127.0.0.1 only), with their files in a temporary folder.
 * They can be frozen (SIGSTOP of every server process) and thawed, stopped fast or crashed
 * (immediate shutdown, SIGKILL), started again on the same files, and have every client
 * connection terminated. The shared servers (5432, 3306) are never touched. Every wait is bounded,
 * and a server still running when the test process exits is killed.
 *
 * initdb and mariadb-install-db take seconds, so each makes a template once per machine (under the
 * temporary folder) that later servers copy.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chownSync, cpSync, existsSync, mkdirSync, mkdtempSync, openSync, closeSync, readdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import mysql from 'mysql2/promise';
import postgres from 'postgres';

const PG_BIN = '/usr/lib/postgresql/15/bin';

const running = new Set<ChildProcess>();

function killAll(): void {
  for (const child of running) {
    for (const pid of processTree(child.pid!).reverse()) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
  }
}
process.on('exit', killAll);
// A test run stopped from outside ('exit' does not fire on a signal) leaves no server behind either.
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
  process.once(signal, () => {
    killAll();
    process.exit(128 + (signal === 'SIGINT' ? 2 : signal === 'SIGTERM' ? 15 : 1));
  });
}

interface SystemUser {
  readonly uid: number;
  readonly gid: number;
}

function systemUser(name: string): SystemUser | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const line = readFileSync('/etc/passwd', 'utf8').split('\n').find((l) => l.startsWith(`${name}:`));
  if (line === undefined) throw new Error(`no system user '${name}' to run the server as`);
  const [, , uid, gid] = line.split(':');
  return { uid: Number(uid), gid: Number(gid) };
}

function ownedDir(path: string, user: SystemUser | undefined): string {
  mkdirSync(path, { recursive: true });
  if (user !== undefined) chownSync(path, user.uid, user.gid);
  return path;
}

function chownTree(path: string, user: SystemUser | undefined): void {
  if (user !== undefined) spawnSync('chown', ['-R', `${user.uid}:${user.gid}`, path]);
}

function run(command: string, args: readonly string[], user: SystemUser | undefined, timeoutMs = 120_000): void {
  const result = spawnSync(command, args, { encoding: 'utf8', timeout: timeoutMs, ...(user ?? {}) });
  if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} failed (${result.status ?? result.signal}): ${result.stderr || result.stdout}`);
}

/** A data directory made once by `make` into a template, then copied: `make(dir)` fills dir. */
function fromTemplate(name: string, user: SystemUser | undefined, make: (dir: string) => void, into: string): void {
  const root = ownedDir(join(tmpdir(), 'terrapin-fault-templates'), undefined);
  const template = join(root, name);
  if (!existsSync(template)) {
    const building = mkdtempSync(join(root, `${name}-building-`));
    chownTree(building, user);
    make(join(building, 'data'));
    try {
      renameSync(join(building, 'data'), template);
    } catch {
      // Another process made it first; theirs is as good.
    }
    rmSync(building, { recursive: true, force: true });
  }
  cpSync(template, into, { recursive: true });
  chownTree(into, user);
}

function portOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/** Whether every thread of `pid` is stopped (state T or t in /proc), or the process is gone. */
function allThreadsStopped(pid: number): boolean {
  let tasks: string[];
  try {
    tasks = readdirSync(`/proc/${pid}/task`);
  } catch {
    return true;
  }
  return tasks.every((task) => {
    try {
      const stat = readFileSync(`/proc/${pid}/task/${task}/stat`, 'utf8');
      const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
      return state === 'T' || state === 't' || state === 'Z' || state === 'X';
    } catch {
      return true;
    }
  });
}

/** `root` and its descendants, from /proc. */
function processTree(root: number): number[] {
  const children = new Map<number, number[]>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let stat: string;
    try {
      stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
    } catch {
      continue;
    }
    // pid (comm) state ppid …: comm may hold spaces and parentheses, so read after the last ')'.
    const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
    const list = children.get(ppid) ?? [];
    list.push(Number(entry));
    children.set(ppid, list);
  }
  const tree = [root];
  for (let i = 0; i < tree.length; i++) tree.push(...(children.get(tree[i]!) ?? []));
  return tree;
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** The server processes' common part: one child (a process group), started, signalled, stopped. */
abstract class FaultServer {
  protected child: ChildProcess | undefined;
  protected readonly dir: string;
  protected readonly user: SystemUser | undefined;
  readonly log: string;

  constructor(
    readonly port: number,
    userName: string,
  ) {
    // The reliability (17000–17999) and deployment (16000–16999) tests' ports; never the shared servers'.
    if (port < 16000 || port > 17999) throw new Error(`fault servers use the ports 16000–17999, not ${port}`);
    this.user = systemUser(userName);
    this.dir = ownedDir(mkdtempSync(join(tmpdir(), `terrapin-fault-${port}-`)), this.user);
    this.log = join(this.dir, 'server.log');
  }

  protected abstract command(): { command: string; args: string[] };
  /** The URL a Terrapin client connects with (query parameters added by the caller). */
  abstract url(database?: string): string;
  /** Ends every client session on the server. */
  abstract terminateConnections(): Promise<number>;
  /** Runs one SQL statement as the administrator (to create databases, count rows). */
  abstract admin(sql: string): Promise<string>;

  /** Starts the server on its files and waits (up to `timeoutMs`) until it takes connections. */
  async start(timeoutMs = 60_000): Promise<void> {
    if (this.child !== undefined) throw new Error(`the server on ${this.port} is already running`);
    if (await portOpen(this.port)) throw new Error(`something else listens on 127.0.0.1:${this.port} already (a server left behind by an earlier run?)`);
    const { command, args } = this.command();
    const out = openSync(this.log, 'a');
    const child = spawn(command, args, { stdio: ['ignore', out, out], detached: true, ...(this.user ?? {}) });
    closeSync(out);
    this.child = child;
    running.add(child);
    child.on('exit', () => running.delete(child));
    const deadline = Date.now() + timeoutMs;
    while (!(await this.ready())) {
      if (child.exitCode !== null || child.signalCode !== null) throw new Error(`the server on ${this.port} exited at start:\n${this.tail()}`);
      if (Date.now() > deadline) throw new Error(`the server on ${this.port} did not take connections within ${timeoutMs} ms:\n${this.tail()}`);
      await sleep(50);
    }
  }

  protected ready(): Promise<boolean> {
    return portOpen(this.port);
  }

  /** SIGSTOP to every process of the server: it keeps its sockets but answers nothing. */
  freeze(): void {
    const pids = this.signalGroup('SIGSTOP');
    // kill() only queues the signal: a thread that is running on the other core finishes what it is
    // doing (answering a COMMIT, say) before it stops. Wait until every thread is stopped.
    const deadline = Date.now() + 2000;
    while (!pids.every(allThreadsStopped)) {
      if (Date.now() > deadline) throw new Error(`the server on ${this.port} did not stop within 2 s of SIGSTOP`);
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 2);
    }
  }

  thaw(): void {
    this.signalGroup('SIGCONT');
  }

  /**
   * The server and every process under it: PostgreSQL's backends each lead a process group of
   * their own (setsid), so signalling the postmaster's group would miss them.
   */
  private signalGroup(signal: NodeJS.Signals): number[] {
    if (this.child === undefined) throw new Error(`the server on ${this.port} is not running`);
    const signalled: number[] = [];
    for (const pid of processTree(this.child.pid!)) {
      try {
        process.kill(pid, signal);
        signalled.push(pid);
      } catch {
        // it ended meanwhile
      }
    }
    return signalled;
  }

  /** Stops the server with `signal` and waits for it to exit (SIGKILL after `timeoutMs`). */
  async stop(signal: NodeJS.Signals, timeoutMs = 30_000): Promise<void> {
    const child = this.child;
    if (child === undefined) return;
    this.child = undefined;
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      // A frozen server cannot act on a signal until it runs again.
      for (const pid of processTree(child.pid!)) {
        try {
          process.kill(pid, 'SIGCONT');
        } catch {
          // A backend that ended between the listing and the signal: nothing to wake.
        }
      }
      child.kill(signal);
      const timer = setTimeout(() => process.kill(-child.pid!, 'SIGKILL'), timeoutMs);
      await exited;
      clearTimeout(timer);
    }
    // Processes of the group that outlive the leader (a crashed postmaster's backends) go too.
    try {
      process.kill(-child.pid!, 'SIGKILL');
    } catch {
      // none left
    }
  }

  /** Stops the server for good and removes its files. */
  async destroy(): Promise<void> {
    await this.stop('SIGKILL');
    rmSync(this.dir, { recursive: true, force: true });
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  tail(chars = 3000): string {
    try {
      return readFileSync(this.log, 'utf8').slice(-chars);
    } catch {
      return '(no log)';
    }
  }
}

/** A PostgreSQL 15 cluster of its own, run as the postgres user; trust authentication for 127.0.0.1. */
export class FaultPostgres extends FaultServer {
  protected readonly data: string;

  constructor(port: number) {
    super(port, 'postgres');
    this.data = join(this.dir, 'data');
    fromTemplate('pg15', this.user, (dir) => run(`${PG_BIN}/initdb`, ['-D', dir, '-A', 'trust', '-U', 'postgres', '-N', '-E', 'UTF8', '--locale=C.UTF-8'], this.user), this.data);
  }

  protected command(): { command: string; args: string[] } {
    return {
      command: `${PG_BIN}/postgres`,
      args: ['-D', this.data, '-p', String(this.port), '-k', this.dir, '-c', 'listen_addresses=127.0.0.1', '-c', 'fsync=off', '-c', 'max_connections=60', '-c', 'shared_buffers=16MB', '-c', 'log_min_messages=warning'],
    };
  }

  protected override async ready(): Promise<boolean> {
    if (!(await portOpen(this.port))) return false;
    // Listening is not accepting yet (recovery after a crash): ask.
    return spawnSync(`${PG_BIN}/pg_isready`, ['-h', '127.0.0.1', '-p', String(this.port), '-q']).status === 0;
  }

  url(database = 'postgres'): string {
    return `postgres://postgres@127.0.0.1:${this.port}/${database}`;
  }

  /** Fast shutdown (SIGINT): sessions end, the cluster stops cleanly. */
  stopFast(): Promise<void> {
    return this.stop('SIGINT');
  }

  /** Immediate shutdown (SIGQUIT): no checkpoint, crash recovery at the next start. */
  crash(): Promise<void> {
    return this.stop('SIGQUIT');
  }

  async admin(sql: string): Promise<string> {
    const client = postgres(this.url(), { max: 1, connect_timeout: 10, idle_timeout: 1, onnotice: () => {} });
    try {
      const rows = await client.unsafe(sql).values();
      return rows.map((row) => row.join('\t')).join('\n');
    } finally {
      await client.end({ timeout: 1 });
    }
  }

  async terminateConnections(): Promise<number> {
    return Number(await this.admin("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE backend_type = 'client backend' AND pid <> pg_backend_pid()"));
  }
}

/** A MariaDB server of its own, run as the mysql user, with grant tables skipped (any user, no password). */
export class FaultMariadb extends FaultServer {
  private readonly data: string;
  private readonly socket: string;

  constructor(port: number) {
    super(port, 'mysql');
    this.data = join(this.dir, 'data');
    this.socket = join(this.dir, 'mysql.sock');
    // --tmpdir of its own: a MariaDB starting up deletes every #sql* file in its tmpdir, which with
    // the default /tmp includes the temporary tables the shared server on 3306 is using that moment.
    fromTemplate('mariadb', this.user, (dir) => run('mariadb-install-db', ['--no-defaults', `--datadir=${dir}`, `--tmpdir=${dirname(dir)}`, '--user=mysql', '--skip-test-db', '--auth-root-authentication-method=normal'], undefined), this.data);
  }

  protected command(): { command: string; args: string[] } {
    return {
      command: '/usr/sbin/mariadbd',
      args: [
        '--no-defaults',
        `--datadir=${this.data}`,
        `--tmpdir=${this.dir}`,
        `--port=${this.port}`,
        '--bind-address=127.0.0.1',
        `--socket=${this.socket}`,
        `--pid-file=${join(this.dir, 'mariadbd.pid')}`,
        '--skip-grant-tables',
        '--skip-name-resolve',
        '--innodb-buffer-pool-size=32M',
        '--innodb-log-file-size=16M',
        '--innodb-flush-log-at-trx-commit=2',
        '--max-connections=80',
        `--log-error=${this.log}`,
        ...(this.user === undefined ? [] : ['--user=mysql']),
      ],
    };
  }

  url(database = 'mysql'): string {
    return `mysql://root@127.0.0.1:${this.port}/${database}`;
  }

  /** A normal shutdown (SIGTERM). */
  stopFast(): Promise<void> {
    return this.stop('SIGTERM');
  }

  /** SIGKILL: InnoDB recovers at the next start. */
  crash(): Promise<void> {
    return this.stop('SIGKILL');
  }

  async admin(sql: string): Promise<string> {
    const client = await mysql.createConnection({ uri: this.url(), connectTimeout: 10_000 });
    try {
      const [rows] = await client.query({ sql, rowsAsArray: true });
      return Array.isArray(rows) ? (rows as unknown[][]).map((row) => row.join('\t')).join('\n') : '';
    } finally {
      await client.end();
    }
  }

  async terminateConnections(): Promise<number> {
    const ids = (await this.admin("SELECT id FROM information_schema.processlist WHERE id <> CONNECTION_ID() AND command <> 'Daemon' AND user <> 'system user'"))
      .split('\n')
      .filter(Boolean);
    for (const id of ids) {
      try {
        await this.admin(`KILL ${Number(id)}`);
      } catch {
        // it ended by itself meanwhile
      }
    }
    return ids.length;
  }
}
