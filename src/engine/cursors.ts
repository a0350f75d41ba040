/**
 * SQL-level cursors (DECLARE / FETCH / MOVE / CLOSE) with PostgreSQL's positioning rules
 * and command tags. psycopg2's named cursors and JDBC-style batch readers use them.
 *
 * A cursor's query runs at DECLARE and its rows are kept: the snapshot is the one of the
 * DECLARE, as in PostgreSQL, and a WITH HOLD cursor needs its rows materialized at commit
 * anyway. The position follows PostgreSQL's portal: 0 is before the first row, 1..n on a
 * row, n + 1 after the last.
 */
import { bindSelect } from '../bind/bind-select.ts';
import { SqlError, SqlState } from '../errors/sql-error.ts';
import { execute } from '../exec/executor.ts';
import type { OutputColumn } from '../plan/plan-nodes.ts';
import type { ClosePortalStmt, CursorStatement, DeclareCursorStmt, FetchStmt } from '../sql/ast-cursor.ts';
import type { Value } from '../types/type.ts';
import { type Outcome, planQuery, type RunContext } from './statement-runner.ts';

interface Cursor {
  readonly columns: readonly OutputColumn[];
  readonly rows: readonly Value[][];
  readonly hold: boolean;
  readonly noScroll: boolean;
  position: number;
}

/** What DECLARE needs from the session: its transaction and how to run the query. */
export interface DeclareContext {
  readonly inTransactionBlock: boolean;
  /** Registers work to undo if the transaction (or savepoint) rolls back. */
  readonly onRollback: (undo: () => void) => void;
  readonly run: () => { readonly columns: readonly OutputColumn[]; readonly rows: Value[][] };
}

export class Cursors {
  private readonly open = new Map<string, Cursor>();

  declare(stmt: DeclareCursorStmt, ctx: DeclareContext): Outcome {
    // PostgreSQL analyses the query before it checks the transaction block.
    const { columns, rows } = ctx.run();
    if (!stmt.hold && !ctx.inTransactionBlock) {
      throw new SqlError(
        SqlState.NoActiveSqlTransaction,
        'DECLARE CURSOR can only be used in transaction blocks',
      );
    }
    if (this.open.has(stmt.name)) {
      throw new SqlError(SqlState.DuplicateCursor, `cursor "${stmt.name}" already exists`);
    }
    const cursor: Cursor = { columns, rows, hold: stmt.hold, noScroll: stmt.noScroll, position: 0 };
    this.open.set(stmt.name, cursor);
    // A cursor declared in a transaction that rolls back is gone, WITH HOLD or not.
    ctx.onRollback(() => {
      if (this.open.get(stmt.name) === cursor) this.open.delete(stmt.name);
    });
    return { columns: null, rows: [], tag: 'DECLARE CURSOR' };
  }

  fetch(stmt: FetchStmt): Outcome {
    const cursor = this.find(stmt.name);
    const rows = move(cursor, stmt);
    if (stmt.move) return { columns: null, rows: [], tag: `MOVE ${rows.length}` };
    return { columns: cursor.columns, rows, tag: `FETCH ${rows.length}` };
  }

  close(stmt: ClosePortalStmt): Outcome {
    if (stmt.name === null) this.open.clear();
    else {
      this.find(stmt.name);
      this.open.delete(stmt.name);
    }
    return { columns: null, rows: [], tag: 'CLOSE CURSOR' };
  }

  /** Describe of a FETCH: the cursor's columns, or null (NoData) when there is no such cursor. */
  fetchColumns(stmt: FetchStmt): readonly OutputColumn[] | null {
    return stmt.move ? null : (this.open.get(stmt.name)?.columns ?? null);
  }

  /** The transaction ended (committed; rolled-back cursors were removed by their undo). */
  transactionEnded(): void {
    for (const [name, cursor] of this.open) if (!cursor.hold) this.open.delete(name);
  }

  /** Whether a cursor of this name is open here (CLOSE ALL: whether any is). */
  has(name: string | null): boolean {
    return name === null ? this.open.size > 0 : this.open.has(name);
  }

  private find(name: string): Cursor {
    const cursor = this.open.get(name);
    if (!cursor) throw new SqlError(SqlState.InvalidCursorName, `cursor "${name}" does not exist`);
    return cursor;
  }
}

/** Moves the cursor as FETCH/MOVE `stmt` says and returns the rows passed over, in order. */
function move(cursor: Cursor, stmt: FetchStmt): Value[][] {
  const n = cursor.rows.length;
  const p = cursor.position;
  let { direction, count } = stmt;
  // FETCH -2 means FETCH BACKWARD 2 (and BACKWARD -2 means FORWARD 2), as in PostgreSQL.
  if ((direction === 'forward' || direction === 'backward') && count !== null && count < 0) {
    direction = direction === 'forward' ? 'backward' : 'forward';
    count = -count;
  }
  if ((direction === 'forward' || direction === 'backward') && count === 0) {
    direction = 'relative';
  }
  switch (direction) {
    case 'forward': {
      const end = count === null ? n : Math.min(p + count, n);
      const rows = cursor.rows.slice(Math.min(p, n), end);
      cursor.position = count === null || p + count > n ? n + 1 : p + count;
      return rows;
    }
    case 'backward': {
      requireScroll(cursor);
      const stop = count === null ? 1 : Math.max(p - count, 1);
      const rows: Value[][] = [];
      for (let at = Math.min(p - 1, n); at >= stop; at--) rows.push(cursor.rows[at - 1]);
      cursor.position = count === null || p - count < 1 ? 0 : p - count;
      return rows;
    }
    case 'absolute':
    case 'relative': {
      const k = count ?? 0;
      let target = direction === 'relative' ? p + k : k >= 0 ? k : n + 1 + k;
      target = Math.max(0, Math.min(target, n + 1));
      if (target < p) requireScroll(cursor);
      cursor.position = target;
      return target >= 1 && target <= n ? [cursor.rows[target - 1]] : [];
    }
  }
}

function requireScroll(cursor: Cursor): void {
  if (cursor.noScroll) {
    throw new SqlError(SqlState.ObjectNotInPrerequisiteState, 'cursor can only scan forward', {
      hint: 'Declare it with SCROLL option to enable backward scan.',
    });
  }
}

/** The transaction a DECLARE runs in (the session's SessionTransaction). */
export interface CursorTransaction {
  readonly inBlock: boolean;
  onUndo(undo: () => void): void;
}

/** Runs DECLARE, FETCH/MOVE or CLOSE against the session's cursors. */
export function runCursorStatement(
  stmt: CursorStatement,
  cursors: Cursors,
  rc: RunContext,
  txn: CursorTransaction,
): Outcome {
  switch (stmt.kind) {
    case 'Fetch':
      return cursors.fetch(stmt);
    case 'ClosePortal':
      return cursors.close(stmt);
    case 'DeclareCursor':
      return cursors.declare(stmt, {
        inTransactionBlock: txn.inBlock,
        onRollback: (undo) => txn.onUndo(undo),
        run: () => {
          const plan = planQuery(bindSelect(stmt.query, null, rc.bc), rc);
          return { columns: plan.columns, rows: execute(plan, rc.env) };
        },
      });
  }
}
