/**
 * pg_enum: Quiver has no enum types (CREATE TYPE … AS ENUM is rejected), so it is empty;
 * SQLAlchemy's reflection joins it on every get_columns() to learn enum labels.
 */
import { relation } from './relation.ts';

export const enumRelations = [
  relation('pg_enum', 3501, 'oid oid, enumtypid oid, enumsortorder float4, enumlabel name', () => []),
];
