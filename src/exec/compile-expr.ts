/**
 * Compiles bound expressions into closures `(row, env) => value`, so the per-row cost is
 * plain function calls, not tree interpretation. SQL three-valued logic lives here.
 */
import type { BoundExpr } from '../bind/bound-expr.ts';
import { SqlError, SqlState } from '../errors/sql-error.ts';
import { castValue } from '../types/resolve.ts';
import type { Value } from '../types/type.ts';
import { arrayElements, makeArray } from './array-values.ts';
import type { ExecEnv } from './exec-env.ts';

export type Compiled = (row: Value[], env: ExecEnv) => Value;

/**
 * Compiled expressions by the bound expression they came from. A compiled expression holds
 * no state of its own (parameters, outer rows and subqueries come through `env`), so a
 * prepared statement's plan is compiled once, not at every execution.
 */
const compiledOf = new WeakMap<BoundExpr, Compiled>();

export function compileExpr(e: BoundExpr): Compiled {
  let compiled = compiledOf.get(e);
  if (!compiled) {
    compiled = compile(e);
    compiledOf.set(e, compiled);
  }
  return compiled;
}

function compile(e: BoundExpr): Compiled {
  switch (e.kind) {
    case 'Const': {
      const v = e.value;
      return () => v;
    }
    case 'Param': {
      const i = e.index;
      return (_row, env) => env.params[i];
    }
    case 'Column': {
      const i = e.index;
      return (row) => row[i];
    }
    case 'Outer': {
      const level = e.levels - 1;
      const i = e.index;
      return (_row, env) => env.outer[level][i];
    }
    case 'Call': {
      const args = e.args.map(compileExpr);
      const fn = e.fn;
      const n = args.length;
      if (e.strict) {
        if (n === 2) {
          const [a, b] = args;
          return (row, env) => {
            const x = a(row, env);
            if (x === null) return null;
            const y = b(row, env);
            if (y === null) return null;
            return fn([x, y], env.ctx);
          };
        }
        return (row, env) => {
          const vals = new Array<Value>(n);
          for (let i = 0; i < n; i++) {
            const v = args[i](row, env);
            if (v === null) return null;
            vals[i] = v;
          }
          return fn(vals, env.ctx);
        };
      }
      return (row, env) =>
        fn(
          args.map((a) => a(row, env)),
          env.ctx,
        );
    }
    case 'SessionCall': {
      const args = e.args.map(compileExpr);
      const impl = e.impl;
      return (row, env) =>
        impl(
          args.map((a) => a(row, env)),
          env,
        );
    }
    case 'Cast': {
      const arg = compileExpr(e.arg);
      const from = e.arg.type;
      const to = e.type;
      const explicit = e.explicit;
      return (row, env) => {
        const v = arg(row, env);
        return v === null ? null : castValue(v, from, to, env.ctx, explicit);
      };
    }
    case 'And': {
      const args = e.args.map(compileExpr);
      return (row, env) => {
        let sawNull = false;
        for (const a of args) {
          const v = a(row, env);
          if (v === false) return false;
          if (v === null) sawNull = true;
        }
        return sawNull ? null : true;
      };
    }
    case 'Or': {
      const args = e.args.map(compileExpr);
      return (row, env) => {
        let sawNull = false;
        for (const a of args) {
          const v = a(row, env);
          if (v === true) return true;
          if (v === null) sawNull = true;
        }
        return sawNull ? null : false;
      };
    }
    case 'Not': {
      const arg = compileExpr(e.arg);
      return (row, env) => {
        const v = arg(row, env);
        return v === null ? null : !v;
      };
    }
    case 'IsNull': {
      const arg = compileExpr(e.arg);
      const not = e.not;
      return (row, env) => (arg(row, env) === null) !== not;
    }
    case 'BoolTest': {
      const arg = compileExpr(e.arg);
      const test = e.test;
      return (row, env) => {
        const v = arg(row, env);
        switch (test) {
          case 'true':
            return v === true;
          case 'not true':
            return v !== true;
          case 'false':
            return v === false;
          case 'not false':
            return v !== false;
          case 'unknown':
            return v === null;
          case 'not unknown':
            return v !== null;
        }
      };
    }
    case 'Case': {
      const whens = e.whens.map((w) => ({ when: compileExpr(w.when), then: compileExpr(w.then) }));
      const otherwise = e.else ? compileExpr(e.else) : () => null;
      return (row, env) => {
        for (const w of whens) if (w.when(row, env) === true) return w.then(row, env);
        return otherwise(row, env);
      };
    }
    case 'Coalesce': {
      const args = e.args.map(compileExpr);
      return (row, env) => {
        for (const a of args) {
          const v = a(row, env);
          if (v !== null) return v;
        }
        return null;
      };
    }
    case 'MinMax': {
      const args = e.args.map(compileExpr);
      const sign = e.op === 'greatest' ? 1 : -1;
      const compare = e.compare;
      return (row, env) => {
        let best: Value = null;
        for (const a of args) {
          const v = a(row, env);
          if (v !== null && (best === null || sign * compare(v, best) > 0)) best = v;
        }
        return best;
      };
    }
    case 'ArrayCtor': {
      const elements = e.elements.map(compileExpr);
      const type = e.type;
      return (row, env) =>
        makeArray(
          type,
          elements.map((el) => el(row, env)),
        );
    }
    case 'Subquery': {
      const plan = e.plan;
      const mode = e.mode;
      const type = e.type;
      return (row, env) => {
        const rows = env.runSubquery(plan, row, env, mode === 'exists' ? 1 : mode === 'scalar' ? 2 : 0);
        if (mode === 'exists') return rows.length > 0;
        if (mode === 'array')
          return makeArray(
            type,
            rows.map((r) => r[0]),
          );
        if (rows.length > 1) {
          throw new SqlError(
            SqlState.CardinalityViolation,
            'more than one row returned by a subquery used as an expression',
          );
        }
        return rows.length === 0 ? null : rows[0][0];
      };
    }
    case 'QuantifiedSubquery': {
      const arg = compileExpr(e.arg);
      const compare = e.compare;
      const any = e.quantifier === 'any';
      const plan = e.plan;
      return (row, env) => {
        const x = arg(row, env);
        const rows = env.runSubquery(plan, row, env, 0);
        return quantified(
          x,
          rows.map((r) => r[0]),
          compare,
          any,
          env,
        );
      };
    }
    case 'QuantifiedArray': {
      const arg = compileExpr(e.arg);
      const array = compileExpr(e.array);
      const compare = e.compare;
      const any = e.quantifier === 'any';
      return (row, env) => {
        const arr = array(row, env);
        if (arr === null) return null;
        return quantified(arg(row, env), arrayElements(arr), compare, any, env);
      };
    }
    case 'AggRef':
      throw new Error('aggregate reference outside an aggregate context');
    case 'WindowRef':
      throw new Error('window reference outside a window context');
  }
}

/** x op ANY/ALL (values) with SQL null semantics. */
function quantified(
  x: Value,
  values: Value[],
  compare: (args: Value[], ctx: ExecEnv['ctx']) => Value,
  any: boolean,
  env: ExecEnv,
): Value {
  if (values.length === 0) return !any;
  if (x === null) return null;
  let sawNull = false;
  for (const v of values) {
    const r = v === null ? null : compare([x, v], env.ctx);
    if (r === null) sawNull = true;
    else if (r === any) return any;
  }
  return sawNull ? null : !any;
}
