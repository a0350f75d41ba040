/**
 * What the engine reports about every statement it ran, for whoever counts them (the
 * server's Prometheus metrics). Called once per statement on the query path, so it hands
 * over plain numbers and a label from a fixed set: nothing is allocated here.
 */
import type { Statement } from '../sql/ast-utility.ts';
import type { Outcome } from './statement-runner.ts';

/** The command a statement's tag names, coarsely: the `kind` label of the query metrics. */
export type QueryKind = 'select' | 'insert' | 'update' | 'delete' | 'copy' | 'ddl' | 'other';

export const QUERY_KINDS: readonly QueryKind[] = [
  'select',
  'insert',
  'update',
  'delete',
  'copy',
  'ddl',
  'other',
];

export interface StatementObserver {
  /**
   * A statement finished: `ok` false when it raised an error. `seconds` runs from the start
   * of execution until its result was complete and, for a COMMIT, durable (sending rows to
   * the client is not included). Rows written count rows changed by INSERT/UPDATE/DELETE
   * and COPY FROM, whether or not their transaction commits later.
   */
  statementFinished(
    kind: QueryKind,
    ok: boolean,
    seconds: number,
    rowsReturned: number,
    rowsWritten: number,
  ): void;
}

// A Record over every statement kind: a new kind is a compile error until it is labelled.
const KIND: Record<Statement['kind'], QueryKind> = {
  Select: 'select',
  Insert: 'insert',
  Update: 'update',
  Delete: 'delete',
  Copy: 'copy',
  CreateTable: 'ddl',
  Drop: 'ddl',
  CreateIndex: 'ddl',
  AlterTable: 'ddl',
  CreateSequence: 'ddl',
  CreateSchema: 'ddl',
  CreateExtension: 'ddl',
  CreateDatabase: 'ddl',
  DropDatabase: 'ddl',
  CreateRole: 'ddl',
  AlterRole: 'ddl',
  DropRole: 'ddl',
  Truncate: 'ddl',
  Comment: 'ddl',
  CreateView: 'ddl',
  RenameIndex: 'ddl',
  Reindex: 'ddl',
  Transaction: 'other',
  Prepare: 'other',
  Execute: 'other',
  Deallocate: 'other',
  Set: 'other',
  Show: 'other',
  Explain: 'other',
  NoOp: 'other',
  SetConstraints: 'other',
  DeclareCursor: 'other',
  Fetch: 'other',
  ClosePortal: 'other',
};

/** Hands one finished statement to `observer`; `outcome` is null when it failed. */
export function reportStatement(
  observer: StatementObserver,
  stmt: Statement,
  outcome: Outcome | null,
  seconds: number,
): void {
  const kind = KIND[stmt.kind];
  if (!outcome) {
    observer.statementFinished(kind, false, seconds, 0, 0);
    return;
  }
  let returned = outcome.columns ? outcome.rows.length : 0;
  let written = 0;
  if (kind === 'insert' || kind === 'update' || kind === 'delete') written = tagCount(outcome.tag);
  else if (stmt.kind === 'Copy') {
    if (stmt.from) written = tagCount(outcome.tag);
    else returned = tagCount(outcome.tag);
  }
  observer.statementFinished(kind, true, seconds, returned, written);
}

/** The row count that ends a command tag ("INSERT 0 5", "UPDATE 3", "COPY 7"), read in place. */
function tagCount(tag: string): number {
  let n = 0;
  let scale = 1;
  for (let i = tag.length - 1; i >= 0; i--) {
    const digit = tag.charCodeAt(i) - 48;
    if (digit < 0 || digit > 9) break;
    n += digit * scale;
    scale *= 10;
  }
  return n;
}
