/**
 * How an information_schema view is declared: its columns in the SQL standard's domains as
 * PostgreSQL 15 defines them, and a producer of rows keyed by column name. Clients see a
 * domain as its base type (RowDescription carries the base type's OID): sql_identifier is
 * name, character_data is varchar, cardinal_number is int4, yes_or_no is varchar(3).
 */
import { type SqlType, sqlType } from '../../types/type.ts';
import {
  INFORMATION_SCHEMA_OID,
  type SystemContext,
  type SystemRelation,
  type SystemRow,
} from '../pg-catalog/relation.ts';

const DOMAINS: Record<string, SqlType> = {
  sql_identifier: sqlType('name'),
  character_data: sqlType('varchar'),
  cardinal_number: sqlType('int4'),
  // varchar(3): the typmod is the length plus the 4-byte header, as PostgreSQL stores it.
  yes_or_no: sqlType('varchar', 3 + 4),
};

export const yesNo = (b: boolean): string => (b ? 'YES' : 'NO');

/** An information_schema view; `oid` is its pg_class OID in a PostgreSQL 15 initdb. */
export function infoView(
  name: string,
  oid: number,
  spec: string,
  produce: (ctx: SystemContext) => readonly SystemRow[],
): SystemRelation {
  const columns = spec.split(',').map((part) => {
    const [column, domain] = part.trim().split(/\s+/);
    const type = DOMAINS[domain];
    if (!type) throw new Error(`information_schema.${name}: unknown domain ${domain}`);
    return { name: column, type };
  });
  return {
    name,
    oid,
    relkind: 'v',
    namespace: INFORMATION_SCHEMA_OID,
    columns,
    rows: (ctx) => produce(ctx).map((row) => columns.map((c) => row[c.name] ?? null)),
  };
}
