/**
 * to_timestamp(text, template) and to_date(text, template): the common template fields
 * (YYYY YY MM DD HH24 HH12 HH MI SS MS US AM/PM Mon/Month) read from the input in order;
 * separators in the template skip any non-alphanumeric characters, as PostgreSQL's
 * non-FX mode does. The result is read in the session TimeZone.
 */
import { SqlError, SqlState } from '../errors/sql-error.ts';
import { daysFromCivil, daysInMonth } from './datetime.ts';
import { def } from './define.ts';
import { USECS_PER_DAY, USECS_PER_HOUR, USECS_PER_MINUTE, USECS_PER_SEC } from './interval.ts';
import { localToUtc } from './time-zone.ts';
import { T } from './type.ts';

const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];
const FULL_MONTHS = [
  'january',
  'february',
  'march',
  'april',
  'may',
  'june',
  'july',
  'august',
  'september',
  'october',
  'november',
  'december',
];
const FIELDS = [
  'YYYY',
  'HH24',
  'HH12',
  'MONTH',
  'MON',
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
];

interface Fields {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
  micros: number;
  pm?: boolean;
  hour12: boolean;
}

function parseTemplate(input: string, template: string): Fields {
  const f: Fields = { year: 1, month: 1, day: 1, hour: 0, minute: 0, second: 0, micros: 0, hour12: false };
  let i = 0;
  const skipSeparators = () => {
    while (i < input.length && /[^A-Za-z0-9]/.test(input[i])) i++;
  };
  const int = (field: string, maxDigits: number): number => {
    skipSeparators();
    const m = new RegExp(`^[+-]?\\d{1,${maxDigits}}`).exec(input.slice(i));
    if (!m) {
      const got = input.slice(i).split(/[^A-Za-z0-9]/)[0] ?? '';
      throw new SqlError(SqlState.InvalidDatetimeFormat, `invalid value "${got}" for "${field}"`, {
        detail: 'Value must be an integer.',
      });
    }
    i += m[0].length;
    return Number(m[0]);
  };
  for (let t = 0; t < template.length; ) {
    const up = template.slice(t).toUpperCase();
    const field = FIELDS.find((x) => up.startsWith(x));
    if (!field) {
      if (/[A-Za-z0-9]/.test(template[t]) && input[i] === template[t]) i++;
      t++;
      continue;
    }
    t += field.length;
    switch (field) {
      case 'YYYY':
        f.year = int(field, 4);
        break;
      case 'YY':
        f.year = 2000 + int(field, 2);
        break;
      case 'MM':
        f.month = int(field, 2);
        break;
      case 'DD':
        f.day = int(field, 2);
        break;
      case 'HH24':
        f.hour = int(field, 2);
        break;
      case 'HH12':
      case 'HH':
        f.hour = int(field, 2);
        f.hour12 = true;
        break;
      case 'MI':
        f.minute = int(field, 2);
        break;
      case 'SS':
        f.second = int(field, 2);
        break;
      case 'MS':
        f.micros += int(field, 3) * 1000;
        break;
      case 'US':
        f.micros += int(field, 6);
        break;
      case 'AM':
      case 'PM': {
        skipSeparators();
        const word = input.slice(i, i + 2).toUpperCase();
        if (word !== 'AM' && word !== 'PM') {
          throw new SqlError(
            SqlState.InvalidDatetimeFormat,
            `invalid value "${input.slice(i, i + 2)}" for "${field}"`,
            {
              detail: 'The given value did not match any of the allowed values for this field.',
            },
          );
        }
        f.pm = word === 'PM';
        i += 2;
        break;
      }
      default: {
        skipSeparators();
        const rest = input.slice(i).toLowerCase();
        const full = FULL_MONTHS.findIndex((m) => rest.startsWith(m));
        const short = MONTHS.findIndex((m) => rest.startsWith(m));
        const idx = field === 'MONTH' && full >= 0 ? full : short;
        if (idx < 0) {
          throw new SqlError(
            SqlState.InvalidDatetimeFormat,
            `invalid value "${input.slice(i, i + 3)}" for "${field}"`,
            {
              detail: 'The given value did not match any of the allowed values for this field.',
            },
          );
        }
        f.month = idx + 1;
        i += field === 'MONTH' && full >= 0 ? FULL_MONTHS[idx].length : 3;
      }
    }
  }
  if (f.hour12 || f.pm !== undefined) {
    if (f.hour < 1 || f.hour > 12) {
      throw new SqlError(
        SqlState.InvalidDatetimeFormat,
        `hour "${f.hour}" is invalid for the 12-hour clock`,
        {
          hint: 'Use the 24-hour clock, or give an hour between 1 and 12.',
        },
      );
    }
    f.hour = (f.hour % 12) + (f.pm ? 12 : 0);
  }
  return f;
}

function toLocal(input: string, template: string, dateOnly: boolean): number {
  const f = parseTemplate(input, template);
  if (f.month < 1 || f.month > 12 || f.day < 1 || f.day > daysInMonth(f.year, f.month)) {
    throw new SqlError(SqlState.DatetimeFieldOverflow, `date/time field value out of range: "${input}"`);
  }
  const days = daysFromCivil(f.year, f.month, f.day);
  if (dateOnly) return days;
  if (f.hour > 24 || f.minute > 59 || f.second > 60) {
    throw new SqlError(SqlState.DatetimeFieldOverflow, `date/time field value out of range: "${input}"`);
  }
  return (
    days * USECS_PER_DAY +
    f.hour * USECS_PER_HOUR +
    f.minute * USECS_PER_MINUTE +
    f.second * USECS_PER_SEC +
    f.micros
  );
}

def('to_timestamp', ['text', 'text'], T.timestamptz, ([s, fmt], ctx) =>
  localToUtc(toLocal(s as string, fmt as string, false), ctx.timeZone),
);
def('to_date', ['text', 'text'], T.date, ([s, fmt]) => toLocal(s as string, fmt as string, true));
