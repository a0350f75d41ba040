import { expect } from 'vitest';
import { SqlError } from '../../../errors/sql-error.ts';

/** The SqlError `promise` rejects with; fails the test when it resolves or rejects otherwise. */
export async function rejection(promise: Promise<unknown>): Promise<SqlError> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(SqlError);
  return err as SqlError;
}
