/**
 * What SQLite's PRAGMAs do not report but its stored CREATE TABLE text holds: the names given to
 * UNIQUE and FOREIGN KEY constraints, and which column carries AUTOINCREMENT. Everything else is
 * read from the PRAGMAs; this only tokenizes the statement far enough to find those words.
 */

interface Token {
  readonly kind: 'word' | 'ident' | 'string' | 'punct';
  /** Words upper-cased; quoted identifiers unquoted. */
  readonly value: string;
}

export interface CreateTableNames {
  /** Lower-cased names of the columns declared AUTOINCREMENT. */
  readonly autoIncrement: ReadonlySet<string>;
  /** Constraint name by lower-cased column list (joined with NUL). */
  readonly uniques: ReadonlyMap<string, string>;
  /** Constraint name by lower-cased column list and referenced table. */
  readonly foreignKeys: ReadonlyMap<string, string>;
}

export const columnsKey = (columns: readonly string[]): string => columns.map((c) => c.toLowerCase()).join('\u0000');
export const foreignKeyKey = (columns: readonly string[], refTable: string): string => `${columnsKey(columns)}\u0001${refTable.toLowerCase()}`;

const CLOSING: Record<string, string> = { '"': '"', '`': '`', '[': ']' };

function tokenize(sql: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < sql.length) {
    const ch = sql[i]!;
    if (/\s/.test(ch)) {
      i++;
    } else if (sql.startsWith('--', i)) {
      const end = sql.indexOf('\n', i);
      i = end === -1 ? sql.length : end + 1;
    } else if (sql.startsWith('/*', i)) {
      const end = sql.indexOf('*/', i + 2);
      i = end === -1 ? sql.length : end + 2;
    } else if (ch === "'" || ch in CLOSING) {
      const close = ch === "'" ? "'" : CLOSING[ch]!;
      let value = '';
      let j = i + 1;
      for (;;) {
        if (j >= sql.length) break;
        if (sql[j] === close) {
          // A doubled quote is the quote itself ('' inside a string, "" inside an identifier).
          if (close !== ']' && sql[j + 1] === close) {
            value += close;
            j += 2;
            continue;
          }
          break;
        }
        value += sql[j];
        j++;
      }
      tokens.push({ kind: ch === "'" ? 'string' : 'ident', value });
      i = j + 1;
    } else if (/[A-Za-z0-9_$\u0080-\uffff]/.test(ch)) {
      let j = i;
      while (j < sql.length && /[A-Za-z0-9_$\u0080-\uffff]/.test(sql[j]!)) j++;
      tokens.push({ kind: 'word', value: sql.slice(i, j) });
      i = j;
    } else {
      tokens.push({ kind: 'punct', value: ch });
      i++;
    }
  }
  return tokens;
}

const isWord = (token: Token | undefined, word: string): boolean => token?.kind === 'word' && token.value.toUpperCase() === word;
const isPunct = (token: Token | undefined, p: string): boolean => token?.kind === 'punct' && token.value === p;

/** The definitions between CREATE TABLE's outer parentheses, split at top-level commas. */
function definitions(tokens: readonly Token[]): Token[][] {
  const start = tokens.findIndex((t) => isPunct(t, '('));
  const items: Token[][] = [];
  let current: Token[] = [];
  let depth = 0;
  for (let i = start + 1; i < tokens.length && start !== -1; i++) {
    const token = tokens[i]!;
    if (isPunct(token, '(')) depth++;
    if (isPunct(token, ')')) {
      if (depth === 0) break;
      depth--;
    }
    if (depth === 0 && isPunct(token, ',')) {
      items.push(current);
      current = [];
    } else {
      current.push(token);
    }
  }
  if (current.length > 0) items.push(current);
  return items;
}

/** The names in a parenthesised list starting at `open`, and the index after it. */
function nameList(tokens: readonly Token[], open: number): { names: string[]; next: number } {
  const names: string[] = [];
  let i = open + 1;
  let depth = 0;
  let first = true;
  for (; i < tokens.length; i++) {
    const token = tokens[i]!;
    if (isPunct(token, '(')) depth++;
    else if (isPunct(token, ')')) {
      if (depth === 0) break;
      depth--;
    } else if (depth === 0 && isPunct(token, ',')) first = true;
    else if (depth === 0 && first && token.kind !== 'punct') {
      // The first token of each entry is the column; COLLATE x / ASC follow it.
      names.push(token.value);
      first = false;
    }
  }
  return { names, next: i + 1 };
}

/** The table a REFERENCES clause at `at` names. */
function referencedTable(tokens: readonly Token[], at: number): string {
  return tokens[at + 1]?.value ?? '';
}

const TABLE_CONSTRAINTS = new Set(['CONSTRAINT', 'PRIMARY', 'UNIQUE', 'CHECK', 'FOREIGN']);

export function createTableNames(sql: string): CreateTableNames {
  const autoIncrement = new Set<string>();
  const uniques = new Map<string, string>();
  const foreignKeys = new Map<string, string>();
  for (const item of definitions(tokenize(sql))) {
    const head = item[0];
    if (head === undefined) continue;
    const tableLevel = head.kind === 'word' && TABLE_CONSTRAINTS.has(head.value.toUpperCase());
    const column = tableLevel ? undefined : head.value;
    let name: string | undefined;
    for (let i = tableLevel ? 0 : 1; i < item.length; i++) {
      const token = item[i]!;
      if (isWord(token, 'CONSTRAINT')) {
        name = item[i + 1]?.value;
        i++;
      } else if (isWord(token, 'AUTOINCREMENT') && column !== undefined) {
        autoIncrement.add(column.toLowerCase());
      } else if (isWord(token, 'UNIQUE')) {
        if (column !== undefined) {
          if (name !== undefined) uniques.set(columnsKey([column]), name);
        } else if (isPunct(item[i + 1], '(')) {
          const { names, next } = nameList(item, i + 1);
          if (name !== undefined) uniques.set(columnsKey(names), name);
          i = next - 1;
        }
        name = undefined;
      } else if (isWord(token, 'FOREIGN') && isWord(item[i + 1], 'KEY') && isPunct(item[i + 2], '(')) {
        const { names, next } = nameList(item, i + 2);
        if (isWord(item[next], 'REFERENCES') && name !== undefined) foreignKeys.set(foreignKeyKey(names, referencedTable(item, next)), name);
        name = undefined;
        i = next;
      } else if (isWord(token, 'REFERENCES') && column !== undefined) {
        if (name !== undefined) foreignKeys.set(foreignKeyKey([column], referencedTable(item, i)), name);
        name = undefined;
      } else if (isWord(token, 'PRIMARY') || isWord(token, 'CHECK') || isWord(token, 'NOT') || isWord(token, 'DEFAULT') || isWord(token, 'COLLATE')) {
        // A named constraint of another kind: its name is not one we report.
        name = undefined;
      }
    }
  }
  return { autoIncrement, uniques, foreignKeys };
}
