/**
 * The information_schema views Quiver answers (schemata, tables, views, columns,
 * table_constraints, key_column_usage, check_constraints, constraint_column_usage): what BI tools and ORMs read when they do not use
 * pg_catalog. Found only when qualified with `information_schema.`, as that schema is not
 * on the default search path.
 */
import type { SystemRelation } from '../pg-catalog/relation.ts';
import { columnsView } from './columns.ts';
import { constraintColumnUsageView } from './constraint-column-usage.ts';
import { constraintViews } from './constraints.ts';
import { schemataTablesViews } from './schemata-tables.ts';

export function informationSchemaViews(system: () => readonly SystemRelation[]): SystemRelation[] {
  return [...schemataTablesViews(system), columnsView(system), ...constraintViews, constraintColumnUsageView];
}
