/**
 * Cancellation and time limits of one session's running statement: CancelRequest
 * (57014 "canceling statement due to user request"), statement_timeout (57014 "… due to
 * statement timeout"), and pg_sleep, whose waits are collected while the statement runs
 * and then awaited where a cancel or the timeout can interrupt them.
 */
import { SqlError, SqlState } from '../errors/sql-error.ts';

const userCancel = () => new SqlError(SqlState.QueryCanceled, 'canceling statement due to user request');
const timedOut = () => new SqlError(SqlState.QueryCanceled, 'canceling statement due to statement timeout');

export class StatementInterrupts {
  private cancelled = false;
  private deadline = 0;
  private pendingSleepMs = 0;
  private readonly sleepers = new Set<(err: SqlError) => void>();

  /** A statement starts: forget earlier cancels, arm statement_timeout (ms, 0 = off). */
  start(timeoutMs: number): void {
    this.cancelled = false;
    this.pendingSleepMs = 0;
    this.deadline = timeoutMs > 0 ? Date.now() + timeoutMs : 0;
  }

  finish(): void {
    this.deadline = 0;
    this.pendingSleepMs = 0;
  }

  /** CancelRequest: interrupts a sleep now, or the statement at its next check. */
  cancel(): void {
    this.cancelled = true;
    const err = userCancel();
    for (const wake of this.sleepers) wake(err);
  }

  /** Throws 57014 when the statement was cancelled or ran past statement_timeout. */
  check(): void {
    if (this.cancelled) {
      this.cancelled = false;
      throw userCancel();
    }
    if (this.deadline && Date.now() > this.deadline) throw timedOut();
  }

  deferSleep(ms: number): void {
    this.pendingSleepMs += ms;
  }

  /** Waits for the statement's pg_sleep time, unless cancelled or timed out first. */
  async sleepDeferred(): Promise<void> {
    const ms = this.pendingSleepMs;
    this.pendingSleepMs = 0;
    if (ms <= 0) return;
    let timer: NodeJS.Timeout | undefined;
    try {
      await this.interruptible(new Promise<void>((resolve) => (timer = setTimeout(resolve, ms))));
    } finally {
      clearTimeout(timer);
    }
  }

  /** Waits for `work` unless the statement is cancelled or runs past statement_timeout first (57014). */
  async interruptible<T>(work: Promise<T>): Promise<T> {
    this.check();
    let wake: (err: SqlError) => void = () => {};
    let timer: NodeJS.Timeout | undefined;
    const interrupted = new Promise<never>((_, reject) => {
      wake = reject;
      if (this.deadline)
        timer = setTimeout(() => reject(timedOut()), Math.max(0, this.deadline - Date.now()));
    });
    this.sleepers.add(wake);
    try {
      return await Promise.race([work, interrupted]);
    } finally {
      clearTimeout(timer);
      this.sleepers.delete(wake);
    }
  }
}
