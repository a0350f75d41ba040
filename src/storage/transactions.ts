/**
 * Transaction ids and their fate. Row versions carry the id of the transaction that
 * created (xmin) and deleted (xmax) them; a reader sees a version when its creator is its
 * own transaction (any live subtransaction of it) or committed, and its deleter is neither.
 * This is read-committed visibility with an "as of now" snapshot, exact while statements run
 * one at a time on the event loop. The storage issue replaces it with commit timestamps from
 * a TSO (DESIGN §3).
 *
 * Savepoints are subtransactions: ids whose top-level transaction is another id. Rolling
 * back to a savepoint aborts its subtransactions; committing the top commits every
 * subtransaction that was not aborted.
 */
export type TxnStatus = 'in-progress' | 'committed' | 'aborted';

export class TransactionManager {
  private nextId = 1;
  private readonly status = new Map<number, TxnStatus>();
  private readonly topOf = new Map<number, number>();
  private readonly subs = new Map<number, number[]>();

  begin(): number {
    const id = this.nextId++;
    this.status.set(id, 'in-progress');
    this.topOf.set(id, id);
    return id;
  }

  /** Starts a subtransaction of top-level transaction `top` (SAVEPOINT). */
  beginSub(top: number): number {
    const id = this.nextId++;
    this.status.set(id, 'in-progress');
    this.topOf.set(id, top);
    const list = this.subs.get(top);
    if (list) list.push(id);
    else this.subs.set(top, [id]);
    return id;
  }

  /** Commits a top-level transaction and its surviving subtransactions. */
  commit(top: number): void {
    this.status.set(top, 'committed');
    for (const sub of this.subs.get(top) ?? []) {
      if (this.status.get(sub) !== 'aborted') this.status.set(sub, 'committed');
    }
    this.subs.delete(top);
  }

  /** Aborts a subtransaction, or a top-level transaction with all its subtransactions. */
  abort(id: number): void {
    this.status.set(id, 'aborted');
    if (this.topOf.get(id) === id) {
      for (const sub of this.subs.get(id) ?? []) this.status.set(sub, 'aborted');
      this.subs.delete(id);
    }
  }

  statusOf(id: number): TxnStatus {
    return this.status.get(id) ?? 'aborted';
  }

  /** Whether two ids belong to the same top-level transaction. */
  sameTransaction(a: number, b: number): boolean {
    return a === b || (this.topOf.get(a) ?? a) === (this.topOf.get(b) ?? b);
  }

  /** True when `writer`'s effects are visible to transaction (or subtransaction) `reader`. */
  sees(reader: number, writer: number): boolean {
    const status = this.status.get(writer);
    if (status === 'committed') return true;
    return status === 'in-progress' && this.sameTransaction(reader, writer);
  }
}
