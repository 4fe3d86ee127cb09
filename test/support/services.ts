/**
 * Database servers the tests start themselves (pgbouncer, PostgreSQL clusters, MariaDB servers):
 * run as the service's own system user when the tests run as root (PostgreSQL and PgBouncer
 * refuse root), on 127.0.0.1 only, with their files in a temporary folder, and stopped when the
 * test file ends — or, at the latest, when its process exits. Every wait is bounded.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdtempSync, openSync, readFileSync, rmSync, closeSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A system user to run a server as: its ids, or undefined to run as the current user. */
export interface ServiceUser {
  readonly name: string;
  readonly uid: number;
  readonly gid: number;
}

/** `name` from /etc/passwd when running as root (a server refuses root), else undefined. */
export function serviceUser(name: string): ServiceUser | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const line = readFileSync('/etc/passwd', 'utf8').split('\n').find((l) => l.startsWith(`${name}:`));
  if (line === undefined) throw new Error(`there is no system user '${name}' to run the server as (tests run as root)`);
  const [, , uid, gid] = line.split(':');
  return { name, uid: Number(uid), gid: Number(gid) };
}

/** The first of `paths` that exists, else undefined. */
export function findBinary(...paths: string[]): string | undefined {
  return paths.find((path) => existsSync(path));
}

/** A fresh temporary folder owned by `user` (removed by `removeDir`). */
export function serviceDir(prefix: string, user: ServiceUser | undefined): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  chmodSync(dir, 0o755);
  if (user !== undefined) chownSync(dir, user.uid, user.gid);
  return dir;
}

export function removeDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}

const running = new Set<ChildProcess>();
process.on('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

export interface StartOptions {
  readonly user?: ServiceUser | undefined;
  /** Where the server's stdout and stderr go. */
  readonly log: string;
  readonly env?: NodeJS.ProcessEnv;
}

/** Starts a long-running server process (killed at exit if still running). */
export function startProcess(command: string, args: readonly string[], options: StartOptions): ChildProcess {
  const out = openSync(options.log, 'a');
  if (options.user !== undefined) chownSync(options.log, options.user.uid, options.user.gid);
  const child = spawn(command, args, {
    stdio: ['ignore', out, out],
    env: { ...process.env, ...options.env },
    ...(options.user === undefined ? {} : { uid: options.user.uid, gid: options.user.gid }),
  });
  closeSync(out);
  running.add(child);
  child.on('exit', () => running.delete(child));
  child.on('error', () => running.delete(child));
  return child;
}

/** Stops `child` with `signal`, then SIGKILL after `timeoutMs`; resolves once it has exited. */
export async function stopProcess(child: ChildProcess, signal: NodeJS.Signals = 'SIGTERM', timeoutMs = 10_000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill(signal);
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  await exited;
  clearTimeout(timer);
}

/** Runs a command to completion (initdb, pg_basebackup…); rejects with its output when it fails or outlasts `timeoutMs`. */
export function runCommand(command: string, args: readonly string[], options: { user?: ServiceUser | undefined; timeoutMs?: number; env?: NodeJS.ProcessEnv; input?: string } = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      stdio: [options.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
      env: { ...process.env, ...options.env },
      ...(options.user === undefined ? {} : { uid: options.user.uid, gid: options.user.gid }),
    });
    let output = '';
    child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    if (options.input !== undefined) child.stdin!.end(options.input);
    const timeoutMs = options.timeoutMs ?? 60_000;
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      if (code === 0) resolve(output);
      else reject(new Error(`${command} ${args.join(' ')} ${signal === null ? `exited with ${code}` : `was killed (${signal}, after ${timeoutMs} ms at most)`}:\n${output.slice(-2000)}`));
    });
  });
}

/** Whether something accepts TCP connections on 127.0.0.1:`port`. */
export function portOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/** Polls `check` every 100 ms until it is true; rejects with `what` after `timeoutMs`. */
export async function waitFor(what: string, check: () => Promise<boolean> | boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return;
    if (Date.now() > deadline) throw new Error(`${what} did not happen within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Waits for a server started as `child` to listen on `port`; fails at once if it exits instead. */
export async function waitForListening(child: ChildProcess, port: number, log: string, timeoutMs: number): Promise<void> {
  await waitFor(
    `a server listening on 127.0.0.1:${port}`,
    async () => {
      if (child.exitCode !== null || child.signalCode !== null) {
        throw new Error(`the server for port ${port} exited (${child.exitCode ?? child.signalCode}):\n${readTail(log)}`);
      }
      return portOpen(port);
    },
    timeoutMs,
  );
}

/** The end of a log file, for error messages. */
export function readTail(path: string, chars = 3000): string {
  try {
    return readFileSync(path, 'utf8').slice(-chars);
  } catch {
    return '(no log)';
  }
}
