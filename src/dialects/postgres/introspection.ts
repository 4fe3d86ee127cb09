import type { Introspection } from '../dialect.js';

export const postgresIntrospection: Introspection = {
  async constraintExists(connection, table, name) {
    const rows = await connection.rows(
      'SELECT 1 FROM information_schema.table_constraints WHERE table_schema = current_schema() AND table_name = $1 AND constraint_name = $2',
      [table, name],
    );
    return rows.length > 0;
  },
};
