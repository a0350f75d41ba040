/**
 * The names a table's constraints use — CHECK, FOREIGN KEY, and the PRIMARY KEY / UNIQUE
 * constraints its indexes back — which new constraint names must not repeat.
 */
import type { Table } from '../catalog/catalog-types.ts';

export function constraintNames(table: Table): string[] {
  return [
    ...table.checks.map((c) => c.name),
    ...table.foreignKeys.map((f) => f.name),
    ...table.indexes.flatMap((ix) => ix.constraint ?? []),
  ];
}

/** Whether a constraint of this name exists in `table`'s schema (PostgreSQL's ConstraintNameExists). */
export function nameTakenInSchema(table: Table, name: string): boolean {
  for (const t of table.schema.tables.values()) if (constraintNames(t).includes(name)) return true;
  return false;
}
