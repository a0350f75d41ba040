/**
 * The `[1,2,3]` text format shared by vector and halfvec (pgvector's vector_in/halfvec_in
 * walk the literal identically; only the element conversion and type name differ).
 * Grammar: grammar/vector.peggy. Order of checks, and so which error wins, follows the C:
 *   1. whitespace, then "[" or 22P02 with DETAIL `Vector contents must start with "[".`
 *   2. "]" right after "[" (and whitespace) → 22000 `… must have at least 1 dimension`
 *   3. per element: more than 16000 → 54000; end of string → 22P02 (no detail);
 *      strtof reads nothing → 22P02; the type's range/NaN/inf checks; then "," or "]",
 *      anything else → 22P02
 *   4. only whitespace after "]", else 22P02 with DETAIL `Junk after closing right brace.`
 *   5. dimension checks, then the typmod check (22000 `expected n dimensions, not m`).
 */

import {
  atLeastOneDimension,
  checkDim,
  checkExpectedDim,
  invalidSyntax,
  maxDim,
  tooManyDimensions,
  type VectorTypeName,
} from './vector-checks.ts';
import { formatFloat4 } from './vector-float-out.ts';
import { isCSpace, type ScannedFloat, scanFloat } from './vector-strtof.ts';

/**
 * Converts one scanned element (throwing the type's range/NaN/infinity errors) and returns
 * the stored number. `token` is the element text for the `"…" is out of range` message.
 */
export type ElementConverter = (scanned: ScannedFloat, token: string) => number;

/** Parses a dense vector literal; returns the element values in a plain array. */
export function parseDenseVector(
  lit: string,
  type: VectorTypeName,
  typmod: number,
  convert: ElementConverter,
): number[] {
  const n = lit.length;
  let pt = 0;
  while (pt < n && isCSpace(lit.charCodeAt(pt))) pt++;
  if (lit.charCodeAt(pt) !== 91) throw invalidSyntax(type, lit, 'Vector contents must start with "[".');
  pt++;
  while (pt < n && isCSpace(lit.charCodeAt(pt))) pt++;
  if (lit.charCodeAt(pt) === 93) throw atLeastOneDimension(type);
  const values: number[] = [];
  const max = maxDim(type);
  for (;;) {
    if (values.length === max) throw tooManyDimensions(type, max);
    while (pt < n && isCSpace(lit.charCodeAt(pt))) pt++;
    if (pt >= n) throw invalidSyntax(type, lit);
    const scanned = scanFloat(lit, pt);
    if (scanned.end === pt) throw invalidSyntax(type, lit);
    values.push(convert(scanned, lit.slice(pt, scanned.end)));
    pt = scanned.end;
    while (pt < n && isCSpace(lit.charCodeAt(pt))) pt++;
    const c = lit.charCodeAt(pt);
    if (c === 44) pt++;
    else if (c === 93) {
      pt++;
      break;
    } else throw invalidSyntax(type, lit);
  }
  while (pt < n && isCSpace(lit.charCodeAt(pt))) pt++;
  if (pt < n) throw invalidSyntax(type, lit, 'Junk after closing right brace.');
  checkDim(type, values.length);
  checkExpectedDim(typmod, values.length);
  return values;
}

/** `[e1,e2,…]` with each element in float4 shortest form (vector_out/halfvec_out). */
export function formatDenseVector(values: ArrayLike<number>): string {
  let out = '[';
  for (let i = 0; i < values.length; i++) {
    if (i > 0) out += ',';
    out += formatFloat4(values[i]!);
  }
  return `${out}]`;
}
