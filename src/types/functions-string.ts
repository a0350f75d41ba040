/**
 * Built-in string functions (PostgreSQL's "String Functions and Operators" table): lengths,
 * case, substrings, padding and trimming, splitting, concat/format, md5, regexp_replace.
 * Lengths and positions count characters (code points), as PostgreSQL does in UTF8.
 */
import { createHash } from 'node:crypto';
import { SqlError, SqlState } from '../errors/sql-error.ts';
import { utf8Encode } from './binary.ts';
import { def, defAll, type Impl } from './define.ts';
import { ExtraSqlState } from './extra-sqlstates.ts';
import { likeEscape, toRegExp } from './like.ts';
import { byteaToText } from './register-string-types.ts';
import type { EvalContext } from './registry-types.ts';
import { type SqlType, T, type Value } from './type.ts';
import { textOut } from './value-io.ts';

const chars = (s: Value) => [...(s as string)];
const str = (v: Value) => v as string;
const int = (v: Value) => v as number;

/** Case mapping per character, as towupper/towlower: no 'ß' → 'SS' expansion. */
const mapChars = (s: string, f: (c: string) => string) =>
  [...s]
    .map((c) => {
      const m = f(c);
      return [...m].length === 1 ? m : c;
    })
    .join('');
defAll(['lower'], ['text'], T.text, ([s]) => mapChars(str(s), (c) => c.toLowerCase()));
defAll(['upper'], ['text'], T.text, ([s]) => mapChars(str(s), (c) => c.toUpperCase()));
defAll(['length', 'char_length', 'character_length'], ['text'], T.int4, ([s]) => chars(s).length);
def('length', ['bytea'], T.int4, ([b]) => (b as Uint8Array).length);
def('octet_length', ['text'], T.int4, ([s]) => utf8Encode(str(s)).length);
// bpchar has its own length functions: length ignores the padding, octet_length counts it.
defAll(
  ['length', 'char_length', 'character_length'],
  ['bpchar'],
  T.int4,
  ([s]) => chars(str(s).replace(/ +$/, '')).length,
);
def('octet_length', ['bpchar'], T.int4, ([s]) => utf8Encode(str(s)).length);
def('octet_length', ['bytea'], T.int4, ([b]) => (b as Uint8Array).length);
def('bit_length', ['text'], T.int4, ([s]) => utf8Encode(str(s)).length * 8);

/** substr(s, start [, count]): 1-based; a start before 1 eats into the count. */
function substr(s: Value, start: number, count?: number): string {
  const cs = chars(s);
  if (count !== undefined && count < 0) {
    throw new SqlError(ExtraSqlState.SubstringError, 'negative substring length not allowed');
  }
  const from = Math.max(start, 1);
  const to = count === undefined ? cs.length + 1 : start + count;
  return to <= from ? '' : cs.slice(from - 1, to - 1).join('');
}
defAll(['substr', 'substring'], ['text', 'int4'], T.text, ([s, a]) => substr(s, int(a)));
defAll(['substr', 'substring'], ['text', 'int4', 'int4'], T.text, ([s, a, n]) => substr(s, int(a), int(n)));
def('substring', ['text', 'text'], T.text, ([s, p]) => {
  const m = toRegExp(str(p)).exec(str(s));
  if (!m) return null;
  return m.length > 1 ? (m[1] ?? null) : m[0];
});
defAll(['substr', 'substring'], ['bytea', 'int4', 'int4'], T.bytea, ([b, a, n]) => {
  const bytes = b as Uint8Array;
  const start = int(a);
  if (int(n) < 0) throw new SqlError(ExtraSqlState.SubstringError, 'negative substring length not allowed');
  return bytes.slice(Math.max(start, 1) - 1, Math.max(start + int(n) - 1, 0));
});

function strpos(s: Value, sub: Value): number {
  const i = str(s).indexOf(str(sub));
  return i < 0 ? 0 : [...str(s).slice(0, i)].length + 1;
}
defAll(['strpos', 'position'], ['text', 'text'], T.int4, ([s, sub]) => strpos(s, sub));

/** btrim/ltrim/rtrim remove any of the characters in the set (default: space). */
function trim(s: Value, set: Value, left: boolean, right: boolean): string {
  const cs = chars(s);
  const drop = new Set(chars(set));
  let a = 0;
  let b = cs.length;
  if (left) while (a < b && drop.has(cs[a])) a++;
  if (right) while (b > a && drop.has(cs[b - 1])) b--;
  return cs.slice(a, b).join('');
}
for (const [name, l, r] of [
  ['btrim', true, true],
  ['ltrim', true, false],
  ['rtrim', false, true],
] as const) {
  def(name, ['text'], T.text, ([s]) => trim(s, ' ', l, r));
  def(name, ['text', 'text'], T.text, ([s, set]) => trim(s, set, l, r));
}

def('replace', ['text', 'text', 'text'], T.text, ([s, from, to]) =>
  str(from) === '' ? s : str(s).split(str(from)).join(str(to)),
);
def('left', ['text', 'int4'], T.text, ([s, n]) => {
  const cs = chars(s);
  return (int(n) >= 0 ? cs.slice(0, int(n)) : cs.slice(0, Math.max(cs.length + int(n), 0))).join('');
});
def('right', ['text', 'int4'], T.text, ([s, n]) => {
  const cs = chars(s);
  return (
    int(n) >= 0 ? cs.slice(Math.max(cs.length - int(n), 0)) : cs.slice(Math.min(-int(n), cs.length))
  ).join('');
});

function pad(s: Value, len: number, fill: string, left: boolean): string {
  const cs = chars(s);
  if (len <= 0) return '';
  if (cs.length >= len) return cs.slice(0, len).join('');
  const f = [...fill];
  if (f.length === 0) return str(s);
  const padding: string[] = [];
  for (let i = 0; padding.length < len - cs.length; i++) padding.push(f[i % f.length]);
  return left ? padding.join('') + str(s) : str(s) + padding.join('');
}
def('lpad', ['text', 'int4'], T.text, ([s, n]) => pad(s, int(n), ' ', true));
def('lpad', ['text', 'int4', 'text'], T.text, ([s, n, f]) => pad(s, int(n), str(f), true));
def('rpad', ['text', 'int4'], T.text, ([s, n]) => pad(s, int(n), ' ', false));
def('rpad', ['text', 'int4', 'text'], T.text, ([s, n, f]) => pad(s, int(n), str(f), false));
def('repeat', ['text', 'int4'], T.text, ([s, n]) => str(s).repeat(Math.max(int(n), 0)));
def('reverse', ['text'], T.text, ([s]) => chars(s).reverse().join(''));
def('split_part', ['text', 'text', 'int4'], T.text, ([s, d, n]) => {
  const k = int(n);
  if (k === 0) throw new SqlError(SqlState.InvalidParameterValue, 'field position must not be zero');
  const parts = str(d) === '' ? [str(s)] : str(s).split(str(d));
  const i = k > 0 ? k - 1 : parts.length + k;
  return parts[i] ?? '';
});
def('starts_with', ['text', 'text'], T.bool, ([s, p]) => str(s).startsWith(str(p)));
def('initcap', ['text'], T.text, ([s]) =>
  str(s)
    .toLowerCase()
    .replace(/(^|[^\p{L}\p{N}])(\p{L})/gu, (_m, pre: string, c: string) => pre + c.toUpperCase()),
);
def('md5', ['text'], T.text, ([s]) => createHash('md5').update(str(s), 'utf8').digest('hex'));
def('md5', ['bytea'], T.text, ([b]) =>
  createHash('md5')
    .update(b as Uint8Array)
    .digest('hex'),
);
def('ascii', ['text'], T.int4, ([s]) => str(s).codePointAt(0) ?? 0);
def('chr', ['int4'], T.text, ([n]) => {
  if (int(n) <= 0 || int(n) > 0x10ffff) {
    throw new SqlError(
      SqlState.ProgramLimitExceeded,
      'requested character too large for encoding: ' + int(n),
    );
  }
  return String.fromCodePoint(int(n));
});
def('translate', ['text', 'text', 'text'], T.text, ([s, from, to]) => {
  const f = chars(from);
  const t = chars(to);
  return chars(s)
    .map((c) => {
      const i = f.indexOf(c);
      return i < 0 ? c : (t[i] ?? '');
    })
    .join('');
});
def('like_escape', ['text', 'text'], T.text, ([p, e]) => likeEscape(str(p), str(e)));
def('regexp_replace', ['text', 'text', 'text'], T.text, ([s, p, r]) =>
  str(s).replace(toRegExp(str(p)), pgReplacement(str(r))),
);
def('regexp_replace', ['text', 'text', 'text', 'text'], T.text, ([s, p, r, f]) => {
  const flags = str(f);
  const js = (flags.includes('g') ? 'g' : '') + (flags.includes('i') ? 'i' : '');
  return str(s).replace(toRegExp(str(p), js), pgReplacement(str(r)));
});

/** PostgreSQL replacement strings use \1..\9 and \&; JavaScript uses $1 and $&. */
function pgReplacement(r: string): string {
  return r
    .replace(/\$/g, '$$$$')
    .replace(/\\(\d|&|\\)/g, (_m, c: string) => (c === '&' ? '$&' : c === '\\' ? '\\' : `$${c}`));
}

/** quote_ident: quotes unless all lower-case letters, digits and underscores, not starting with a digit. */
export function quoteIdent(s: string): string {
  return /^[a-z_][a-z0-9_$]*$/.test(s) ? s : `"${s.replace(/"/g, '""')}"`;
}
/** quote_literal: doubles quotes; a backslash makes it an E'' literal with doubled backslashes. */
export function quoteLiteral(s: string): string {
  const body = s.replace(/'/g, "''");
  return s.includes('\\') ? `E'${body.replace(/\\/g, '\\\\')}'` : `'${body}'`;
}
def('quote_ident', ['text'], T.text, ([s]) => quoteIdent(str(s)));
def('quote_literal', ['text'], T.text, ([s]) => quoteLiteral(str(s)));
def('quote_nullable', ['text'], T.text, ([s]) => (s === null ? 'NULL' : quoteLiteral(str(s))), {
  strict: false,
});

/** Text of an "any" argument through its type's output function. */
function anyText(v: Value, t: SqlType, ctx: EvalContext): string {
  return typeof v === 'string' && (t.base === 'unknown' || t.base === 'text') ? v : textOut(t, v, ctx);
}

def(
  'concat',
  [],
  T.text,
  (args, ctx, types) => args.map((v, i) => (v === null ? '' : anyText(v, types[i], ctx))).join(''),
  { variadic: 'any', strict: false },
);
def(
  'concat_ws',
  ['text'],
  T.text,
  ([sep, ...rest], ctx, types) =>
    sep === null
      ? null
      : rest
          .map((v, i) => (v === null ? null : anyText(v, types[i + 1], ctx)))
          .filter((v) => v !== null)
          .join(str(sep)),
  { variadic: 'any', strict: false },
);

/** format(): %s, %I, %L and %% with optional argument positions (%2$s). */
const formatText: Impl = ([fmt, ...rest], ctx, types) => {
  if (fmt === null) return null;
  let next = 0;
  return str(fmt).replace(
    /%(?:(\d+)\$)?([-]?\d*)([sIL%])/g,
    (_m, pos: string | undefined, _w: string, kind: string) => {
      if (kind === '%') return '%';
      const idx = pos ? Number(pos) - 1 : next;
      next = idx + 1;
      if (idx >= rest.length)
        throw new SqlError(SqlState.InvalidParameterValue, 'too few arguments for format()');
      const v = rest[idx];
      const text = v === null ? null : anyText(v, types[idx + 1], ctx);
      if (kind === 's') return text ?? '';
      if (kind === 'I') {
        if (text === null)
          throw new SqlError(
            SqlState.NullValueNotAllowed,
            'null values cannot be formatted as an SQL identifier',
          );
        return quoteIdent(text);
      }
      return text === null ? 'NULL' : quoteLiteral(text);
    },
  );
};
def('format', ['text'], T.text, formatText, { variadic: 'any', strict: false });
// format(text) is its own signature: VARIADIC needs at least one argument.
def('format', ['text'], T.text, formatText, { strict: false });

def('encode', ['bytea', 'text'], T.text, ([b, f]) => {
  const bytes = b as Uint8Array;
  if (str(f) === 'hex') return byteaToText(bytes).slice(2);
  if (str(f) === 'base64') return Buffer.from(bytes).toString('base64');
  throw new SqlError(SqlState.InvalidParameterValue, `unrecognized encoding: "${str(f)}"`);
});
def('decode', ['text', 'text'], T.bytea, ([s, f]) => {
  if (str(f) === 'hex') return new Uint8Array(Buffer.from(str(s), 'hex'));
  if (str(f) === 'base64') return new Uint8Array(Buffer.from(str(s), 'base64'));
  throw new SqlError(SqlState.InvalidParameterValue, `unrecognized encoding: "${str(f)}"`);
});
