/**
 * Type-checks every ```ts block in README.md and docs/*.md, so the examples cannot rot.
 * All snippets go into one TypeScript Program as virtual files (one module each) next to the
 * real sources, with `import ... from 'terrapin'` mapped to src/index.ts. A block fenced as
 * ```ts nocheck is skipped. One test per markdown file; a failure prints file:line and the message.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import ts from 'typescript';

/** dist/test/docs/ → the repository root. */
const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

interface Snippet {
  /** Markdown file, relative to the root. */
  readonly doc: string;
  /** 1-based line in the markdown file of the snippet's first code line. */
  readonly line: number;
  /** Virtual file name the snippet is checked as. */
  readonly file: string;
  readonly code: string;
}

const FENCE_OPEN = /^(\s*)```\s*(ts|typescript)\b(.*)$/;
const FENCE_CLOSE = /^\s*```\s*$/;

/** The ```ts blocks of one markdown file, minus those marked nocheck. */
function extractSnippets(doc: string, text: string): Snippet[] {
  const lines = text.split(/\r?\n/);
  const snippets: Snippet[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = FENCE_OPEN.exec(lines[i]!);
    if (open === null) continue;
    const indent = open[1]!.length;
    const skip = /\bnocheck\b/.test(open[3]!);
    const body: string[] = [];
    let j = i + 1;
    while (j < lines.length && !FENCE_CLOSE.test(lines[j]!)) body.push(lines[j++]!.slice(indent));
    if (j === lines.length) throw new Error(`${doc}:${i + 1}: the code block opened here is never closed`);
    if (!skip) {
      const name = `${doc.replace(/[^A-Za-z0-9]/g, '_')}_L${i + 2}.mts`;
      // `export {}` (on a line of its own, after the code) makes every snippet a module of its own.
      snippets.push({ doc, line: i + 2, file: join(root, '.doc-snippets', name), code: `${body.join('\n')}\nexport {};\n` });
    }
    i = j;
  }
  return snippets;
}

function markdownFiles(): string[] {
  const docs = readdirSync(join(root, 'docs'))
    .filter((f) => f.endsWith('.md'))
    .sort()
    .map((f) => `docs/${f}`);
  return ['README.md', ...docs];
}

const docs = markdownFiles();
const snippets = docs.flatMap((doc) => extractSnippets(doc, readFileSync(join(root, doc), 'utf8')));
const byFile = new Map(snippets.map((s) => [s.file, s]));

/** As tsconfig.json, plus `terrapin` → src/index.ts. */
const options: ts.CompilerOptions = {
  target: ts.ScriptTarget.ES2022,
  module: ts.ModuleKind.NodeNext,
  moduleResolution: ts.ModuleResolutionKind.NodeNext,
  lib: ['lib.es2023.d.ts'],
  types: ['node'],
  strict: true,
  noUncheckedIndexedAccess: true,
  noImplicitOverride: true,
  noFallthroughCasesInSwitch: true,
  skipLibCheck: true,
  esModuleInterop: true,
  useDefineForClassFields: true,
  noEmit: true,
  // The subpath exports too, to the sources: through package.json they would reach dist's .d.ts,
  // whose classes are other types than src's (TransactionClient from 'terrapin' vs 'terrapin/fastify').
  paths: {
    terrapin: [join(root, 'src', 'index.ts')],
    'terrapin/testing': [join(root, 'src', 'testing', 'index.ts')],
    'terrapin/migrations': [join(root, 'src', 'migrations', 'index.ts')],
    'terrapin/*': [join(root, 'src', 'integrations', '*.ts')],
  },
};

function createProgram(): ts.Program {
  const host = ts.createCompilerHost(options, true);
  const { getSourceFile, fileExists, readFile } = host;
  host.getCurrentDirectory = () => root;
  host.fileExists = (name) => byFile.has(name) || fileExists.call(host, name);
  host.readFile = (name) => byFile.get(name)?.code ?? readFile.call(host, name);
  host.getSourceFile = (name, languageVersion, onError, shouldCreate) => {
    const snippet = byFile.get(name);
    if (snippet !== undefined) return ts.createSourceFile(name, snippet.code, languageVersion, true);
    return getSourceFile.call(host, name, languageVersion, onError, shouldCreate);
  };
  return ts.createProgram({ rootNames: [...byFile.keys()], options, host });
}

function describeDiagnostic(snippet: Snippet, diagnostic: ts.Diagnostic): string {
  const message = ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n  ');
  if (diagnostic.file === undefined || diagnostic.start === undefined) return `${snippet.doc}: ${message}`;
  const { line, character } = diagnostic.file.getLineAndCharacterOfPosition(diagnostic.start);
  const where = diagnostic.file.fileName === snippet.file ? '' : ` (in ${relative(root, diagnostic.file.fileName)})`;
  return `${snippet.doc}:${snippet.line + line}:${character + 1}${where} TS${diagnostic.code}: ${message}`;
}

let program: ts.Program | undefined;

describe('documentation snippets type-check', () => {
  it('the snippet compiler is set up (terrapin resolves to src/index.ts)', () => {
    program ??= createProgram();
    const problems = [...program.getOptionsDiagnostics(), ...program.getGlobalDiagnostics()].map((d) =>
      ts.flattenDiagnosticMessageText(d.messageText, '\n'),
    );
    assert.deepEqual(problems, []);
    assert.ok(snippets.some((s) => s.doc === 'README.md'), 'README.md has at least one ```ts block');
    assert.ok(program.getSourceFile(join(root, 'src', 'index.ts')) !== undefined, "'terrapin' did not resolve to src/index.ts");
  });

  for (const doc of docs) {
    it(doc, () => {
      program ??= createProgram();
      const failures: string[] = [];
      for (const snippet of snippets.filter((s) => s.doc === doc)) {
        const source = program.getSourceFile(snippet.file)!;
        const diagnostics = [...program.getSyntacticDiagnostics(source), ...program.getSemanticDiagnostics(source)];
        failures.push(...diagnostics.map((d) => describeDiagnostic(snippet, d)));
      }
      assert.equal(failures.length, 0, `\n${failures.join('\n')}`);
    });
  }
});
