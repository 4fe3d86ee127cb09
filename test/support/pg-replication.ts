/**
 * PostgreSQL streaming replication for the deployment tests: a replica made from a running
 * primary (test/support/fault-servers.ts) with `pg_basebackup -R`, which writes standby.signal and
 * primary_conninfo, so it starts as a hot standby streaming from the primary; `promote()` runs
 * `pg_ctl promote` and waits until it accepts writes.
 */
import { spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { FaultPostgres, sleep } from './fault-servers.js';

const PG_BIN = '/usr/lib/postgresql/15/bin';

function runAs(user: { uid: number; gid: number } | undefined, command: string, args: string[]): void {
  const result = spawnSync(command, args, { encoding: 'utf8', timeout: 120_000, ...(user ?? {}) });
  if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} failed (${result.status ?? result.signal}): ${result.stderr || result.stdout}`);
}

export class PostgresReplica extends FaultPostgres {
  constructor(port: number, primary: FaultPostgres) {
    super(port);
    // The template copy the constructor made is replaced by a base backup of the running primary.
    rmSync(this.data, { recursive: true, force: true });
    runAs(this.user, `${PG_BIN}/pg_basebackup`, ['-h', '127.0.0.1', '-p', String(primary.port), '-U', 'postgres', '-D', this.data, '-R', '-X', 'stream', '-c', 'fast']);
  }

  /** pg_ctl promote, then waits (up to `timeoutMs`) until the server is out of recovery. */
  async promote(timeoutMs = 30_000): Promise<void> {
    runAs(this.user, `${PG_BIN}/pg_ctl`, ['promote', '-D', this.data, '-w', '-t', String(Math.ceil(timeoutMs / 1000))]);
    const deadline = Date.now() + timeoutMs;
    while ((await this.admin('SELECT pg_is_in_recovery()')) !== 'false') {
      if (Date.now() > deadline) throw new Error(`the replica on ${this.port} did not leave recovery within ${timeoutMs} ms`);
      await sleep(50);
    }
  }

  /** Waits until the replica has replayed everything the primary had written when this was called. */
  async caughtUp(primary: FaultPostgres, timeoutMs = 30_000): Promise<void> {
    const lsn = await primary.admin('SELECT pg_current_wal_lsn()');
    const deadline = Date.now() + timeoutMs;
    while ((await this.admin(`SELECT pg_last_wal_replay_lsn() >= '${lsn}'::pg_lsn`)) !== 'true') {
      if (Date.now() > deadline) throw new Error(`the replica on ${this.port} did not replay up to ${lsn} within ${timeoutMs} ms`);
      await sleep(20);
    }
  }
}
