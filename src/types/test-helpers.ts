/**
 * Helpers for the src/types unit tests: evaluate operators, functions and aggregates the
 * way the binder/executor will (resolve, coerce arguments with castValue, call), starting
 * from SQL literal text so expectations read like psql sessions.
 */
import './index.ts';
import { defaultEvalContext } from './eval-context.ts';
import type { EvalContext } from './registry-types.ts';
import { castValue, resolveAggregate, resolveFunction, resolveOperator } from './resolve.ts';
import type { SqlType, Value } from './type.ts';
import { T } from './type.ts';
import { textIn, textOut } from './value-io.ts';

export const ctx: EvalContext = defaultEvalContext({ transactionTimestamp: 0, statementTimestamp: 0 });

/** A typed argument: [literal text or null, type]; type unknown = untyped literal. */
export type Arg = [string | null, SqlType];

const parse = ([text, type]: Arg): Value =>
  text === null ? null : type === T.unknown ? text : textIn(type, text, ctx);

export function show(type: SqlType, v: Value): string | null {
  return v === null || v === undefined ? null : textOut(type, v, ctx);
}

export function op(name: string, left: Arg | null, right: Arg): string | null {
  const r = resolveOperator(name, left ? left[1] : null, right[1]);
  const l = left ? castValue(parse(left), left[1], r.leftType!, ctx, false) : null;
  const rv = castValue(parse(right), right[1], r.rightType, ctx, false);
  if ((r.def.strict ?? true) && ((left && l === null) || rv === null)) return null;
  const fn = r.def.specialize ? r.def.specialize(r.argTypes) : r.def.fn;
  return show(r.resultType, fn(l, rv, ctx));
}

export function call(name: string, ...args: Arg[]): string | null {
  const r = resolveFunction(
    name,
    args.map((a) => a[1]),
  );
  const vals = args.map((a, i) => castValue(parse(a), a[1], r.argTypes[i], ctx, false));
  if ((r.def.strict ?? true) && vals.some((v) => v === null)) return null;
  const out = r.def.fn(vals, ctx, r.argTypes);
  if (r.def.returnsSet) return (out as Value[]).map((v) => show(r.resultType, v)).join('|');
  return show(r.resultType, out);
}

/** Runs an aggregate over rows of one-or-more arguments. */
export function aggregate(name: string, types: SqlType[], rows: (string | null)[][]): string | null {
  const r = resolveAggregate(name, types);
  let state = r.def.init(r.argTypes);
  for (const row of rows) {
    const vals = row.map((t, i) => castValue(parse([t, types[i]]), types[i], r.argTypes[i], ctx, false));
    if ((r.def.strict ?? true) && vals.some((v) => v === null)) continue;
    state = r.def.step(state, vals, ctx);
  }
  return show(r.resultType, r.def.final(state, ctx));
}

/** The thrown SqlError's code and message (and detail/hint when asked), for toEqual checks. */
export function err(f: () => unknown): { code: string; message: string; detail?: string; hint?: string } {
  try {
    f();
  } catch (e) {
    const x = e as { code: string; message: string; detail?: string; hint?: string };
    return {
      code: x.code,
      message: x.message,
      ...(x.detail ? { detail: x.detail } : {}),
      ...(x.hint ? { hint: x.hint } : {}),
    };
  }
  throw new Error('expected an error');
}
