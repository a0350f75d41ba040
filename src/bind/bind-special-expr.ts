/**
 * Binds the expression forms that PostgreSQL's grammar treats specially: CASE, IN lists,
 * BETWEEN, subqueries, COALESCE/NULLIF/GREATEST/LEAST, ARRAY[], subscripts and SQL value
 * functions (CURRENT_TIMESTAMP, CURRENT_USER …).
 */
import { SqlError, SqlState } from '../errors/sql-error.ts';
import type { Expr } from '../sql/ast.ts';
import { compareValues } from '../types/compare.ts';
import type { RecordValue } from '../types/record.ts';
import { arrayOf, elementOf, type SqlType, T, type Value } from '../types/type.ts';
import { typeDisplayName } from '../types/value-io.ts';
import type { BindContext } from './bind-context.ts';
import { bindExpr, bindFunctionCall, bindOperator, type ExprOptions } from './bind-expr.ts';
import type { BoundExpr } from './bound-expr.ts';
import { coerceBoolean, commonType, tryCoerce } from './coercion.ts';
import type { Scope } from './scope.ts';

function coerceAll(exprs: BoundExpr[], what: string, bc: BindContext, loc: number): BoundExpr[] {
  const type = commonType(exprs, what, loc);
  return exprs.map((e) => {
    const out = tryCoerce(e, type, 'implicit', bc);
    if (!out) {
      throw new SqlError(
        SqlState.DatatypeMismatch,
        `${what} could not convert type ${e.type.base} to ${type.base}`,
        {
          position: loc + 1,
        },
      );
    }
    return out;
  });
}

/**
 * `(expr).field` on a record whose fields the binder knows (FieldSelect in PostgreSQL),
 * with PostgreSQL's errors for non-composite types and unknown fields.
 */
function selectField(arg: BoundExpr, field: string, loc: number): BoundExpr {
  if (arg.type.base !== 'record' || arg.type.isArray) {
    throw new SqlError(
      SqlState.WrongObjectType,
      `column notation .${field} applied to type ${typeDisplayName(arg.type)}, which is not a composite type`,
      { position: loc + 1 },
    );
  }
  const index = arg.type.fields?.findIndex((f) => f.name === field) ?? -1;
  if (index < 0) {
    throw new SqlError(SqlState.UndefinedColumn, `could not identify column "${field}" in record data type`, {
      position: loc + 1,
    });
  }
  return {
    kind: 'Call',
    type: arg.type.fields![index].type,
    name: `.${field}`,
    isOperator: false,
    fn: ([record]) => (record as RecordValue).values[index] ?? null,
    args: [arg],
    strict: true,
    volatile: false,
  };
}

function and(args: BoundExpr[]): BoundExpr {
  return args.length === 1 ? args[0] : { kind: 'And', type: T.bool, args };
}

function or(args: BoundExpr[]): BoundExpr {
  return args.length === 1 ? args[0] : { kind: 'Or', type: T.bool, args };
}

const VECTOR_ELEMENTS: Partial<Record<string, SqlType>> = { int2vector: T.int2, oidvector: T.oid };

export function bindSpecialExpr(e: Expr, scope: Scope, bc: BindContext, opts: ExprOptions): BoundExpr {
  const bind = (x: Expr) => bindExpr(x, scope, bc, opts);
  switch (e.kind) {
    case 'Case': {
      const arg = e.arg ? bind(e.arg) : null;
      const conds = e.whens.map((w) =>
        arg
          ? bindOperator('=', arg, bind(w.when), bc, w.when.loc)
          : coerceBoolean(bind(w.when), bc, 'CASE/WHEN', w.when.loc),
      );
      const results = [...e.whens.map((w) => bind(w.then)), ...(e.else ? [bind(e.else)] : [])];
      const coerced = coerceAll(results, 'CASE', bc, e.loc);
      const type = coerced.length > 0 ? coerced[0].type : T.text;
      return {
        kind: 'Case',
        type,
        whens: conds.map((when, i) => ({ when, then: coerced[i] })),
        else: e.else ? coerced[coerced.length - 1] : null,
      };
    }
    case 'InList': {
      const arg = bind(e.arg);
      const tests = e.list.map((item) => bindOperator(e.not ? '<>' : '=', arg, bind(item), bc, e.loc));
      const test = e.not ? and(tests) : or(tests);
      return test.kind === 'And' || test.kind === 'Or' ? { ...test, inList: true } : test;
    }
    case 'Between': {
      const arg = bind(e.arg);
      const low = bind(e.low);
      const high = bind(e.high);
      const inRange = (lo: BoundExpr, hi: BoundExpr) =>
        and([bindOperator('>=', arg, lo, bc, e.loc), bindOperator('<=', arg, hi, bc, e.loc)]);
      let test = inRange(low, high);
      if (e.symmetric) test = or([test, inRange(high, low)]);
      return e.not ? { kind: 'Not', type: T.bool, arg: test } : test;
    }
    case 'SubLink': {
      const plan = opts.bindSubquery(e.query, scope);
      if (e.linkType === 'exists') return { kind: 'Subquery', type: T.bool, mode: 'exists', plan };
      if (e.linkType === 'expr' || e.linkType === 'array') {
        if (plan.columns.length !== 1) {
          throw new SqlError(SqlState.SyntaxError, 'subquery must return only one column', {
            position: e.loc + 1,
          });
        }
        const t = plan.columns[0].type;
        return e.linkType === 'expr'
          ? { kind: 'Subquery', type: t, mode: 'scalar', plan }
          : { kind: 'Subquery', type: arrayOf(t), mode: 'array', plan };
      }
      if (plan.columns.length !== 1) {
        throw new SqlError(SqlState.SyntaxError, 'subquery has too many columns', { position: e.loc + 1 });
      }
      const arg = bind(e.test!);
      const probe = bindOperator(
        e.op ?? '=',
        arg,
        { kind: 'Column', type: plan.columns[0].type, index: 0, name: plan.columns[0].name },
        bc,
        e.loc,
      );
      if (probe.kind !== 'Call') throw new Error('operator binding produced a non-call');
      return {
        kind: 'QuantifiedSubquery',
        type: T.bool,
        quantifier: e.linkType,
        arg: probe.args[0],
        compare: probe.fn,
        plan,
      };
    }
    case 'Coalesce': {
      const args = coerceAll(e.args.map(bind), 'COALESCE', bc, e.loc);
      return { kind: 'Coalesce', type: args[0].type, args };
    }
    case 'NullIf': {
      const left = bind(e.left);
      const eq = bindOperator('=', left, bind(e.right), bc, e.loc);
      return {
        kind: 'Case',
        type: left.type.base === 'unknown' ? T.text : left.type,
        whens: [{ when: eq, then: { kind: 'Const', type: left.type, value: null } }],
        else: left,
      };
    }
    case 'MinMax': {
      const args = coerceAll(e.args.map(bind), e.op.toUpperCase(), bc, e.loc);
      const type = args[0].type;
      return {
        kind: 'MinMax',
        type,
        op: e.op,
        args,
        compare: (a: Value, b: Value) => compareValues(type, a, b),
      };
    }
    case 'Array': {
      const elements = e.elements.map(bind);
      if (elements.length === 0) return { kind: 'ArrayCtor', type: T.unknown, elements };
      const coerced = coerceAll(elements, 'ARRAY', bc, e.loc);
      const t = coerced[0].type;
      return { kind: 'ArrayCtor', type: t.isArray ? t : arrayOf(t), elements: coerced };
    }
    case 'Subscript': {
      const arg = bind(e.arg);
      if (e.subscripts.length === 0) return e.fields.reduce((r, f) => selectField(r, f, e.loc), arg);
      if (e.fields.length > 0 || e.subscripts.some((s) => s.slice)) {
        throw new SqlError(
          SqlState.FeatureNotSupported,
          'array slices and field selection are not supported',
          {
            position: e.loc + 1,
          },
        );
      }
      // int2vector and oidvector subscript like the (zero-based) arrays they are.
      const vectorElement = VECTOR_ELEMENTS[arg.type.base];
      if (!arg.type.isArray && !vectorElement) {
        throw new SqlError(
          SqlState.DatatypeMismatch,
          `cannot subscript type ${arg.type.base} because it does not support subscripting`,
          { position: e.loc + 1 },
        );
      }
      const subs = e.subscripts.map((s) => tryCoerce(bind(s.upper ?? s.lower!), T.int4, 'implicit', bc)!);
      return bc.sessionFunctions.subscript(arg, subs, vectorElement ?? elementOf(arg.type));
    }
    case 'SqlValue':
      return bc.sessionFunctions.sqlValue(e.name, bc, e.loc);
    case 'Row':
      throw new SqlError(SqlState.FeatureNotSupported, 'row constructors are not supported', {
        position: e.loc + 1,
      });
    case 'Star':
      throw new SqlError(SqlState.SyntaxError, 'row expansion via "*" is not supported here', {
        position: e.loc + 1,
      });
    case 'Default':
      throw new SqlError(SqlState.SyntaxError, 'DEFAULT is not allowed in this context', {
        position: e.loc + 1,
      });
    case 'Func':
      return bindFunctionCall(e, scope, bc, opts);
    default:
      throw new SqlError(SqlState.FeatureNotSupported, `expression kind ${e.kind} is not supported`, {
        position: e.loc + 1,
      });
  }
}
