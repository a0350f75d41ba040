/**
 * tsvector: a sorted list of distinct lexemes, each with up to 256 positions (1–16383) and a
 * weight per position (A, B, C or D). Text form as tsvector_in/tsvector_out
 * (`'fat':2,11A 'rat':12`), binary form as tsvector_send/tsvector_recv, and the operations
 * on whole vectors (||, setweight, strip).
 */
import { SqlError, SqlState } from '../../errors/sql-error.ts';
import { ByteReader, ByteWriter, utf8Decode, utf8Encode } from '../binary.ts';
import { compareText } from '../compare.ts';

/** Largest position; larger ones are stored as it (MAXENTRYPOS - 1). */
export const MAX_POSITION = 16383;
/** Positions kept per lexeme (MAXNUMPOS). */
const MAX_POSITIONS = 256;
/** Longest lexeme in bytes (MAXSTRLEN). */
export const MAX_LEXEME_BYTES = 2047;

/** A position with its weight: `weight << 14 | position` (WordEntryPos); weight 3 = A … 0 = D. */
export type WeightedPosition = number;

export const positionOf = (p: WeightedPosition): number => p & 0x3fff;
export const weightOf = (p: WeightedPosition): number => p >>> 14;

export interface Lexeme {
  readonly word: string;
  /** Ascending by position, distinct positions; empty when the vector has none for it. */
  readonly positions: readonly WeightedPosition[];
}

export class TsVector {
  /** Sorted by word (byte order), distinct words. */
  constructor(readonly lexemes: readonly Lexeme[]) {}

  toString(): string {
    return formatTsVector(this);
  }
}

const WEIGHT_LETTERS = ['D', 'C', 'B', 'A'];

/** A lexeme as tsvector_out and tsquery_out quote it: `'it''s'`, backslashes doubled. */
export function quoteLexeme(word: string): string {
  return `'${word.replace(/\\/g, '\\\\').replace(/'/g, "''")}'`;
}

export function formatTsVector(v: TsVector): string {
  const parts: string[] = [];
  for (const { word, positions } of v.lexemes) {
    let s = quoteLexeme(word);
    if (positions.length > 0) {
      s += `:${positions.map((p) => `${positionOf(p)}${weightOf(p) === 0 ? '' : WEIGHT_LETTERS[weightOf(p)]}`).join(',')}`;
    }
    parts.push(s);
  }
  return parts.join(' ');
}

/**
 * Lexemes with their positions in any order and with repeats → a tsvector: sorted, words
 * merged, positions sorted and deduplicated (a repeated position keeps its highest weight),
 * at most 256 per lexeme.
 */
export function buildTsVector(entries: readonly Lexeme[]): TsVector {
  const byWord = new Map<string, WeightedPosition[]>();
  for (const { word, positions } of entries) {
    const list = byWord.get(word);
    if (list) list.push(...positions);
    else byWord.set(word, [...positions]);
  }
  const words = [...byWord.keys()].sort(compareText);
  return new TsVector(words.map((word) => ({ word, positions: normalizePositions(byWord.get(word)!) })));
}

function normalizePositions(list: WeightedPosition[]): WeightedPosition[] {
  if (list.length === 0) return list;
  list.sort((a, b) => positionOf(a) - positionOf(b) || weightOf(b) - weightOf(a));
  const out: WeightedPosition[] = [];
  for (const p of list) {
    if (out.length > 0 && positionOf(out[out.length - 1]) === positionOf(p)) continue;
    out.push(p);
    if (out.length === MAX_POSITIONS) break;
  }
  return out;
}

function syntaxError(text: string): SqlError {
  return new SqlError(SqlState.SyntaxError, `syntax error in tsvector: "${text}"`);
}

const isSpace = (c: string) =>
  c === ' ' || c === '\t' || c === '\n' || c === '\r' || c === '\f' || c === '\v';

/** tsvector_in. */
export function parseTsVector(text: string): TsVector {
  const entries: Lexeme[] = [];
  let i = 0;
  const n = text.length;
  while (i < n) {
    while (i < n && isSpace(text[i])) i++;
    if (i >= n) break;
    let word = '';
    if (text[i] === "'") {
      i++;
      for (;;) {
        if (i >= n) throw syntaxError(text);
        const c = text[i];
        if (c === '\\') {
          if (i + 1 >= n) throw syntaxError(text);
          word += text[i + 1];
          i += 2;
        } else if (c === "'") {
          if (text[i + 1] === "'") {
            word += "'";
            i += 2;
          } else {
            i++;
            break;
          }
        } else {
          word += c;
          i++;
        }
      }
    } else {
      while (i < n && !isSpace(text[i]) && text[i] !== ':') {
        const c = text[i];
        if (c === '\\') {
          if (i + 1 >= n) throw syntaxError(text);
          word += text[i + 1];
          i += 2;
        } else {
          word += c;
          i++;
        }
      }
    }
    if (utf8Encode(word).length > MAX_LEXEME_BYTES) {
      throw new SqlError(
        SqlState.ProgramLimitExceeded,
        `word is too long (${utf8Encode(word).length} bytes, max ${MAX_LEXEME_BYTES} bytes)`,
      );
    }
    const positions: WeightedPosition[] = [];
    if (text[i] === ':') {
      i++;
      for (;;) {
        const start = i;
        while (i < n && text[i] >= '0' && text[i] <= '9') i++;
        if (i === start) throw syntaxError(text);
        let position = Number(text.slice(start, i));
        if (position === 0)
          throw new SqlError(SqlState.SyntaxError, `wrong position info in tsvector: "${text}"`);
        position = Math.min(position, MAX_POSITION);
        let weight = 0;
        const w = text[i]?.toUpperCase();
        if (w === 'A' || w === 'B' || w === 'C' || w === 'D' || w === '*') {
          weight = w === '*' ? 0 : 3 - (w.charCodeAt(0) - 65);
          i++;
        }
        positions.push((weight << 14) | position);
        if (text[i] !== ',') break;
        i++;
      }
      if (i < n && !isSpace(text[i])) throw syntaxError(text);
    }
    entries.push({ word, positions });
  }
  return buildTsVector(entries);
}

/** tsvector_send: lexeme count, then per lexeme its NUL-ended text, position count, positions. */
export function tsVectorSend(v: TsVector): Uint8Array {
  const w = new ByteWriter();
  w.uint32(v.lexemes.length);
  for (const { word, positions } of v.lexemes) {
    w.bytes(utf8Encode(word));
    w.int8(0);
    w.uint16(positions.length);
    for (const p of positions) w.uint16(p);
  }
  return w.finish();
}

/** tsvector_recv: the lexemes must come sorted and distinct, as tsvector_send writes them. */
export function tsVectorRecv(bytes: Uint8Array): TsVector {
  const r = new ByteReader(bytes);
  const count = r.uint32();
  const lexemes: Lexeme[] = [];
  for (let k = 0; k < count; k++) {
    const start = r.pos;
    while (r.remaining > 0 && bytes[r.pos] !== 0) r.pos++;
    const word = utf8Decode(bytes.subarray(start, r.pos));
    r.int8();
    const npos = r.uint16();
    if (npos > MAX_POSITIONS) {
      throw new SqlError(SqlState.InvalidBinaryRepresentation, 'unexpected number of tsvector positions');
    }
    const positions: WeightedPosition[] = [];
    for (let j = 0; j < npos; j++) {
      const p = r.uint16();
      if (j > 0 && positionOf(p) <= positionOf(positions[j - 1])) {
        throw new SqlError(SqlState.InvalidBinaryRepresentation, 'position information is misordered');
      }
      positions.push(p);
    }
    if (k > 0 && compareText(lexemes[k - 1].word, word) >= 0) {
      throw new SqlError(SqlState.InvalidBinaryRepresentation, 'lexemes are misordered');
    }
    lexemes.push({ word, positions });
  }
  r.end();
  return new TsVector(lexemes);
}

/** tsvector || tsvector: the right one's positions move past the left one's largest. */
export function concatTsVectors(a: TsVector, b: TsVector): TsVector {
  let shift = 0;
  for (const { positions } of a.lexemes) {
    for (const p of positions) shift = Math.max(shift, positionOf(p));
  }
  const moved = b.lexemes.map(({ word, positions }) => ({
    word,
    positions: positions.map((p) => (weightOf(p) << 14) | Math.min(positionOf(p) + shift, MAX_POSITION)),
  }));
  // A word in both keeps the left positions and the moved right ones; a word without
  // positions on one side takes the other side's.
  return buildTsVector([...a.lexemes, ...moved]);
}

/** setweight(vector, weight [, lexemes]): every position (of the listed lexemes) gets `weight`. */
export function setWeight(v: TsVector, weightLetter: string, only?: ReadonlySet<string>): TsVector {
  const weight = weightNumber(weightLetter);
  return new TsVector(
    v.lexemes.map((l) =>
      only && !only.has(l.word)
        ? l
        : { word: l.word, positions: l.positions.map((p) => (weight << 14) | positionOf(p)) },
    ),
  );
}

/** A weight letter (a–d, A–D) as its number: A = 3 … D = 0. */
export function weightNumber(letter: string): number {
  const w = letter.toUpperCase();
  if (w.length !== 1 || w < 'A' || w > 'D') {
    // PostgreSQL's elog: an internal error naming the character's code.
    throw new SqlError(SqlState.InternalError, `unrecognized weight: ${letter.charCodeAt(0) || 0}`);
  }
  return 3 - (w.charCodeAt(0) - 65);
}

export function stripPositions(v: TsVector): TsVector {
  return new TsVector(v.lexemes.map(({ word }) => ({ word, positions: [] })));
}
