/**
 * Bounded retries with jittered exponential backoff for S3 calls, and which failures are
 * worth retrying: the network, 5xx and throttling — never 4xx answers such as NoSuchKey
 * or AccessDenied, which another attempt would only repeat.
 */
import { setTimeout as sleep } from 'node:timers/promises';

export interface RetryPolicy {
  /** Attempts in total, including the first. */
  readonly attempts: number;
  readonly baseDelayMs: number;
  readonly maxDelayMs: number;
}

export type RetryOutcome<T> =
  | { readonly ok: true; readonly value: T }
  | { readonly ok: false; readonly error: unknown; readonly attempts: number };

export async function withRetry<T>(
  policy: RetryPolicy,
  isTransient: (error: unknown) => boolean,
  run: () => Promise<T>,
): Promise<RetryOutcome<T>> {
  for (let attempt = 1; ; attempt++) {
    try {
      return { ok: true, value: await run() };
    } catch (error) {
      if (attempt >= policy.attempts || !isTransient(error)) return { ok: false, error, attempts: attempt };
      // Full backoff halved-to-full at random, so clients failing together do not retry together.
      const delay = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1));
      await sleep(delay * (0.5 + Math.random() / 2));
    }
  }
}

const TRANSIENT_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'EPIPE',
  'ETIMEDOUT',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
]);

const TRANSIENT_NAMES = new Set([
  'TimeoutError',
  'RequestTimeout',
  'RequestTimeoutException',
  'SlowDown',
  'Throttling',
  'ThrottlingException',
  'TooManyRequestsException',
  'InternalError',
  'ServiceUnavailable',
]);

interface ErrorShape {
  readonly name?: string;
  readonly code?: string;
  readonly $metadata?: { readonly httpStatusCode?: number };
  readonly $retryable?: unknown;
  /** AggregateError: Node 20 tries every address of "localhost" and reports them together. */
  readonly errors?: readonly unknown[];
}

export function isTransientS3Error(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const shape = error as ErrorShape;
  const status = shape.$metadata?.httpStatusCode;
  if (status !== undefined && (status >= 500 || status === 429)) return true;
  if (shape.$retryable) return true;
  if (shape.name !== undefined && TRANSIENT_NAMES.has(shape.name)) return true;
  if (shape.code !== undefined && TRANSIENT_CODES.has(shape.code)) return true;
  return shape.errors?.some(isTransientS3Error) ?? false;
}
