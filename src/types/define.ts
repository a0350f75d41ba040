/**
 * Shorthand for registering built-in functions: `def('lower', ['text'], T.text, ([s]) => …)`.
 * Keeps the function tables in functions-*.ts one line per overload.
 */
import { registerFunction } from './registry.ts';
import type { EvalContext, FunctionDef, ResultType } from './registry-types.ts';
import type { BaseTypeName, SqlType, Value } from './type.ts';

export type Impl = (args: Value[], ctx: EvalContext, argTypes: readonly SqlType[]) => Value;

export function def(
  name: string,
  args: readonly (BaseTypeName | SqlType)[],
  result: ResultType,
  fn: Impl,
  opts: Partial<Pick<FunctionDef, 'strict' | 'volatile' | 'returnsSet' | 'variadic'>> = {},
): void {
  registerFunction({ name, args, result, fn, ...opts });
}

/** Registers the same implementation under several names (ceil/ceiling, pow/power). */
export function defAll(
  names: readonly string[],
  args: readonly (BaseTypeName | SqlType)[],
  result: ResultType,
  fn: Impl,
  opts: Partial<Pick<FunctionDef, 'strict' | 'volatile' | 'returnsSet' | 'variadic'>> = {},
): void {
  for (const n of names) def(n, args, result, fn, opts);
}
