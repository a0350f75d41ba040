/**
 * Array values and their text/binary forms. PostgreSQL arrays are rectangular, any number
 * of dimensions, with per-dimension lower bounds (default 1); an empty array has no
 * dimensions. Text form: `{1,2,3}`, `{{1,2},{3,4}}`, `[0:1]={a,b}`, elements quoted when
 * empty, "NULL", or containing braces, quotes, backslashes, the delimiter or white space.
 */
import { SqlError, SqlState } from '../errors/sql-error.ts';
import { ByteReader, ByteWriter } from './binary.ts';
import type { Value } from './type.ts';

export class ArrayValue {
  constructor(
    /** Elements in row-major order; null for SQL NULL. */
    readonly elements: Value[],
    readonly dims: readonly number[],
    readonly lbounds: readonly number[],
  ) {}

  /** A one-dimensional array with lower bound 1 (or the empty array). */
  static of(elements: Value[]): ArrayValue {
    return elements.length ? new ArrayValue(elements, [elements.length], [1]) : ArrayValue.EMPTY;
  }

  static readonly EMPTY = new ArrayValue([], [], []);

  /** Alias of `elements` for code that treats arrays as `{ dims, values }`. */
  get values(): Value[] {
    return this.elements;
  }

  get ndim(): number {
    return this.dims.length;
  }
}

function malformed(text: string, detail: string): SqlError {
  return new SqlError(SqlState.InvalidTextRepresentation, `malformed array literal: "${text}"`, { detail });
}

const isSpace = (c: string) =>
  c === ' ' || c === '\t' || c === '\n' || c === '\r' || c === '\v' || c === '\f';

/** array_in(): `elemIn` converts one unquoted/unescaped element string. */
export function parseArrayText(text: string, elemIn: (s: string) => Value, delim = ','): ArrayValue {
  let i = 0;
  const skip = () => {
    while (i < text.length && isSpace(text[i])) i++;
  };
  skip();
  let explicitDims: { lb: number; ub: number }[] | undefined;
  if (text[i] === '[') {
    explicitDims = [];
    while (text[i] === '[') {
      const m = /^\[\s*(-?\d+)\s*(?::\s*(-?\d+)\s*)?\]/.exec(text.slice(i));
      if (!m) throw malformed(text, 'Missing array dimension value.');
      const lb = m[2] === undefined ? 1 : Number(m[1]);
      const ub = Number(m[2] ?? m[1]);
      if (ub < lb)
        throw new SqlError(SqlState.ArraySubscriptError, 'upper bound cannot be less than lower bound');
      explicitDims.push({ lb, ub });
      i += m[0].length;
    }
    skip();
    if (text[i] !== '=') throw malformed(text, 'Missing "=" after array dimensions.');
    i++;
    skip();
  }
  if (text[i] !== '{') throw malformed(text, 'Array value must start with "{" or dimension information.');
  const elements: Value[] = [];
  let dims: number[] | undefined;
  // Parses one brace level; returns the element count at that level.
  const level = (depth: number): number => {
    i++; // '{'
    let count = 0;
    skip();
    if (text[i] === '}') {
      i++;
      return 0;
    }
    for (;;) {
      skip();
      if (i >= text.length) throw malformed(text, 'Unexpected end of input.');
      if (text[i] === '{') {
        const n = level(depth + 1);
        dims ??= [];
        if (dims[depth + 1] === undefined) dims[depth + 1] = n;
        else if (dims[depth + 1] !== n) {
          throw malformed(text, 'Multidimensional arrays must have sub-arrays with matching dimensions.');
        }
      } else if (text[i] === '}' || text[i] === delim) {
        throw malformed(text, `Unexpected "${text[i]}" character.`);
      } else {
        if (dims && dims.length > depth + 1) {
          throw malformed(text, 'Multidimensional arrays must have sub-arrays with matching dimensions.');
        }
        let s = '';
        let quoted = false;
        let lastNonSpace = 0;
        while (i < text.length) {
          const c = text[i];
          if (c === '"') {
            quoted = true;
            i++;
            while (i < text.length && text[i] !== '"') {
              if (text[i] === '\\') i++;
              if (i < text.length) s += text[i++];
            }
            if (i >= text.length) throw malformed(text, 'Unexpected end of input.');
            i++;
            lastNonSpace = s.length;
          } else if (c === '\\') {
            if (++i >= text.length) throw malformed(text, 'Unexpected end of input.');
            s += text[i++];
            lastNonSpace = s.length;
          } else if (c === delim || c === '}') break;
          else if (c === '{') throw malformed(text, 'Unexpected "{" character.');
          else {
            s += c;
            i++;
            if (!isSpace(c)) lastNonSpace = s.length;
          }
        }
        s = s.slice(0, lastNonSpace);
        elements.push(!quoted && s.toUpperCase() === 'NULL' ? null : elemIn(s));
      }
      count++;
      skip();
      if (text[i] === delim) {
        i++;
        continue;
      }
      if (text[i] === '}') {
        i++;
        return count;
      }
      throw malformed(
        text,
        i >= text.length ? 'Unexpected end of input.' : `Unexpected "${text[i]}" character.`,
      );
    }
  };
  const top = level(0);
  skip();
  if (i < text.length) throw malformed(text, 'Junk after closing right brace.');
  if (top === 0 && elements.length === 0) return ArrayValue.EMPTY;
  const d = dims ?? [];
  d[0] = top;
  const total = d.reduce((a, b) => a * b, 1);
  if (total !== elements.length) {
    throw malformed(text, 'Multidimensional arrays must have sub-arrays with matching dimensions.');
  }
  if (explicitDims) {
    if (explicitDims.length !== d.length || explicitDims.some((e, k) => e.ub - e.lb + 1 !== d[k])) {
      throw malformed(text, 'Specified array dimensions do not match array contents.');
    }
    return new ArrayValue(
      elements,
      d,
      explicitDims.map((e) => e.lb),
    );
  }
  return new ArrayValue(
    elements,
    d,
    d.map(() => 1),
  );
}

function quoteElement(s: string, delim: string): string {
  const needs =
    s === '' ||
    s.toUpperCase() === 'NULL' ||
    [...s].some((c) => c === '{' || c === '}' || c === '"' || c === '\\' || c === delim || isSpace(c));
  return needs ? `"${s.replace(/["\\]/g, '\\$&')}"` : s;
}

/** array_out(). */
export function arrayToText(arr: ArrayValue, elemOut: (v: Value) => string, delim = ','): string {
  if (arr.ndim === 0) return '{}';
  let k = 0;
  const render = (depth: number): string => {
    const parts: string[] = [];
    for (let j = 0; j < arr.dims[depth]; j++) {
      if (depth + 1 < arr.ndim) parts.push(render(depth + 1));
      else {
        const v = arr.elements[k++];
        parts.push(v === null || v === undefined ? 'NULL' : quoteElement(elemOut(v), delim));
      }
    }
    return `{${parts.join(delim)}}`;
  };
  const body = render(0);
  if (arr.lbounds.every((lb) => lb === 1)) return body;
  const deco = arr.dims.map((n, d) => `[${arr.lbounds[d]}:${arr.lbounds[d] + n - 1}]`).join('');
  return `${deco}=${body}`;
}

/** array_send(): ndim, has-null flag, element OID, (size, lbound) per dimension, then elements. */
export function arrayToBinary(
  arr: ArrayValue,
  elemOid: number,
  elemOut: (v: Value) => Uint8Array,
): Uint8Array {
  const w = new ByteWriter();
  w.int32(arr.ndim)
    .int32(arr.elements.some((e) => e === null) ? 1 : 0)
    .uint32(elemOid);
  arr.dims.forEach((n, d) => w.int32(n).int32(arr.lbounds[d]));
  for (const e of arr.elements) {
    if (e === null || e === undefined) w.int32(-1);
    else {
      const b = elemOut(e);
      w.int32(b.length).bytes(b);
    }
  }
  return w.finish();
}

/** array_recv(); `elemOid` is checked against the header as PostgreSQL does. */
export function arrayFromBinary(
  bytes: Uint8Array,
  elemOid: number,
  elemIn: (b: Uint8Array) => Value,
): ArrayValue {
  const r = new ByteReader(bytes);
  const ndim = r.int32();
  r.int32(); // has-null flag: informational only
  const oid = r.uint32();
  if (ndim < 0 || ndim > 6) {
    throw new SqlError(SqlState.InvalidBinaryRepresentation, `invalid number of dimensions: ${ndim}`);
  }
  if (oid !== elemOid) {
    throw new SqlError(
      SqlState.DatatypeMismatch,
      'binary data has array element type ' + oid + ' instead of expected ' + elemOid,
    );
  }
  const dims: number[] = [];
  const lbounds: number[] = [];
  for (let d = 0; d < ndim; d++) {
    dims.push(r.int32());
    lbounds.push(r.int32());
  }
  const total = ndim ? dims.reduce((a, b) => a * b, 1) : 0;
  const elements: Value[] = [];
  for (let k = 0; k < total; k++) {
    const len = r.int32();
    elements.push(len < 0 ? null : elemIn(r.take(len)));
  }
  r.end();
  return total ? new ArrayValue(elements, dims, lbounds) : ArrayValue.EMPTY;
}
