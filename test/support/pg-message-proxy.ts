/**
 * A TCP proxy in front of a real PostgreSQL server that reads the protocol messages going by: it
 * counts the requests a client has sent and not yet seen answered (Syncs against ReadyForQuery),
 * and can drop or repeat a server message, as a pooler that moved a session mid-request would
 * deliver answers out of step. Plain text only (no TLS).
 */
import { connect, createServer, type Server, type Socket } from 'node:net';

/** What to do with one server message: pass it on, drop it, or pass it on twice. */
export type MessageFate = 'keep' | 'drop' | 'double';

export interface MessageProxy {
  readonly port: number;
  /** The most Syncs any client had unanswered at once. */
  readonly maxOutstanding: number;
  /** Decides the fate of each server message after start-up, by its type letter ('C', 'D', 'Z'…). */
  serverFilter: ((type: string) => MessageFate) | undefined;
  resetCounts(): void;
  close(): Promise<void>;
}

/** Splits a byte stream into messages; `typed` false for the client's first (untyped) message. */
function messageSplitter(onMessage: (type: string, bytes: Buffer) => void, untypedFirst: boolean): (chunk: Buffer) => void {
  let pending: Buffer = Buffer.alloc(0);
  let untyped = untypedFirst;
  return (chunk) => {
    pending = pending.length === 0 ? chunk : Buffer.concat([pending, chunk]);
    for (;;) {
      const header = untyped ? 4 : 5;
      if (pending.length < header) return;
      const length = pending.readInt32BE(untyped ? 0 : 1) + (untyped ? 0 : 1);
      if (pending.length < length) return;
      const bytes = pending.subarray(0, length);
      pending = pending.subarray(length);
      onMessage(untyped ? '' : String.fromCharCode(bytes[0]!), bytes);
      untyped = false;
    }
  };
}

export async function startMessageProxy(target: { host: string; port: number }, port: number): Promise<MessageProxy> {
  const sockets = new Set<Socket>();
  const state = { maxOutstanding: 0 };
  const proxy: MessageProxy = {
    port,
    get maxOutstanding() {
      return state.maxOutstanding;
    },
    serverFilter: undefined,
    resetCounts() {
      state.maxOutstanding = 0;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
  const server: Server = createServer((client) => {
    const upstream = connect(target);
    sockets.add(client).add(upstream);
    // Messages are passed on one by one: without this, Nagle and delayed ACKs cost 40 ms each.
    client.setNoDelay(true);
    upstream.setNoDelay(true);
    let outstanding = 0;
    let started = false;
    client.on(
      'data',
      messageSplitter((type, bytes) => {
        if (type === 'S') state.maxOutstanding = Math.max(state.maxOutstanding, ++outstanding);
        upstream.write(bytes);
      }, true),
    );
    upstream.on(
      'data',
      messageSplitter((type, bytes) => {
        const fate = started && proxy.serverFilter !== undefined ? proxy.serverFilter(type) : 'keep';
        if (type === 'Z') {
          if (started) outstanding--;
          started = true;
        }
        if (fate === 'drop') return;
        client.write(bytes);
        if (fate === 'double') client.write(bytes);
      }, false),
    );
    const close = (): void => {
      client.destroy();
      upstream.destroy();
      sockets.delete(client);
      sockets.delete(upstream);
    };
    for (const socket of [client, upstream]) {
      socket.on('error', close);
      socket.on('close', close);
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  return proxy;
}
