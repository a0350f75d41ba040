/**
 * ts_rank and ts_rank_cd, computed as PostgreSQL 15 computes them (tsrank.c), including
 * where it rounds to float4 (Math.fround below), so ORDER BY ts_rank(…) gives the same
 * values and ties. ts_rank weighs each pair of query lexemes by their closeness (AND and
 * FOLLOWED BY at the top) or sums each lexeme's occurrences (otherwise); ts_rank_cd sums
 * the covers: minimal spans of the document that satisfy the query.
 */
import { SqlError, SqlState } from '../../errors/sql-error.ts';
import { compareText } from '../compare.ts';
import { evaluate, matchingLexemes } from './ts-match.ts';
import type { QueryNode, TsQuery } from './tsquery.ts';
import { MAX_POSITION, positionOf, type TsVector, type WeightedPosition, weightOf } from './tsvector.ts';

/** Default weights of D, C, B, A. */
export const DEFAULT_WEIGHTS = [0.1, 0.2, 0.4, 1.0].map(Math.fround);

const f = Math.fround;
/** MAXENTRYPOS: stands for "no position" in the distance of two lexemes. */
const NO_POSITION_DISTANCE = MAX_POSITION + 1;

const NORM_LOGLENGTH = 0x01;
const NORM_LENGTH = 0x02;
const NORM_EXTDIST = 0x04;
const NORM_UNIQ = 0x08;
const NORM_LOGUNIQ = 0x10;
const NORM_RDIVRPLUS1 = 0x20;

/** The weights array of ts_rank(weights, …): four float4s, -1 (any negative) for the default. */
export function rankWeights(array: readonly (number | null)[] | null, dims: number): number[] {
  if (dims !== 1) {
    throw new SqlError(SqlState.ArraySubscriptError, 'array of weight must be one-dimensional');
  }
  if (!array || array.length < 4)
    throw new SqlError(SqlState.ArraySubscriptError, 'array of weight is too short');
  if (array.some((w) => w === null)) {
    throw new SqlError(SqlState.NullValueNotAllowed, 'array of weight must not contain nulls');
  }
  return DEFAULT_WEIGHTS.map((d, i) => {
    const w = f(array[i] as number);
    if ((w >= 0 ? w : d) > 1.0) throw new SqlError(SqlState.InvalidParameterValue, 'weight out of range');
    return w >= 0 ? w : d;
  });
}

function wordDistance(distance: number): number {
  if (distance > 100) return f(1e-30);
  return f(1.0 / (1.005 + 0.05 * Math.exp(f(distance) / 1.5 - 2)));
}

/** Positions counted as PostgreSQL's cnt_length: a lexeme without positions counts once. */
function documentLength(v: TsVector): number {
  let n = 0;
  for (const l of v.lexemes) n += l.positions.length || 1;
  return n;
}

type Operand = QueryNode & { kind: 'lexeme' };

function operands(node: QueryNode, out: Operand[] = []): Operand[] {
  if (node.kind === 'lexeme') out.push(node);
  else if (node.kind === 'not') operands(node.arg, out);
  else {
    operands(node.left, out);
    operands(node.right, out);
  }
  return out;
}

/** The query's operands sorted by word, one per word (SortAndUniqItems). */
function distinctOperands(q: QueryNode): Operand[] {
  const sorted = operands(q).sort((a, b) => compareText(a.word, b.word));
  return sorted.filter((o, i) => i === 0 || sorted[i - 1].word !== o.word);
}

const NO_POSITIONS_AND: readonly WeightedPosition[] = [MAX_POSITION];
const NO_POSITIONS_OR: readonly WeightedPosition[] = [0];

function rankAnd(w: readonly number[], v: TsVector, q: QueryNode): number {
  const items = distinctOperands(q);
  if (items.length < 2) return rankOr(w, v, q);
  const pos: (readonly WeightedPosition[] | undefined)[] = new Array(items.length);
  let res = f(-1.0);
  for (let i = 0; i < items.length; i++) {
    for (const entry of matchingLexemes(v, items[i])) {
      const post = entry.positions.length > 0 ? entry.positions : NO_POSITIONS_AND;
      pos[i] = post;
      for (let k = 0; k < i; k++) {
        const ct = pos[k];
        if (!ct) continue;
        for (const pl of post) {
          for (const pk of ct) {
            let dist = Math.abs(positionOf(pl) - positionOf(pk));
            if (dist || post === NO_POSITIONS_AND || ct === NO_POSITIONS_AND) {
              if (!dist) dist = NO_POSITION_DISTANCE;
              const curw = f(Math.sqrt(f(f(w[weightOf(pl)] * w[weightOf(pk)]) * wordDistance(dist))));
              res = res < 0 ? curw : f(1.0 - (1.0 - res) * (1.0 - curw));
            }
          }
        }
      }
    }
  }
  return res;
}

function rankOr(w: readonly number[], v: TsVector, q: QueryNode): number {
  const items = distinctOperands(q);
  let res = f(0);
  for (const item of items) {
    for (const entry of matchingLexemes(v, item)) {
      const post = entry.positions.length > 0 ? entry.positions : NO_POSITIONS_OR;
      let resj = f(0);
      let wjm = f(-1);
      let jm = 0;
      for (let j = 0; j < post.length; j++) {
        const wj = w[weightOf(post[j])];
        resj = f(resj + f(wj / ((j + 1) * (j + 1))));
        if (wj > wjm) {
          wjm = wj;
          jm = j;
        }
      }
      res = f(res + f(f(wjm + resj) - f(wjm / ((jm + 1) * (jm + 1)))) / 1.64493406685);
    }
  }
  if (items.length > 0) res = f(res / items.length);
  return res;
}

/** ts_rank([weights,] vector, query [, normalization]). */
export function tsRank(v: TsVector, q: TsQuery, weights = DEFAULT_WEIGHTS, method = 0): number {
  const root = q.root;
  if (v.lexemes.length === 0 || !root) return 0;
  let res =
    root.kind === 'and' || root.kind === 'phrase' ? rankAnd(weights, v, root) : rankOr(weights, v, root);
  if (res < 0) res = f(1e-20);
  if (method & NORM_LOGLENGTH) res = f(res / (Math.log(documentLength(v) + 1) / Math.log(2.0)));
  if (method & NORM_LENGTH) {
    const len = documentLength(v);
    if (len > 0) res = f(res / len);
  }
  if (method & NORM_UNIQ) res = f(res / v.lexemes.length);
  if (method & NORM_LOGUNIQ) res = f(res / (Math.log(v.lexemes.length + 1) / Math.log(2.0)));
  if (method & NORM_RDIVRPLUS1) res = f(res / f(res + 1));
  return res;
}

/** One position of the document that some query operands occur at. */
interface DocEntry {
  readonly position: WeightedPosition;
  readonly operands: readonly Operand[];
}

/** get_docrep: the positions of the query's lexemes in the document, in order. */
function documentEntries(v: TsVector, root: QueryNode): DocEntry[] {
  const raw: { position: WeightedPosition; lexeme: number; operand: Operand }[] = [];
  const index = new Map(v.lexemes.map((l, i) => [l, i]));
  for (const operand of operands(root)) {
    for (const lexeme of matchingLexemes(v, operand)) {
      for (const p of lexeme.positions) {
        if (operand.weights === 0 || operand.weights & (1 << weightOf(p))) {
          raw.push({ position: p, lexeme: index.get(lexeme)!, operand });
        }
      }
    }
  }
  raw.sort(
    (a, b) =>
      positionOf(a.position) - positionOf(b.position) ||
      weightOf(a.position) - weightOf(b.position) ||
      a.lexeme - b.lexeme,
  );
  const out: { position: WeightedPosition; lexeme: number; operands: Operand[] }[] = [];
  for (const r of raw) {
    const last = out[out.length - 1];
    if (last && last.position === r.position && last.lexeme === r.lexeme) last.operands.push(r.operand);
    else out.push({ position: r.position, lexeme: r.lexeme, operands: [r.operand] });
  }
  return out;
}

interface Cover {
  /** Index into the entries where the next search starts. */
  next: number;
  begin: number;
  end: number;
  /** First and last position of the cover. */
  p: number;
  q: number;
}

/** Whether `root` holds for the operands seen so far in a cover search (either direction). */
function holds(root: QueryNode, seen: Map<Operand, number[]>): boolean {
  return evaluate(root, (operand) => {
    const positions = seen.get(operand);
    return positions ? { positions: [...positions].sort((a, b) => a - b), positioned: true } : null;
  });
}

function see(seen: Map<Operand, number[]>, entry: DocEntry): void {
  for (const operand of entry.operands) {
    const list = seen.get(operand);
    const at = positionOf(entry.position);
    if (!list) seen.set(operand, [at]);
    else if (list[list.length - 1] !== at) list.push(at);
  }
}

/** The next cover from `ext.next` on (PostgreSQL's Cover), or false. */
function nextCover(root: QueryNode, doc: readonly DocEntry[], ext: Cover): boolean {
  for (;;) {
    let seen = new Map<Operand, number[]>();
    let lastIndex = ext.next;
    let found = false;
    ext.p = Number.MAX_SAFE_INTEGER;
    ext.q = 0;
    for (let i = ext.next; i < doc.length; i++) {
      see(seen, doc[i]);
      if (holds(root, seen)) {
        if (positionOf(doc[i].position) > ext.q) {
          ext.q = positionOf(doc[i].position);
          ext.end = i;
          lastIndex = i;
          found = true;
        }
        break;
      }
    }
    if (!found) return false;
    seen = new Map();
    let i = lastIndex;
    for (; i >= ext.next; i--) {
      see(seen, doc[i]);
      if (holds(root, seen)) {
        if (positionOf(doc[i].position) < ext.p) {
          ext.begin = i;
          ext.p = positionOf(doc[i].position);
        }
        break;
      }
    }
    if (ext.p <= ext.q) {
      ext.next = i + 1;
      return true;
    }
    ext.next++;
  }
}

/** ts_rank_cd([weights,] vector, query [, normalization]). */
export function tsRankCd(v: TsVector, q: TsQuery, weights = DEFAULT_WEIGHTS, method = 0): number {
  const root = q.root;
  const inverse = weights.map((w) => 1.0 / w);
  if (!root) return 0;
  const doc = documentEntries(v, root);
  if (doc.length === 0) return 0;
  const ext: Cover = { next: 0, begin: 0, end: 0, p: 0, q: 0 };
  let wdoc = 0.0;
  let sumDist = 0.0;
  let prevExtPos = 0.0;
  let extents = 0;
  while (nextCover(root, doc, ext)) {
    let invSum = 0.0;
    for (let i = ext.begin; i <= ext.end; i++) invSum += inverse[weightOf(doc[i].position)];
    const cpos = (ext.end - ext.begin + 1) / invSum;
    let noise = ext.q - ext.p - (ext.end - ext.begin);
    if (noise < 0) noise = Math.trunc((ext.end - ext.begin) / 2);
    wdoc += cpos / (1 + noise);
    const curExtPos = (ext.q + ext.p) / 2.0;
    if (extents > 0 && curExtPos > prevExtPos) sumDist += 1.0 / (curExtPos - prevExtPos);
    prevExtPos = curExtPos;
    extents++;
  }
  if (method & NORM_LOGLENGTH && v.lexemes.length > 0) wdoc /= Math.log(documentLength(v) + 1);
  if (method & NORM_LENGTH) {
    const len = documentLength(v);
    if (len > 0) wdoc /= len;
  }
  if (method & NORM_EXTDIST && extents > 0 && sumDist > 0) wdoc /= extents / sumDist;
  if (method & NORM_UNIQ && v.lexemes.length > 0) wdoc /= v.lexemes.length;
  if (method & NORM_LOGUNIQ && v.lexemes.length > 0) wdoc /= Math.log(v.lexemes.length + 1) / Math.log(2.0);
  if (method & NORM_RDIVRPLUS1) wdoc /= wdoc + 1;
  return f(wdoc);
}
