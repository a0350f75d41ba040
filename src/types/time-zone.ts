/**
 * Session TimeZone support for timestamptz: offsets of IANA zones come from Intl (the same
 * tz database PostgreSQL ships), 'UTC'/'GMT'/'Z' and fixed '+05:30' offsets are handled
 * directly. All instants are µs since 2000-01-01 00:00:00 UTC.
 */
import { SqlError, SqlState } from '../errors/sql-error.ts';

/** 2000-01-01 in Unix milliseconds (PostgreSQL's epoch vs JavaScript's). */
export const PG_EPOCH_MS = 946_684_800_000;

const formatters = new Map<string, Intl.DateTimeFormat | null>();

function formatter(zone: string): Intl.DateTimeFormat | null {
  let f = formatters.get(zone);
  if (f === undefined) {
    try {
      f = new Intl.DateTimeFormat('en-US', {
        timeZone: zone,
        hourCycle: 'h23',
        year: 'numeric',
        month: 'numeric',
        day: 'numeric',
        hour: 'numeric',
        minute: 'numeric',
        second: 'numeric',
        era: 'short',
      });
    } catch {
      f = null;
    }
    formatters.set(zone, f);
  }
  return f;
}

const FIXED_RE = /^(?:UTC|GMT)?([+-])(\d{1,2})(?::?(\d{2}))?(?::?(\d{2}))?$/i;

/** Offset in seconds east of UTC for a fixed-offset zone spelling, else undefined. */
export function fixedOffset(zone: string): number | undefined {
  const z = zone.trim();
  if (/^(utc|gmt|z|zulu|etc\/utc|etc\/gmt|universal)$/i.test(z)) return 0;
  const m = FIXED_RE.exec(z);
  if (!m) return undefined;
  const secs = Number(m[2]) * 3600 + Number(m[3] ?? 0) * 60 + Number(m[4] ?? 0);
  return m[1] === '-' ? -secs : secs;
}

export function isValidTimeZone(zone: string): boolean {
  return fixedOffset(zone) !== undefined || formatter(zone) !== null;
}

export function checkTimeZone(zone: string): void {
  if (!isValidTimeZone(zone)) {
    throw new SqlError(SqlState.InvalidParameterValue, `time zone "${zone}" not recognized`);
  }
}

/** Offset (seconds east of UTC) in `zone` at the instant `utcMicros`. */
export function zoneOffsetAt(utcMicros: number, zone: string): number {
  const fixed = fixedOffset(zone);
  if (fixed !== undefined) return fixed;
  const f = formatter(zone);
  if (!f || !Number.isFinite(utcMicros)) return 0;
  const ms = Math.floor(utcMicros / 1000 / 1000) * 1000 + PG_EPOCH_MS;
  const clamped = Math.max(-8.64e15, Math.min(8.64e15, ms));
  const parts: Record<string, string> = {};
  for (const p of f.formatToParts(new Date(clamped))) parts[p.type] = p.value;
  let year = Number(parts.year);
  if (parts.era === 'BC' || parts.era === 'B') year = 1 - year;
  const d = new Date(0);
  d.setUTCFullYear(year, Number(parts.month) - 1, Number(parts.day));
  d.setUTCHours(Number(parts.hour), Number(parts.minute), Number(parts.second), 0);
  return Math.round((d.getTime() - clamped) / 1000);
}

/**
 * Converts a local wall-clock time in `zone` to UTC. Near a transition the offsets in force
 * 36 hours before and after are both tried; as PostgreSQL's DetermineTimeZoneOffset, a time
 * skipped by a spring-forward gap takes the "before" offset and a time repeated by a
 * fall-back overlap takes the "after" one.
 */
export function localToUtc(localMicros: number, zone: string): number {
  if (!Number.isFinite(localMicros)) return localMicros;
  const fixed = fixedOffset(zone);
  if (fixed !== undefined) return localMicros - fixed * 1e6;
  const margin = 36 * 3600 * 1e6;
  const before = zoneOffsetAt(localMicros - margin, zone);
  const after = zoneOffsetAt(localMicros + margin, zone);
  const u1 = localMicros - before * 1e6;
  if (before === after) return u1;
  const u2 = localMicros - after * 1e6;
  // Valid "after" reading: a normal time after the transition, or the later of two in an
  // overlap. Otherwise the "before" reading, which is also the answer inside a gap.
  return zoneOffsetAt(u2, zone) === after ? u2 : u1;
}

/** '+00', '+05:30', '-08', '+00:53:28' — the ISO offset suffix PostgreSQL prints. */
export function formatOffset(seconds: number): string {
  const sign = seconds < 0 ? '-' : '+';
  const a = Math.abs(seconds);
  const h = Math.floor(a / 3600);
  const m = Math.floor((a % 3600) / 60);
  const s = a % 60;
  let out = `${sign}${String(h).padStart(2, '0')}`;
  if (m || s) out += `:${String(m).padStart(2, '0')}`;
  if (s) out += `:${String(s).padStart(2, '0')}`;
  return out;
}
