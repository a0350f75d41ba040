/**
 * DECLARE … CURSOR, FETCH/MOVE and CLOSE from libpg-query's parse tree.
 */
import type * as pg from '@pgsql/types';
import type { ClosePortalStmt, DeclareCursorStmt, FetchDirection, FetchStmt } from './ast-cursor.ts';
import { convertSelectNode } from './convert-select.ts';
import { type ConvertContext, type StatementConverters, unsupported } from './pg-node.ts';

/** Bits of DeclareCursorStmt.options (PostgreSQL's CURSOR_OPT_* in parsenodes.h). */
const CURSOR_OPT_BINARY = 0x1;
const CURSOR_OPT_NO_SCROLL = 0x4;
const CURSOR_OPT_HOLD = 0x20;

/** The parser stores ALL as LONG_MAX, which the WASM build of libpg-query has as 2^31-1. */
const FETCH_ALL = 2147483647;

const DIRECTIONS: Record<pg.FetchDirection, FetchDirection> = {
  FETCH_FORWARD: 'forward',
  FETCH_BACKWARD: 'backward',
  FETCH_ABSOLUTE: 'absolute',
  FETCH_RELATIVE: 'relative',
};

function convertDeclare(s: pg.DeclareCursorStmt, ctx: ConvertContext, loc: number): DeclareCursorStmt {
  const options = s.options ?? 0;
  if (options & CURSOR_OPT_BINARY) throw unsupported('DECLARE BINARY CURSOR is not supported', loc);
  return {
    kind: 'DeclareCursor',
    name: s.portalname ?? '',
    query: convertSelectNode(s.query!, ctx, loc),
    hold: (options & CURSOR_OPT_HOLD) !== 0,
    noScroll: (options & CURSOR_OPT_NO_SCROLL) !== 0,
    loc,
  };
}

function convertFetch(s: pg.FetchStmt): FetchStmt {
  const direction = DIRECTIONS[s.direction ?? 'FETCH_FORWARD'];
  const howMany = Number(s.howMany ?? 0);
  const all = (direction === 'forward' || direction === 'backward') && howMany >= FETCH_ALL;
  return {
    kind: 'Fetch',
    name: s.portalname ?? '',
    move: s.ismove === true,
    direction,
    count: all ? null : howMany,
  };
}

function convertClose(s: pg.ClosePortalStmt): ClosePortalStmt {
  return { kind: 'ClosePortal', name: s.portalname ?? null };
}

export const cursorConverters: StatementConverters = {
  DeclareCursorStmt: convertDeclare,
  FetchStmt: convertFetch,
  ClosePortalStmt: convertClose,
};
