/**
 * Quiver's own views: quiver_segments lists the sealed segments tables are read from, with
 * their size and whether the segment cache holds them now (the memory budget at work).
 */
import { relation } from './relation.ts';

export const quiverViews = [
  relation(
    'quiver_segments',
    8900,
    'relid oid, relname name, segment text, rows int8, bytes int8, loaded bool',
    (ctx) =>
      [...ctx.database.schemas.values()].flatMap((schema) =>
        [...schema.tables.values()].flatMap((table) =>
          table.store.sealedParts().map((part) => ({
            relid: table.oid,
            relname: table.name,
            segment: part.handle.key,
            rows: BigInt(part.rows),
            bytes: BigInt(part.handle.bytes),
            loaded: part.handle.loaded,
          })),
        ),
      ),
    {},
    'v',
  ),
];
