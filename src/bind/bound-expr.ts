/**
 * Bound expressions: names resolved to row positions, every node typed, operators and
 * functions resolved to implementations. Produced by src/bind, compiled to closures by
 * src/exec/compile-expr.ts.
 */
import type { PlanNode } from '../plan/plan-nodes.ts';
import type { AggregateDef, EvalContext, FunctionDef } from '../types/registry-types.ts';
import type { SqlType, Value } from '../types/type.ts';

/** Implementation of a resolved operator/function: arguments already coerced. */
export type CallFn = (args: Value[], ctx: EvalContext) => Value;

export type BoundExpr =
  | { readonly kind: 'Const'; readonly type: SqlType; readonly value: Value }
  | { readonly kind: 'Param'; readonly type: SqlType; readonly index: number }
  /** A column of the current input row. */
  | {
      readonly kind: 'Column';
      readonly type: SqlType;
      readonly index: number;
      readonly name: string;
      /** FROM-item name it was resolved through (error messages). */
      readonly qualifier?: string;
    }
  /** A column of an enclosing query's row (correlated subquery, LATERAL): levels up ≥ 1. */
  | {
      readonly kind: 'Outer';
      readonly type: SqlType;
      readonly levels: number;
      readonly index: number;
      readonly name: string;
    }
  | {
      readonly kind: 'Call';
      readonly type: SqlType;
      /** Operator or function name, for EXPLAIN and the vector-search rule. */
      readonly name: string;
      readonly isOperator: boolean;
      readonly fn: CallFn;
      readonly args: readonly BoundExpr[];
      readonly strict: boolean;
      readonly volatile: boolean;
      /** The registry definition, for set-returning functions in FROM. */
      readonly def?: FunctionDef;
    }
  | { readonly kind: 'Cast'; readonly type: SqlType; readonly arg: BoundExpr; readonly explicit: boolean }
  | {
      readonly kind: 'And' | 'Or';
      readonly type: SqlType;
      readonly args: readonly BoundExpr[];
      /**
       * Set when the node is `x [NOT] IN (…)`: printed as PostgreSQL prints it,
       * `x = ANY (ARRAY[…])` / `x <> ALL (ARRAY[…])` (deparse-expr.ts).
       */
      readonly inList?: true;
    }
  | { readonly kind: 'Not'; readonly type: SqlType; readonly arg: BoundExpr }
  | { readonly kind: 'IsNull'; readonly type: SqlType; readonly arg: BoundExpr; readonly not: boolean }
  | {
      readonly kind: 'BoolTest';
      readonly type: SqlType;
      readonly arg: BoundExpr;
      readonly test: 'true' | 'not true' | 'false' | 'not false' | 'unknown' | 'not unknown';
    }
  | {
      readonly kind: 'Case';
      readonly type: SqlType;
      readonly whens: readonly { readonly when: BoundExpr; readonly then: BoundExpr }[];
      readonly else: BoundExpr | null;
    }
  | { readonly kind: 'Coalesce'; readonly type: SqlType; readonly args: readonly BoundExpr[] }
  | {
      readonly kind: 'MinMax';
      readonly type: SqlType;
      readonly op: 'greatest' | 'least';
      readonly args: readonly BoundExpr[];
      readonly compare: (a: Value, b: Value) => number;
    }
  | { readonly kind: 'ArrayCtor'; readonly type: SqlType; readonly elements: readonly BoundExpr[] }
  | {
      readonly kind: 'Subquery';
      readonly type: SqlType;
      readonly mode: 'scalar' | 'exists' | 'array';
      readonly plan: PlanNode;
    }
  | {
      /** x op ANY/ALL (subquery) — IN (subquery) is op '=' with ANY. */
      readonly kind: 'QuantifiedSubquery';
      readonly type: SqlType;
      readonly quantifier: 'any' | 'all';
      readonly arg: BoundExpr;
      readonly compare: CallFn;
      readonly plan: PlanNode;
    }
  | {
      /** x op ANY/ALL (array expression). */
      readonly kind: 'QuantifiedArray';
      readonly type: SqlType;
      readonly quantifier: 'any' | 'all';
      /** The comparison operator's name (EXPLAIN, shipping the filter to other nodes). */
      readonly operator: string;
      readonly arg: BoundExpr;
      readonly array: BoundExpr;
      readonly compare: CallFn;
    }
  | { readonly kind: 'AggRef'; readonly type: SqlType; readonly index: number }
  /** The value of window call `index` of the enclosing SELECT for the current row. */
  | { readonly kind: 'WindowRef'; readonly type: SqlType; readonly index: number }
  | {
      /** Engine-side function needing session access (nextval, current_setting, pg_sleep…). */
      readonly kind: 'SessionCall';
      readonly type: SqlType;
      readonly name: string;
      readonly args: readonly BoundExpr[];
      readonly impl: (args: Value[], env: SessionCallEnv) => Value;
    };

/** What engine-side functions may use at run time. */
export interface SessionCallEnv {
  readonly ctx: EvalContext;
  /**
   * pg_sleep: the statement's sleeps are added up and waited for (cancellably, within
   * statement_timeout) after the synchronous part of the statement ran.
   */
  deferSleep(ms: number): void;
}

/** One aggregate call collected while binding a SELECT with GROUP BY/aggregates. */
export interface AggCall {
  readonly def: AggregateDef;
  /** count(*) has no args. */
  readonly args: readonly BoundExpr[];
  readonly argTypes: readonly SqlType[];
  readonly distinct: boolean;
  readonly filter: BoundExpr | null;
  readonly orderBy: readonly SortKey[];
  readonly type: SqlType;
  readonly star: boolean;
  readonly name: string;
}

/** Window functions computed by the executor itself (the rest are aggregates over a frame). */
export type WindowFunctionName =
  | 'row_number'
  | 'rank'
  | 'dense_rank'
  | 'percent_rank'
  | 'cume_dist'
  | 'ntile'
  | 'lag'
  | 'lead'
  | 'first_value'
  | 'last_value'
  | 'nth_value';

/** One `f(...) OVER (PARTITION BY … ORDER BY …)` of a SELECT. */
export interface WindowCall {
  /** A window function, or an aggregate evaluated over the frame. */
  readonly fn:
    | { readonly kind: 'window'; readonly name: WindowFunctionName }
    | { readonly kind: 'aggregate'; readonly call: AggCall };
  readonly args: readonly BoundExpr[];
  readonly partitionBy: readonly BoundExpr[];
  readonly orderBy: readonly SortKey[];
  readonly frame: { readonly mode: 'range' | 'rows'; readonly end: 'current row' | 'unbounded following' };
  readonly type: SqlType;
}

export interface SortKey {
  readonly expr: BoundExpr;
  readonly desc: boolean;
  readonly nullsFirst: boolean;
  readonly compare: (a: Value, b: Value) => number;
}
