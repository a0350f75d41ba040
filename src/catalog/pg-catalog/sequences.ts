/**
 * pg_sequence and pg_depend. A sequence's type is its owning column's (serial → integer,
 * bigserial/identity bigint …), bigint for a free-standing one, as CREATE SEQUENCE and
 * serial columns make them in PostgreSQL. pg_depend records which column owns a sequence
 * ('a' for serial, 'i' for identity) — what `\d sequence` prints as "Owned by".
 */

import { typeOid } from '../../types/value-io.ts';
import type { Sequence } from '../catalog-types.ts';
import { extensionMemberRows } from './extension-members.ts';
import { sequenceOwner } from './objects.ts';
import { BOOTSTRAP_ROLE_OID, relation, type SystemContext, type SystemRow } from './relation.ts';
import { roleName } from './roles.ts';

const MAX_BY_TYPE: Record<string, bigint> = {
  int2: 32767n,
  int4: 2147483647n,
  int8: 9223372036854775807n,
};

function* sequences(ctx: SystemContext): Generator<Sequence> {
  for (const schema of ctx.database.schemas.values()) yield* schema.sequences.values();
}

function sequenceRow(seq: Sequence): SystemRow {
  const owner = sequenceOwner(seq);
  const column = owner?.table.columns.find((c) => c.attnum === owner.attnum);
  const type =
    column && MAX_BY_TYPE[column.type.base]
      ? column.type
      : { base: 'int8' as const, typmod: -1, isArray: false };
  const ascending = seq.increment > 0;
  return {
    seqrelid: seq.oid,
    seqtypid: typeOid(type),
    seqstart: BigInt(seq.start),
    seqincrement: BigInt(seq.increment),
    seqmax: ascending ? MAX_BY_TYPE[type.base] : -1n,
    seqmin: ascending ? 1n : -MAX_BY_TYPE[type.base] - 1n,
    seqcache: 1n,
    seqcycle: false,
  };
}

/** The pg_sequences view: pg_sequence joined with the names; last_value once nextval ran. */
function sequencesViewRow(ctx: SystemContext, seq: Sequence): SystemRow {
  const facts = sequenceRow(seq);
  return {
    schemaname: seq.schema.name,
    sequencename: seq.name,
    sequenceowner: roleName(ctx, BOOTSTRAP_ROLE_OID) ?? null,
    data_type: facts.seqtypid,
    start_value: facts.seqstart,
    min_value: facts.seqmin,
    max_value: facts.seqmax,
    increment_by: facts.seqincrement,
    cycle: facts.seqcycle,
    cache_size: facts.seqcache,
    last_value: seq.called ? BigInt(seq.next) : null,
  };
}

const PG_CLASS = 1259;

function dependRows(ctx: SystemContext): SystemRow[] {
  const rows: SystemRow[] = [];
  for (const seq of sequences(ctx)) {
    const owner = sequenceOwner(seq);
    if (!owner) continue;
    rows.push({
      classid: PG_CLASS,
      objid: seq.oid,
      objsubid: 0,
      refclassid: PG_CLASS,
      refobjid: owner.table.oid,
      refobjsubid: owner.attnum,
      deptype: owner.identity ? 'i' : 'a',
    });
  }
  return rows;
}

export const sequenceRelations = [
  relation(
    'pg_sequence',
    2224,
    'seqrelid oid, seqtypid oid, seqstart int8, seqincrement int8, seqmax int8, seqmin int8, seqcache int8, seqcycle bool',
    (ctx) => [...sequences(ctx)].map(sequenceRow),
  ),
  relation(
    'pg_depend',
    2608,
    'classid oid, objid oid, objsubid int4, refclassid oid, refobjid oid, refobjsubid int4, deptype char',
    (ctx) => [...dependRows(ctx), ...extensionMemberRows(ctx)],
  ),
  relation(
    'pg_sequences',
    12048,
    'schemaname name, sequencename name, sequenceowner name, data_type regtype, start_value int8, ' +
      'min_value int8, max_value int8, increment_by int8, cycle bool, cache_size int8, last_value int8',
    (ctx) => [...sequences(ctx)].map((seq) => sequencesViewRow(ctx, seq)),
    {},
    'v',
  ),
];
