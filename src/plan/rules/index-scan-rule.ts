/**
 * Rule: a WHERE over a table scan whose conjuncts give every key column of a btree index a
 * value known before any row is read — `id = $1`, `a = 1 AND b = 'x'` for an index on
 * (a, b), `id IN (1, 2)`, `id = ANY($1)` — becomes an IndexScan: the rows holding that key,
 * found in the index's key map, instead of every row of the table. The vector-search rule
 * uses the same lookup for a kNN query's filter.
 *
 * A conjunct qualifies only where the key map's equality is the operator's: `=` between the
 * column itself and a value of the column's type (integers of another width are converted
 * when read, text and varchar share their keys). Anything else — a cast column, a volatile
 * or row-dependent value, a subquery — stays in the filter.
 */
import type { BoundExpr } from '../../bind/bound-expr.ts';
import { exprKey } from '../../bind/expr-utils.ts';
import { conjunction, conjuncts } from '../../bind/expr-walk.ts';
import { type IndexDef, keyed, type Table } from '../../catalog/catalog-types.ts';
import type { SqlType } from '../../types/type.ts';
import type { FilterNode, KeyLookup, KeySource, PlanNode, SeqScanNode } from '../plan-nodes.ts';

/**
 * Filter → SeqScan over a table with a usable btree index → [Filter of the other conjuncts]
 * → IndexScan; else null.
 */
export function applyIndexScan(node: FilterNode): PlanNode | null {
  const scan = node.input;
  if (scan.kind !== 'SeqScan') return null;
  const found = findKeyLookup(scan.table, node.predicate);
  return found ? lookupScan(scan, found.lookup, found.rest) : null;
}

/** The rows of `scan`'s table a lookup finds, [filtered by `rest`], in `scan`'s columns. */
export function lookupScan(scan: SeqScanNode, lookup: KeyLookup, rest: BoundExpr | null): PlanNode {
  const rows: PlanNode = {
    kind: 'IndexScan',
    table: scan.table,
    alias: scan.alias,
    lookup,
    withRowId: scan.withRowId,
    columns: scan.columns,
  };
  return rest ? { kind: 'Filter', input: rows, predicate: rest, columns: scan.columns } : rows;
}

/**
 * The best key lookup a predicate over `table`'s row (column i = table column i) allows: a
 * unique index before a plain one, then the one with more key columns. `rest` is the
 * predicate without the conjuncts the lookup stands for.
 */
export function findKeyLookup(
  table: Table,
  predicate: BoundExpr,
): { lookup: KeyLookup; rest: BoundExpr | null } | null {
  const parts = conjuncts(predicate);
  const operand = keyOperands(table);
  // Per key (a table column or an indexed expression): the first conjunct that pins it, and
  // where its values come from.
  const pinned = new Map<KeySlot, { conjunct: BoundExpr; source: KeySource }>();
  for (const part of parts) {
    const found = keyEquality(part, operand);
    if (found && !pinned.has(found.slot)) pinned.set(found.slot, { conjunct: part, source: found.source });
  }
  if (pinned.size === 0) return null;
  let best: IndexDef | null = null;
  const serves = partialIndexTest(parts);
  for (const index of table.indexes) {
    if (!keyed(index) || !slotsOf(index).every((k) => pinned.has(k)) || !serves(index)) continue;
    if (!best || rank(index) > rank(best)) best = index;
  }
  if (!best) return null;
  const slots = slotsOf(best);
  const used = slots.map((k) => pinned.get(k)!.conjunct);
  const rest = parts.filter((p) => !used.includes(p));
  return {
    lookup: {
      index: best,
      sources: slots.map((k) => pinned.get(k)!.source),
      cond: conjunction(used),
    },
    rest: rest.length === 0 ? null : conjunction(rest),
  };
}

/**
 * Whether an index may answer a WHERE with these conjuncts: a partial index holds only the
 * rows its own WHERE passes, so the query's conjuncts must include every one of the index's.
 */
export function partialIndexTest(parts: readonly BoundExpr[]): (index: IndexDef) => boolean {
  let keys: Set<string> | null = null;
  return (index) => {
    if (!index.predicate) return true;
    keys ??= new Set(parts.map(exprKey));
    return index.predicate.conjunctKeys.every((k) => keys!.has(k));
  };
}

const rank = (index: IndexDef) => (index.unique ? 1000 : 0) + slotsOf(index).length;

/** A key an index is over: a table column's position, or an indexed expression's exprKey. */
type KeySlot = number | string;

/** The keys of a keyed index, in its order. */
function slotsOf(index: IndexDef): KeySlot[] {
  return index.columns.length > 0 ? [...index.columns] : [index.expressionKey!];
}

/** Which key an operand of `=` is, and the type of that key's values. */
type KeyOperand = (e: BoundExpr) => { readonly slot: KeySlot; readonly type: SqlType } | null;

/** A table column (see keyColumn), or an expression a keyed index is over (`lower(email)`). */
function keyOperands(table: Table): KeyOperand {
  const expressions = new Map<string, SqlType>();
  for (const index of table.indexes)
    if (keyed(index) && index.expressionKey !== null) expressions.set(index.expressionKey, index.keyType);
  return (e) => {
    const column = keyColumn(table, e);
    if (column !== null) return { slot: column, type: table.columns[column].type };
    if (expressions.size === 0) return null;
    const key = exprKey(e);
    const type = expressions.get(key);
    return type ? { slot: key, type } : null;
  };
}

/** `key = v`, `key = v1 OR key = v2 …` or `key = ANY(array)`: the key and its values. */
function keyEquality(e: BoundExpr, operand: KeyOperand): { slot: KeySlot; source: KeySource } | null {
  if (e.kind === 'QuantifiedArray') {
    if (e.quantifier !== 'any' || e.operator !== '=') return null;
    const key = operand(e.arg);
    if (key === null || !e.array.type.isArray || !knownAhead(e.array)) return null;
    if (!sameKeys(key.type, { ...e.array.type, isArray: false })) return null;
    return { slot: key.slot, source: { kind: 'array', expr: e.array } };
  }
  const arms = e.kind === 'Or' ? e.args : [e];
  let slot: KeySlot | null = null;
  const exprs: BoundExpr[] = [];
  for (const arm of arms) {
    const eq = keyEquals(arm, operand);
    if (!eq || (slot !== null && eq.slot !== slot)) return null;
    slot = eq.slot;
    exprs.push(eq.value);
  }
  return slot === null ? null : { slot, source: { kind: 'values', exprs } };
}

/** The value of `column = v` (either way round) for a table column, or null (the range rule's prefix). */
export function columnEqualityValue(table: Table, column: number, e: BoundExpr): BoundExpr | null {
  const type = table.columns[column].type;
  return keyEquals(e, (x) => (keyColumn(table, x) === column ? { slot: column, type } : null))?.value ?? null;
}

function keyEquals(e: BoundExpr, operand: KeyOperand): { slot: KeySlot; value: BoundExpr } | null {
  if (e.kind !== 'Call' || !e.isOperator || e.name !== '=' || e.args.length !== 2) return null;
  for (const [side, value] of [e.args, [e.args[1], e.args[0]]]) {
    if (!knownAhead(value)) continue;
    const key = operand(side);
    if (key !== null && sameKeys(key.type, value.type)) return { slot: key.slot, value };
  }
  return null;
}

/**
 * The table column an operand is: the column itself (a DML scan's row-id column after the
 * table's is not one), or the column widened to a wider integer or read as text — casts the
 * binder adds for `int_col = $1::bigint` and `varchar_col = 'x'`, which keep equal values
 * equal and cannot fail. (A narrowing cast could raise an error on some row; not a key.)
 */
export function keyColumn(table: Table, e: BoundExpr): number | null {
  if (e.kind === 'Cast' && e.arg.kind === 'Column' && keepsEquality(e.arg.type, e.type))
    return keyColumn(table, e.arg);
  return e.kind === 'Column' && e.index < table.columns.length ? e.index : null;
}

const WIDTH: Record<string, number> = { int2: 2, int4: 4, int8: 8 };

function keepsEquality(from: SqlType, to: SqlType): boolean {
  if (from.isArray || to.isArray) return false;
  if (WIDTH[from.base] && WIDTH[to.base]) return WIDTH[from.base] <= WIDTH[to.base];
  return TEXTS.has(from.base) && to.base === 'text';
}

const INTEGERS = new Set(['int2', 'int4', 'int8']);
const TEXTS = new Set(['text', 'varchar']);

/** Whether values of type `value` find the column's rows by their key (see keyValue). */
export function sameKeys(column: SqlType, value: SqlType): boolean {
  if (column.isArray !== value.isArray) return false;
  if (column.base === value.base) return true;
  if (column.isArray) return false;
  return (
    (INTEGERS.has(column.base) && INTEGERS.has(value.base)) ||
    (TEXTS.has(column.base) && TEXTS.has(value.base))
  );
}

/**
 * Whether an expression has one value for the whole scan: constants, parameters, an
 * enclosing query's columns, and casts and non-volatile calls over them. (A subquery could
 * read the scanned row; a volatile call must be evaluated per row.)
 */
export function knownAhead(e: BoundExpr): boolean {
  switch (e.kind) {
    case 'Const':
    case 'Param':
    case 'Outer':
      return true;
    case 'Cast':
      return knownAhead(e.arg);
    case 'Call':
      return !e.volatile && e.args.every(knownAhead);
    case 'ArrayCtor':
      return e.elements.every(knownAhead);
    default:
      return false;
  }
}
