/**
 * A default EvalContext (PostgreSQL's defaults: DateStyle ISO, MDY; TimeZone UTC;
 * extra_float_digits 1) for tests, constant folding and tools without a session.
 */

import type { EvalContext } from './registry-types.ts';
import { PG_EPOCH_MS } from './time-zone.ts';

/** Current time as µs since 2000-01-01 UTC. */
export function nowMicros(): number {
  return (Date.now() - PG_EPOCH_MS) * 1000;
}

export function defaultEvalContext(overrides: Partial<EvalContext> = {}): EvalContext {
  const now = nowMicros();
  return {
    dateStyle: 'ISO, MDY',
    timeZone: 'UTC',
    extraFloatDigits: 1,
    statementTimestamp: now,
    transactionTimestamp: now,
    ...overrides,
  };
}
