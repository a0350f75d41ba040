/**
 * FOREIGN KEY enforcement for one statement, as PostgreSQL's referential-integrity triggers
 * do it: the statement's writes are noted as they happen; at its end the referential
 * actions run (CASCADE, SET NULL, SET DEFAULT, RESTRICT — which may note more writes), then
 * every new referencing row must find its referenced row and every referenced key that went
 * away must have no referencing row left (NO ACTION; a DEFERRED constraint's checks wait for
 * COMMIT). Checks read rows as of now, not as of the snapshot, so two transactions cannot
 * each pass a check the other's change breaks: a row another open transaction is
 * inserting or deleting that the check depends on is a serialization failure (40001), where
 * PostgreSQL would wait for that transaction by row locks.
 */
import {
  columnPositions,
  type ForeignKey,
  keyIndexOver,
  referencedIndex,
  type Table,
} from '../catalog/catalog-types.ts';
import { SqlError, SqlState } from '../errors/sql-error.ts';
import { hashKey } from '../types/compare.ts';
import type { EvalContext } from '../types/registry-types.ts';
import type { SqlType, Value } from '../types/type.ts';
import type { ExecEnv } from './exec-env.ts';
import { asColumnValue } from './index-scan.ts';
import { deleteRow, rowIdsWithKey, valuesKey, valueText, writeRow } from './table-writer.ts';

/** How a statement's foreign key checks reach the transaction (COMMIT runs the deferred ones). */
export interface ConstraintTiming {
  /** Whether `fk`'s checks wait for COMMIT (INITIALLY DEFERRED, or SET CONSTRAINTS). */
  deferred(fk: ForeignKey): boolean;
  defer(fk: ForeignKey, check: () => void): void;
}

/**
 * The foreign key work of a statement writing to `table`, or null when there is none: the
 * table has no foreign keys either way, or `session_replication_role` is `replica` (in
 * which PostgreSQL's foreign key triggers do not fire, so bulk loads can skip them).
 */
export function foreignKeyChecks(table: Table, env: ExecEnv): ForeignKeyChecks | null {
  if (table.foreignKeys.length === 0 && table.referencedBy.length === 0) return null;
  if (env.setting('session_replication_role') === 'replica') return null;
  return new ForeignKeyChecks(env, env.constraintTiming);
}

/** A referenced key that went away: the old row, and the new one when an UPDATE changed the key. */
interface KeyRemoved {
  readonly fk: ForeignKey;
  readonly old: readonly Value[];
  readonly next: readonly Value[] | null;
}

export class ForeignKeyChecks {
  /** New referencing row versions whose referenced row must exist. */
  private inserted: { fk: ForeignKey; rowId: number }[] = [];
  private removed: KeyRemoved[] = [];
  /** NO ACTION checks of removed keys, run after every action. */
  private noAction: KeyRemoved[] = [];

  constructor(
    private readonly env: ExecEnv,
    private readonly timing: ConstraintTiming | undefined,
  ) {}

  /**
   * `rowId` of `table` holds `row`, a new version (INSERT, COPY) or one replacing `old`
   * (UPDATE). A key that did not change is not checked again, as in PostgreSQL.
   */
  written(table: Table, row: readonly Value[], rowId: number, old: readonly Value[] | null): void {
    if (table.foreignKeyTriggersDisabled) return;
    for (const fk of table.foreignKeys) {
      const at = columnPositions(table, fk.columns);
      if (old && at.every((c) => sameValue(table, c, old[c], row[c]))) continue;
      const nulls = at.filter((c) => row[c] === null).length;
      if (nulls === at.length) continue;
      if (nulls > 0) {
        if (!fk.matchFull) continue;
        throw new SqlError(SqlState.ForeignKeyViolation, insertViolationMessage(fk), {
          detail: 'MATCH FULL does not allow mixing of null and nonnull key values.',
          ...errorFields(fk),
        });
      }
      this.inserted.push({ fk, rowId });
    }
  }

  /** `old` of `table` was deleted, or replaced by `next` (UPDATE). */
  deleted(table: Table, old: readonly Value[], next: readonly Value[] | null): void {
    if (table.foreignKeyTriggersDisabled) return;
    for (const fk of table.referencedBy) {
      const at = columnPositions(table, fk.refColumns);
      if (at.some((c) => old[c] === null)) continue;
      if (next && at.every((c) => sameValue(table, c, old[c], next[c]))) continue;
      this.removed.push({ fk, old, next });
    }
  }

  /** End of the statement: referential actions, then the checks (or their deferral). */
  finish(): void {
    while (this.removed.length > 0 || this.inserted.length > 0) {
      while (this.removed.length > 0) {
        const removed = this.removed;
        this.removed = [];
        for (const [fk, events] of byForeignKey(removed)) this.act(fk, events);
      }
      const inserted = this.inserted;
      this.inserted = [];
      for (const { fk, rowId } of inserted) {
        const check = () => this.checkReferenced(fk, rowId);
        if (this.timing?.deferred(fk)) this.timing.defer(fk, check);
        else check();
      }
    }
    const noAction = this.noAction;
    this.noAction = [];
    for (const [fk, events] of byForeignKey(noAction)) {
      const check = () => this.checkNoAction(fk, events);
      if (this.timing?.deferred(fk)) this.timing.defer(fk, check);
      else check();
    }
  }

  /**
   * ON DELETE / ON UPDATE of the keys of `fk` the statement removed. The referencing rows of
   * every key are found first (one read of the table when no index helps), so rows an action
   * rewrites are not taken for another key's.
   */
  private act(fk: ForeignKey, events: readonly KeyRemoved[]): void {
    const actionOf = (r: KeyRemoved) => (r.next ? fk.onUpdate : fk.onDelete);
    const acting = events.filter((r) => actionOf(r) !== 'a');
    this.noAction.push(...events.filter((r) => actionOf(r) === 'a'));
    if (acting.length === 0) return;
    const refAt = columnPositions(fk.refTable, fk.refColumns);
    const found = referencingRows(
      fk,
      acting.map((r) => refAt.map((c) => r.old[c])),
      this.env.txn,
    );
    const child = fk.table;
    const at = columnPositions(child, fk.columns);
    for (const [i, r] of acting.entries()) {
      const rows = found[i];
      if (rows.length === 0) continue;
      const action = actionOf(r);
      if (action === 'r') throw stillReferenced(fk, r.old, this.env.ctx);
      // A default equal to the removed key leaves rows referencing it (their key did not
      // change, so they are not checked as new rows): NO ACTION catches that, as in PostgreSQL.
      if (action === 'd') this.noAction.push(r);
      for (const rowId of rows) {
        const row = child.store.row(rowId);
        deleteRow(child, rowId, this.env.txn);
        if (action === 'c' && !r.next) {
          this.deleted(child, row, null);
          continue;
        }
        const changed = row.slice();
        for (const [k, c] of at.entries()) {
          if (action === 'c') changed[c] = asColumnValue(r.next![refAt[k]], child.columns[c].type);
          else changed[c] = action === 'n' ? null : columnDefault(child, c, this.env);
        }
        const newId = writeRow(child, changed, { txn: this.env.txn, ctx: this.env.ctx, replacing: rowId });
        this.written(child, changed, newId, row);
        this.deleted(child, row, changed);
      }
    }
  }

  /** A new referencing version, if still live, must find its referenced row. */
  private checkReferenced(fk: ForeignKey, rowId: number): void {
    const child = fk.table;
    if (child.store.currentState(rowId, this.env.txn) !== 'live') return;
    const row = child.store.row(rowId);
    const at = columnPositions(child, fk.columns);
    const refTable = fk.refTable;
    const refAt = columnPositions(refTable, fk.refColumns);
    const values = at.map((c, k) => asColumnValue(row[c], refTable.columns[refAt[k]].type));
    if (values.every((v) => v !== null) && referencedRowExists(fk, values, this.env.txn)) return;
    const names = at.map((c) => child.columns[c].name).join(', ');
    const shown = at.map((c) => valueText(child, c, row[c], this.env.ctx)).join(', ');
    throw new SqlError(SqlState.ForeignKeyViolation, insertViolationMessage(fk), {
      detail: `Key (${names})=(${shown}) is not present in table "${refTable.name}".`,
      ...errorFields(fk),
    });
  }

  /** NO ACTION: a removed key must not be referenced any more, unless a row holds it again. */
  private checkNoAction(fk: ForeignKey, events: readonly KeyRemoved[]): void {
    const refAt = columnPositions(fk.refTable, fk.refColumns);
    const gone = events.filter(
      (r) =>
        !referencedRowExists(
          fk,
          refAt.map((c) => r.old[c]),
          this.env.txn,
        ),
    );
    const found = referencingRows(
      fk,
      gone.map((r) => refAt.map((c) => r.old[c])),
      this.env.txn,
    );
    const at = found.findIndex((rows) => rows.length > 0);
    if (at >= 0) throw stillReferenced(fk, gone[at].old, this.env.ctx);
  }
}

/** Removed keys grouped by their foreign key, in the order first seen. */
function byForeignKey(events: readonly KeyRemoved[]): Map<ForeignKey, KeyRemoved[]> {
  const groups = new Map<ForeignKey, KeyRemoved[]>();
  for (const r of events) {
    const group = groups.get(r.fk);
    if (group) group.push(r);
    else groups.set(r.fk, [r]);
  }
  return groups;
}

function sameValue(table: Table, column: number, a: Value, b: Value): boolean {
  if (a === null || b === null) return a === b;
  const type = table.columns[column].type;
  return hashKey(type, a) === hashKey(type, b);
}

function insertViolationMessage(fk: ForeignKey): string {
  return `insert or update on table "${fk.table.name}" violates foreign key constraint "${fk.name}"`;
}

function errorFields(fk: ForeignKey) {
  return { schema: fk.table.schema.name, table: fk.table.name, constraint: fk.name };
}

function stillReferenced(fk: ForeignKey, old: readonly Value[], ctx: EvalContext): SqlError {
  const refTable = fk.refTable;
  const refAt = columnPositions(refTable, fk.refColumns);
  const names = refAt.map((c) => refTable.columns[c].name).join(', ');
  const shown = refAt.map((c) => valueText(refTable, c, old[c], ctx)).join(', ');
  return new SqlError(
    SqlState.ForeignKeyViolation,
    `update or delete on table "${refTable.name}" violates foreign key constraint "${fk.name}" on table "${fk.table.name}"`,
    {
      detail: `Key (${names})=(${shown}) is still referenced from table "${fk.table.name}".`,
      ...errorFields(fk),
    },
  );
}

function concurrentUpdate(): SqlError {
  return new SqlError(SqlState.SerializationFailure, 'could not serialize access due to concurrent update');
}

/**
 * Whether a live row of the referenced table holds these key values (in the order of the
 * foreign key's referenced columns, as values of those columns' types).
 */
export function referencedRowExists(fk: ForeignKey, values: readonly Value[], txn: number): boolean {
  const refTable = fk.refTable;
  const index = referencedIndex(fk);
  if (!index) return false;
  const refAt = columnPositions(refTable, fk.refColumns);
  const key = valuesKey(
    index,
    index.columns.map((c) => values[refAt.indexOf(c)]),
  );
  if (key === null) return false;
  const held = rowIdsWithKey(index, key);
  if (held === undefined) return false;
  const ids = typeof held === 'number' ? [held] : held;
  const store = refTable.store;
  // Versions another open transaction is deleting: fine if it also wrote the key again (an
  // UPDATE that kept the key), else the answer depends on how it ends.
  const deleters: number[] = [];
  for (const rowId of ids) {
    const state = store.currentState(rowId, txn);
    if (state === 'live') return true;
    if (state === 'busy' && store.deleter(rowId) !== 0 && store.creatorStatus(rowId) === 'committed') {
      deleters.push(store.deleter(rowId));
    }
  }
  if (deleters.length === 0) return false;
  for (const rowId of ids) {
    const creator = store.creator(rowId);
    if (store.deleter(rowId) === 0 && deleters.some((d) => store.sameTransaction(d, creator))) return true;
  }
  throw concurrentUpdate();
}

function keyText(types: readonly SqlType[], values: readonly Value[]): string {
  let text = '';
  for (let k = 0; k < values.length; k++) text += `\u0001${String(hashKey(types[k], values[k]))}`;
  return text;
}

/**
 * For each of these referenced keys (values in the order of the referenced columns), the
 * live rows of the referencing table that hold it: through an index over the foreign key's
 * columns when there is one, else by one read of the table for all of them. A matching row
 * another open transaction is inserting or deleting is 40001.
 */
function referencingRows(fk: ForeignKey, keys: readonly (readonly Value[])[], txn: number): number[][] {
  const found: number[][] = keys.map(() => []);
  if (keys.length === 0) return found;
  const child = fk.table;
  const at = columnPositions(child, fk.columns);
  const refTable = fk.refTable;
  const refTypes = columnPositions(refTable, fk.refColumns).map((c) => refTable.columns[c].type);
  const wanted = new Map<string, number[]>();
  for (const [i, values] of keys.entries()) {
    const text = keyText(refTypes, values);
    const list = wanted.get(text);
    if (list) list.push(i);
    else wanted.set(text, [i]);
  }
  const store = child.store;
  const consider = (rowId: number) => {
    const state = store.currentState(rowId, txn);
    if (state === 'dead') return;
    const row = store.row(rowId);
    const values = at.map((c, k) => asColumnValue(row[c], refTypes[k]));
    if (values.includes(null)) return;
    const holders = wanted.get(keyText(refTypes, values));
    if (!holders) return;
    if (state === 'busy') throw concurrentUpdate();
    for (const i of holders) found[i].push(rowId);
  };
  const index = keyIndexOver(child, at, false);
  if (!index) {
    for (let rowId = 0; rowId < store.capacity; rowId++) if (store.mayBeLive(rowId)) consider(rowId);
    return found;
  }
  const seen = new Set<number>();
  for (const values of keys) {
    const lookup = index.columns.map((c) => asColumnValue(values[at.indexOf(c)], child.columns[c].type));
    const indexKey = lookup.includes(null) ? null : valuesKey(index, lookup);
    const held = indexKey === null ? undefined : rowIdsWithKey(index, indexKey);
    if (held === undefined) continue;
    for (const rowId of typeof held === 'number' ? [held] : held) {
      if (seen.has(rowId)) continue;
      seen.add(rowId);
      consider(rowId);
    }
  }
  return found;
}

/** The column's default for ON … SET DEFAULT (NULL when it has none). */
function columnDefault(table: Table, column: number, env: ExecEnv): Value {
  return env.columnDefault?.(table, column)?.() ?? null;
}
