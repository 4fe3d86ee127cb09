/**
 * A throwaway TypeScript project in a temporary folder that imports 'terrapin' as a user's would
 * (node_modules/terrapin links to this repository, so its package.json exports decide), compiled
 * with the TypeScript compiler under the repository's strict options and loaded with import().
 */
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import ts from 'typescript';

/** dist/test/support/ → the repository root. */
export const REPOSITORY = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

export interface CompiledProject {
  readonly dir: string;
  /** The compiler's errors, one `file:line:col message` each (empty when it compiled cleanly). */
  readonly errors: readonly string[];
  /** Imports the compiled module of `file` (a name given to `compileProject`). */
  load(file: string): Promise<Record<string, unknown>>;
  remove(): void;
}

/** Writes `files` (name → TypeScript source) into a fresh project and compiles them. */
export function compileProject(files: Readonly<Record<string, string>>): CompiledProject {
  const dir = mkdtempSync(join(tmpdir(), 'tp_isp_project_'));
  mkdirSync(join(dir, 'node_modules'));
  symlinkSync(REPOSITORY, join(dir, 'node_modules', 'terrapin'), 'dir');
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'inspected', type: 'module', private: true }));
  const names = Object.keys(files).map((name) => join(dir, 'src', name));
  mkdirSync(join(dir, 'src'));
  for (const [name, source] of Object.entries(files)) writeFileSync(join(dir, 'src', name), source);
  const program = ts.createProgram(names, {
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    strict: true,
    noUncheckedIndexedAccess: true,
    noImplicitOverride: true,
    useDefineForClassFields: true,
    skipLibCheck: true,
    types: ['node'],
    typeRoots: [join(REPOSITORY, 'node_modules', '@types')],
    rootDir: join(dir, 'src'),
    outDir: join(dir, 'out'),
  });
  const diagnostics = ts.getPreEmitDiagnostics(program);
  const errors = diagnostics.map((d) => {
    const text = ts.flattenDiagnosticMessageText(d.messageText, '\n');
    if (d.file === undefined || d.start === undefined) return text;
    const { line, character } = d.file.getLineAndCharacterOfPosition(d.start);
    return `${d.file.fileName.slice(dir.length + 1)}:${line + 1}:${character + 1} ${text}`;
  });
  if (errors.length === 0) program.emit();
  return {
    dir,
    errors,
    load: (file) => import(pathToFileURL(join(dir, 'out', file.replace(/\.ts$/, '.js'))).href) as Promise<Record<string, unknown>>,
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}
