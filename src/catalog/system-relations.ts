/**
 * pg_catalog relations generated from Quiver's catalog on each read: what client
 * libraries query on connect (pgvector's registerTypes reads pg_type; drivers read
 * pg_settings, pg_database …) and what psql's describe commands join. Each group lives in
 * src/catalog/pg-catalog/; this module is their index.
 */
import { informationSchemaViews } from './information-schema/index.ts';
import { attributeRelations } from './pg-catalog/attributes.ts';
import { castRelations } from './pg-catalog/casts.ts';
import { classRelations } from './pg-catalog/classes.ts';
import { descriptionRelations } from './pg-catalog/descriptions.ts';
import { emptyRelations } from './pg-catalog/empty-relations.ts';
import { enumRelations } from './pg-catalog/enums.ts';
import { indexRelations } from './pg-catalog/indexes.ts';
import { operatorRelations } from './pg-catalog/operators.ts';
import { procRelations } from './pg-catalog/procs.ts';
import { progressViews } from './pg-catalog/progress.ts';
import { quiverViews } from './pg-catalog/quiver-views.ts';
import type { SystemRelation } from './pg-catalog/relation.ts';
import { roleRelations } from './pg-catalog/roles.ts';
import { sequenceRelations } from './pg-catalog/sequences.ts';
import { sessionViews } from './pg-catalog/session-views.ts';
import { statViews } from './pg-catalog/stat-views.ts';
import { typeRelations } from './pg-catalog/types.ts';

export type { SystemContext, SystemRelation } from './pg-catalog/relation.ts';
export { PG_CATALOG_OID, PUBLIC_OID } from './pg-catalog/relation.ts';

const PG_CATALOG: SystemRelation[] = [
  ...typeRelations,
  ...classRelations(() => RELATIONS),
  ...attributeRelations(() => RELATIONS),
  ...indexRelations,
  ...roleRelations,
  ...procRelations,
  ...operatorRelations,
  ...castRelations,
  ...descriptionRelations,
  ...sequenceRelations,
  ...emptyRelations,
  ...enumRelations,
  ...sessionViews,
  ...statViews,
  ...progressViews,
  ...quiverViews,
];
const INFORMATION_SCHEMA = informationSchemaViews(() => RELATIONS);
const RELATIONS: SystemRelation[] = [...PG_CATALOG, ...INFORMATION_SCHEMA];

const byName = new Map(PG_CATALOG.map((r) => [r.name, r]));
const informationSchemaByName = new Map(INFORMATION_SCHEMA.map((r) => [r.name, r]));

export function systemRelations(): readonly SystemRelation[] {
  return RELATIONS;
}

/**
 * The system relation `name` when `schema` is pg_catalog or unqualified, or an
 * information_schema view when qualified with it.
 */
export function findSystemRelation(schema: string | null, name: string): SystemRelation | undefined {
  if (schema === 'information_schema') return informationSchemaByName.get(name);
  if (schema !== null && schema !== 'pg_catalog') return undefined;
  return byName.get(name);
}
