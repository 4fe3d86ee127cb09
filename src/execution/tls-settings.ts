/**
 * TLS settings shared by the PostgreSQL and MySQL clients, named after libpq's sslmode:
 * `prefer` uses TLS when the server offers it, `require` insists on it without checking the
 * certificate, `verify-ca` checks the certificate against the given CA (the system's without
 * one), `verify-full` also checks that it names the host.
 */
import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import type { ConnectionOptions } from 'node:tls';
import { ConfigurationError } from '../errors.js';

export type TlsMode = 'prefer' | 'require' | 'verify-ca' | 'verify-full';

export interface TlsSettings {
  readonly mode: TlsMode;
  /** PEM of the certificate authorities to trust (sslrootcert). */
  readonly ca?: string;
}

/** The URL's sslmode (or ssl) and sslrootcert as TLS settings; undefined for plain text (db-url.ts has checked the values). */
export function tlsFromOptions(options: Readonly<Record<string, string>>, connectionName: string): TlsSettings | undefined {
  const mode = options.sslmode ?? options.ssl;
  if (mode === undefined || ['disable', 'allow', 'false', '0'].includes(mode)) return undefined;
  const tlsMode: TlsMode = mode === 'true' || mode === '1' ? 'require' : (mode as TlsMode);
  const rootCert = options.sslrootcert;
  if (rootCert === undefined) return { mode: tlsMode };
  try {
    return { mode: tlsMode, ca: readFileSync(rootCert, 'utf8') };
  } catch (cause) {
    throw new ConfigurationError(`connection '${connectionName}': cannot read sslrootcert '${rootCert}' (${(cause as Error).message}); give the path of a PEM file.`, { cause });
  }
}

/** Options for tls.connect over an open socket to `host`, checking what the mode asks for. */
export function secureOptions(host: string, settings: TlsSettings): ConnectionOptions {
  return {
    ...(settings.ca === undefined ? {} : { ca: settings.ca }),
    rejectUnauthorized: settings.mode === 'verify-ca' || settings.mode === 'verify-full',
    ...(isIP(host) === 0 ? { servername: host } : {}),
    // verify-ca trusts any name the CA vouched for; verify-full keeps Node's host check.
    ...(settings.mode === 'verify-full' ? {} : { checkServerIdentity: () => undefined }),
  };
}
