/**
 * The hint every dialect adds when the database says a table does not exist (SQLite's
 * `no such table`, PostgreSQL's 42P01, MySQL's 1146): the usual cause is a schema that was never
 * created, not a typo in the SQL, so the message says how to create it.
 */
export const MISSING_TABLE_HINT =
  'The table does not exist in this database: create the models\' tables with `await Terrapin.generateSchemas()` ' +
  '(`generateSchemas: true` in registerTerrapin), or run your migrations, before querying.';
