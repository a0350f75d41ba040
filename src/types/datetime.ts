/**
 * Text forms of date, time, timestamp and timestamptz (DateStyle ISO): civil-calendar
 * arithmetic on PostgreSQL's epoch (2000-01-01), parsing of the ISO and common input forms,
 * and ISO output ('2024-01-02 03:04:05.123456', BC years, 'infinity').
 */
import { SqlError, SqlState } from '../errors/sql-error.ts';
import { formatClock, USECS_PER_DAY, USECS_PER_HOUR, USECS_PER_MINUTE, USECS_PER_SEC } from './interval.ts';
import { fixedOffset, formatOffset, isValidTimeZone, localToUtc, zoneOffsetAt } from './time-zone.ts';

/** Days since 2000-01-01 of a proleptic Gregorian date (year 0 = 1 BC). */
export function daysFromCivil(y: number, m: number, d: number): number {
  y -= m <= 2 ? 1 : 0;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const doy = Math.floor((153 * (m + (m > 2 ? -3 : 9)) + 2) / 5) + d - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 730425;
}

export function civilFromDays(days: number): { y: number; m: number; d: number } {
  const z = days + 730425;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor(
    (doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365,
  );
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const d = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const m = mp + (mp < 10 ? 3 : -9);
  return { y: era * 400 + yoe + (m <= 2 ? 1 : 0), m, d };
}

export function daysInMonth(y: number, m: number): number {
  return daysFromCivil(m === 12 ? y + 1 : y, m === 12 ? 1 : m + 1, 1) - daysFromCivil(y, m, 1);
}

/** ISO date text; years ≤ 0 print as 'BC' years as PostgreSQL does. */
export function formatDate(days: number): string {
  if (days === Infinity) return 'infinity';
  if (days === -Infinity) return '-infinity';
  const { y, m, d } = civilFromDays(days);
  const year = y > 0 ? y : 1 - y;
  const s = `${String(year).padStart(4, '0')}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`;
  return y > 0 ? s : `${s} BC`;
}

function splitMicros(ts: number): { days: number; time: number } {
  const days = Math.floor(ts / USECS_PER_DAY);
  return { days, time: ts - days * USECS_PER_DAY };
}

export function formatTimestamp(ts: number): string {
  if (!Number.isFinite(ts)) return ts > 0 ? 'infinity' : '-infinity';
  const { days, time } = splitMicros(ts);
  const date = formatDate(days);
  const bc = date.endsWith(' BC');
  const clock = formatClock(time);
  return bc ? `${date.slice(0, -3)} ${clock} BC` : `${date} ${clock}`;
}

export function formatTimestamptz(ts: number, zone: string): string {
  if (!Number.isFinite(ts)) return ts > 0 ? 'infinity' : '-infinity';
  const off = zoneOffsetAt(ts, zone);
  const local = formatTimestamp(ts + off * 1e6);
  const bc = local.endsWith(' BC');
  return bc ? `${local.slice(0, -3)}${formatOffset(off)} BC` : `${local}${formatOffset(off)}`;
}

export function formatTime(micros: number): string {
  return formatClock(micros);
}

/** The pieces of a parsed date/time string; missing parts are undefined. */
interface Parsed {
  days?: number;
  time?: number;
  /** seconds east of UTC, or a zone name to resolve against the local time. */
  zone?: number | string;
  special?: 'infinity' | '-infinity' | 'epoch' | 'now' | 'today' | 'tomorrow' | 'yesterday' | 'allballs';
}

const DATE_RE = /^(\d{1,})-(\d{1,2})-(\d{1,2})/;
const SLASH_RE = /^(\d{1,2})\/(\d{1,2})\/(\d{1,})/;
const COMPACT_RE = /^(\d{4})(\d{2})(\d{2})(?!\d)/;
const TIME_RE = /^(\d{1,2}):(\d{2})(?::(\d{2})(?:\.(\d*))?)?/;
const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];

function fieldError(text: string): SqlError {
  return new SqlError(SqlState.DatetimeFieldOverflow, `date/time field value out of range: "${text}"`);
}

function badInput(text: string, typeName: string): SqlError {
  return new SqlError(SqlState.InvalidDatetimeFormat, `invalid input syntax for type ${typeName}: "${text}"`);
}

const ZERO = 48;
const isDigit = (c: number) => c >= ZERO && c <= ZERO + 9;

/** The number written by the two digits at `at`, or -1. */
function twoDigits(text: string, at: number): number {
  const a = text.charCodeAt(at);
  const b = text.charCodeAt(at + 1);
  return isDigit(a) && isDigit(b) ? (a - ZERO) * 10 + (b - ZERO) : -1;
}

/**
 * `YYYY-MM-DD[( |T)HH:MM:SS[.f…]][(+|-)HH[:MM]]` (what PostgreSQL, drivers and dumps print),
 * read by character codes; undefined for any other spelling or an out-of-range field, which
 * the general parser then reads (or rejects with its message). Loads of timestamps spend
 * most of their parse time in the general parser's regular expressions.
 */
function parseIso(text: string): Parsed | undefined {
  const n = text.length;
  if (n < 10 || text.charCodeAt(4) !== 45 || text.charCodeAt(7) !== 45) return undefined;
  const century = twoDigits(text, 0);
  const yy = twoDigits(text, 2);
  const mo = twoDigits(text, 5);
  const d = twoDigits(text, 8);
  if (century < 0 || yy < 0 || mo < 1 || mo > 12 || d < 1) return undefined;
  const y = century * 100 + yy;
  if (d > daysInMonth(y, mo)) return undefined;
  const out: Parsed = { days: daysFromCivil(y, mo, d) };
  if (n === 10) return out;
  const sep = text.charCodeAt(10);
  if ((sep !== 32 && sep !== 84) || n < 19 || text.charCodeAt(13) !== 58 || text.charCodeAt(16) !== 58) {
    return undefined;
  }
  const h = twoDigits(text, 11);
  const mi = twoDigits(text, 14);
  const sec = twoDigits(text, 17);
  if (h < 0 || mi < 0 || sec < 0) return undefined;
  let at = 19;
  let frac = 0;
  if (text.charCodeAt(at) === 46) {
    const start = ++at;
    while (at < n && isDigit(text.charCodeAt(at))) frac = frac * 10 + (text.charCodeAt(at++) - ZERO);
    const digits = at - start;
    // Seven or more digits round (the general parser's job); none is its case too.
    if (digits === 0 || digits > 6) return undefined;
    frac *= 10 ** (6 - digits);
  }
  if (h > 24 || mi > 59 || sec > 60 || (h === 24 && (mi || sec || frac))) return undefined;
  out.time = h * USECS_PER_HOUR + mi * USECS_PER_MINUTE + sec * USECS_PER_SEC + frac;
  if (at === n) return out;
  const sign = text.charCodeAt(at);
  if (sign !== 43 && sign !== 45) return undefined;
  const zh = twoDigits(text, at + 1);
  let zm = 0;
  if (zh < 0) return undefined;
  if (at + 3 === n) {
    // +HH
  } else if (at + 6 === n && text.charCodeAt(at + 3) === 58) {
    zm = twoDigits(text, at + 4);
    if (zm < 0) return undefined;
  } else {
    return undefined;
  }
  const secs = zh * 3600 + zm * 60;
  out.zone = sign === 45 ? -secs : secs;
  return out;
}

function parseParts(text: string, typeName: string): Parsed {
  const iso = parseIso(text);
  if (iso) return iso;
  let s = text.trim();
  const word = s.toLowerCase();
  if (
    [
      'infinity',
      '+infinity',
      '-infinity',
      'epoch',
      'now',
      'today',
      'tomorrow',
      'yesterday',
      'allballs',
    ].includes(word)
  ) {
    return { special: (word === '+infinity' ? 'infinity' : word) as Parsed['special'] };
  }
  const julian = /^j(\d+)$/.exec(word);
  if (julian) return { days: Number(julian[1]) - 2451545 };
  const out: Parsed = {};
  let bc = false;
  if (/\s+bc$/i.test(s)) {
    bc = true;
    s = s.replace(/\s+bc$/i, '');
  } else s = s.replace(/\s+ad$/i, '');
  let m = DATE_RE.exec(s) ?? COMPACT_RE.exec(s);
  let y: number;
  let mo: number;
  let d: number;
  if (m) {
    [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  } else if ((m = SLASH_RE.exec(s))) {
    [mo, d, y] = [Number(m[1]), Number(m[2]), Number(m[3])]; // DateStyle MDY
  } else if (
    (m = /^([a-z]{3})[a-z]*\s+(\d{1,2}),?\s+(\d{1,})/i.exec(s)) &&
    MONTHS.includes(m[1].toLowerCase())
  ) {
    [mo, d, y] = [MONTHS.indexOf(m[1].toLowerCase()) + 1, Number(m[2]), Number(m[3])];
  } else {
    m = null;
    y = mo = d = 0;
  }
  if (m) {
    if (bc) y = 1 - y;
    if (mo < 1 || mo > 12 || d < 1 || d > daysInMonth(y, mo)) throw fieldError(text);
    out.days = daysFromCivil(y, mo, d);
    s = s.slice(m[0].length).replace(/^(T|\s+)/i, '');
  }
  const t = TIME_RE.exec(s);
  if (t) {
    const [h, mi, sec] = [Number(t[1]), Number(t[2]), Number(t[3] ?? 0)];
    const frac = t[4] ? Math.round(Number(`0.${t[4]}`) * USECS_PER_SEC) : 0;
    if (h > 24 || mi > 59 || sec > 60 || (h === 24 && (mi || sec || frac))) throw fieldError(text);
    out.time = h * USECS_PER_HOUR + mi * USECS_PER_MINUTE + sec * USECS_PER_SEC + frac;
    s = s.slice(t[0].length).trim();
  } else if (out.days === undefined) {
    throw badInput(text, typeName);
  }
  if (s) {
    const fixed = fixedOffset(s);
    if (fixed !== undefined) out.zone = fixed;
    else if (isValidTimeZone(s)) out.zone = s;
    else throw badInput(text, typeName);
  }
  return out;
}

export interface ParseContext {
  readonly timeZone: string;
  readonly statementTimestamp: number;
  readonly transactionTimestamp: number;
}

function specialInstant(p: Parsed, ctx: ParseContext, zone: string): number | undefined {
  switch (p.special) {
    case undefined:
      return undefined;
    case 'infinity':
      return Infinity;
    case '-infinity':
      return -Infinity;
    case 'epoch':
    case 'allballs':
      return 0;
    case 'now':
      return ctx.transactionTimestamp;
  }
  // today/tomorrow/yesterday: midnight of the session's local date.
  const localNow = ctx.transactionTimestamp + zoneOffsetAt(ctx.transactionTimestamp, zone) * 1e6;
  const day =
    Math.floor(localNow / USECS_PER_DAY) +
    (p.special === 'tomorrow' ? 1 : p.special === 'yesterday' ? -1 : 0);
  return day * USECS_PER_DAY;
}

/** timestamp without time zone: any zone in the input is ignored, as PostgreSQL does. */
export function parseTimestamp(text: string, ctx: ParseContext): number {
  const p = parseParts(text, 'timestamp');
  const sp = specialInstant(p, ctx, ctx.timeZone);
  if (sp !== undefined) {
    if (p.special === 'now') return sp + zoneOffsetAt(sp, ctx.timeZone) * 1e6;
    return sp;
  }
  if (p.days === undefined) {
    throw new SqlError(SqlState.InvalidDatetimeFormat, `invalid input syntax for type timestamp: "${text}"`);
  }
  return localMicros(p.days, p.time);
}

/** µs since 2000-01-01 of a parsed date and time of day, in whatever zone they were written. */
function localMicros(days: number, time: number | undefined): number {
  return days * USECS_PER_DAY + (time ?? 0);
}

/**
 * What parseTimestamptz, parseTimestamp and parseDate return for text parseIso reads (a
 * timestamptz only when it carries a numeric offset: otherwise the session's zone decides),
 * without a session: COPY's parse worker decodes such fields itself. Undefined otherwise.
 */
export function isoDatetime(text: string, type: 'timestamptz' | 'timestamp' | 'date'): number | undefined {
  const p = parseIso(text);
  if (p?.days === undefined) return undefined;
  if (type === 'date') return p.days;
  if (type === 'timestamp') return localMicros(p.days, p.time);
  return typeof p.zone === 'number' ? localMicros(p.days, p.time) - p.zone * 1e6 : undefined;
}

export function parseTimestamptz(text: string, ctx: ParseContext): number {
  const p = parseParts(text, 'timestamp with time zone');
  if (p.special === 'now') return ctx.transactionTimestamp;
  const sp = specialInstant(p, ctx, ctx.timeZone);
  if (sp !== undefined) return Number.isFinite(sp) && sp !== 0 ? localToUtc(sp, ctx.timeZone) : sp;
  if (p.days === undefined) {
    throw new SqlError(
      SqlState.InvalidDatetimeFormat,
      `invalid input syntax for type timestamp with time zone: "${text}"`,
    );
  }
  const local = localMicros(p.days, p.time);
  if (typeof p.zone === 'number') return local - p.zone * 1e6;
  return localToUtc(local, p.zone ?? ctx.timeZone);
}

export function parseDate(text: string, ctx: ParseContext): number {
  const p = parseParts(text, 'date');
  if (p.special === 'now' || p.special === 'today' || p.special === 'tomorrow' || p.special === 'yesterday') {
    const ts = parseTimestamp(p.special, ctx);
    return Math.floor(ts / USECS_PER_DAY);
  }
  if (p.special === 'infinity') return Infinity;
  if (p.special === '-infinity') return -Infinity;
  if (p.special === 'epoch') return 0;
  if (p.days === undefined) {
    throw new SqlError(SqlState.InvalidDatetimeFormat, `invalid input syntax for type date: "${text}"`);
  }
  return p.days;
}

export function parseTime(text: string): number {
  const s = text.trim();
  if (s.toLowerCase() === 'allballs') return 0;
  const p = parseParts(s, 'time');
  if (p.time === undefined) {
    throw new SqlError(SqlState.InvalidDatetimeFormat, `invalid input syntax for type time: "${text}"`);
  }
  return p.time;
}
