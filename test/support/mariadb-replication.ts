/**
 * MariaDB replication for the deployment tests: a primary writing a binary log and a replica
 * following it with CHANGE MASTER TO … MASTER_LOG_FILE/POS (both from the same empty template, so
 * the replica starts at the primary's position of that moment). Both are servers of
 * test/support/fault-servers.ts with the replication settings added; each has its own --tmpdir.
 */
import { FaultMariadb, sleep } from './fault-servers.js';

export class MariadbPrimary extends FaultMariadb {
  protected override command(): { command: string; args: string[] } {
    const base = super.command();
    return { ...base, args: [...base.args, `--log-bin=${this.dir}/binlog`, '--server-id=1', '--binlog-format=ROW'] };
  }

  /** Where the binary log is now: the replica starts reading there, or waits until it has applied it. */
  async position(): Promise<{ file: string; position: number }> {
    const [file, position] = (await this.admin('SHOW MASTER STATUS')).split('\t');
    return { file: file!, position: Number(position) };
  }
}

export class MariadbReplica extends FaultMariadb {
  protected override command(): { command: string; args: string[] } {
    const base = super.command();
    return { ...base, args: [...base.args, '--server-id=2', `--relay-log=${this.dir}/relay`] };
  }

  /** Starts replicating from `primary`'s current binary log position and waits until both replication threads run. */
  async follow(primary: MariadbPrimary, timeoutMs = 30_000): Promise<void> {
    const { file, position } = await primary.position();
    await this.admin(
      `CHANGE MASTER TO MASTER_HOST='127.0.0.1', MASTER_PORT=${primary.port}, MASTER_USER='root', MASTER_PASSWORD='', MASTER_LOG_FILE='${file}', MASTER_LOG_POS=${position}, MASTER_CONNECT_RETRY=1`,
    );
    await this.admin('START SLAVE');
    const deadline = Date.now() + timeoutMs;
    while ((await this.admin("SELECT COUNT(*) FROM information_schema.processlist WHERE user = 'system user'")) === '0') {
      if (Date.now() > deadline) throw new Error(`the replica on ${this.port} did not start replicating within ${timeoutMs} ms:\n${this.tail()}`);
      await sleep(50);
    }
  }

  /** Waits until the replica has applied everything the primary had logged when this was called. */
  async caughtUp(primary: MariadbPrimary, timeoutMs = 30_000): Promise<void> {
    const { file, position } = await primary.position();
    const waited = await this.admin(`SELECT MASTER_POS_WAIT('${file}', ${position}, ${Math.ceil(timeoutMs / 1000)})`);
    if (waited === '-1' || waited === '' || waited === 'NULL') throw new Error(`the replica on ${this.port} did not apply ${file}:${position} (MASTER_POS_WAIT answered ${waited}):\n${this.tail()}`);
  }
}
