/**
 * The variance family (var_samp/variance, var_pop, stddev_samp/stddev, stddev_pop):
 * integer and numeric input accumulate exact sums and divide with numeric's
 * select_div_scale (numeric_stddev_internal), float input uses doubles.
 */

import { Numeric } from './numeric.ts';
import { numericSqrtAt } from './numeric-math.ts';
import { registerAggregate } from './registry.ts';
import { T, type Value } from './type.ts';

const toNumeric = (v: Value): Numeric => (v instanceof Numeric ? v : Numeric.fromInt(v as number | bigint));

/** Variance family: exact numeric sums for integer/numeric input, doubles for floats. */
interface VarState {
  n: number;
  sum: Numeric;
  sum2: Numeric;
  fsum: number;
  fsum2: number;
}
const VARIANTS = [
  ['var_samp', true, false],
  ['variance', true, false],
  ['var_pop', false, false],
  ['stddev_samp', true, true],
  ['stddev', true, true],
  ['stddev_pop', false, true],
] as const;
for (const [name, sample, root] of VARIANTS) {
  for (const t of ['int2', 'int4', 'int8', 'numeric', 'float4', 'float8'] as const) {
    const isFloat = t === 'float4' || t === 'float8';
    registerAggregate({
      name,
      args: [t],
      result: isFloat ? T.float8 : T.numeric,
      init: () => ({ n: 0, sum: Numeric.ZERO, sum2: Numeric.ZERO, fsum: 0, fsum2: 0 }),
      step: (s, [x]) => {
        const a = s as VarState;
        a.n++;
        if (isFloat) {
          a.fsum += x as number;
          a.fsum2 += (x as number) * (x as number);
        } else {
          const v = toNumeric(x);
          a.sum = a.sum.add(v);
          a.sum2 = a.sum2.add(v.mul(v));
        }
        return a;
      },
      final: (s) => {
        const a = s as VarState;
        if (a.n === 0 || (sample && a.n === 1)) return null;
        const den = a.n * (sample ? a.n - 1 : a.n);
        if (isFloat) {
          const v = Math.max((a.n * a.fsum2 - a.fsum * a.fsum) / den, 0);
          return root ? Math.sqrt(v) : v;
        }
        const n = Numeric.fromInt(a.n);
        let num = n.mul(a.sum2).sub(a.sum.mul(a.sum));
        if (num.sign() < 0) num = Numeric.ZERO;
        const d = Numeric.fromInt(den);
        const rscale = num.divScale(d);
        const variance = num.divRound(d, rscale);
        return root ? numericSqrtAt(variance, rscale) : variance;
      },
    });
  }
}
