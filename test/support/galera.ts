/**
 * A 3-node MariaDB Galera cluster (Debian galera-4) on one machine, for the deployment tests.
 * Every node is a server of test/support/fault-servers.ts with wsrep turned on, its own SQL port,
 * group-communication port and IST port, and its own --tmpdir.
 *
 * No state transfer is needed to form it: one node bootstraps a cluster alone and is stopped
 * cleanly (its grastate.dat then holds the cluster's uuid and seqno), its data directory is
 * copied to the other two, and all three start from that same state: the first with
 * --wsrep-new-cluster, the others joining it, already in sync (no SST tool, rsync or mariabackup).
 */
import { cpSync, existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { FaultMariadb, sleep } from './fault-servers.js';

const PROVIDER = '/usr/lib/galera/libgalera_smm.so';

/** Why the Galera tests cannot run here, or undefined. */
export const galeraMissing = existsSync(PROVIDER) ? undefined : `the Galera provider ${PROVIDER} is not installed (apt-get install -y galera-4)`;

export class GaleraNode extends FaultMariadb {
  /** Start the next run with --wsrep-new-cluster (the first node of a new cluster). */
  bootstrap = false;

  constructor(
    port: number,
    readonly gcommPort: number,
    private readonly istPort: number,
    private readonly peers: readonly number[],
  ) {
    super(port);
  }

  get dataDir(): string {
    return join(this.dir, 'data');
  }

  protected override command(): { command: string; args: string[] } {
    const base = super.command();
    return {
      ...base,
      args: [
        ...base.args,
        '--wsrep-on=ON',
        `--wsrep-provider=${PROVIDER}`,
        `--wsrep-cluster-address=gcomm://${this.peers.map((p) => `127.0.0.1:${p}`).join(',')}`,
        `--wsrep-provider-options=gmcast.listen_addr=tcp://127.0.0.1:${this.gcommPort};ist.recv_addr=127.0.0.1:${this.istPort};evs.suspect_timeout=PT3S;evs.inactive_timeout=PT6S`,
        `--wsrep-node-address=127.0.0.1:${this.gcommPort}`,
        `--wsrep-node-name=node${this.port}`,
        '--wsrep-cluster-name=terrapin_test',
        '--binlog-format=ROW',
        '--innodb-autoinc-lock-mode=2',
        ...(this.bootstrap ? ['--wsrep-new-cluster'] : []),
      ],
    };
  }

  /** Waits until this node is a synced member of a primary component of `size` nodes. */
  async synced(size: number, timeoutMs = 60_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const status = await this.admin(
        "SELECT GROUP_CONCAT(VARIABLE_VALUE ORDER BY VARIABLE_NAME SEPARATOR ' ') FROM information_schema.GLOBAL_STATUS WHERE VARIABLE_NAME IN ('WSREP_CLUSTER_SIZE', 'WSREP_LOCAL_STATE_COMMENT', 'WSREP_READY')",
      ).catch((error: Error) => error.message);
      if (status === `${size} Synced ON`) return;
      if (Date.now() > deadline) throw new Error(`Galera node ${this.port} not synced in a cluster of ${size} within ${timeoutMs} ms (${status}):\n${this.tail()}`);
      await sleep(100);
    }
  }
}

export class GaleraCluster {
  readonly nodes: GaleraNode[];

  /** SQL ports `base`…`base+2`, group communication `base+10`…, IST `base+20`…. */
  constructor(base: number) {
    const gcomm = [base + 10, base + 11, base + 12];
    this.nodes = [0, 1, 2].map((i) => new GaleraNode(base + i, gcomm[i]!, base + 20 + i, gcomm));
  }

  async start(): Promise<void> {
    const [first, ...others] = this.nodes as [GaleraNode, GaleraNode, GaleraNode];
    first.bootstrap = true;
    await first.start();
    await first.synced(1);
    await first.stopFast();
    // The clean stop left grastate.dat with the cluster's state; the copies start from it.
    const grastate = join(first.dataDir, 'grastate.dat');
    writeFileSync(grastate, readFileSync(grastate, 'utf8').replace(/safe_to_bootstrap: 0/, 'safe_to_bootstrap: 1'));
    for (const node of others) {
      rmSync(node.dataDir, { recursive: true, force: true });
      cpSync(first.dataDir, node.dataDir, { recursive: true });
      spawnSync('chown', ['-R', 'mysql:mysql', node.dataDir]);
    }
    await first.start();
    await first.synced(1);
    first.bootstrap = false;
    for (const node of others) await node.start();
    await Promise.all(this.nodes.map((node) => node.synced(3)));
  }

  async destroy(): Promise<void> {
    await Promise.all(this.nodes.map((node) => node.destroy()));
  }
}
