/**
 * The function casts of pg_cast among the scalar types, with PostgreSQL's contexts
 * ('implicit' i, 'assignment' a, 'explicit' e). Casts through text I/O (anything → text is
 * assignment, text → anything explicit) are not listed: coerce.ts derives them the way
 * find_coercion_pathway() does.
 */
import { SqlError, SqlState } from '../errors/sql-error.ts';
import { Interval, USECS_PER_DAY } from './interval.ts';
import { jsonbIn, jsonTypeof, parseJson } from './json.ts';
import { Numeric } from './numeric.ts';
import { applyNumericTypmod } from './numeric-typmod.ts';
import { roundMicros } from './register-datetime-types.ts';
import { INT_LIMITS } from './register-numeric-types.ts';
import { applyBpcharTypmod, applyVarcharTypmod, truncateName } from './register-string-types.ts';
import { registerArrayCast, registerCast } from './registry.ts';
import type { CastContext, CastDef, EvalContext } from './registry-types.ts';
import { localToUtc, zoneOffsetAt } from './time-zone.ts';
import type { BaseTypeName, SqlType, Value } from './type.ts';

type IntType = 'int2' | 'int4' | 'int8';

/** Range check shared by every cast and operator producing an integer type. */
export function checkInt(v: bigint, type: IntType): bigint {
  const lim = INT_LIMITS[type];
  if (v < lim.min || v > lim.max)
    throw new SqlError(SqlState.NumericValueOutOfRange, `${lim.name} out of range`);
  return v;
}

const toIntValue = (v: bigint, type: IntType): Value => (type === 'int8' ? v : Number(v));

/** float → int uses rint(): round half to even, as PostgreSQL's dtoi4/dtoi8. */
function floatToInt(f: number, type: IntType): Value {
  if (!Number.isFinite(f))
    throw new SqlError(SqlState.NumericValueOutOfRange, `${INT_LIMITS[type].name} out of range`);
  let r = Math.round(f);
  if (Math.abs(f % 1) === 0.5 && r % 2 !== 0) r -= 1;
  return toIntValue(checkInt(BigInt(r), type), type);
}

/** float8 → float4 (float8_to_float4 reports overflow and underflow). */
export function toFloat4(f: number): number {
  const r = Math.fround(f);
  if (!Number.isFinite(r) && Number.isFinite(f)) {
    throw new SqlError(SqlState.NumericValueOutOfRange, 'value out of range: overflow');
  }
  if (r === 0 && f !== 0)
    throw new SqlError(SqlState.NumericValueOutOfRange, 'value out of range: underflow');
  return r;
}

const ints: IntType[] = ['int2', 'int4', 'int8'];
const width: Record<IntType, number> = { int2: 2, int4: 4, int8: 8 };

function cast(from: BaseTypeName, to: BaseTypeName, context: CastContext, fn: CastDef['fn']): void {
  registerCast({ from, to, context, fn });
}

for (const a of ints) {
  for (const b of ints) {
    if (a === b) continue;
    cast(a, b, width[b] > width[a] ? 'implicit' : 'assignment', (v) =>
      toIntValue(checkInt(BigInt(v as number | bigint), b), b),
    );
  }
  cast(a, 'float4', 'implicit', (v) => Math.fround(Number(v)));
  cast(a, 'float8', 'implicit', (v) => Number(v));
  cast(a, 'numeric', 'implicit', (v) => Numeric.fromInt(v as number | bigint));
  cast('float4', a, 'assignment', (v) => floatToInt(v as number, a));
  cast('float8', a, 'assignment', (v) => floatToInt(v as number, a));
  cast('numeric', a, 'assignment', (v) =>
    toIntValue(checkInt((v as Numeric).toBigInt(INT_LIMITS[a].name), a), a),
  );
}
cast('float4', 'float8', 'implicit', (v) => v);
cast('float8', 'float4', 'assignment', (v) => toFloat4(v as number));
cast('float4', 'numeric', 'assignment', (v, t) =>
  applyNumericTypmod(Numeric.fromFloat(v as number, 6), t.typmod),
);
cast('float8', 'numeric', 'assignment', (v, t) =>
  applyNumericTypmod(Numeric.fromFloat(v as number, 15), t.typmod),
);
cast('numeric', 'float4', 'implicit', (v) => toFloat4((v as Numeric).toNumber()));
cast('numeric', 'float8', 'implicit', (v) => (v as Numeric).toNumber());
cast('numeric', 'numeric', 'implicit', (v, t) => applyNumericTypmod(v as Numeric, t.typmod));

cast('int4', 'bool', 'explicit', (v) => v !== 0);
cast('bool', 'int4', 'explicit', (v) => (v ? 1 : 0));
// "char" is a signed byte in PostgreSQL.
cast('int4', 'char', 'explicit', (v) => {
  const n = v as number;
  if (n < -128 || n > 127) throw new SqlError(SqlState.NumericValueOutOfRange, '"char" out of range');
  return n === 0 ? '' : String.fromCharCode(n & 0xff);
});
cast('char', 'int4', 'explicit', (v) => {
  const c = (v as string).charCodeAt(0) || 0;
  return c > 127 ? c - 256 : c;
});

// booltext() spells the words out, unlike boolout's 't'/'f'.
for (const s of ['text', 'varchar', 'bpchar'] as const) {
  cast('bool', s, 'assignment', (v, t, _c, explicit) => applyString(v ? 'true' : 'false', s, t, explicit));
}

function applyString(
  s: string,
  to: 'text' | 'varchar' | 'bpchar' | 'name',
  t: SqlType,
  explicit: boolean,
): string {
  if (to === 'varchar') return applyVarcharTypmod(s, t.typmod, explicit);
  if (to === 'bpchar') return applyBpcharTypmod(s, t.typmod, explicit);
  if (to === 'name') return truncateName(s);
  return s;
}

// bpchar loses its trailing blanks when it becomes text/varchar (rtrim1 in bpchar_text).
const stripBlanks = (v: Value) => (v as string).replace(/ +$/, '');
cast('bpchar', 'text', 'implicit', stripBlanks);
cast('bpchar', 'varchar', 'implicit', (v, t, _c, e) => applyVarcharTypmod(stripBlanks(v), t.typmod, e));
cast('bpchar', 'name', 'implicit', (v) => truncateName(stripBlanks(v)));
cast('bpchar', 'bpchar', 'implicit', (v, t, _c, e) => applyBpcharTypmod(v as string, t.typmod, e));
cast('bpchar', 'char', 'assignment', (v) => [...(v as string)].slice(0, 1).join(''));
cast('text', 'bpchar', 'implicit', (v, t, _c, e) => applyBpcharTypmod(v as string, t.typmod, e));
cast('text', 'varchar', 'implicit', (v, t, _c, e) => applyVarcharTypmod(v as string, t.typmod, e));
cast('text', 'name', 'implicit', (v) => truncateName(v as string));
cast('text', 'char', 'assignment', (v) => [...(v as string)].slice(0, 1).join(''));
cast('varchar', 'text', 'implicit', (v) => v);
cast('varchar', 'varchar', 'implicit', (v, t, _c, e) => applyVarcharTypmod(v as string, t.typmod, e));
cast('varchar', 'bpchar', 'implicit', (v, t, _c, e) => applyBpcharTypmod(v as string, t.typmod, e));
cast('varchar', 'name', 'implicit', (v) => truncateName(v as string));
cast('varchar', 'char', 'assignment', (v) => [...(v as string)].slice(0, 1).join(''));
cast('name', 'text', 'implicit', (v) => v);
cast('name', 'varchar', 'assignment', (v, t, _c, e) => applyVarcharTypmod(v as string, t.typmod, e));
cast('name', 'bpchar', 'assignment', (v, t, _c, e) => applyBpcharTypmod(v as string, t.typmod, e));
cast('char', 'text', 'implicit', (v) => v);
cast('char', 'varchar', 'assignment', (v, t, _c, e) => applyVarcharTypmod(v as string, t.typmod, e));
cast('char', 'bpchar', 'assignment', (v, t, _c, e) => applyBpcharTypmod(v as string, t.typmod, e));
cast('pg_node_tree', 'text', 'implicit', (v) => v);

// OID-like types: int4 ↔ oid is binary-coercible (so negative int4s wrap), int8 is range-checked.
const regTypes: BaseTypeName[] = [
  'oid',
  'regclass',
  'regtype',
  'regproc',
  'regnamespace',
  'regrole',
  'regoperator',
];
for (const r of regTypes) {
  cast('int4', r, 'implicit', (v) => (v as number) >>> 0);
  cast('int2', r, 'implicit', (v) => (v as number) >>> 0);
  cast('int8', r, 'implicit', (v) => {
    const n = v as bigint;
    if (n < 0n || n > 0xffffffffn) throw new SqlError(SqlState.NumericValueOutOfRange, 'OID out of range');
    return Number(n);
  });
  cast(r, 'int4', 'assignment', (v) => (v as number) | 0);
  cast(r, 'int8', 'assignment', (v) => BigInt(v as number));
  for (const s of regTypes) if (s !== r && (r === 'oid' || s === 'oid')) cast(r, s, 'implicit', (v) => v);
}

// text → regclass looks the name up in the session's catalog (regclassin).
for (const s of ['text', 'varchar'] as const) {
  cast(s, 'regclass', 'implicit', (v, _t, ctx) => {
    const t = (v as string).trim();
    if (/^\d+$/.test(t)) return Number(t) >>> 0;
    if (ctx.objectNames) return ctx.objectNames.relationOid(t);
    throw new SqlError(SqlState.UndefinedTable, `relation "${t}" does not exist`);
  });
}

// Date/time: timestamptz conversions go through the session TimeZone.
const localOf = (ts: number, ctx: EvalContext) =>
  Number.isFinite(ts) ? ts + zoneOffsetAt(ts, ctx.timeZone) * 1e6 : ts;
const dayOf = (ts: number) => (Number.isFinite(ts) ? Math.floor(ts / USECS_PER_DAY) : ts);
const timeOf = (ts: number) => ts - Math.floor(ts / USECS_PER_DAY) * USECS_PER_DAY;

cast('date', 'timestamp', 'implicit', (v) => (v as number) * USECS_PER_DAY);
cast('date', 'timestamptz', 'implicit', (v, _t, ctx) =>
  localToUtc((v as number) * USECS_PER_DAY, ctx.timeZone),
);
cast('timestamp', 'date', 'assignment', (v) => dayOf(v as number));
cast('timestamptz', 'date', 'assignment', (v, _t, ctx) => dayOf(localOf(v as number, ctx)));
cast('timestamp', 'timestamptz', 'implicit', (v, t, ctx) =>
  roundMicros(localToUtc(v as number, ctx.timeZone), t.typmod),
);
cast('timestamptz', 'timestamp', 'assignment', (v, t, ctx) =>
  roundMicros(localOf(v as number, ctx), t.typmod),
);
cast('timestamp', 'timestamp', 'implicit', (v, t) => roundMicros(v as number, t.typmod));
cast('timestamptz', 'timestamptz', 'implicit', (v, t) => roundMicros(v as number, t.typmod));
cast('timestamp', 'time', 'assignment', (v) => timeOf(v as number));
cast('timestamptz', 'time', 'assignment', (v, _t, ctx) => timeOf(localOf(v as number, ctx)));
cast('time', 'time', 'implicit', (v, t) => roundMicros(v as number, t.typmod));
cast('time', 'interval', 'implicit', (v) => new Interval(0, 0, v as number));
cast('interval', 'time', 'assignment', (v) => {
  const us = (v as Interval).micros % USECS_PER_DAY;
  return us < 0 ? us + USECS_PER_DAY : us;
});
cast('interval', 'interval', 'implicit', (v) => v);

// json ↔ jsonb are I/O conversions in PostgreSQL; jsonb → scalar casts check the JSON type.
cast('json', 'jsonb', 'assignment', (v) => jsonbIn(v as string));
cast('jsonb', 'json', 'assignment', (v) => v);

const jsonbScalar: [BaseTypeName, string, (j: Numeric | boolean) => Value][] = [
  ['bool', 'boolean', (j) => j],
  ['numeric', 'numeric', (j) => j],
  ['int2', 'smallint', (j) => toIntValue(checkInt((j as Numeric).toBigInt('smallint'), 'int2'), 'int2')],
  ['int4', 'integer', (j) => toIntValue(checkInt((j as Numeric).toBigInt('integer'), 'int4'), 'int4')],
  ['int8', 'bigint', (j) => checkInt((j as Numeric).toBigInt('bigint'), 'int8')],
  ['float4', 'real', (j) => toFloat4((j as Numeric).toNumber())],
  ['float8', 'double precision', (j) => (j as Numeric).toNumber()],
];
for (const [to, display, conv] of jsonbScalar) {
  cast('jsonb', to, 'explicit', (v) => {
    const j = parseJson(v as string);
    const wantBool = to === 'bool';
    if (wantBool ? typeof j !== 'boolean' : !(j instanceof Numeric)) {
      throw new SqlError(
        SqlState.InvalidParameterValue,
        `cannot cast jsonb ${jsonTypeof(j)} to type ${display}`,
      );
    }
    return conv(j as Numeric | boolean);
  });
}

// int2vector/oidvector are binary-coercible to int2[]/oid[] (pg_cast); both are held as arrays.
registerArrayCast({ from: 'int2vector', to: 'int2', context: 'implicit', fn: (v) => v }, false, true);
registerArrayCast({ from: 'oidvector', to: 'oid', context: 'implicit', fn: (v) => v }, false, true);
