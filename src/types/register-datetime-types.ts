/**
 * pg_type entries and I/O for date, time, timestamp, timestamptz and interval. Binary forms
 * are PostgreSQL's integer datetimes: date int32 days, time/timestamp int64 µs (±infinity
 * as INT64 max/min), interval int64 µs + int32 days + int32 months.
 */
import { SqlError, SqlState } from '../errors/sql-error.ts';
import { ByteReader, ByteWriter, int32Bytes, int64Bytes } from './binary.ts';
import {
  formatDate,
  formatTime,
  formatTimestamp,
  formatTimestamptz,
  parseDate,
  parseTime,
  parseTimestamp,
  parseTimestamptz,
} from './datetime.ts';
import { formatInterval, Interval, parseInterval } from './interval.ts';
import { registerType } from './registry.ts';
import type { TypeInfo } from './registry-types.ts';

const INT64_MAX = 0x7fffffffffffffffn;
const INT64_MIN = -0x8000000000000000n;

function tsSend(v: number): Uint8Array {
  const b = v === Infinity ? INT64_MAX : v === -Infinity ? INT64_MIN : BigInt(Math.round(v));
  return int64Bytes(b);
}

function tsRecv(bytes: Uint8Array): number {
  const r = new ByteReader(bytes);
  const v = r.int64();
  r.end();
  return v === INT64_MAX ? Infinity : v === INT64_MIN ? -Infinity : Number(v);
}

/** Rounds µs to `typmod` fractional digits (timestamp(p), time(p); AdjustTimestampForTypmod). */
export function roundMicros(v: number, typmod: number): number {
  if (typmod < 0 || typmod >= 6 || !Number.isFinite(v)) return v;
  const unit = 10 ** (6 - typmod);
  // Half away from zero, like PostgreSQL's rounding of the int64 value.
  return v >= 0 ? Math.floor(v / unit + 0.5) * unit : -Math.floor(-v / unit + 0.5) * unit;
}

function precisionTypmod(typeName: string) {
  return (mods: readonly number[]): number => {
    const p = mods[0];
    if (mods.length !== 1) throw new SqlError(SqlState.InvalidParameterValue, 'invalid type modifier');
    if (p < 0)
      throw new SqlError(SqlState.InvalidParameterValue, `${typeName}(${p}) precision must not be negative`);
    return Math.min(p, 6);
  };
}

function datetimeType(
  name: 'time' | 'timestamp' | 'timestamptz',
  oid: number,
  arrayOid: number,
  preferred: boolean,
  display: (p: string) => string,
  io: Pick<TypeInfo, 'textIn' | 'textOut'>,
): TypeInfo {
  const typeName = name === 'timestamptz' ? 'timestamp with time zone' : `${name} without time zone`;
  return {
    name,
    oid,
    arrayOid,
    length: 8,
    category: 'D',
    preferred,
    textIn: (t, typmod, ctx) => roundMicros(io.textIn(t, typmod, ctx) as number, typmod),
    textOut: io.textOut,
    binaryIn: (b, typmod) => roundMicros(tsRecv(b), typmod),
    binaryOut: (v) => tsSend(v as number),
    applyTypmod: (v, typmod) => roundMicros(v as number, typmod),
    formatType: (typmod) => display(typmod >= 0 ? `(${typmod})` : ''),
    typmodIn: precisionTypmod(typeName),
  };
}

registerType({
  name: 'date',
  oid: 1082,
  arrayOid: 1182,
  length: 4,
  category: 'D',
  preferred: false,
  textIn: (t, _typmod, ctx) => parseDate(t, ctx),
  textOut: (v) => formatDate(v as number),
  binaryIn: (b) => {
    const r = new ByteReader(b);
    const v = r.int32();
    r.end();
    return v === 0x7fffffff ? Infinity : v === -0x80000000 ? -Infinity : v;
  },
  binaryOut: (v) => {
    const d = v as number;
    return int32Bytes(d === Infinity ? 0x7fffffff : d === -Infinity ? -0x80000000 : d);
  },
  formatType: () => 'date',
});

registerType(
  datetimeType('time', 1083, 1183, false, (p) => `time${p} without time zone`, {
    textIn: (t) => parseTime(t),
    textOut: (v) => formatTime(v as number),
  }),
);

registerType(
  datetimeType('timestamp', 1114, 1115, false, (p) => `timestamp${p} without time zone`, {
    textIn: (t, _m, ctx) => parseTimestamp(t, ctx),
    textOut: (v) => formatTimestamp(v as number),
  }),
);

registerType(
  datetimeType('timestamptz', 1184, 1185, true, (p) => `timestamp${p} with time zone`, {
    textIn: (t, _m, ctx) => parseTimestamptz(t, ctx),
    textOut: (v, ctx) => formatTimestamptz(v as number, ctx.timeZone),
  }),
);

/** interval typmods carry a field range in the high half; only the precision is used here. */
const INTERVAL_FULL_RANGE = 0x7fff;

registerType({
  name: 'interval',
  oid: 1186,
  arrayOid: 1187,
  length: 16,
  category: 'T',
  preferred: true,
  textIn: (t) => parseInterval(t),
  textOut: (v) => formatInterval(v as Interval),
  binaryIn: (b) => {
    const r = new ByteReader(b);
    const micros = Number(r.int64());
    const days = r.int32();
    const months = r.int32();
    r.end();
    return new Interval(months, days, micros);
  },
  binaryOut: (v) => {
    const iv = v as Interval;
    return new ByteWriter(16).int64(BigInt(iv.micros)).int32(iv.days).int32(iv.months).finish();
  },
  applyTypmod: (v, typmod) => {
    const p = typmod & 0xffff;
    if (typmod < 0 || p >= 6) return v;
    const iv = v as Interval;
    return new Interval(iv.months, iv.days, roundMicros(iv.micros, p));
  },
  formatType: (typmod) => {
    const p = typmod & 0xffff;
    return typmod < 0 || p === 0xffff ? 'interval' : `interval(${p})`;
  },
  typmodIn: (mods) => (INTERVAL_FULL_RANGE << 16) | Math.min(mods[0] ?? 6, 6),
});
