/**
 * = <> < <= > >= for every comparable scalar type, on top of compare.ts. Like PostgreSQL,
 * varchar has no operators of its own (it uses text's through an implicit cast) and json
 * has no equality at all; arrays compare element-wise (see operators-array.ts).
 */
import { compareValues } from './compare.ts';
import { registerOperator } from './registry.ts';
import { type BaseTypeName, sqlType, T, type Value } from './type.ts';

export const COMPARISONS: Record<string, (c: number) => boolean> = {
  '=': (c) => c === 0,
  '<>': (c) => c !== 0,
  '<': (c) => c < 0,
  '<=': (c) => c <= 0,
  '>': (c) => c > 0,
  '>=': (c) => c >= 0,
};

const COMPARABLE: BaseTypeName[] = [
  'bool',
  'int2',
  'int4',
  'int8',
  'float4',
  'float8',
  'numeric',
  'text',
  'bpchar',
  'name',
  'char',
  'bytea',
  'date',
  'time',
  'timestamp',
  'timestamptz',
  'interval',
  'uuid',
  'jsonb',
  'oid',
  'oidvector',
  'int2vector',
];

for (const base of COMPARABLE) {
  const t = sqlType(base);
  for (const [name, test] of Object.entries(COMPARISONS)) {
    if (base === 'int2vector' && name !== '=') continue;
    registerOperator({
      name,
      left: base,
      right: base,
      result: T.bool,
      fn: (a: Value, b: Value) => test(compareValues(t, a, b)),
    });
  }
}

// Cross-type float comparisons widen real to double precision (so 0.1::real = 0.1 is false).
for (const [l, r] of [
  ['float4', 'float8'],
  ['float8', 'float4'],
] as const) {
  for (const [name, test] of Object.entries(COMPARISONS)) {
    registerOperator({
      name,
      left: l,
      right: r,
      result: T.bool,
      fn: (a, b) => test(compareValues(T.float8, a, b)),
    });
  }
}

// xid only has equality.
registerOperator({ name: '=', left: 'xid', right: 'xid', result: T.bool, fn: (a, b) => a === b });
registerOperator({ name: '<>', left: 'xid', right: 'xid', result: T.bool, fn: (a, b) => a !== b });
