/**
 * A Session as the protocol loop uses it: the calls that answer a message are awaited and
 * marked in flight (so a CancelRequest or a dropped socket can cancel them), and the
 * bookkeeping calls (status, timeout, cancel, close) never throw into the loop: a faulty
 * session is logged, the connection carries on.
 */
import type { Session, TransactionStatus } from './session.ts';
import type { WireLogger } from './socket-channel.ts';

export class GuardedSession {
  private inFlight = false;

  constructor(
    readonly session: Session,
    private readonly logger: WireLogger,
  ) {}

  /** Awaits one call that answers a client message; sync throws become rejections. */
  async run<T>(call: (session: Session) => Promise<T> | T): Promise<T> {
    this.inFlight = true;
    try {
      return await call(this.session);
    } finally {
      this.inFlight = false;
    }
  }

  /** Cancels the call in flight, if any (PostgreSQL ignores a cancel between statements). */
  cancelRunning(): void {
    if (this.inFlight) this.safely('cancel', (s) => s.cancel());
  }

  onExtendedError(error: Parameters<Session['onExtendedError']>[0]): void {
    this.safely('onExtendedError', (s) => s.onExtendedError(error));
  }

  close(): void {
    this.safely('close', (s) => s.close());
  }

  transactionStatus(): TransactionStatus {
    try {
      const status = this.session.transactionStatus();
      return status === 'T' || status === 'E' ? status : 'I';
    } catch (error) {
      this.logger.error('wire: session.transactionStatus() threw', error);
      return 'I';
    }
  }

  /** Idle-in-transaction timeout in ms that applies now: 0 when idle outside a transaction. */
  idleInTransactionTimeout(): number {
    if (this.transactionStatus() === 'I') return 0;
    let ms = 0;
    this.safely('idleInTransactionTimeout', (s) => {
      ms = s.idleInTransactionTimeout();
    });
    return Number.isFinite(ms) && ms > 0 ? ms : 0;
  }

  private safely(what: string, call: (session: Session) => void): void {
    try {
      call(this.session);
    } catch (error) {
      this.logger.error(`wire: session.${what}() threw`, error);
    }
  }
}
