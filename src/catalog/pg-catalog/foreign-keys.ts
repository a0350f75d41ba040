/**
 * FOREIGN KEY constraints in pg_catalog: their pg_constraint rows and their definition as
 * pg_get_constraintdef prints it.
 */
import { ArrayValue } from '../../types/array.ts';
import { quoteIdent } from '../../types/functions-string.ts';
import { type ForeignKey, referencedIndex, type Table } from '../catalog-types.ts';
import type { SystemContext, SystemRow } from './relation.ts';

export function* foreignKeys(ctx: SystemContext): Generator<ForeignKey> {
  for (const schema of ctx.database.schemas.values()) {
    for (const table of schema.tables.values()) yield* table.foreignKeys;
  }
}

const ACTION_WORDS: Record<ForeignKey['onDelete'], string | null> = {
  a: null,
  r: 'RESTRICT',
  c: 'CASCADE',
  n: 'SET NULL',
  d: 'SET DEFAULT',
};

const names = (table: Table, attnums: readonly number[]) =>
  attnums.map((a) => quoteIdent(table.columns.find((c) => c.attnum === a)?.name ?? '')).join(', ');

/** `FOREIGN KEY (a) REFERENCES t(id) ON DELETE CASCADE`, the referenced table schema-qualified when asked. */
export function foreignKeyDefinition(fk: ForeignKey, qualify: boolean): string {
  const ref = fk.refTable;
  const refName = qualify ? `${quoteIdent(ref.schema.name)}.${quoteIdent(ref.name)}` : quoteIdent(ref.name);
  let text = `FOREIGN KEY (${names(fk.table, fk.columns)}) REFERENCES ${refName}(${names(fk.refTable, fk.refColumns)})`;
  if (fk.matchFull) text += ' MATCH FULL';
  if (ACTION_WORDS[fk.onUpdate]) text += ` ON UPDATE ${ACTION_WORDS[fk.onUpdate]}`;
  if (ACTION_WORDS[fk.onDelete]) text += ` ON DELETE ${ACTION_WORDS[fk.onDelete]}`;
  if (fk.deferrable) text += ' DEFERRABLE';
  if (fk.initiallyDeferred) text += ' INITIALLY DEFERRED';
  if (!fk.validated) text += ' NOT VALID';
  return text;
}

export function foreignKeyConstraintRows(ctx: SystemContext): SystemRow[] {
  return [...foreignKeys(ctx)].map((fk) => ({
    oid: fk.oid,
    conname: fk.name,
    connamespace: fk.table.schema.oid,
    contype: 'f',
    condeferrable: fk.deferrable,
    condeferred: fk.initiallyDeferred,
    convalidated: fk.validated,
    conrelid: fk.table.oid,
    conindid: referencedIndex(fk)?.oid ?? 0,
    confrelid: fk.refTable.oid,
    confupdtype: fk.onUpdate,
    confdeltype: fk.onDelete,
    confmatchtype: fk.matchFull ? 'f' : 's',
    conkey: ArrayValue.of([...fk.columns]),
    confkey: ArrayValue.of([...fk.refColumns]),
  }));
}
