/**
 * PREPARE's parameter types and EXECUTE's arguments. The statements themselves are kept
 * by the session beside the extended protocol's named statements: PostgreSQL has one
 * namespace for both, so `EXECUTE` runs a statement a driver prepared and Parse refuses a
 * name a PREPARE took.
 */
import type { BindContext } from '../bind/bind-context.ts';
import { bindExpr, type ExprOptions } from '../bind/bind-expr.ts';
import type { BoundExpr } from '../bind/bound-expr.ts';
import { tryCoerce, typeDisplayName } from '../bind/coercion.ts';
import { resolveTypeName } from '../bind/resolve-type-name.ts';
import { Scope } from '../bind/scope.ts';
import { SqlError, SqlState } from '../errors/sql-error.ts';
import { compileExpr } from '../exec/compile-expr.ts';
import { staticEnv } from '../exec/static-env.ts';
import type { ExecuteStmt, PrepareStmt } from '../sql/ast-prepare.ts';
import type { EvalContext } from '../types/registry-types.ts';
import { type SqlType, sqlType, T, type Value } from '../types/type.ts';

/**
 * PREPARE's declared types, then `unknown` for each further $n the statement uses (the
 * binder infers them). A parameter has no typmod in PostgreSQL: `vector(3)` declares a
 * vector of any dimension.
 */
export function declaredParameterTypes(stmt: PrepareStmt, bc: BindContext): SqlType[] {
  const types = stmt.paramTypes.map((t) => {
    const type = resolveTypeName(t, bc);
    return sqlType(type.base, -1, type.isArray);
  });
  while (types.length < stmt.paramCount) types.push(T.unknown);
  return types;
}

export function noSuchPreparedStatement(name: string): SqlError {
  return new SqlError(SqlState.InvalidSqlStatementName, `prepared statement "${name}" does not exist`);
}

/**
 * EXECUTE's arguments evaluated and converted to the statement's parameter types, with
 * assignment casts as PostgreSQL's EvaluateParams allows (2.6 → 3 for an integer, any type
 * → text). The arguments see no table, no subquery and no parameters of their own.
 */
export function executeArguments(
  stmt: ExecuteStmt,
  paramTypes: readonly SqlType[],
  bc: BindContext,
  ctx: EvalContext,
): Value[] {
  // PostgreSQL looks at the arguments only when the statement has parameters: `EXECUTE q(1)`
  // of a statement without any runs it, the argument unread.
  if (paramTypes.length === 0) return [];
  if (stmt.args.length !== paramTypes.length) {
    throw new SqlError(
      SqlState.SyntaxError,
      `wrong number of parameters for prepared statement "${stmt.name}"`,
      {
        detail: `Expected ${paramTypes.length} parameters but got ${stmt.args.length}.`,
      },
    );
  }
  if (stmt.strayParam) {
    throw new SqlError(SqlState.UndefinedParameter, `there is no parameter $${stmt.strayParam.index}`, {
      position: stmt.strayParam.loc + 1,
    });
  }
  const opts: ExprOptions = {
    aggs: null,
    clause: 'EXECUTE parameters',
    bindSubquery: () => {
      throw new SqlError(SqlState.FeatureNotSupported, 'cannot use subquery in EXECUTE parameter');
    },
  };
  const scope = new Scope([]);
  const env = staticEnv(ctx);
  return stmt.args.map((arg, i) => {
    const bound = bindExpr(arg, scope, bc, opts);
    const target = paramTypes[i];
    let coerced: BoundExpr | null;
    try {
      coerced = tryCoerce(bound, target, 'assignment', bc, ctx);
    } catch (err) {
      // A literal the type's input function refused ('abc' for an integer): point at it.
      throw err instanceof SqlError ? err.at(arg.loc + 1) : err;
    }
    if (!coerced) {
      throw new SqlError(
        SqlState.DatatypeMismatch,
        `parameter $${i + 1} of type ${typeDisplayName(bound.type)} cannot be coerced to the expected type ${typeDisplayName(target)}`,
        { position: arg.loc + 1, hint: 'You will need to rewrite or cast the expression.' },
      );
    }
    return compileExpr(coerced)([], env);
  });
}
