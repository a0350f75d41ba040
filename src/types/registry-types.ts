/**
 * Shapes of the type/operator/function/aggregate/cast catalogs that src/types fills in and
 * src/bind resolves against. Implementations register themselves in src/types/registry.ts.
 */
import type { BaseTypeName, SqlType, Value } from './type.ts';

/** Session state that value I/O and functions depend on. */
export interface EvalContext {
  /** 'ISO, MDY' etc.; only ISO output is required. */
  readonly dateStyle: string;
  /** IANA zone or 'UTC'; timestamptz text output uses it. */
  readonly timeZone: string;
  /** extra_float_digits (default 1 → shortest round-trip output). */
  readonly extraFloatDigits: number;
  /** Statement start time in µs since 2000-01-01 UTC (now(), current_timestamp). */
  readonly statementTimestamp: number;
  /** Transaction start time in µs since 2000-01-01 UTC. */
  readonly transactionTimestamp: number;
  /** Sends a NOTICE/WARNING to the client (e.g. pgvector index build notices). */
  notice?(severity: 'NOTICE' | 'WARNING', message: string, detail?: string): void;
  /** default_text_search_config: the configuration to_tsvector(text) and friends use. */
  readonly textSearchConfig?: string;
  /** Catalog lookups for regclass/regnamespace/regrole text I/O; without them only OIDs work. */
  readonly objectNames?: ObjectNames;
}

/**
 * Names ↔ OIDs of catalog objects, as the reg* types' input and output functions look them
 * up (regclassin searches the search path; regclassout qualifies a name that is not visible).
 * Input functions throw PostgreSQL's "does not exist" errors; output returns undefined for
 * OIDs without an object, which then print as numbers.
 */
export interface ObjectNames {
  relationOid(name: string): number;
  relationName(oid: number): string | undefined;
  namespaceOid(name: string): number;
  namespaceName(oid: number): string | undefined;
  roleOid(name: string): number;
  roleName(oid: number): string | undefined;
  /** regprocin: a function name that must be unique (42883 none, 42725 several). */
  procOid(name: string): number;
  procName(oid: number): string | undefined;
  /** regoperatorin: `name(left,right)`, NONE for a missing operand (42883 when none matches). */
  operatorOid(text: string): number;
  operatorName(oid: number): string | undefined;
}

/** pg_type facts plus text/binary I/O for one base type. */
export interface TypeInfo {
  readonly name: BaseTypeName;
  readonly oid: number;
  /** OID of the array type (_name); 0 if none. */
  readonly arrayOid: number;
  /** typlen: fixed size in bytes, -1 varlena, -2 cstring. */
  readonly length: number;
  /** typcategory: 'B' bool, 'N' numeric, 'S' string, 'D' datetime, 'U' user, 'A' array, 'V' bitstring, 'T' timespan, 'X' unknown, 'P' pseudo. */
  readonly category: string;
  /** typispreferred within its category. */
  readonly preferred: boolean;
  /** Parses the text form. `typmod` applies length/dimension checks (22P02/22000/22001…). */
  textIn(text: string, typmod: number, ctx: EvalContext): Value;
  textOut(value: Value, ctx: EvalContext): string;
  binaryIn(bytes: Uint8Array, typmod: number): Value;
  binaryOut(value: Value): Uint8Array;
  /** Applies a typmod to an already-typed value (assignment/cast to vector(3), varchar(5)…). */
  applyTypmod?(value: Value, typmod: number, explicit: boolean): Value;
  /** format_type() text for this type and typmod, e.g. 'character varying(10)', 'vector(3)'. */
  formatType(typmod: number): string;
  /** Parses a typmod list as written in SQL (`vector(3)` → [3]) into the stored typmod. */
  typmodIn?(mods: readonly number[]): number;
}

/** When a cast may be applied without being written: as pg_cast.castcontext. */
export type CastContext = 'implicit' | 'assignment' | 'explicit';

export interface CastDef {
  readonly from: BaseTypeName;
  readonly to: BaseTypeName;
  readonly context: CastContext;
  /** Converts a non-null value. `target` carries the typmod to enforce. */
  readonly fn: (value: Value, target: SqlType, ctx: EvalContext, explicit: boolean) => Value;
}

/** A function's result type: fixed, or computed from the argument types (polymorphism). */
export type ResultType = SqlType | ((args: readonly SqlType[]) => SqlType);

export interface FunctionDef {
  readonly name: string;
  /** Declared argument types; pseudo-types 'any'/'anyelement'/'anyarray'/'anycompatible' allowed. */
  readonly args: readonly (BaseTypeName | SqlType)[];
  /** When set, extra trailing arguments of this type are accepted. */
  readonly variadic?: BaseTypeName;
  readonly result: ResultType;
  /** Strict functions return NULL when any argument is NULL, without being called. Default true. */
  readonly strict?: boolean;
  /** Volatile functions (now(), random()) are never constant-folded. */
  readonly volatile?: boolean;
  /** Returns a set (SRF) — fn returns an array of values (e.g. generate_series, unnest). */
  readonly returnsSet?: boolean;
  readonly fn: (args: Value[], ctx: EvalContext, argTypes: readonly SqlType[]) => Value;
  /** pg_proc facts for \df (filled in by the catalog when absent). */
  readonly oid?: number;
}

/** Binary (left+right) or prefix (left null) operator. */
export interface OperatorDef {
  readonly name: string;
  readonly left: BaseTypeName | SqlType | null;
  readonly right: BaseTypeName | SqlType;
  readonly result: ResultType;
  readonly fn: (left: Value, right: Value, ctx: EvalContext) => Value;
  /** Default true: NULL in → NULL out. */
  readonly strict?: boolean;
  readonly oid?: number;
  /**
   * Optional: returns an implementation for the resolved argument types ([right] for prefix
   * operators), for operators whose behaviour depends on an operand's type (text ||
   * anynonarray prints the other operand with its output function). Binders should call it
   * once when present and use its result instead of `fn`; `fn` remains a best-effort fallback.
   */
  readonly specialize?: (
    argTypes: readonly SqlType[],
  ) => (left: Value, right: Value, ctx: EvalContext) => Value;
}

export interface AggregateDef {
  readonly name: string;
  readonly args: readonly (BaseTypeName | SqlType)[];
  readonly result: ResultType;
  /** Default true: NULL inputs are skipped (as PostgreSQL's strict transition functions). */
  readonly strict?: boolean;
  init(argTypes: readonly SqlType[]): unknown;
  /** Returns the new state (may mutate and return the old one). */
  step(state: unknown, args: Value[], ctx: EvalContext): unknown;
  /** Returns the aggregate result; `rows` = number of non-skipped inputs. */
  final(state: unknown, ctx: EvalContext): Value;
}
