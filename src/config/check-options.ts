import { ConfigurationError } from '../errors.js';

/**
 * Refuses an options object with a key `allowed` does not list (no option is silently ignored):
 * `checkOptions('introspectSchema', { tabels: [] }, ['tables'])` throws a ConfigurationError
 * naming 'tabels' and the options there are.
 */
export function checkOptions(where: string, options: unknown, allowed: readonly string[]): void {
  if (options === undefined) return;
  if (options === null || typeof options !== 'object' || Array.isArray(options)) {
    throw new ConfigurationError(`${where}: options must be an object, got ${options === null ? 'null' : Array.isArray(options) ? 'an array' : typeof options}.`);
  }
  for (const key of Object.keys(options)) {
    if (!allowed.includes(key)) {
      throw new ConfigurationError(`${where}: unknown option '${key}'; the options are ${allowed.map((a) => `'${a}'`).join(', ')}.`);
    }
  }
}

/** A list-of-names option: undefined, or an array of strings; anything else is a ConfigurationError. */
export function nameListOption(where: string, name: string, value: unknown): readonly string[] | undefined {
  if (value === undefined) return undefined;
  if (!Array.isArray(value) || value.some((v) => typeof v !== 'string')) {
    throw new ConfigurationError(`${where}: '${name}' must be an array of table names, got ${JSON.stringify(value)}.`);
  }
  return value as string[];
}
