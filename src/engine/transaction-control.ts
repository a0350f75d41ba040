/**
 * BEGIN, COMMIT, ROLLBACK, SAVEPOINT, RELEASE and ROLLBACK TO with PostgreSQL's command tags
 * and warnings (BEGIN inside a block, COMMIT outside one); a failed block's COMMIT reports
 * ROLLBACK. Settings changed in a block follow it (SET LOCAL always reverts).
 */
import type { TransactionModes } from '../sql/ast-utility.ts';
import type { ResultSink } from '../wire/session.ts';
import type { SessionSettings } from './session-settings.ts';
import type { SessionTransaction } from './session-transaction.ts';

export type TransactionOp = 'begin' | 'commit' | 'rollback' | 'savepoint' | 'release' | 'rollback to';

export function transactionControl(
  t: SessionTransaction,
  settings: SessionSettings,
  sink: ResultSink | null,
  op: TransactionOp,
  savepoint: string | null,
  modes: TransactionModes | null = null,
): string {
  const warn = (code: string, message: string) => sink?.notice({ severity: 'WARNING', code, message });
  switch (op) {
    case 'begin':
      if (t.inBlock) warn('25001', 'there is already a transaction in progress');
      else {
        t.begin();
        settings.beginTransaction();
      }
      if (modes?.isolation) t.setIsolation(settings.normalize('transaction_isolation', modes.isolation));
      if (modes && modes.readOnly !== null) t.setReadOnly(modes.readOnly);
      return 'BEGIN';
    case 'savepoint':
      t.savepoint(savepoint!);
      return 'SAVEPOINT';
    case 'release':
      t.release(savepoint!);
      return 'RELEASE';
    case 'rollback to':
      t.rollbackTo(savepoint!);
      return 'ROLLBACK';
    default: {
      if (!t.inBlock) {
        warn('25P01', 'there is no transaction in progress');
        return op === 'commit' ? 'COMMIT' : 'ROLLBACK';
      }
      let committed = false;
      try {
        committed = t.endBlock(op === 'commit');
      } finally {
        settings.endTransaction(committed, sink);
      }
      return committed ? 'COMMIT' : 'ROLLBACK';
    }
  }
}
