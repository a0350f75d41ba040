/**
 * Maps a type name as written (int, character varying(10), pg_catalog.int4, vector(3),
 * double precision[]) to a SqlType, applying the type's typmod rules.
 */
import { SqlError, SqlState } from '../errors/sql-error.ts';
import type { TypeNameAst } from '../sql/ast.ts';
import { findTypeInfo } from '../types/registry.ts';
import { type BaseTypeName, type SqlType, sqlType } from '../types/type.ts';
import { EXTENSION_TYPES } from '../types/vector-oids.ts';
import type { BindContext } from './bind-context.ts';

const ALIASES: Record<string, BaseTypeName> = {
  int: 'int4',
  integer: 'int4',
  smallint: 'int2',
  bigint: 'int8',
  real: 'float4',
  float: 'float8',
  'double precision': 'float8',
  decimal: 'numeric',
  boolean: 'bool',
  character: 'bpchar',
  'character varying': 'varchar',
  serial: 'int4',
  bigserial: 'int8',
  smallserial: 'int2',
  serial4: 'int4',
  serial8: 'int8',
  serial2: 'int2',
  'timestamp with time zone': 'timestamptz',
  'timestamp without time zone': 'timestamp',
  'bit varying': 'varbit',
};

export function resolveTypeName(t: TypeNameAst, bc: BindContext): SqlType {
  const parts = t.names;
  const raw = parts[parts.length - 1];
  const schema = parts.length > 1 ? parts[0] : null;
  let base = (ALIASES[raw] ?? raw) as BaseTypeName;
  // float(p): p ≤ 24 is real, otherwise double precision.
  if (raw === 'float8' && schema === null && t.mods.length === 1 && t.mods[0] <= 24) base = 'float4';
  const info = findTypeInfo(base);
  const display = schema && schema !== 'pg_catalog' ? `${schema}.${raw}` : raw;
  if (!info || ['any', 'anyelement', 'anyarray', 'anycompatible', 'anycompatiblearray'].includes(base)) {
    throw new SqlError(SqlState.UndefinedObject, `type "${display}" does not exist`, { position: t.loc + 1 });
  }
  if (EXTENSION_TYPES.has(base) && !bc.database.extensions.has('vector')) {
    throw new SqlError(SqlState.UndefinedObject, `type "${display}" does not exist`, { position: t.loc + 1 });
  }
  let typmod = -1;
  const mods = raw === 'float8' || raw === 'float' ? [] : t.mods;
  if (mods.length > 0) {
    if (!info.typmodIn) {
      throw new SqlError(SqlState.SyntaxError, `type modifier is not allowed for type "${raw}"`, {
        position: t.loc + 1,
      });
    }
    try {
      typmod = info.typmodIn(mods);
    } catch (err) {
      throw err instanceof SqlError ? err.at(t.loc + 1) : err;
    }
  } else if (base === 'bpchar' && (raw === 'character' || raw === 'bpchar') && schema === null) {
    // `char` / `character` without a length means char(1), as in PostgreSQL.
    typmod = info.typmodIn ? info.typmodIn([1]) : 5;
  } else if (base === 'bit' && raw === 'bit') {
    typmod = info.typmodIn ? info.typmodIn([1]) : 1;
  }
  return sqlType(base, typmod, t.isArray);
}
