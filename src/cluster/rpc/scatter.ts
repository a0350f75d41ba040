/**
 * The coordinator's two ways of calling peers (DESIGN §4, §5): one fragment on the first
 * replica that answers (`callWithFailover`), and many fragments at once (`scatterGather`).
 * Both are generic over the call, so they serve SearchSegments, FetchRows and Health alike
 * and know nothing of gRPC beyond `isRetryable`.
 */
import { SqlError, SqlState } from '../../errors/sql-error.ts';
import { abortError, isRetryable, PeerUnavailableError } from './status-mapping.ts';

export interface AttemptOptions {
  readonly signal: AbortSignal;
  /** The caller's deadline, the same for every attempt. */
  readonly deadline?: number;
}

export interface FailoverOptions<R> {
  readonly signal?: AbortSignal;
  readonly deadline?: number;
  /** Called for each replica given up on, e.g. to mark it unhealthy. */
  readonly onFailover?: (replica: R, error: PeerUnavailableError) => void;
  /** For error messages: which replica is this (default String(replica)). */
  readonly describe?: (replica: R) => string;
}

/**
 * Calls `replicas` in order (the caller orders them by health and load) until one answers.
 * A retryable failure (PeerUnavailableError) moves on to the next replica within the same
 * deadline and signal; any other error is the answer. When every replica was unreachable
 * the error is a PeerUnavailableError listing each one's failure.
 */
export async function callWithFailover<R, T>(
  replicas: readonly R[],
  call: (replica: R, options: AttemptOptions) => Promise<T>,
  options: FailoverOptions<R> = {},
): Promise<T> {
  const signal = options.signal ?? new AbortController().signal;
  const describe = options.describe ?? String;
  const failures: string[] = [];
  let last: PeerUnavailableError | undefined;
  for (const replica of replicas) {
    if (signal.aborted) throw abortError(signal);
    if (options.deadline !== undefined && Date.now() >= options.deadline) {
      throw new SqlError(SqlState.QueryCanceled, 'canceling statement due to statement timeout');
    }
    try {
      return await call(replica, { signal, deadline: options.deadline });
    } catch (err) {
      if (!isRetryable(err)) throw err;
      last = err;
      failures.push(`${describe(replica)}: ${err.message}${err.detail ? ` (${err.detail})` : ''}`);
      options.onFailover?.(replica, err);
    }
  }
  if (!last) throw new SqlError(SqlState.InternalError, 'no replica to call');
  if (failures.length === 1) throw last;
  throw new PeerUnavailableError(
    last.peer,
    last.code,
    `no replica could be reached (${failures.length} tried)`,
    {
      detail: failures.join('; '),
    },
  );
}

/**
 * Runs `run` for every fragment at once and returns the results in fragment order. The
 * first failure (after a fragment's own failover) cancels the other fragments through the
 * signal they were given; so does the caller's signal. It returns or throws only after
 * every fragment has settled, so no call is left running behind the caller's back.
 */
export async function scatterGather<F, T>(
  fragments: readonly F[],
  run: (fragment: F, signal: AbortSignal, index: number) => Promise<T>,
  options: { readonly signal?: AbortSignal } = {},
): Promise<T[]> {
  const outer = options.signal;
  if (outer?.aborted) throw abortError(outer);
  const controller = new AbortController();
  const forward = () => controller.abort(abortError(outer!));
  outer?.addEventListener('abort', forward, { once: true });
  let firstError: { error: unknown } | undefined;
  try {
    const settled = await Promise.allSettled(
      fragments.map((fragment, index) =>
        Promise.resolve()
          .then(() => run(fragment, controller.signal, index))
          .catch((error: unknown) => {
            if (!firstError) {
              // The caller's abort wins over the errors it caused in the fragments.
              firstError = { error: outer?.aborted ? abortError(outer) : error };
              controller.abort(firstError.error);
            }
            throw error;
          }),
      ),
    );
    if (firstError) throw firstError.error;
    return settled.map((s) => (s as PromiseFulfilledResult<T>).value);
  } finally {
    outer?.removeEventListener('abort', forward);
  }
}
