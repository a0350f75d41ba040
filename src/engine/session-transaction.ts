/**
 * One session's transaction state, as PostgreSQL exposes it: an implicit transaction per
 * statement (or per extended-protocol batch), explicit BEGIN … COMMIT/ROLLBACK blocks that
 * fail on error until ended (25P02), savepoints as subtransactions, and an undo log that
 * makes DDL transactional (catalog changes are reverted when their transaction, or the
 * savepoint they follow, rolls back).
 */
import type { ForeignKey } from '../catalog/catalog-types.ts';
import { SqlError, SqlState } from '../errors/sql-error.ts';
import type { ConstraintTiming } from '../exec/foreign-keys.ts';
import type { TransactionManager, WriteOp } from '../storage/transactions.ts';
import { PG_EPOCH_MS } from '../types/time-zone.ts';

/**
 * Where a committing transaction's changes go before anyone may see them (the WAL). The log
 * marks top-level transaction `top` committed in the TransactionManager once its record is
 * durable (so a checkpoint never sees a durable commit as still in progress); if it rejects,
 * the transaction is rolled back.
 */
export interface CommitLog {
  commit(top: number, writes: readonly WriteOp[]): Promise<void>;
}

interface Savepoint {
  readonly name: string;
  /** Position in `subs` of the subtransaction the savepoint started. */
  readonly subIndex: number;
  /** Undo-log length when the savepoint was set. */
  readonly undoMark: number;
  /** Deferred-check count when the savepoint was set. */
  readonly checkMark: number;
}

export class SessionTransaction implements ConstraintTiming {
  /** Top-level transaction id, 0 when none is open. */
  private top = 0;
  /** Id that new row versions are written with (the innermost live subtransaction). */
  private current = 0;
  private subs: number[] = [];
  private savepoints: Savepoint[] = [];
  private undo: (() => void)[] = [];
  private block = false;
  private aborted = false;
  /** µs since 2000-01-01 when the transaction started (now(), current_timestamp). */
  startTime = 0;
  /** A commit waiting for its WAL record to be durable (see `settle`). */
  private committing: Promise<void> | null = null;
  /** Foreign key checks of DEFERRED constraints, run at COMMIT. */
  private deferredChecks: { readonly fk: ForeignKey; readonly check: () => void }[] = [];
  /** SET CONSTRAINTS of this transaction: per constraint OID, deferred or not. */
  private constraintModes = new Map<number, boolean>();
  /** SET CONSTRAINTS ALL of this transaction, if any (before the per-constraint ones). */
  private allConstraintsDeferred: boolean | null = null;
  /** The isolation level BEGIN or SET TRANSACTION chose for this transaction, if any. */
  private isolationLevel: string | null = null;
  /** Whether a query ran in this transaction (it took the snapshot; the level is fixed). */
  private queried = false;
  /**
   * READ ONLY: the session default when the transaction started (`adoptDefaultReadOnly`),
   * or what BEGIN / SET TRANSACTION chose; null before either.
   */
  private readOnlyMode: boolean | null = null;

  constructor(
    private txns: TransactionManager,
    private log: CommitLog | null,
    /** A read replica's session: every transaction is read only, as on a hot standby. */
    private inRecovery = false,
  ) {}

  /**
   * The replica became the write leader's database: transactions that begin from now on
   * may write through `log`; one already open keeps its read-only mode.
   */
  promote(log: CommitLog | null): void {
    this.log = log;
    this.inRecovery = false;
  }

  /**
   * The session moves to another copy of the database (a read replica's new copy), whose
   * transactions `txns` keeps. Possible until this transaction's first query (nothing it did
   * depends on the old copy yet); an open one goes on under a new id, with its block,
   * isolation and read-only mode. Returns false, changing nothing, once it has queried. A
   * copy made in place after DDL keeps the same transactions: the transaction goes on as it is.
   */
  moveTo(txns: TransactionManager, log: CommitLog | null, inRecovery: boolean): boolean {
    if (txns === this.txns) {
      this.log = log;
      return true;
    }
    if (this.queried || this.subs.length > 0) return false;
    if (this.top) this.txns.abort(this.top);
    this.txns = txns;
    this.log = log;
    this.inRecovery = inRecovery;
    if (this.top) {
      this.top = txns.begin();
      this.current = this.top;
    }
    return true;
  }

  get id(): number {
    return this.current;
  }

  /** The top-level transaction id (0 when none is open). */
  get topId(): number {
    return this.top;
  }

  /** Whether rows written now could still be rolled back alone (a savepoint is open). */
  get inSubtransaction(): boolean {
    return this.subs.length > 0;
  }

  get inBlock(): boolean {
    return this.block;
  }

  get failed(): boolean {
    return this.aborted;
  }

  get open(): boolean {
    return this.top !== 0;
  }

  status(): 'I' | 'T' | 'E' {
    if (!this.block) return 'I';
    return this.aborted ? 'E' : 'T';
  }

  ensureStarted(): void {
    if (this.top) return;
    this.top = this.txns.begin();
    this.current = this.top;
    this.startTime = (Date.now() - PG_EPOCH_MS) * 1000;
  }

  /** The level chosen for this transaction, or null for the session default. */
  get isolation(): string | null {
    return this.isolationLevel;
  }

  /** BEGIN ISOLATION LEVEL / SET TRANSACTION ISOLATION LEVEL (before the first query only). */
  setIsolation(level: string): void {
    if (this.queried) {
      throw new SqlError(
        SqlState.ActiveSqlTransaction,
        'SET TRANSACTION ISOLATION LEVEL must be called before any query',
      );
    }
    this.isolationLevel = level;
  }

  /** Whether this transaction is READ ONLY; null when nothing has decided yet. */
  get readOnly(): boolean | null {
    return this.readOnlyMode;
  }

  /** The transaction started: it takes default_transaction_read_only unless it was given a mode. */
  adoptDefaultReadOnly(readOnly: boolean): void {
    this.readOnlyMode ??= readOnly || this.inRecovery;
  }

  /** BEGIN READ ONLY / READ WRITE, SET TRANSACTION …: read-write only before any query (25001). */
  setReadOnly(readOnly: boolean): void {
    if (!readOnly && this.readOnlyMode === true) {
      if (this.subs.length > 0)
        throw new SqlError(
          SqlState.ActiveSqlTransaction,
          'cannot set transaction read-write mode inside a read-only transaction',
        );
      if (this.queried)
        throw new SqlError(
          SqlState.ActiveSqlTransaction,
          'transaction read-write mode must be set before any query',
        );
    }
    if (!readOnly && this.inRecovery)
      throw new SqlError(
        SqlState.ActiveSqlTransaction,
        'cannot set transaction read-write mode during recovery',
      );
    this.readOnlyMode = readOnly;
  }

  /**
   * A query is about to run: the first one of a REPEATABLE READ (or SERIALIZABLE, which is
   * snapshot isolation here) transaction takes its snapshot, as in PostgreSQL.
   */
  beforeQuery(defaultIsolation: string): void {
    if (this.queried) return;
    this.queried = true;
    const level = this.isolationLevel ?? defaultIsolation;
    if (level === 'repeatable read' || level === 'serializable') this.txns.takeSnapshot(this.top);
  }

  onUndo(undo: () => void): void {
    this.undo.push(undo);
  }

  /** BEGIN: turns the current (or a new) transaction into an explicit block. */
  begin(): void {
    this.ensureStarted();
    this.block = true;
  }

  /** A statement failed: a block becomes failed; an implicit transaction rolls back. */
  statementFailed(): void {
    if (this.block) this.aborted = true;
    else this.finish(false);
  }

  /** Ends an implicit transaction; explicit blocks stay open. */
  endImplicit(commit: boolean): void {
    if (this.top && !this.block) this.finish(commit && !this.aborted);
  }

  /** COMMIT or ROLLBACK of a block; returns whether it committed. */
  endBlock(commit: boolean): boolean {
    const committed = commit && !this.aborted;
    if (committed) {
      try {
        this.runDeferredChecks();
      } catch (err) {
        this.finish(false);
        throw err;
      }
    }
    this.finish(committed);
    return committed;
  }

  deferred(fk: ForeignKey): boolean {
    if (!fk.deferrable) return false;
    return this.constraintModes.get(fk.oid) ?? this.allConstraintsDeferred ?? fk.initiallyDeferred;
  }

  defer(fk: ForeignKey, check: () => void): void {
    this.deferredChecks.push({ fk, check });
  }

  /**
   * SET CONSTRAINTS {ALL | these} {DEFERRED | IMMEDIATE} (null = ALL). Becoming immediate
   * runs the checks that were waiting, as in PostgreSQL.
   */
  setConstraints(keys: readonly ForeignKey[] | null, deferred: boolean): void {
    if (keys === null) {
      this.constraintModes.clear();
      this.allConstraintsDeferred = deferred;
    } else for (const fk of keys) this.constraintModes.set(fk.oid, deferred);
    if (!deferred) this.runDeferredChecks((fk) => keys === null || keys.includes(fk));
  }

  /**
   * Runs the deferred checks `which` selects: before COMMIT, and at the end of every
   * statement outside a block (its transaction commits right after). A failed one is the
   * statement's error (COMMIT's rolls the transaction back).
   */
  runDeferredChecks(which: (fk: ForeignKey) => boolean = () => true): void {
    const run = this.deferredChecks.filter((c) => which(c.fk));
    this.deferredChecks = this.deferredChecks.filter((c) => !which(c.fk));
    for (const c of run) c.check();
  }

  /** The open savepoints' names, outermost first. */
  get savepointNames(): string[] {
    return this.savepoints.map((s) => s.name);
  }

  savepoint(name: string): void {
    this.requireBlock('SAVEPOINT');
    this.current = this.txns.beginSub(this.top);
    this.subs.push(this.current);
    this.savepoints.push({
      name,
      subIndex: this.subs.length - 1,
      undoMark: this.undo.length,
      checkMark: this.deferredChecks.length,
    });
  }

  rollbackTo(name: string): void {
    this.requireBlock('ROLLBACK TO SAVEPOINT');
    const at = this.find(name);
    const sp = this.savepoints[at];
    for (const sub of this.subs.slice(sp.subIndex)) this.txns.abort(sub);
    this.subs.length = sp.subIndex;
    this.runUndo(sp.undoMark);
    this.deferredChecks.length = Math.min(this.deferredChecks.length, sp.checkMark);
    // The savepoint stays; work after it continues in a fresh subtransaction.
    this.savepoints.length = at + 1;
    this.current = this.txns.beginSub(this.top);
    this.subs.push(this.current);
    this.aborted = false;
  }

  release(name: string): void {
    this.requireBlock('RELEASE SAVEPOINT');
    this.savepoints.length = this.find(name);
  }

  private find(name: string): number {
    for (let i = this.savepoints.length - 1; i >= 0; i--) if (this.savepoints[i].name === name) return i;
    throw new SqlError(SqlState.InvalidSavepointSpecification, `savepoint "${name}" does not exist`);
  }

  private requireBlock(what: string): void {
    if (!this.block)
      throw new SqlError(SqlState.NoActiveSqlTransaction, `${what} can only be used in transaction blocks`);
  }

  private runUndo(mark: number): void {
    while (this.undo.length > mark) this.undo.pop()!();
  }

  /**
   * Waits for the last COMMIT to be durable; throws (with the transaction rolled back) if it
   * could not be. The session calls it before reporting the statement or batch complete.
   */
  async settle(): Promise<void> {
    const committing = this.committing;
    this.committing = null;
    if (committing) await committing;
  }

  private finish(commit: boolean): void {
    if (!this.top) return;
    const top = this.top;
    if (!commit) {
      this.txns.abort(top);
      this.runUndo(0);
    } else if (this.log) {
      const undo = this.undo;
      this.committing = this.log.commit(top, this.txns.writesOf(top)).catch((err: unknown) => {
        this.txns.abort(top);
        while (undo.length > 0) undo.pop()!();
        throw err;
      });
    } else this.txns.commit(top);
    this.top = 0;
    this.current = 0;
    this.subs = [];
    this.savepoints = [];
    this.undo = [];
    this.deferredChecks = [];
    this.constraintModes = new Map();
    this.allConstraintsDeferred = null;
    this.block = false;
    this.aborted = false;
    this.startTime = 0;
    this.isolationLevel = null;
    this.queried = false;
    this.readOnlyMode = null;
  }

  /** The connection ended: roll back whatever is open. */
  abandon(): void {
    this.finish(false);
  }
}
