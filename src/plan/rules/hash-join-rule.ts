/**
 * Rule: a join whose ON condition contains `left column = right column` conjuncts gets hash
 * keys, so the executor builds a hash table on the right side instead of comparing every
 * pair of rows. Guards, each a reason it does not apply:
 *   - LATERAL joins re-run their right side per left row (nothing to build once);
 *   - a key must be a plain column (or a cast of one) of each side, and both sides must have
 *     the same type, because equal values of different types hash differently;
 *   - the remaining ON condition is still checked on each candidate pair.
 */
import type { BoundExpr } from '../../bind/bound-expr.ts';
import { conjuncts } from '../../bind/expr-walk.ts';
import type { JoinNode } from '../plan-nodes.ts';

/** The column a key reads, when the key is a column or a cast of one. */
function keyColumn(e: BoundExpr): number | null {
  if (e.kind === 'Column') return e.index;
  if (e.kind === 'Cast' && e.arg.kind === 'Column') return e.arg.index;
  return null;
}

function shift(e: BoundExpr, by: number): BoundExpr {
  if (e.kind === 'Column') return { ...e, index: e.index + by };
  if (e.kind === 'Cast') return { ...e, arg: shift(e.arg, by) };
  return e;
}

export function applyHashJoin(node: JoinNode): JoinNode {
  if (node.lateral || !node.on || node.hashKeys) return node;
  const width = node.left.columns.length;
  const left: BoundExpr[] = [];
  const right: BoundExpr[] = [];
  for (const c of conjuncts(node.on)) {
    if (c.kind !== 'Call' || !c.isOperator || c.name !== '=' || c.args.length !== 2) continue;
    const [a, b] = c.args;
    const ca = keyColumn(a);
    const cb = keyColumn(b);
    if (ca === null || cb === null) continue;
    if (a.type.base !== b.type.base || a.type.isArray !== b.type.isArray) continue;
    if (ca < width && cb >= width) {
      left.push(a);
      right.push(shift(b, -width));
    } else if (cb < width && ca >= width) {
      left.push(b);
      right.push(shift(a, -width));
    }
  }
  return left.length > 0 ? { ...node, hashKeys: { left, right } } : node;
}
