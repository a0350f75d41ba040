/**
 * Utility statements: transactions, SET/SHOW, EXPLAIN, COPY, and the statements Quiver
 * accepts as no-ops with PostgreSQL's command tag (VACUUM, GRANT, LISTEN, …).
 */
import type * as pg from '@pgsql/types';
import { SqlError, SqlState } from '../errors/sql-error.ts';
import type {
  CommentStmt,
  CopyStmt,
  ExplainStmt,
  NoOpStmt,
  SetStmt,
  TransactionModes,
  TransactionStmt,
} from './ast-utility.ts';
import { convertExecute, convertPreparable } from './convert-prepare.ts';
import { convertRangeVar, convertSelectNode } from './convert-select.ts';
import {
  as,
  type ConvertContext,
  defElemBool,
  defElems,
  defElemValue,
  type StatementConverters,
  strings,
  unsupported,
  unwrap,
} from './pg-node.ts';

const TRANSACTION_OPS: Partial<Record<pg.TransactionStmtKind, TransactionStmt['op']>> = {
  TRANS_STMT_BEGIN: 'begin',
  TRANS_STMT_START: 'begin',
  TRANS_STMT_COMMIT: 'commit',
  TRANS_STMT_ROLLBACK: 'rollback',
  TRANS_STMT_SAVEPOINT: 'savepoint',
  TRANS_STMT_RELEASE: 'release',
  TRANS_STMT_ROLLBACK_TO: 'rollback to',
  TRANS_STMT_PREPARE: 'prepare',
};

/** The isolation level and read-only mode among BEGIN's / SET TRANSACTION's options (DEFERRABLE is ignored). */
function modesOf(options: readonly pg.Node[] | undefined): TransactionModes {
  let isolation: string | null = null;
  let readOnly: boolean | null = null;
  for (const d of defElems(options)) {
    if (d.arg === undefined) continue;
    if (d.defname === 'transaction_isolation') {
      isolation = (as(d.arg, 'A_Const')?.sval?.sval ?? defElemValue(d))?.toLowerCase() ?? null;
    } else if (d.defname === 'transaction_read_only') {
      // The grammar writes READ ONLY as the integer 1 and READ WRITE as 0.
      readOnly = (as(d.arg, 'A_Const')?.ival?.ival ?? 0) !== 0;
    }
  }
  return { isolation, readOnly };
}

/** PREPARE TRANSACTION's gid goes in `savepoint`. */
function convertTransaction(s: pg.TransactionStmt, _ctx: ConvertContext, loc: number): TransactionStmt {
  const op = s.kind === undefined ? undefined : TRANSACTION_OPS[s.kind];
  if (op === undefined) throw unsupported('COMMIT PREPARED and ROLLBACK PREPARED are not supported', loc);
  if (s.chain) throw unsupported('AND CHAIN is not supported', loc);
  return {
    kind: 'Transaction',
    op,
    savepoint: s.savepoint_name ?? s.gid ?? null,
    ...(op === 'begin' ? modesOf(s.options) : { isolation: null, readOnly: null }),
  };
}

/** SET values as text: numbers as written, strings and identifiers unquoted. */
function setValue(node: pg.Node, ctx: ConvertContext, loc: number): string {
  const c = as(node, 'A_Const');
  if (c !== undefined) {
    if (c.ival !== undefined) return String(c.ival.ival ?? 0);
    if (c.fval !== undefined) return c.fval.fval ?? '0';
    if (c.boolval !== undefined) return c.boolval.boolval ? 'true' : 'false';
    return c.sval?.sval ?? '';
  }
  // SET TIME ZONE INTERVAL '…' HOUR TO MINUTE
  const at = ctx.loc((unwrap(node).body as { location?: number } | undefined)?.location);
  throw unsupported('this SET value is not supported', at >= 0 ? at : loc);
}

function convertVariableSet(s: pg.VariableSetStmt, ctx: ConvertContext, loc: number): SetStmt | NoOpStmt {
  const name = s.name ?? '';
  const local = s.is_local ?? false;
  switch (s.kind) {
    case 'VAR_SET_VALUE':
      if (name === 'TRANSACTION SNAPSHOT')
        throw unsupported('SET TRANSACTION SNAPSHOT is not supported', loc);
      return {
        kind: 'Set',
        action: 'value',
        name,
        values: (s.args ?? []).map((a) => setValue(a, ctx, loc)),
        local,
      };
    case 'VAR_SET_DEFAULT':
      return { kind: 'Set', action: 'default', name, values: [], local };
    case 'VAR_RESET':
      return { kind: 'Set', action: 'reset', name, values: [], local };
    case 'VAR_RESET_ALL':
      return { kind: 'Set', action: 'reset all', name: 'all', values: [], local };
    // SET TRANSACTION … sets this transaction's modes, SET SESSION CHARACTERISTICS AS
    // TRANSACTION … the defaults of later ones.
    case 'VAR_SET_MULTI':
      return {
        kind: 'Set',
        action: 'modes',
        name: name === 'TRANSACTION' ? 'transaction' : 'session',
        values: [],
        local,
        modes: modesOf(s.args),
      };
    default:
      throw unsupported('SET … FROM CURRENT is not supported', loc);
  }
}

function convertExplain(s: pg.ExplainStmt, ctx: ConvertContext, loc: number): ExplainStmt {
  let analyze = false;
  let verbose = false;
  let costs = true;
  let timing: boolean | null = null;
  let summary: boolean | null = null;
  for (const d of defElems(s.options)) {
    if (d.defname === 'analyze') analyze = defElemBool(d, ctx);
    else if (d.defname === 'verbose') verbose = defElemBool(d, ctx);
    else if (d.defname === 'costs') costs = defElemBool(d, ctx);
    else if (d.defname === 'timing') timing = defElemBool(d, ctx);
    else if (d.defname === 'summary') summary = defElemBool(d, ctx);
    else if (d.defname === 'format' && defElemValue(d)?.toLowerCase() !== 'text') {
      throw unsupported(`EXPLAIN format "${defElemValue(d)}" is not supported`, ctx.loc(d.location));
    }
    // BUFFERS, SETTINGS, WAL, … are accepted and ignored.
  }
  if (timing === true && !analyze) {
    throw new SqlError(SqlState.InvalidParameterValue, 'EXPLAIN option TIMING requires ANALYZE');
  }
  const execute = as(s.query, 'ExecuteStmt');
  const statement =
    execute !== undefined
      ? convertExecute(execute, ctx, loc)
      : convertPreparable(s.query!, ctx, loc, 'EXPLAIN');
  return {
    kind: 'Explain',
    analyze,
    verbose,
    costs,
    timing: timing ?? analyze,
    summary: summary ?? analyze,
    statement,
  };
}

function convertCopy(s: pg.CopyStmt, ctx: ConvertContext, loc: number): CopyStmt {
  const from = s.is_from ?? false;
  if (s.is_program) throw unsupported('COPY to or from an external program is not supported', loc);
  if (s.filename !== undefined) {
    const hint = from ? "Use COPY FROM STDIN or psql's \\copy." : "Use COPY TO STDOUT or psql's \\copy.";
    throw unsupported('COPY to or from a file is not supported', loc, hint);
  }
  if (s.whereClause !== undefined) throw unsupported('COPY FROM … WHERE is not supported', loc);
  const copy = {
    format: 'text' as CopyStmt['format'],
    delimiter: null as string | null,
    nullString: null as string | null,
    header: false,
    quote: null as string | null,
    escape: null as string | null,
  };
  for (const d of defElems(s.options)) {
    const value = defElemValue(d);
    switch (d.defname) {
      case 'format': {
        if (value !== 'text' && value !== 'csv' && value !== 'binary') {
          const at = ctx.loc(d.location);
          throw new SqlError(SqlState.InvalidParameterValue, `COPY format "${value}" not recognized`, {
            ...(at >= 0 ? { position: at + 1 } : {}),
          });
        }
        copy.format = value;
        break;
      }
      case 'delimiter':
        copy.delimiter = value;
        break;
      case 'null':
        copy.nullString = value;
        break;
      case 'header':
        // HEADER MATCH (COPY FROM) is read as HEADER.
        copy.header = value?.toLowerCase() === 'match' || defElemBool(d, ctx);
        break;
      case 'quote':
        copy.quote = value;
        break;
      case 'escape':
        copy.escape = value;
        break;
      case 'freeze':
      case 'encoding':
        break;
      default:
        throw unsupported(`COPY option "${d.defname}" is not supported`, ctx.loc(d.location));
    }
  }
  let query: CopyStmt['query'] = null;
  if (s.query !== undefined) {
    if (unwrap(s.query).tag !== 'SelectStmt')
      throw unsupported('COPY (INSERT/UPDATE/DELETE …) TO is not supported', loc);
    query = convertSelectNode(s.query, ctx, loc);
  }
  return {
    kind: 'Copy',
    table: s.relation === undefined ? null : convertRangeVar(s.relation, ctx),
    query,
    columns: strings(s.attlist),
    from,
    ...copy,
  };
}

const DISCARD_TAGS: Record<pg.DiscardMode, string> = {
  DISCARD_ALL: 'DISCARD ALL',
  DISCARD_PLANS: 'DISCARD PLANS',
  DISCARD_SEQUENCES: 'DISCARD SEQUENCES',
  DISCARD_TEMP: 'DISCARD TEMP',
};

const noOp = (tag: string): NoOpStmt => ({ kind: 'NoOp', tag });

/** COMMENT ON TABLE/VIEW/COLUMN; comments on other kinds of object are accepted and dropped. */
function convertComment(s: pg.CommentStmt): CommentStmt | NoOpStmt {
  const items = (s.object as { List?: pg.List } | undefined)?.List?.items ?? [];
  const names = items.map((n) => (n as { String?: pg.String }).String?.sval ?? '');
  const comment = s.comment === undefined || s.comment === '' ? null : s.comment;
  if (s.objtype === 'OBJECT_TABLE' || s.objtype === 'OBJECT_VIEW') {
    return { kind: 'Comment', target: 'relation', names, comment };
  }
  if (s.objtype === 'OBJECT_COLUMN') return { kind: 'Comment', target: 'column', names, comment };
  return noOp('COMMENT');
}

export const utilityConverters: StatementConverters = {
  TransactionStmt: convertTransaction,
  VariableSetStmt: convertVariableSet,
  VariableShowStmt: (s) => ({ kind: 'Show', name: s.name ?? '' }),
  ExplainStmt: convertExplain,
  CopyStmt: convertCopy,
  VacuumStmt: (s) => noOp(s.is_vacuumcmd ? 'VACUUM' : 'ANALYZE'),
  CheckPointStmt: () => noOp('CHECKPOINT'),
  DiscardStmt: (s) => noOp(DISCARD_TAGS[s.target ?? 'DISCARD_ALL']),
  LockStmt: () => noOp('LOCK TABLE'),
  CommentStmt: convertComment,
  GrantStmt: (s) => noOp(s.is_grant ? 'GRANT' : 'REVOKE'),
  GrantRoleStmt: (s) => noOp(s.is_grant ? 'GRANT ROLE' : 'REVOKE ROLE'),
  AlterDefaultPrivilegesStmt: () => noOp('ALTER DEFAULT PRIVILEGES'),
  ListenStmt: () => noOp('LISTEN'),
  UnlistenStmt: () => noOp('UNLISTEN'),
  NotifyStmt: () => noOp('NOTIFY'),
  ConstraintsSetStmt: (s, ctx) => ({
    kind: 'SetConstraints',
    names: s.constraints ? s.constraints.map((n) => convertRangeVar(as(n, 'RangeVar')!, ctx)) : null,
    deferred: s.deferred ?? false,
  }),
};
