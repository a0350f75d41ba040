/**
 * Cursor statements of Quiver's AST: DECLARE, FETCH/MOVE and CLOSE (PostgreSQL's
 * DeclareCursorStmt, FetchStmt and ClosePortalStmt).
 */
import type { SelectStmt } from './ast.ts';

export interface DeclareCursorStmt {
  readonly kind: 'DeclareCursor';
  readonly name: string;
  readonly query: SelectStmt;
  /** WITH HOLD: the cursor outlives the transaction that declared it (if that commits). */
  readonly hold: boolean;
  /** NO SCROLL forbids moving backwards; SCROLL and the default allow it. */
  readonly noScroll: boolean;
  readonly loc: number;
}

/** How a FETCH or MOVE positions the cursor (NEXT, PRIOR, FIRST, LAST are spelled with these). */
export type FetchDirection = 'forward' | 'backward' | 'absolute' | 'relative';

export interface FetchStmt {
  readonly kind: 'Fetch';
  readonly name: string;
  /** MOVE positions the cursor like FETCH but returns no rows. */
  readonly move: boolean;
  readonly direction: FetchDirection;
  /** Row count or position; null for ALL (forward/backward only). */
  readonly count: number | null;
}

export interface ClosePortalStmt {
  readonly kind: 'ClosePortal';
  /** null for CLOSE ALL. */
  readonly name: string | null;
}

export type CursorStatement = DeclareCursorStmt | FetchStmt | ClosePortalStmt;
