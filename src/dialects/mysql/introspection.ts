import type { Introspection } from '../dialect.js';

export const mysqlIntrospection: Introspection = {
  async constraintExists(connection, table, name) {
    const rows = await connection.rows(
      'SELECT 1 FROM information_schema.table_constraints WHERE table_schema = DATABASE() AND table_name = ? AND constraint_name = ?',
      [table, name],
    );
    return rows.length > 0;
  },
};
