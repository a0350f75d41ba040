/**
 * LIKE/ILIKE pattern matching and POSIX regular expressions as JavaScript RegExps.
 * LIKE: `_` one character, `%` any run, the escape character (default backslash) quotes the
 * next one; a pattern may not end in the escape (22025). Regexes: PostgreSQL's AREs are
 * close enough to JS syntax for common use; '.' matches newlines as in PostgreSQL.
 */
import { SqlError, SqlState } from '../errors/sql-error.ts';
import { ExtraSqlState } from './extra-sqlstates.ts';

const likeCache = new Map<string, RegExp>();
const regexCache = new Map<string, RegExp>();

// Outside a character class, which LIKE never produces, '-' needs no escape (and the u flag forbids one).
const reEscape = (c: string) => c.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');

export function likeToRegExp(pattern: string, caseInsensitive: boolean, escape = '\\'): RegExp {
  const key = `${caseInsensitive ? 'i' : 's'}${escape}\u0000${pattern}`;
  let re = likeCache.get(key);
  if (re) return re;
  let src = '';
  const chars = [...pattern];
  for (let i = 0; i < chars.length; i++) {
    const c = chars[i];
    if (escape !== '' && c === escape) {
      if (++i >= chars.length) {
        throw new SqlError(SqlState.InvalidEscapeSequence, 'LIKE pattern must not end with escape character');
      }
      src += reEscape(chars[i]);
    } else if (c === '%') src += '.*';
    else if (c === '_') src += '.';
    else src += reEscape(c);
  }
  re = new RegExp(`^${src}$`, caseInsensitive ? 'isu' : 'su');
  if (likeCache.size > 1000) likeCache.clear();
  likeCache.set(key, re);
  return re;
}

export function like(s: string, pattern: string, caseInsensitive = false, escape = '\\'): boolean {
  return likeToRegExp(pattern, caseInsensitive, escape).test(s);
}

/** like_escape(): rewrites a pattern using `escape` into one using backslash. */
export function likeEscape(pattern: string, escape: string): string {
  if ([...escape].length > 1) {
    throw new SqlError(ExtraSqlState.InvalidEscapeCharacter, 'invalid escape string', {
      hint: 'Escape string must be empty or one character.',
    });
  }
  let out = '';
  const chars = [...pattern];
  for (let i = 0; i < chars.length; i++) {
    const c = chars[i];
    if (escape === '') out += c === '\\' ? '\\\\' : c;
    else if (c === escape) {
      if (++i >= chars.length) {
        throw new SqlError(SqlState.InvalidEscapeSequence, 'LIKE pattern must not end with escape character');
      }
      out += `\\${chars[i]}`;
    } else out += c === '\\' ? '\\\\' : c;
  }
  return out;
}

/** Compiles a POSIX regex; `flags` adds e.g. 'i' (~*) or 'g' (regexp_replace with 'g'). */
export function toRegExp(pattern: string, flags = ''): RegExp {
  const key = `${flags}\u0000${pattern}`;
  let re = regexCache.get(key);
  if (re) return re;
  try {
    // PostgreSQL-only class shorthands map onto JS equivalents.
    const src = pattern.replace(/\[\[:<:\]\]/g, '\\b').replace(/\[\[:>:\]\]/g, '\\b');
    re = new RegExp(src, `s${flags}`);
  } catch (e) {
    throw new SqlError(
      ExtraSqlState.InvalidRegularExpression,
      `invalid regular expression: ${(e as Error).message}`,
    );
  }
  if (regexCache.size > 1000) regexCache.clear();
  regexCache.set(key, re);
  return re;
}
