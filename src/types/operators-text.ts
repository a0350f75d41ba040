/**
 * String operators: || (text, text || any non-array, bytea), LIKE/ILIKE as ~~ ~~* !~~ !~~*
 * (also on bytea and bpchar/name), and POSIX regex matches ~ ~* !~ !~*.
 */
import { like, toRegExp } from './like.ts';
import { registerOperator } from './registry.ts';
import type { EvalContext } from './registry-types.ts';
import { runtimeType } from './runtime-type.ts';
import { T, type Value } from './type.ts';
import { textOut } from './value-io.ts';

registerOperator({
  name: '||',
  left: 'text',
  right: 'text',
  result: T.text,
  fn: (a, b) => (a as string) + (b as string),
});

/**
 * textanycat/anytextcat: the non-text side is printed with its type's output function. The
 * type comes from `specialize` (resolved argument types); `fn` infers it from the value.
 */
function valueText(v: Value, ctx: EvalContext): string {
  return typeof v === 'string' ? v : textOut(runtimeType(v), v, ctx);
}

registerOperator({
  name: '||',
  left: 'text',
  right: 'anynonarray',
  result: T.text,
  fn: (a, b, ctx) => (a as string) + valueText(b, ctx),
  specialize:
    ([, t]) =>
    (a, b, ctx) =>
      (a as string) + textOut(t, b, ctx),
});
registerOperator({
  name: '||',
  left: 'anynonarray',
  right: 'text',
  result: T.text,
  fn: (a, b, ctx) => valueText(a, ctx) + (b as string),
  specialize:
    ([t]) =>
    (a, b, ctx) =>
      textOut(t, a, ctx) + (b as string),
});

registerOperator({
  name: '||',
  left: 'bytea',
  right: 'bytea',
  result: T.bytea,
  fn: (a, b) => {
    const x = a as Uint8Array;
    const y = b as Uint8Array;
    const out = new Uint8Array(x.length + y.length);
    out.set(x);
    out.set(y, x.length);
    return out;
  },
});

for (const t of ['text', 'bpchar', 'name'] as const) {
  const trim = t === 'bpchar' ? (s: string) => s.replace(/ +$/, '') : (s: string) => s;
  const right = 'text';
  registerOperator({
    name: '~~',
    left: t,
    right,
    result: T.bool,
    fn: (a, b) => like(trim(a as string), b as string),
  });
  registerOperator({
    name: '!~~',
    left: t,
    right,
    result: T.bool,
    fn: (a, b) => !like(trim(a as string), b as string),
  });
  registerOperator({
    name: '~~*',
    left: t,
    right,
    result: T.bool,
    fn: (a, b) => like(trim(a as string), b as string, true),
  });
  registerOperator({
    name: '!~~*',
    left: t,
    right,
    result: T.bool,
    fn: (a, b) => !like(trim(a as string), b as string, true),
  });
  registerOperator({
    name: '~',
    left: t,
    right,
    result: T.bool,
    fn: (a, b) => toRegExp(b as string).test(trim(a as string)),
  });
  registerOperator({
    name: '!~',
    left: t,
    right,
    result: T.bool,
    fn: (a, b) => !toRegExp(b as string).test(trim(a as string)),
  });
  registerOperator({
    name: '~*',
    left: t,
    right,
    result: T.bool,
    fn: (a, b) => toRegExp(b as string, 'i').test(trim(a as string)),
  });
  registerOperator({
    name: '!~*',
    left: t,
    right,
    result: T.bool,
    fn: (a, b) => !toRegExp(b as string, 'i').test(trim(a as string)),
  });
}

const latin1 = (b: Uint8Array) => String.fromCharCode(...b);
registerOperator({
  name: '~~',
  left: 'bytea',
  right: 'bytea',
  result: T.bool,
  fn: (a, b) => like(latin1(a as Uint8Array), latin1(b as Uint8Array)),
});
registerOperator({
  name: '!~~',
  left: 'bytea',
  right: 'bytea',
  result: T.bool,
  fn: (a, b) => !like(latin1(a as Uint8Array), latin1(b as Uint8Array)),
});
