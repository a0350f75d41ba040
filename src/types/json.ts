/**
 * JSON parsing shared by json and jsonb. Numbers stay exact (Numeric), so `1.50` survives;
 * objects keep duplicate keys in order (json keeps its text as written; jsonb keeps the last
 * duplicate, sorts keys by length then bytes, and prints `{"a": 1, "b": [1, 2]}` spacing).
 * Errors carry PostgreSQL's message and DETAIL wording.
 */
import { SqlError, SqlState } from '../errors/sql-error.ts';
import { Numeric } from './numeric.ts';

export type Json = null | boolean | string | Numeric | Json[] | JsonObject;
/** Object members in input order (duplicates allowed until normalized). */
export class JsonObject {
  constructor(readonly entries: [string, Json][]) {}
  get(key: string): Json | undefined {
    for (let i = this.entries.length - 1; i >= 0; i--)
      if (this.entries[i][0] === key) return this.entries[i][1];
    return undefined;
  }
}

/** Source text of each parsed object/array, so json -> can return the value as written. */
const sourceText = new WeakMap<object, string>();
export function jsonSource(v: Json): string | undefined {
  return v !== null && typeof v === 'object' ? sourceText.get(v) : undefined;
}

function syntaxError(detail: string, text: string): SqlError {
  return new SqlError(SqlState.InvalidTextRepresentation, 'invalid input syntax for type json', {
    detail,
    where: `JSON data, line 1: ${text}`,
  });
}

const NUMBER_RE = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
const TOKEN_RE = /[A-Za-z0-9_+\-.]+|./y;

export function parseJson(text: string): Json {
  let i = 0;
  const ws = () => {
    while (i < text.length && (text[i] === ' ' || text[i] === '\t' || text[i] === '\n' || text[i] === '\r'))
      i++;
  };
  const end = () => syntaxError('The input string ended unexpectedly.', text);
  const token = (): string => {
    TOKEN_RE.lastIndex = i;
    return TOKEN_RE.exec(text)?.[0] ?? '';
  };
  const str = (): string => {
    let out = '';
    i++;
    for (;;) {
      if (i >= text.length) throw end();
      const c = text[i++];
      if (c === '"') return out;
      if (c === '\\') {
        const e = text[i++];
        const map: Record<string, string> = {
          '"': '"',
          '\\': '\\',
          '/': '/',
          b: '\b',
          f: '\f',
          n: '\n',
          r: '\r',
          t: '\t',
        };
        if (e === 'u') {
          const hex = text.slice(i, i + 4);
          if (!/^[0-9a-fA-F]{4}$/.test(hex))
            throw syntaxError('"\\u" must be followed by four hexadecimal digits.', text);
          out += String.fromCharCode(Number.parseInt(hex, 16));
          i += 4;
        } else if (e !== undefined && map[e] !== undefined) out += map[e];
        else if (e === undefined) throw end();
        else throw syntaxError(`Escape sequence "\\${e}" is invalid.`, text);
      } else if (c < ' ') {
        throw syntaxError(
          `Character with value 0x${c.charCodeAt(0).toString(16).padStart(2, '0')} must be escaped.`,
          text,
        );
      } else out += c;
    }
  };
  const value = (): Json => {
    ws();
    if (i >= text.length) throw end();
    const c = text[i];
    const start = i;
    if (c === '{') {
      i++;
      const entries: [string, Json][] = [];
      ws();
      if (text[i] === '}') i++;
      else
        for (;;) {
          ws();
          if (i >= text.length) throw end();
          if (text[i] !== '"') throw syntaxError(`Expected string or "}", but found "${token()}".`, text);
          const k = str();
          ws();
          if (i >= text.length) throw end();
          if (text[i] !== ':') throw syntaxError(`Expected ":", but found "${token()}".`, text);
          i++;
          entries.push([k, value()]);
          ws();
          if (i >= text.length) throw end();
          if (text[i] === ',') i++;
          else if (text[i] === '}') {
            i++;
            break;
          } else throw syntaxError(`Expected "," or "}", but found "${token()}".`, text);
        }
      const obj = new JsonObject(entries);
      sourceText.set(obj, text.slice(start, i));
      return obj;
    }
    if (c === '[') {
      i++;
      const items: Json[] = [];
      ws();
      if (text[i] === ']') i++;
      else
        for (;;) {
          items.push(value());
          ws();
          if (i >= text.length) throw end();
          if (text[i] === ',') i++;
          else if (text[i] === ']') {
            i++;
            break;
          } else throw syntaxError(`Expected "," or "]", but found "${token()}".`, text);
        }
      sourceText.set(items, text.slice(start, i));
      return items;
    }
    if (c === '"') return str();
    NUMBER_RE.lastIndex = i;
    const num = NUMBER_RE.exec(text);
    const tok = token();
    if (num && num[0].length === tok.length) {
      i += tok.length;
      return Numeric.parse(tok);
    }
    if (tok === 'true' || tok === 'false' || tok === 'null') {
      i += tok.length;
      return tok === 'null' ? null : tok === 'true';
    }
    if (c === '}' || c === ']' || c === ',' || c === ':')
      throw syntaxError(`Expected JSON value, but found "${c}".`, text);
    throw syntaxError(`Token "${tok}" is invalid.`, text);
  };
  const v = value();
  ws();
  if (i < text.length) throw syntaxError(`Expected end of input, but found "${token()}".`, text);
  return v;
}

/** escape_json(): quotes and escapes a string the way PostgreSQL prints JSON strings. */
export function quoteJson(s: string): string {
  let out = '"';
  for (const ch of s) {
    const code = ch.charCodeAt(0);
    if (ch === '"') out += '\\"';
    else if (ch === '\\') out += '\\\\';
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\t') out += '\\t';
    else if (ch === '\b') out += '\\b';
    else if (ch === '\f') out += '\\f';
    else if (code < 0x20) out += `\\u${code.toString(16).padStart(4, '0')}`;
    else out += ch;
  }
  return `${out}"`;
}

const utf8 = new TextEncoder();
/** jsonb key order: shorter keys first, then bytewise (lengthCompareJsonbString). */
function keyOrder(a: string, b: string): number {
  const ba = utf8.encode(a);
  const bb = utf8.encode(b);
  if (ba.length !== bb.length) return ba.length - bb.length;
  for (let k = 0; k < ba.length; k++) if (ba[k] !== bb[k]) return ba[k] - bb[k];
  return 0;
}

/** jsonb normalization: last duplicate key wins, keys sorted. */
export function normalizeJsonb(v: Json): Json {
  if (Array.isArray(v)) return v.map(normalizeJsonb);
  if (v instanceof JsonObject) {
    const m = new Map<string, Json>();
    for (const [k, x] of v.entries) m.set(k, normalizeJsonb(x));
    return new JsonObject([...m.entries()].sort((a, b) => keyOrder(a[0], b[0])));
  }
  return v;
}

/** JsonbToCString() spacing: `{"a": 1, "b": [1, 2]}`. */
export function jsonbToText(v: Json): string {
  if (v === null) return 'null';
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  if (typeof v === 'string') return quoteJson(v);
  if (v instanceof Numeric) return v.toString();
  if (Array.isArray(v)) return `[${v.map(jsonbToText).join(', ')}]`;
  return `{${v.entries.map(([k, x]) => `${quoteJson(k)}: ${jsonbToText(x)}`).join(', ')}}`;
}

/** Canonical jsonb text for a json/jsonb input string. */
export function jsonbIn(text: string): string {
  return jsonbToText(normalizeJsonb(parseJson(text)));
}

/** json value as text: original source for objects/arrays, canonical for scalars. */
export function jsonToText(v: Json): string {
  return jsonSource(v) ?? jsonbToText(v);
}

export function jsonTypeof(v: Json): string {
  if (v === null) return 'null';
  if (typeof v === 'boolean') return 'boolean';
  if (typeof v === 'string') return 'string';
  if (v instanceof Numeric) return 'number';
  return Array.isArray(v) ? 'array' : 'object';
}
