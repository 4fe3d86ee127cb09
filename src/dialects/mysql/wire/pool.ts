/** The MySQL/MariaDB pool: the shared connection pool over this client's connections. */
import { ConnectionPool, type PoolOptions } from '../../../execution/connection-pool.js';
import { MysqlConnection, type MysqlConnectOptions, type MysqlResult } from './connection.js';

export type MysqlWirePoolOptions = MysqlConnectOptions & PoolOptions;

export class MysqlWirePool extends ConnectionPool<MysqlConnection, MysqlResult> {
  constructor(options: MysqlWirePoolOptions) {
    super(options, (events) => new MysqlConnection(options, events));
  }
}
