/**
 * The example API's models: the seed's User, and a small library (authors, books, tags) to show
 * relations in responses.
 */
import { Model, fields, type ManyToManyRelation, type ReverseRelation } from 'terrapin';

/** The seed's model. */
export class User extends Model {
  id = fields.IntField({ pk: true });
  name = fields.CharField({ maxLength: 50, description: "The user's display name" });
  createdAt = fields.DatetimeField({ autoNowAdd: true });
  static override meta = { table: 'auth_user', ordering: ['id'] };
}

export class Author extends Model {
  id = fields.IntField({ pk: true });
  name = fields.CharField({ maxLength: 100 });
  declare books: ReverseRelation<Book>;
  static override meta = { table: 'author', ordering: ['name'] };
}

export class Book extends Model {
  id = fields.IntField({ pk: true });
  title = fields.CharField({ maxLength: 200 });
  published = fields.DateField({ null: true });
  author = fields.ForeignKeyField(() => Author, { relatedName: 'books' });
  declare authorId: number;
  tags = fields.ManyToManyField(() => Tag, { relatedName: 'books' });
  static override meta = { table: 'book', ordering: ['title'] };
}

export class Tag extends Model {
  id = fields.IntField({ pk: true });
  name = fields.CharField({ maxLength: 30, unique: true });
  declare books: ManyToManyRelation<Book>;
  static override meta = { table: 'tag', ordering: ['name'] };
}

export const models = [User, Author, Book, Tag];
