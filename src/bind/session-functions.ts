/**
 * Functions whose results depend on the session or catalog (nextval, current_setting,
 * pg_sleep, version(), current_user, …). The engine implements this interface; the binder
 * asks it first, before the pure function registry.
 */
import type { SqlValueExpr } from '../sql/ast.ts';
import type { SqlType } from '../types/type.ts';
import type { BindContext } from './bind-context.ts';
import type { BoundExpr } from './bound-expr.ts';

export interface SessionFunctions {
  /** A bound call when `name` is an engine-side function, else undefined. */
  resolve(name: string, args: readonly BoundExpr[], bc: BindContext, loc: number): BoundExpr | undefined;
  sqlValue(name: SqlValueExpr['name'], bc: BindContext, loc: number): BoundExpr;
  subscript(array: BoundExpr, subscripts: readonly BoundExpr[], elementType: SqlType): BoundExpr;
}
