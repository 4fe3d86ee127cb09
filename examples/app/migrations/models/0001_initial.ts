/** Migration models/0001_initial, written by `terrapin makemigrations`. */
import { addManyToMany, createModel, migration } from 'terrapin/migrations';

export default migration({
  dependencies: [],
  operations: [
    createModel({
      name: 'Author',
      table: 'author',
      fields: [
        { name: 'id', fieldType: 'IntField', type: 'int', pk: true, generated: true },
        { name: 'name', fieldType: 'CharField', type: 'varchar', length: 100 },
      ],
    }),
    createModel({
      name: 'Book',
      table: 'book',
      fields: [
        { name: 'id', fieldType: 'IntField', type: 'int', pk: true, generated: true },
        { name: 'title', fieldType: 'CharField', type: 'varchar', length: 200 },
        { name: 'published', fieldType: 'DateField', type: 'date', null: true },
        {
          name: 'authorId',
          fieldType: 'ForeignKeyField',
          type: 'int',
          index: true,
          references: { model: 'Author', relation: 'author', kind: 'fk', onDelete: 'CASCADE' },
        },
      ],
    }),
    createModel({
      name: 'Tag',
      table: 'tag',
      fields: [
        { name: 'id', fieldType: 'IntField', type: 'int', pk: true, generated: true },
        { name: 'name', fieldType: 'CharField', type: 'varchar', length: 30, unique: true },
      ],
    }),
    createModel({
      name: 'User',
      table: 'auth_user',
      fields: [
        { name: 'id', fieldType: 'IntField', type: 'int', pk: true, generated: true },
        {
          name: 'name',
          fieldType: 'CharField',
          type: 'varchar',
          length: 50,
          description: 'The user\'s display name',
        },
        { name: 'createdAt', fieldType: 'DatetimeField', type: 'datetime' },
      ],
    }),
    addManyToMany({
      model: 'Book',
      field: {
        name: 'tags',
        model: 'Tag',
        table: 'book_tag',
        onDelete: 'CASCADE',
        backwardKey: 'bookId',
        forwardKey: 'tagId',
      },
    }),
  ],
});
