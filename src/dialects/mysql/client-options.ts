/**
 * The MySQL URL's query parameters beyond the pool's (db-url.ts): only TLS today. Anything else
 * is refused rather than ignored, as the PostgreSQL server refuses an unknown parameter.
 */
import { ConfigurationError } from '../../errors.js';

const KNOWN = ['ssl', 'sslmode', 'sslrootcert'];

export function checkMysqlOptions(options: Readonly<Record<string, string>>, connectionName: string): void {
  for (const key of Object.keys(options)) {
    if (KNOWN.includes(key)) continue;
    throw new ConfigurationError(
      `connection '${connectionName}': the MySQL client has no URL option '${key}'. It takes ${KNOWN.join(', ')} and the pool's ` +
        '(minsize, maxsize, idle_timeout, connect_timeout, acquire_timeout); session variables belong in the server configuration.',
    );
  }
}
