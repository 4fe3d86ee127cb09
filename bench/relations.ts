/**
 * Eager loading: every author with its books, 200 authors × 10 books, read 50 times per round.
 * Terrapin does `BenchAuthor.all().prefetchRelated('books')`; the raw drivers run the same two
 * queries (authors, then books WHERE authorId IN (…)) and stitch the books onto their authors in JavaScript.
 */
import Database from 'better-sqlite3';
import mysql from 'mysql2/promise';
import pg from 'pg';
import { Model, fields, type ReverseRelation } from '../src/index.js';
import type { Case } from './harness.js';

export class BenchAuthor extends Model {
  id = fields.IntField({ pk: true });
  name = fields.CharField({ maxLength: 100 });
  declare books: ReverseRelation<BenchBook>;
  static override meta = { table: 'bench_author' };
}

export class BenchBook extends Model {
  id = fields.IntField({ pk: true });
  title = fields.CharField({ maxLength: 100 });
  year = fields.IntField();
  author = fields.ForeignKeyField(() => BenchAuthor, { relatedName: 'books' });
  declare authorId: number;
  static override meta = { table: 'bench_book' };
}

export const relationModels = { BenchAuthor, BenchBook };

export const AUTHORS = 200;
export const BOOKS_PER_AUTHOR = 10;
/** Reads per round. */
export const READS = 50;

export async function seedRelations(): Promise<void> {
  const authors = await BenchAuthor.bulkCreate(Array.from({ length: AUTHORS }, (_, i) => ({ name: `author ${i}` })));
  await BenchBook.bulkCreate(
    authors.flatMap((author, a) =>
      Array.from({ length: BOOKS_PER_AUTHOR }, (_, i) => ({ title: `book ${a}-${i}`, year: 1900 + ((a + i) % 120), authorId: author.id })),
    ),
  );
}

interface RawAuthor {
  id: number;
  name: string;
  books: RawBook[];
}
interface RawBook {
  id: number;
  title: string;
  year: number;
  authorId: number;
}

/** The same read written directly against a driver: two queries, then books grouped onto authors. */
export interface RawRelations {
  authorsWithBooks(): Promise<RawAuthor[]>;
  close(): Promise<void>;
}

const AUTHOR_SQL = 'SELECT id, name FROM bench_author';

/** Groups the books onto their authors, as a hand-written prefetch would. */
function stitch(authorRows: readonly { id: number; name: string }[], bookRows: readonly RawBook[]): RawAuthor[] {
  const byId = new Map<number, RawAuthor>();
  const authors = authorRows.map((row) => {
    const author: RawAuthor = { id: row.id, name: row.name, books: [] };
    byId.set(author.id, author);
    return author;
  });
  for (const book of bookRows) byId.get(book.authorId)?.books.push(book);
  return authors;
}

const placeholders = (count: number, mark: (i: number) => string) => Array.from({ length: count }, (_, i) => mark(i)).join(', ');

/** better-sqlite3; statements prepared once per IN-list length. */
export function rawRelationsSqlite(path: string): RawRelations {
  const db = new Database(path);
  const authors = db.prepare(AUTHOR_SQL);
  const books = new Map<number, Database.Statement>();
  return {
    authorsWithBooks: async () => {
      const authorRows = authors.all() as { id: number; name: string }[];
      const ids = authorRows.map((a) => a.id);
      let stmt = books.get(ids.length);
      if (stmt === undefined) {
        stmt = db.prepare(`SELECT id, title, year, authorId FROM bench_book WHERE authorId IN (${placeholders(ids.length, () => '?')})`);
        books.set(ids.length, stmt);
      }
      return stitch(authorRows, stmt.all(...ids) as RawBook[]);
    },
    close: async () => {
      db.close();
    },
  };
}

/** node-postgres with a pool and named prepared statements. */
export function rawRelationsPostgres(url: string, max: number): RawRelations {
  const pool = new pg.Pool({ connectionString: url, max });
  return {
    authorsWithBooks: async () => {
      const authorRows = (await pool.query<{ id: number; name: string }>({ name: 'bench_authors', text: AUTHOR_SQL })).rows;
      const ids = authorRows.map((a) => a.id);
      const text = `SELECT id, title, year, "authorId" FROM bench_book WHERE "authorId" IN (${placeholders(ids.length, (i) => `$${i + 1}`)})`;
      const bookRows = (await pool.query<RawBook>({ name: `bench_books_${ids.length}`, text, values: ids })).rows;
      return stitch(authorRows, bookRows);
    },
    close: () => pool.end(),
  };
}

/** mysql2 with a pool and server-side prepared statements (execute). */
export function rawRelationsMysql(url: string, max: number): RawRelations {
  const pool = mysql.createPool({ uri: url, connectionLimit: max });
  return {
    authorsWithBooks: async () => {
      const authorRows = (await pool.execute(AUTHOR_SQL))[0] as { id: number; name: string }[];
      const ids = authorRows.map((a) => a.id);
      const sql = `SELECT id, title, year, authorId FROM bench_book WHERE authorId IN (${placeholders(ids.length, () => '?')})`;
      return stitch(authorRows, (await pool.execute(sql, ids))[0] as RawBook[]);
    },
    close: () => pool.end(),
  };
}

export function relationCases(raw: RawRelations, reads: number): Case[] {
  return [
    {
      name: `${AUTHORS} authors + their ${AUTHORS * BOOKS_PER_AUTHOR} books (prefetch)`,
      ops: reads,
      orm: async () => {
        for (let i = 0; i < reads; i++) await BenchAuthor.all().prefetchRelated('books');
      },
      raw: async () => {
        for (let i = 0; i < reads; i++) await raw.authorsWithBooks();
      },
    },
  ];
}
