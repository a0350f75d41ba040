/**
 * String operators: || (text, text || any non-array, bytea), LIKE/ILIKE as ~~ ~~* !~~ !~~*
 * (also on bytea and bpchar/name), and POSIX regex matches ~ ~* !~ !~*.
 */
import { castValue } from './coerce.ts';
import { like, toRegExp } from './like.ts';
import { registerOperator } from './registry.ts';
import type { EvalContext } from './registry-types.ts';
import { runtimeType } from './runtime-type.ts';
import { type BaseTypeName, sqlType, T, type Value } from './type.ts';

registerOperator({
  name: '||',
  left: 'text',
  right: 'text',
  result: T.text,
  fn: (a, b) => (a as string) + (b as string),
});

/**
 * textanycat/anytextcat: the non-text side is converted with its cast to text (so booleans
 * read 'true', not boolout's 't'). Its type comes from `specialize` (the resolved argument
 * types); `fn` infers it from the value, which cannot tell a date from an integer.
 */
function valueText(v: Value, ctx: EvalContext): string {
  if (typeof v === 'string') return v;
  return castValue(v, runtimeType(v), T.text, ctx, true) as string;
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
      (a as string) + (castValue(b, t, T.text, ctx, true) as string),
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
      (castValue(a, t, T.text, ctx, true) as string) + (b as string),
});

/**
 * The same conversions as concrete text || T and T || text operators for the built-in
 * non-string types, so the operand's type is known even to callers that do not use
 * `specialize`; resolution picks them over the polymorphic pair by exact match, as the
 * result would be the same in PostgreSQL.
 */
const NON_STRING: BaseTypeName[] = [
  'bool',
  'int2',
  'int4',
  'int8',
  'float4',
  'float8',
  'numeric',
  'oid',
  'char',
  'bytea',
  'date',
  'time',
  'timestamp',
  'timestamptz',
  'interval',
  'uuid',
  'json',
  'jsonb',
  // The reg* types print their names (text || 'tbl'::regclass is 'tbl', not its OID); without
  // their own entries they would reach the oid operators through the binary-coercible cast.
  'regclass',
  'regtype',
  'regproc',
  'regnamespace',
  'regrole',
  'regoperator',
];
for (const base of NON_STRING) {
  const t = sqlType(base);
  const asText = (v: Value, ctx: EvalContext) => castValue(v, t, T.text, ctx, true) as string;
  registerOperator({
    name: '||',
    left: 'text',
    right: base,
    result: T.text,
    fn: (a, b, ctx) => (a as string) + asText(b, ctx),
  });
  registerOperator({
    name: '||',
    left: base,
    right: 'text',
    result: T.text,
    fn: (a, b, ctx) => asText(a, ctx) + (b as string),
  });
}

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
