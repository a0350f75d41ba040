/**
 * Registers everything `CREATE EXTENSION vector` creates, plus PostgreSQL's bit/varbit
 * types that pgvector builds on: types, casts, functions, operators and the avg/sum
 * aggregates. Import once for its side effect (`import './register-vector.ts'`).
 *
 * Casts between a vector type and an SQL array (int4[]/real[]/float8[]/numeric[] →
 * vector/halfvec/sparsevec, vector/halfvec → real[]) cannot be expressed by CastDef,
 * whose `from`/`to` are base types without an array flag; they are exported as
 * `vectorArrayCasts` for the cast resolver to consult instead (contexts as in
 * sql/vector.sql: to real[] IMPLICIT for vector, ASSIGNMENT for halfvec; arrays to the
 * vector types ASSIGNMENT).
 */
import { applyBitTypmod, type BitString, bitTypeInfoBit, bitTypeInfoVarbit } from './bit.ts';
import { applyHalfvecTypmod, type HalfVector, halfvecTypeInfo } from './halfvec.ts';
import { halfvecAdd, halfvecFromFloats } from './halfvec-ops.ts';
import {
  registerAggregate,
  registerArrayCast,
  registerCast,
  registerFunction,
  registerOperator,
  registerType,
} from './registry.ts';
import type { AggregateDef, CastContext, CastDef } from './registry-types.ts';
import { applySparsevecTypmod, type SparseVector, sparsevecTypeInfo } from './sparsevec.ts';
import { sparsevecFromDense, sparsevecToHalfvec, sparsevecToVector } from './sparsevec-ops.ts';
import { type BaseTypeName, type SqlType, sqlType, T, type Value } from './type.ts';
import { applyVectorTypmod, vectorTypeInfo } from './vector.ts';
import { type ArrayElementKind, arrayToFloat4s, makeArray } from './vector-array.ts';
import { vectorFunctions, vectorOperators } from './vector-catalog.ts';
import {
  checkDim,
  checkElement,
  checkExpectedDim,
  checkSameDims,
  overflowError,
  type VectorTypeName,
} from './vector-checks.ts';
import { vectorAdd } from './vector-ops.ts';

/** A cast whose source or target is an array of `from`/`to`. */
export interface ArrayCastDef extends CastDef {
  readonly fromIsArray: boolean;
  readonly toIsArray: boolean;
}

function cast(from: BaseTypeName, to: BaseTypeName, context: CastContext, fn: CastDef['fn']): CastDef {
  return { from, to, context, fn };
}

/** array_to_vector / array_to_halfvec / array_to_sparsevec for one element type. */
function arrayTo(kind: ArrayElementKind, to: VectorTypeName): ArrayCastDef {
  return {
    from: kind,
    to,
    context: 'assignment',
    fromIsArray: true,
    toIsArray: false,
    fn: (value: Value, target: SqlType) => {
      const xs = arrayToFloat4s(value, kind);
      if (to === 'sparsevec') return sparsevecFromDense(xs, target.typmod);
      checkDim(to, xs.length);
      checkExpectedDim(target.typmod, xs.length);
      if (to === 'halfvec') return halfvecFromFloats(xs);
      for (const x of xs) checkElement('vector', x);
      return Float32Array.from(xs);
    },
  };
}

const kinds: ArrayElementKind[] = ['int4', 'float4', 'float8', 'numeric'];

export const vectorArrayCasts: readonly ArrayCastDef[] = [
  ...kinds.flatMap((k) => (['vector', 'halfvec', 'sparsevec'] as const).map((t) => arrayTo(k, t))),
  {
    from: 'vector',
    to: 'float4',
    context: 'implicit',
    fromIsArray: false,
    toIsArray: true,
    fn: (v) => makeArray(Array.from(v as Float32Array)),
  },
  {
    from: 'halfvec',
    to: 'float4',
    context: 'assignment',
    fromIsArray: false,
    toIsArray: true,
    fn: (v) => makeArray(Array.from((v as HalfVector).toFloat32())),
  },
];

/** The scalar casts of sql/vector.sql plus PostgreSQL's bit ↔ varbit. */
export const vectorCasts: readonly CastDef[] = [
  cast('vector', 'vector', 'implicit', (v, t) => applyVectorTypmod(v as Float32Array, t.typmod)),
  cast('halfvec', 'halfvec', 'implicit', (v, t) => applyHalfvecTypmod(v as HalfVector, t.typmod)),
  cast('sparsevec', 'sparsevec', 'implicit', (v, t) => applySparsevecTypmod(v as SparseVector, t.typmod)),
  cast('halfvec', 'vector', 'assignment', (v, t) => {
    const h = v as HalfVector;
    checkDim('vector', h.length);
    checkExpectedDim(t.typmod, h.length);
    return h.toFloat32().slice();
  }),
  cast('vector', 'halfvec', 'implicit', (v, t) => {
    const x = v as Float32Array;
    checkDim('halfvec', x.length);
    checkExpectedDim(t.typmod, x.length);
    return halfvecFromFloats(x);
  }),
  cast('sparsevec', 'vector', 'assignment', (v, t) => sparsevecToVector(v as SparseVector, t.typmod)),
  cast('vector', 'sparsevec', 'implicit', (v, t) => sparsevecFromDense(v as Float32Array, t.typmod)),
  cast('sparsevec', 'halfvec', 'assignment', (v, t) => sparsevecToHalfvec(v as SparseVector, t.typmod)),
  cast('halfvec', 'sparsevec', 'implicit', (v, t) =>
    sparsevecFromDense((v as HalfVector).toFloat32(), t.typmod),
  ),
  // pg_cast: bit ↔ varbit are binary coercible; the length coercion is bit()/varbit().
  cast('bit', 'bit', 'implicit', (v, t, _c, explicit) =>
    applyBitTypmod(v as BitString, 'bit', t.typmod, explicit),
  ),
  cast('varbit', 'varbit', 'implicit', (v, t, _c, explicit) =>
    applyBitTypmod(v as BitString, 'varbit', t.typmod, explicit),
  ),
  cast('bit', 'varbit', 'implicit', (v, t, _c, explicit) =>
    applyBitTypmod(v as BitString, 'varbit', t.typmod, explicit),
  ),
  cast('varbit', 'bit', 'implicit', (v, t, _c, explicit) =>
    applyBitTypmod(v as BitString, 'bit', t.typmod, explicit),
  ),
];

/**
 * avg(vector|halfvec): pgvector's float8[] state {n, sums…} kept as a mutable Float64Array
 * here (vector_accum would copy the array per row); same checks and messages.
 */
function avgAggregate(type: 'vector' | 'halfvec'): AggregateDef {
  interface State {
    n: number;
    sums: Float64Array | null;
  }
  return {
    name: 'avg',
    args: [type],
    result: type === 'vector' ? T.vector : T.halfvec,
    init: (): State => ({ n: 0, sums: null }),
    step: (state, args) => {
      const s = state as State;
      const x = type === 'vector' ? (args[0] as Float32Array) : (args[0] as HalfVector).toFloat32();
      if (s.sums === null) s.sums = Float64Array.from(x);
      else {
        checkExpectedDim(s.sums.length, x.length);
        for (let i = 0; i < x.length; i++) {
          s.sums[i]! += x[i]!;
          if (!Number.isFinite(s.sums[i]!)) throw overflowError();
        }
      }
      s.n++;
      return s;
    },
    final: (state) => {
      const s = state as State;
      if (s.n === 0 || s.sums === null) return null;
      const means = Array.from(s.sums, (v) => Math.fround(v / s.n));
      checkDim(type, means.length);
      if (type === 'halfvec') return halfvecFromFloats(means);
      for (const m of means) checkElement('vector', m);
      return Float32Array.from(means);
    },
  };
}

/** sum(vector|halfvec): SFUNC vector_add with no INITCOND, so the first row is the state. */
function sumAggregate(type: 'vector' | 'halfvec'): AggregateDef {
  const add = type === 'vector' ? vectorAdd : halfvecAdd;
  return {
    name: 'sum',
    args: [type],
    result: type === 'vector' ? T.vector : T.halfvec,
    init: () => null,
    step: (state, args) => {
      if (state === null) return args[0];
      const a = state as Float32Array & HalfVector;
      const b = args[0] as Float32Array & HalfVector;
      checkSameDims(type, a.length, b.length);
      return add(a, b);
    },
    final: (state) => state ?? null,
  };
}

export const vectorAggregates: readonly AggregateDef[] = [
  avgAggregate('vector'),
  sumAggregate('vector'),
  avgAggregate('halfvec'),
  sumAggregate('halfvec'),
];

for (const info of [vectorTypeInfo, halfvecTypeInfo, sparsevecTypeInfo, bitTypeInfoBit, bitTypeInfoVarbit]) {
  registerType(info);
}
for (const c of vectorCasts) registerCast(c);
for (const f of vectorFunctions) registerFunction(f);
for (const o of vectorOperators) registerOperator(o);
for (const a of vectorAggregates) registerAggregate(a);

for (const c of vectorArrayCasts) registerArrayCast(c, c.fromIsArray, c.toIsArray);

// pgvector's array_to_vector / array_to_halfvec / array_to_sparsevec(array, typmod, explicit):
// the functions behind its array casts, callable directly.
for (const c of vectorArrayCasts) {
  if (!c.fromIsArray) continue;
  const target = c.to as 'vector' | 'halfvec' | 'sparsevec';
  registerFunction({
    name: `array_to_${target}`,
    args: [sqlType(c.from, -1, true), 'int4', 'bool'],
    result: sqlType(target),
    fn: ([array, typmod, explicit], ctx) =>
      c.fn(array, sqlType(target, Number(typmod)), ctx, explicit === true),
  });
}
