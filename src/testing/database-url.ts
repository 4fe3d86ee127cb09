import { randomBytes } from 'node:crypto';
import { parseDbUrl, type ConnectionSettings } from '../config/db-url.js';
import { ConfigurationError } from '../errors.js';

/** `{}` as Tortoise writes it, also escaped (`\{\}`) or percent-encoded (`%7B%7D`). */
const PLACEHOLDER = /\\\{\\\}|\{\}|%7B%7D/gi;

export interface TestUrl {
  readonly url: string;
  readonly settings: ConnectionSettings;
  /** An in-memory SQLite database: nothing to create or drop. */
  readonly memory: boolean;
}

/**
 * The URL of a fresh test database: every `{}` in the database name (the file name on SQLite)
 * filled with one random suffix. A name without `{}` is refused, so that a test run never uses,
 * and never drops, a database that may hold something else; `sqlite://:memory:` needs none.
 */
export function testDatabaseUrl(template: string): TestUrl {
  if (typeof template !== 'string') throw new ConfigurationError(`testDatabase: dbUrl must be a URL string, got ${typeof template}.`);
  const settings = parseDbUrl(template, 'default');
  if (settings.dialect === 'sqlite' && settings.path === ':memory:') return { url: template, settings, memory: true };
  const [head = '', query] = template.split(/\?(.*)$/s, 2);
  const slash = settings.dialect === 'sqlite' ? head.indexOf('://') + 2 : head.lastIndexOf('/');
  const name = head.slice(slash + 1);
  if (!new RegExp(PLACEHOLDER.source, 'i').test(name)) {
    const what = settings.dialect === 'sqlite' ? 'file name' : 'database name';
    throw new ConfigurationError(
      `testDatabase: the ${what} in '${template}' has no {} placeholder; write it as e.g. ${
        settings.dialect === 'sqlite' ? "'sqlite://test_{}.sqlite3' (or 'sqlite://:memory:')" : `'${head.slice(0, slash + 1)}test_{}'`
      }, so that each run gets a database of its own: one that may already hold data is never used or dropped.`,
    );
  }
  const suffix = randomBytes(8).toString('hex');
  const url = `${head.slice(0, slash + 1)}${name.replace(PLACEHOLDER, suffix)}${query === undefined ? '' : `?${query}`}`;
  return { url, settings: parseDbUrl(url, 'default'), memory: false };
}
