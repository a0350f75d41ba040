/**
 * Evaluating a tsquery against a document (TS_execute): the boolean operators on whether
 * each lexeme occurs, and FOLLOWED BY on the positions where they occur. The document is
 * reached through `lookup`, so the same evaluation serves @@ on a tsvector and ts_rank_cd's
 * covers (a window of positions).
 */
import { compareText } from '../compare.ts';
import type { QueryNode, TsQuery } from './tsquery.ts';
import { type Lexeme, positionOf, type TsVector, type WeightedPosition, weightOf } from './tsvector.ts';

/** Where an operand occurs: its positions (weight-filtered), or `positioned: false` when the document keeps none. */
export interface Occurrence {
  readonly positions: readonly number[];
  readonly positioned: boolean;
}

export type Lookup = (operand: QueryNode & { kind: 'lexeme' }) => Occurrence | null;

/** The lexemes of `v` an operand names: the word itself, or every word it prefixes. */
export function matchingLexemes(v: TsVector, operand: QueryNode & { kind: 'lexeme' }): Lexeme[] {
  const lexemes = v.lexemes;
  let lo = 0;
  let hi = lexemes.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (compareText(lexemes[mid].word, operand.word) < 0) lo = mid + 1;
    else hi = mid;
  }
  const out: Lexeme[] = [];
  for (let i = lo; i < lexemes.length; i++) {
    const w = lexemes[i].word;
    if (operand.prefix ? !w.startsWith(operand.word) : w !== operand.word) break;
    out.push(lexemes[i]);
  }
  return out;
}

const allowed = (operand: QueryNode & { kind: 'lexeme' }, p: WeightedPosition) =>
  operand.weights === 0 || (operand.weights & (1 << weightOf(p))) !== 0;

/** The Lookup of a tsvector. */
export function vectorLookup(v: TsVector): Lookup {
  return (operand) => {
    const found = matchingLexemes(v, operand);
    if (found.length === 0) return null;
    if (found.every((l) => l.positions.length === 0)) return { positions: [], positioned: false };
    const positions: number[] = [];
    for (const l of found)
      for (const p of l.positions) if (allowed(operand, p)) positions.push(positionOf(p));
    if (positions.length === 0) return null;
    positions.sort((a, b) => a - b);
    return { positions: unique(positions), positioned: true };
  };
}

function unique(sorted: number[]): number[] {
  return sorted.filter((p, i) => i === 0 || sorted[i - 1] !== p);
}

/** tsvector @@ tsquery. */
export function matches(v: TsVector, q: TsQuery): boolean {
  return q.root !== null && evaluate(q.root, vectorLookup(v));
}

/** Whether the query tree holds for the document `lookup` describes. */
export function evaluate(node: QueryNode, lookup: Lookup): boolean {
  switch (node.kind) {
    case 'lexeme':
      return lookup(node) !== null;
    case 'not':
      return !evaluate(node.arg, lookup);
    case 'and':
      return evaluate(node.left, lookup) && evaluate(node.right, lookup);
    case 'or':
      return evaluate(node.left, lookup) || evaluate(node.right, lookup);
    case 'phrase': {
      const data = phrase(node, lookup);
      return data !== null && (data.negate || data.positions.length > 0);
    }
  }
}

/**
 * A subtree's matches inside a phrase: the positions where a match ends and how many
 * positions it spans before that (width); `negate`: the positions where it does NOT end.
 * null: it cannot match here (a lexeme missing, or without positions).
 */
interface PhraseData {
  readonly positions: readonly number[];
  readonly width: number;
  readonly negate: boolean;
}

function phrase(node: QueryNode, lookup: Lookup): PhraseData | null {
  switch (node.kind) {
    case 'lexeme': {
      const found = lookup(node);
      if (found === null) return { positions: [], width: 0, negate: false };
      if (!found.positioned) return null;
      return { positions: found.positions, width: 0, negate: false };
    }
    case 'not': {
      const arg = phrase(node.arg, lookup);
      return arg && { ...arg, negate: !arg.negate };
    }
    case 'and':
    case 'or':
    case 'phrase': {
      const l = phrase(node.left, lookup);
      const r = phrase(node.right, lookup);
      if (!l || !r) return null;
      if (node.kind === 'phrase') {
        // L ends `distance` positions before R starts: l + distance + r.width = r.
        const shift = node.distance + r.width;
        const width = l.width + node.distance + r.width;
        return combine(
          l.positions.map((p) => p + shift),
          l.negate,
          r.positions,
          r.negate,
          'and',
          width,
        );
      }
      return combine(l.positions, l.negate, r.positions, r.negate, node.kind, Math.max(l.width, r.width));
    }
  }
}

/** Positions of two operands joined by AND (both) or OR (either), negations included. */
function combine(
  left: readonly number[],
  leftNegated: boolean,
  right: readonly number[],
  rightNegated: boolean,
  op: 'and' | 'or',
  width: number,
): PhraseData {
  // Each case needs one of these; none is computed before its case.
  const union = () => unique([...left, ...right].sort((a, b) => a - b));
  const both = () => {
    const inRight = new Set(right);
    return left.filter((p) => inRight.has(p));
  };
  const only = (keep: readonly number[], drop: readonly number[]) => {
    const dropped = new Set(drop);
    return keep.filter((p) => !dropped.has(p));
  };
  if (op === 'and') {
    if (!leftNegated && !rightNegated) return { positions: both(), width, negate: false };
    if (leftNegated && !rightNegated) return { positions: only(right, left), width, negate: false };
    if (!leftNegated && rightNegated) return { positions: only(left, right), width, negate: false };
    return { positions: union(), width, negate: true };
  }
  if (!leftNegated && !rightNegated) return { positions: union(), width, negate: false };
  if (leftNegated && rightNegated) return { positions: both(), width, negate: true };
  // One side negated: where the negated side does not end, unless the other does.
  return leftNegated
    ? { positions: only(left, right), width, negate: true }
    : { positions: only(right, left), width, negate: true };
}
