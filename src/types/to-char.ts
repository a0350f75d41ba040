/**
 * to_char() for timestamps, intervals and numbers — the commonly used template patterns:
 * YYYY YY MM DD HH24 HH12 HH MI SS MS US AM/PM Mon/Month/Day/Dy (with case variants), D,
 * DDD, Q, TZ and FM; numbers with 9 0 . , D G S MI FM. Quoted text and other characters are
 * copied through.
 */
import { civilFromDays, daysFromCivil } from './datetime.ts';
import { def } from './define.ts';
import type { Interval } from './interval.ts';
import { USECS_PER_DAY, USECS_PER_HOUR, USECS_PER_MINUTE, USECS_PER_SEC } from './interval.ts';
import type { Numeric } from './numeric.ts';
import { Numeric as Num } from './numeric.ts';
import { formatOffset, zoneOffsetAt } from './time-zone.ts';
import { T } from './type.ts';

const MONTHS = [
  'January',
  'February',
  'March',
  'April',
  'May',
  'June',
  'July',
  'August',
  'September',
  'October',
  'November',
  'December',
];
const DAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];

const PATTERNS = [
  'YYYY',
  'HH24',
  'HH12',
  'MONTH',
  'Month',
  'month',
  'DAY',
  'Day',
  'day',
  'MON',
  'Mon',
  'mon',
  'DDD',
  'DY',
  'Dy',
  'dy',
  'YY',
  'MM',
  'DD',
  'HH',
  'MI',
  'SS',
  'MS',
  'US',
  'AM',
  'PM',
  'am',
  'pm',
  'TZ',
  'tz',
  'Q',
  'D',
];

function casing(word: string, pattern: string): string {
  if (pattern === pattern.toUpperCase()) return word.toUpperCase();
  if (pattern === pattern.toLowerCase()) return word.toLowerCase();
  return word;
}

export function formatDateTime(localTs: number, fmt: string, offsetSeconds: number | null): string {
  const day = Math.floor(localTs / USECS_PER_DAY);
  const time = localTs - day * USECS_PER_DAY;
  const { y, m, d } = civilFromDays(day);
  const dow = (((day + 6) % 7) + 7) % 7;
  const hour = Math.floor(time / USECS_PER_HOUR);
  let out = '';
  let fm = false;
  for (let i = 0; i < fmt.length; ) {
    if (fmt[i] === '"') {
      const end = fmt.indexOf('"', i + 1);
      out += fmt.slice(i + 1, end < 0 ? fmt.length : end);
      i = end < 0 ? fmt.length : end + 1;
      continue;
    }
    if (fmt.startsWith('FM', i)) {
      fm = true;
      i += 2;
      continue;
    }
    const p = PATTERNS.find((x) => fmt.startsWith(x, i));
    if (!p) {
      out += fmt[i++];
      continue;
    }
    i += p.length;
    const n = (v: number, w: number) => (fm ? String(v) : String(v).padStart(w, '0'));
    const word = (w: string, width: number) => (fm ? w : w.padEnd(width, ' '));
    switch (p.toUpperCase()) {
      case 'YYYY':
        out += n(y > 0 ? y : 1 - y, 4);
        break;
      case 'YY':
        out += n(Math.abs(y) % 100, 2);
        break;
      case 'MM':
        out += n(m, 2);
        break;
      case 'DD':
        out += n(d, 2);
        break;
      case 'DDD':
        out += n(day - daysFromCivil(y, 1, 1) + 1, 3);
        break;
      case 'D':
        out += String(dow + 1);
        break;
      case 'Q':
        out += String(Math.floor((m - 1) / 3) + 1);
        break;
      case 'HH24':
        out += n(hour, 2);
        break;
      case 'HH12':
      case 'HH':
        out += n(hour % 12 === 0 ? 12 : hour % 12, 2);
        break;
      case 'MI':
        out += n(Math.floor((time % USECS_PER_HOUR) / USECS_PER_MINUTE), 2);
        break;
      case 'SS':
        out += n(Math.floor((time % USECS_PER_MINUTE) / USECS_PER_SEC), 2);
        break;
      case 'MS':
        out += n(Math.floor((time % USECS_PER_SEC) / 1000), 3);
        break;
      case 'US':
        out += n(time % USECS_PER_SEC, 6);
        break;
      case 'AM':
      case 'PM':
        out += casing(hour < 12 ? 'AM' : 'PM', p);
        break;
      case 'MONTH':
        out += word(casing(MONTHS[m - 1], p), 9);
        break;
      case 'MON':
        out += casing(MONTHS[m - 1].slice(0, 3), p);
        break;
      case 'DAY':
        out += word(casing(DAYS[dow], p), 9);
        break;
      case 'DY':
        out += casing(DAYS[dow].slice(0, 3), p);
        break;
      case 'TZ':
        out +=
          offsetSeconds === null ? '' : casing(offsetSeconds === 0 ? 'UTC' : formatOffset(offsetSeconds), p);
        break;
    }
  }
  return out;
}

/** Numeric template: digits from 9/0 positions, optional '.', ',' grouping, FM trims padding. */
export function formatNumber(value: Numeric, fmt: string): string {
  const fm = fmt.includes('FM');
  const f = fmt.replace(/FM/g, '').replace(/D/g, '.').replace(/G/g, ',');
  const dot = f.indexOf('.');
  const intPat = dot < 0 ? f : f.slice(0, dot);
  const fracPat = dot < 0 ? '' : f.slice(dot + 1);
  const fracDigits = (fracPat.match(/[09]/g) ?? []).length;
  const intDigits = (intPat.match(/[09]/g) ?? []).length;
  const rounded = value.round(fracDigits).abs();
  const [ip, fp = ''] = rounded.toString().split('.');
  if (ip.replace(/^0+/, '').length > intDigits) {
    return ' ' + '#'.repeat(intDigits) + (dot >= 0 ? '.' + '#'.repeat(fracDigits) : '');
  }
  // Fill the integer pattern from the right.
  let k = ip.length - 1;
  let intOut = '';
  const zeroFrom = intPat.search(/0/);
  for (let i = intPat.length - 1; i >= 0; i--) {
    const c = intPat[i];
    if (c === '9' || c === '0') {
      const digit =
        k >= 0 && !(ip === '0' && fracDigits > 0 && c === '9' && zeroFrom < 0)
          ? ip[k]
          : c === '0' || (zeroFrom >= 0 && i >= zeroFrom)
            ? '0'
            : ' ';
      intOut = digit + intOut;
      k--;
    } else if (c === ',') {
      intOut = (k >= 0 || (zeroFrom >= 0 && i > zeroFrom) ? ',' : ' ') + intOut;
    } else intOut = c + intOut;
  }
  let fracOut = fp.padEnd(fracDigits, '0');
  if (fm) fracOut = fracOut.replace(/0+$/, (z) => (fracPat.includes('0') ? z : ''));
  const sign = value.sign() < 0 ? '-' : fm ? '' : ' ';
  let body = intOut.replace(/^ +/, '');
  const padLen = intOut.length - body.length;
  body = sign + body;
  const res = dot >= 0 ? `${body}.${fracOut}` : body;
  return fm ? res : ' '.repeat(padLen) + res;
}

def('to_char', ['timestamp', 'text'], T.text, ([ts, f]) => formatDateTime(ts as number, f as string, null));
def('to_char', ['timestamptz', 'text'], T.text, ([ts, f], ctx) => {
  const off = zoneOffsetAt(ts as number, ctx.timeZone);
  return formatDateTime((ts as number) + off * 1e6, f as string, off);
});
def('to_char', ['interval', 'text'], T.text, ([v, f]) => {
  const iv = v as Interval;
  return formatDateTime(iv.days * USECS_PER_DAY + iv.micros, f as string, null);
});
def('to_char', ['numeric', 'text'], T.text, ([v, f]) => formatNumber(v as Numeric, f as string));
def('to_char', ['int8', 'text'], T.text, ([v, f]) => formatNumber(Num.fromInt(v as bigint), f as string));
def('to_char', ['int4', 'text'], T.text, ([v, f]) => formatNumber(Num.fromInt(v as number), f as string));
def('to_char', ['float8', 'text'], T.text, ([v, f]) => formatNumber(Num.fromFloat(v as number), f as string));
