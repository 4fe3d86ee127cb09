/** The PostgreSQL pool: the shared connection pool over this client's connections. */
import { ConnectionPool, type PoolOptions } from '../../../execution/connection-pool.js';
import { WireConnection, type ConnectOptions, type QueryResult } from './connection.js';

export type WirePoolOptions = ConnectOptions & PoolOptions;

export class WirePool extends ConnectionPool<WireConnection, QueryResult> {
  constructor(options: WirePoolOptions) {
    super(options, (events) => new WireConnection(options, events));
  }
}
