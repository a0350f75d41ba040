/**
 * Executes VectorSearch: a k-nearest-neighbour search through an HNSW/IVFFlat index with the
 * WHERE filter and row visibility applied inside the search. When the index yields fewer
 * than the k rows asked for while more rows match (a selective filter, dead row versions),
 * the search falls back to an exact scan, so a filtered kNN query always returns k rows when
 * k rows match (unlike pgvector without iterative scans).
 *
 * Without LIMIT (an index scan forced by enable_seqscan = off) it returns what pgvector's
 * index scan returns: up to hnsw.ef_search rows for HNSW, the rows of the probed lists for
 * IVFFlat, all indexed rows with an iterative scan.
 */
import type { PlanNode } from '../plan/plan-nodes.ts';
import type { DistanceFunction } from '../storage/vector/distance.ts';
import { bitDistance, floatDistance, isFloatMetric } from '../storage/vector/distance.ts';
import type { Value } from '../types/type.ts';
import { compileExpr } from './compile-expr.ts';
import type { ExecEnv } from './exec-env.ts';

type VectorSearchNode = PlanNode & { kind: 'VectorSearch' };

function vectorOf(value: Value): unknown {
  // bit values keep their packed bytes in `.bytes`; vectors are Float32Array.
  return value instanceof Float32Array ? value : (value as { bytes?: Uint8Array }).bytes;
}

export function runVectorSearch(node: VectorSearchNode, env: ExecEnv): Value[][] {
  const store = node.table.store;
  const index = node.index;
  const metric = index.metric!;
  const query = compileExpr(node.query)([], env);
  const predicate = node.filter ? compileExpr(node.filter) : null;
  const accept = (rowId: number) => {
    if (!store.isVisible(rowId, env.txn)) return false;
    if (store.row(rowId)[node.column] === null) return false;
    return predicate === null || predicate(store.row(rowId), env) === true;
  };
  const emit = (rowIds: Iterable<number>) => {
    const out: Value[][] = [];
    for (const rowId of rowIds) out.push(node.withRowId ? [...store.row(rowId), rowId] : store.row(rowId));
    return out;
  };
  const limitValue = node.limit ? compileExpr(node.limit)([], env) : null;
  const offsetValue = node.offset ? compileExpr(node.offset)([], env) : null;
  const need = limitValue === null ? null : Number(limitValue) + Number(offsetValue ?? 0);

  if (query === null) {
    // pgvector returns every indexed row, unordered, for a NULL query vector.
    const ids: number[] = [];
    for (let rowId = 0; rowId < store.capacity; rowId++)
      if (accept(rowId) && indexable(store.row(rowId)[node.column], metric)) ids.push(rowId);
    return emit(need === null ? ids : ids.slice(0, need));
  }
  const q = vectorOf(query);
  const impl = index.vector!;
  const iterative =
    env.setting(index.method === 'hnsw' ? 'hnsw.iterative_scan' : 'ivfflat.iterative_scan') !== 'off';
  const efSearch = Number(env.setting('hnsw.ef_search'));
  const probes = iterative
    ? Number(env.setting('ivfflat.max_probes'))
    : Number(env.setting('ivfflat.probes'));
  const total = impl.size();
  let k: number;
  if (need !== null) k = need;
  else if (index.method === 'hnsw') k = iterative ? total : efSearch;
  else k = total;
  if (k <= 0) return [];
  env.checkInterrupt();
  // A selective filter: exact search over the matching rows beats walking the index and
  // discarding most candidates (DESIGN §4), and it is exact.
  const selectivity = need !== null && predicate !== null ? estimateSelectivity(store.capacity, accept) : 1;
  if (need !== null && selectivity * store.capacity <= EXACT_SEARCH_MAX_ROWS) {
    return emit(exactSearch(node, env, q, need, accept));
  }
  const result = impl.search(q as Float32Array, k, {
    // A filter passing a fraction of the rows needs a proportionally wider search.
    efSearch: Math.min(EF_SEARCH_CAP, Math.ceil(Math.max(efSearch, k) / Math.max(selectivity, 0.01))),
    probes: need !== null ? Math.ceil(probes / Math.max(selectivity, 0.01)) : probes,
    filter: accept,
    strictProbes: need === null,
  } as Parameters<typeof impl.search>[2]);
  if (need === null || result.rowIds.length >= need) return emit(result.rowIds.slice(0, need ?? undefined));
  return emit(exactSearch(node, env, q, need, accept));
}

/** Above this many estimated matching rows a filtered kNN query walks the index. */
const EXACT_SEARCH_MAX_ROWS = 10_000;
const EF_SEARCH_CAP = 2_000;
const SELECTIVITY_SAMPLE = 1_000;

/** Fraction of rows passing `accept`, from an evenly spaced sample of row ids. */
function estimateSelectivity(capacity: number, accept: (rowId: number) => boolean): number {
  if (capacity === 0) return 0;
  const step = Math.max(1, Math.floor(capacity / SELECTIVITY_SAMPLE));
  let sampled = 0;
  let passed = 0;
  for (let rowId = 0; rowId < capacity; rowId += step) {
    sampled++;
    if (accept(rowId)) passed++;
  }
  return passed / sampled;
}

function indexable(value: Value, metric: string): boolean {
  if (value === null) return false;
  if (metric === 'cosine' && value instanceof Float32Array) return value.some((x) => x !== 0);
  return true;
}

/** Exact top-k over every accepted row (bounded insertion into a sorted array). */
function exactSearch(
  node: VectorSearchNode,
  env: ExecEnv,
  q: unknown,
  k: number,
  accept: (rowId: number) => boolean,
): number[] {
  const metric = node.index.metric!;
  const distance = (
    isFloatMetric(metric) ? floatDistance(metric) : bitDistance(metric)
  ) as DistanceFunction<unknown>;
  const store = node.table.store;
  const best: { d: number; id: number }[] = [];
  for (let rowId = 0; rowId < store.capacity; rowId++) {
    if ((rowId & 4095) === 4095) env.checkInterrupt();
    if (!accept(rowId)) continue;
    const value = store.row(rowId)[node.column];
    if (!indexable(value, metric)) continue;
    const d = distance(q, vectorOf(value));
    if (Number.isNaN(d)) continue;
    if (best.length === k && d >= best[k - 1].d) continue;
    let at = best.length;
    while (at > 0 && best[at - 1].d > d) at--;
    best.splice(at, 0, { d, id: rowId });
    if (best.length > k) best.pop();
  }
  return best.map((b) => b.id);
}
