/**
 * Transaction ids and their fate. Row versions carry the id of the transaction that
 * created (xmin) and deleted (xmax) them; a reader sees a version when its creator is its
 * own transaction (any live subtransaction of it) or committed, and its deleter is neither.
 * Read committed reads "as of now" (exact while statements run one at a time on the event
 * loop); a repeatable-read transaction reads as of its snapshot, a value of the commit clock.
 * The cluster replaces the clock with timestamps from a TSO (DESIGN §3).
 *
 * Savepoints are subtransactions: ids whose top-level transaction is another id. Rolling
 * back to a savepoint aborts its subtransactions; committing the top commits every
 * subtransaction that was not aborted.
 *
 * Only open and aborted ids are remembered: every other id below the next one committed,
 * so memory does not grow with the number of committed transactions.
 */
import type { SealedPart } from './sealed-rows.ts';
import type { TableStore } from './table-store.ts';

export type TxnStatus = 'in-progress' | 'committed' | 'aborted';

/** One change a transaction made to a table, in the order made; what its WAL record holds. */
export interface WriteOp {
  readonly kind: 'insert' | 'delete' | 'truncate' | 'segment';
  readonly store: TableStore;
  readonly rowId: number;
  /** For 'segment': the transaction's rows spilled to a segment before COMMIT. */
  readonly part?: SealedPart;
  /** For 'insert': how many consecutive row ids from `rowId` on were inserted (1 when absent). */
  readonly count?: number;
}

interface LoggedWrite extends WriteOp {
  /** The (sub)transaction that made it: dropped if that one aborts. */
  readonly by: number;
  count?: number;
}

export class TransactionManager {
  private nextId = 1;
  /** Open ids (top-level and sub) → their top-level id. */
  private readonly open = new Map<number, number>();
  /** Subtransactions of each open top-level transaction. */
  private readonly subs = new Map<number, number[]>();
  private readonly aborted = new Set<number>();
  /** Changes of each open top-level transaction. */
  private readonly writes = new Map<number, LoggedWrite[]>();
  /** Per open top-level transaction: log entries below this were handed out and stay as they are. */
  private readonly frozen = new Map<number, number>();
  /** Commit counter: a commit's timestamp is the clock after it ticks. */
  private clock = 0;
  /** Snapshot (clock value) of each open repeatable-read transaction, by top-level id. */
  private readonly snapshots = new Map<number, number>();
  /**
   * Commit timestamps of the ids committed while some snapshot was open; ids not here
   * committed before every open snapshot, so every snapshot sees them.
   */
  private readonly commitTs = new Map<number, number>();

  begin(): number {
    const id = this.nextId++;
    this.open.set(id, id);
    return id;
  }

  /** Starts a subtransaction of top-level transaction `top` (SAVEPOINT). */
  beginSub(top: number): number {
    const id = this.nextId++;
    this.open.set(id, top);
    const list = this.subs.get(top);
    if (list) list.push(id);
    else this.subs.set(top, [id]);
    return id;
  }

  recordWrite(txn: number, op: WriteOp): void {
    const top = this.open.get(txn);
    if (top === undefined) return;
    const list = this.writes.get(top);
    if (list && op.kind === 'insert') {
      // Consecutive inserts into one table are one entry: a COPY logs a few, not one per row.
      const last = list[list.length - 1];
      if (
        last.kind === 'insert' &&
        last.store === op.store &&
        last.by === txn &&
        last.rowId + (last.count ?? 1) === op.rowId &&
        list.length > (this.frozen.get(top) ?? 0)
      ) {
        last.count = (last.count ?? 1) + (op.count ?? 1);
        return;
      }
    }
    const logged: LoggedWrite = {
      kind: op.kind,
      store: op.store,
      rowId: op.rowId,
      part: op.part,
      count: op.count,
      by: txn,
    };
    if (list) list.push(logged);
    else this.writes.set(top, [logged]);
  }

  /** The changes `top` made from position `from` of its log on (all of them when 0). */
  writesSince(top: number, from: number): { readonly writes: readonly WriteOp[]; readonly end: number } {
    const list = this.writes.get(top) ?? [];
    this.frozen.set(top, list.length);
    return { writes: list.slice(from).filter((w) => !this.aborted.has(w.by)), end: list.length };
  }

  /**
   * Replaces `top`'s inserts into `store` logged at positions [from, end) by one entry, `op`
   * (their rows now live in a segment), put where the first of them was so that later
   * deletes of those rows still follow it. Entries from `end` on (written while the segment
   * was being stored) stay. Returns where the entry that was at `end` is now.
   */
  replaceInserts(top: number, from: number, end: number, store: TableStore, op: WriteOp): number {
    const list = this.writes.get(top);
    if (!list) return 0;
    const kept: LoggedWrite[] = list.slice(0, from);
    let placed = false;
    for (const w of list.slice(from, end)) {
      if (w.kind !== 'insert' || w.store !== store) kept.push(w);
      else if (!placed) {
        kept.push({
          kind: op.kind,
          store: op.store,
          rowId: op.rowId,
          part: op.part,
          count: op.count,
          by: w.by,
        });
        placed = true;
      }
    }
    const newEnd = kept.length;
    for (const w of list.slice(end)) kept.push(w);
    this.writes.set(top, kept);
    this.frozen.set(top, newEnd);
    return newEnd;
  }

  /**
   * The row ids `txn`'s transaction inserted into `store` and still has (not those of
   * aborted subtransactions); null when some of them were spilled to a segment or the
   * transaction truncated the table (its row ids then name other rows than before).
   */
  insertsOf(txn: number, store: TableStore): number[] | null {
    const top = this.open.get(txn);
    const rowIds: number[] = [];
    for (const w of top === undefined ? [] : this.writesOf(top)) {
      if (w.store !== store) continue;
      if (w.kind === 'segment' || w.kind === 'truncate') return null;
      if (w.kind === 'insert') for (let i = 0; i < (w.count ?? 1); i++) rowIds.push(w.rowId + i);
    }
    return rowIds;
  }

  /** The changes a committing transaction made, without those of aborted subtransactions. */
  writesOf(top: number): WriteOp[] {
    return (this.writes.get(top) ?? []).filter((w) => !this.aborted.has(w.by));
  }

  /**
   * Freezes what `top` sees (REPEATABLE READ): from now on it sees only transactions that
   * committed before this call, plus its own writes.
   */
  takeSnapshot(top: number): void {
    this.snapshots.set(top, this.clock);
  }

  hasOpenSnapshots(): boolean {
    return this.snapshots.size > 0;
  }

  /** Commits a top-level transaction and its surviving subtransactions. */
  commit(top: number): void {
    this.writes.delete(top);
    this.frozen.delete(top);
    this.open.delete(top);
    const ts = ++this.clock;
    this.endSnapshot(top);
    if (this.snapshots.size > 0) this.commitTs.set(top, ts);
    for (const sub of this.subs.get(top) ?? []) {
      this.open.delete(sub);
      if (this.snapshots.size > 0) this.commitTs.set(sub, ts);
    }
    this.subs.delete(top);
  }

  private endSnapshot(top: number): void {
    this.snapshots.delete(top);
    // With no snapshot open, every committed id is visible to every reader again.
    if (this.snapshots.size === 0) this.commitTs.clear();
  }

  /** Aborts a subtransaction, or a top-level transaction with all its subtransactions. */
  abort(id: number): void {
    const isTop = this.open.get(id) === id;
    if (isTop) {
      this.writes.delete(id);
      this.frozen.delete(id);
      this.endSnapshot(id);
    }
    this.open.delete(id);
    this.aborted.add(id);
    if (isTop) {
      for (const sub of this.subs.get(id) ?? []) {
        this.open.delete(sub);
        this.aborted.add(sub);
      }
      this.subs.delete(id);
    }
  }

  statusOf(id: number): TxnStatus {
    if (this.open.has(id)) return 'in-progress';
    if (this.aborted.has(id) || id >= this.nextId || id <= 0) return 'aborted';
    return 'committed';
  }

  /** Whether two open ids belong to the same top-level transaction. */
  sameTransaction(a: number, b: number): boolean {
    if (a === b) return true;
    const ta = this.open.get(a);
    return ta !== undefined && ta === this.open.get(b);
  }

  /** True when `writer`'s effects are visible to transaction (or subtransaction) `reader`. */
  sees(reader: number, writer: number): boolean {
    const status = this.statusOf(writer);
    if (status === 'committed') {
      if (this.snapshots.size === 0) return true;
      const top = this.open.get(reader);
      const snapshot = top === undefined ? undefined : this.snapshots.get(top);
      if (snapshot === undefined) return true;
      const ts = this.commitTs.get(writer);
      return ts === undefined || ts <= snapshot;
    }
    return status === 'in-progress' && this.sameTransaction(reader, writer);
  }
}
