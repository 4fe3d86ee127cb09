/**
 * Imports a TypeScript or JavaScript file without a build step. JavaScript and TypeScript on a Node
 * that strips types itself (22.6+ with the flag, 22.18+/23.6+ by default: `process.features.typescript`)
 * go through the native `import()`; elsewhere (Node 20) TypeScript goes through jiti, a small,
 * dependency-free loader (pure JS, no native binary, no install script) that transpiles on the fly
 * and imports packages natively, so `terrapin` inside a model file is the same module the command
 * runs. Native type stripping needs `.ts` in relative imports; a file written for tsc's `.js`
 * imports falls back to jiti too.
 */
import { statSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { ConfigurationError } from '../errors.js';

const TYPESCRIPT = /\.(c|m)?ts$/;
const RETRY_CODES = new Set(['ERR_MODULE_NOT_FOUND', 'ERR_UNKNOWN_FILE_EXTENSION', 'ERR_UNSUPPORTED_TYPESCRIPT_SYNTAX', 'ERR_INVALID_TYPESCRIPT_SYNTAX']);

type Jiti = { import(id: string, options?: { default?: boolean }): Promise<unknown> };
let jiti: Jiti | undefined;

async function viaJiti(path: string): Promise<Record<string, unknown>> {
  if (jiti === undefined) {
    const { createJiti } = (await import('jiti')) as unknown as { createJiti(from: string, options: object): Jiti };
    // No module cache: a file changed while the process runs (tests, watch) is read again.
    jiti = createJiti(import.meta.url, { moduleCache: false, interopDefault: true });
  }
  return (await jiti.import(path)) as Record<string, unknown>;
}

function nativeTypeScript(): boolean {
  const features = process.features as { typescript?: string | false };
  return typeof features.typescript === 'string';
}

/** The module at `path` (absolute). A changed file is imported afresh (its URL carries its mtime). */
export async function importFile(path: string): Promise<Record<string, unknown>> {
  let version = '';
  try {
    const stat = statSync(path);
    version = `?v=${stat.mtimeMs}-${stat.size}`;
  } catch (cause) {
    throw new ConfigurationError(`Cannot read ${path}: ${(cause as Error).message}`, { cause });
  }
  const url = pathToFileURL(path).href + version;
  if (TYPESCRIPT.test(path) && !nativeTypeScript()) return viaJiti(path);
  try {
    return (await import(url)) as Record<string, unknown>;
  } catch (error) {
    if (TYPESCRIPT.test(path) && RETRY_CODES.has((error as { code?: string }).code ?? '')) return viaJiti(path);
    throw error;
  }
}
