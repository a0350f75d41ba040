/**
 * Bitwise operators on int2/int4/int8 (& | # ~ << >>), as PostgreSQL's int2and … int8shr.
 * pgjdbc's getIndexInfo tests `indoption[k] & 1::smallint` for descending keys. Results keep
 * the operand type; shifts take an int4 count and, as the C shifts PostgreSQL uses on x86,
 * use it modulo the width (31 for int2/int4, 63 for int8).
 */
import { registerOperator } from './registry.ts';
import { T } from './type.ts';

const int16 = (n: number) => (n << 16) >> 16;

for (const t of ['int2', 'int4'] as const) {
  const wrap = t === 'int2' ? int16 : (n: number) => n | 0;
  const binary: Record<string, (a: number, b: number) => number> = {
    '&': (a, b) => a & b,
    '|': (a, b) => a | b,
    '#': (a, b) => a ^ b,
  };
  for (const [name, f] of Object.entries(binary)) {
    registerOperator({ name, left: t, right: t, result: T[t], fn: (a, b) => f(a as number, b as number) });
  }
  registerOperator({ name: '~', left: null, right: t, result: T[t], fn: (_l, a) => wrap(~(a as number)) });
  registerOperator({
    name: '<<',
    left: t,
    right: 'int4',
    result: T[t],
    fn: (a, b) => wrap((a as number) << (b as number)),
  });
  registerOperator({
    name: '>>',
    left: t,
    right: 'int4',
    result: T[t],
    fn: (a, b) => wrap((a as number) >> (b as number)),
  });
}

const binary8: Record<string, (a: bigint, b: bigint) => bigint> = {
  '&': (a, b) => a & b,
  '|': (a, b) => a | b,
  '#': (a, b) => a ^ b,
};
for (const [name, f] of Object.entries(binary8)) {
  registerOperator({
    name,
    left: 'int8',
    right: 'int8',
    result: T.int8,
    fn: (a, b) => f(a as bigint, b as bigint),
  });
}
registerOperator({ name: '~', left: null, right: 'int8', result: T.int8, fn: (_l, a) => ~(a as bigint) });
registerOperator({
  name: '<<',
  left: 'int8',
  right: 'int4',
  result: T.int8,
  fn: (a, b) => BigInt.asIntN(64, (a as bigint) << BigInt((b as number) & 63)),
});
registerOperator({
  name: '>>',
  left: 'int8',
  right: 'int4',
  result: T.int8,
  fn: (a, b) => (a as bigint) >> BigInt((b as number) & 63),
});
