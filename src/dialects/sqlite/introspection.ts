import type { Introspection } from '../dialect.js';

/** SQLite keeps foreign keys inside CREATE TABLE (it allows forward references), so none is ever added later. */
export const sqliteIntrospection: Introspection = {
  async constraintExists() {
    return false;
  },
};
