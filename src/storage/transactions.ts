/**
 * Transaction ids and their fate. Row versions carry the id of the transaction that
 * created (xmin) and deleted (xmax) them; a reader sees a version when its creator is itself
 * or committed, and its deleter is neither. This is read-committed visibility with an
 * "as of now" snapshot, which is exact while statements run one at a time on the event loop.
 * The storage issue replaces it with commit timestamps from a TSO (DESIGN §3).
 */
export type TxnStatus = 'in-progress' | 'committed' | 'aborted';

export class TransactionManager {
  private nextId = 1;
  private readonly status = new Map<number, TxnStatus>();

  begin(): number {
    const id = this.nextId++;
    this.status.set(id, 'in-progress');
    return id;
  }

  commit(id: number): void {
    this.status.set(id, 'committed');
  }

  abort(id: number): void {
    this.status.set(id, 'aborted');
  }

  statusOf(id: number): TxnStatus {
    return this.status.get(id) ?? 'aborted';
  }

  /** True when `writer`'s effects are visible to transaction `reader`. */
  sees(reader: number, writer: number): boolean {
    return writer === reader || this.status.get(writer) === 'committed';
  }
}
