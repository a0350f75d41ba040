/**
 * Executes VectorSearch: a k-nearest-neighbour search through an HNSW/IVFFlat index with the
 * WHERE filter and row visibility applied inside the search. A very selective filter (or a
 * small table) is answered by exact search over the matching rows; otherwise the index is
 * searched with the filter inside the walk (an HNSW walk keeps going until it holds ef
 * matching rows; IVFFlat probes more lists by the filter's selectivity), and when that still
 * yields fewer than the k rows asked for while more rows match (dead row versions, an
 * unlucky graph walk) it falls back to exact search. So a
 * filtered kNN query always returns k rows when k rows match (unlike pgvector without
 * iterative scans).
 *
 * Without LIMIT (an index scan forced by enable_seqscan = off) it returns what pgvector's
 * index scan returns: up to hnsw.ef_search rows for HNSW, the rows of the probed lists for
 * IVFFlat, all indexed rows with an iterative scan.
 */
import type { BoundExpr } from '../bind/bound-expr.ts';
import type { PlanNode } from '../plan/plan-nodes.ts';
import { indexable } from '../storage/vector/column-index.ts';
import { partlyHeld, type ShardedIndex } from '../storage/vector/sharded-index.ts';
import type { Value } from '../types/type.ts';
import { keepPolling } from '../wire/busy-poll.ts';
import { compileExpr } from './compile-expr.ts';
import { exactNearest } from './exact-search.ts';
import type { ExecEnv } from './exec-env.ts';
import { amongRows, preferExact, preferExactAmong, selectivity } from './filter-selectivity.ts';
import { lookupRowIds } from './index-scan.ts';
import { searchAcrossShards } from './sharded-search.ts';

type VectorSearchNode = PlanNode & { kind: 'VectorSearch' };

export function runVectorSearch(node: VectorSearchNode, env: ExecEnv): Value[][] {
  const store = node.table.store;
  if (store.damaged) throw store.damaged;
  const index = node.index;
  const metric = index.metric!;
  const query = compileExpr(node.query)([], env);
  const filtered = node.filter !== null;
  const accept = rowAcceptor(node, env);
  const emit = (rowIds: Iterable<number>) => {
    const out: Value[][] = [];
    for (const rowId of rowIds) out.push(node.withRowId ? [...store.row(rowId), rowId] : store.row(rowId));
    return out;
  };
  const limitValue = node.limit ? compileExpr(node.limit)([], env) : null;
  const offsetValue = node.offset ? compileExpr(node.offset)([], env) : null;
  const need = limitValue === null ? null : Number(limitValue) + Number(offsetValue ?? 0);
  const prefetched = env.prefetched?.get(node);
  if (prefetched !== undefined && need !== null) {
    // Rows the snapshot cannot see (deleted, or another transaction's) may be among them:
    // when fewer than `need` remain, search again with the filter inside the walk.
    const rowIds: number[] = [];
    for (const rowId of prefetched.rowIds) {
      if (rowIds.length === need) break;
      if (accept(rowId)) rowIds.push(rowId);
    }
    if (rowIds.length === need) return emit(rowIds);
  }

  if (query === null || !indexable(query, metric)) {
    // pgvector returns every indexed row, unordered, for a NULL (or, under cosine, zero) query.
    const ids: number[] = [];
    for (let rowId = 0; rowId < store.capacity; rowId++) {
      if (accept(rowId) && indexable(index.keyOf(store.row(rowId)), metric)) ids.push(rowId);
    }
    return emit(need === null ? ids : ids.slice(0, need));
  }
  const { index: impl, encode } = index.vector!;
  // A key lookup among the filter's conjuncts names the only rows that can pass it: few of
  // them are searched exactly, more are a cheap first check inside the walk.
  const keyed = need !== null && node.lookup ? lookupRowIds(node.lookup, env) : null;
  if (keyed && preferExactAmong(keyed.length, store.capacity)) {
    return emit(exactSearch(node, env, query, need!, accept, keyed));
  }
  if (partlyHeld(impl)) {
    // Not found across the nodes ahead of execution (prefetchVectorSearches): exactly.
    return emit(exactSearch(node, env, query, need ?? Number(env.setting('hnsw.ef_search')), accept, keyed));
  }
  const check = keyed ? amongRows(keyed, store.capacity, accept) : accept;
  const iterative =
    env.setting(index.method === 'hnsw' ? 'hnsw.iterative_scan' : 'ivfflat.iterative_scan') !== 'off';
  const efSearch = Number(env.setting('hnsw.ef_search'));
  const probes = iterative
    ? Number(env.setting('ivfflat.max_probes'))
    : Number(env.setting('ivfflat.probes'));
  let k: number;
  if (need !== null) k = need;
  else if (index.method === 'hnsw') k = iterative ? impl.size() : efSearch;
  else k = impl.size();
  if (k <= 0) return [];
  env.checkInterrupt();
  const passing = need !== null && filtered ? filterSelectivity(store.capacity, check, keyed) : 1;
  if (need !== null && filtered && preferExact(store.capacity, passing)) {
    return emit(exactSearch(node, env, query, need, check, keyed));
  }
  const result = impl.search(encode(query), k, {
    efSearch: Math.max(efSearch, k),
    // IVFFlat's lists hold matching rows in proportion to the filter: probe more of them.
    probes: need !== null ? Math.ceil(probes / Math.max(passing, 0.01)) : probes,
    filter: check,
    strictProbes: need === null,
  });
  if (need === null || result.rowIds.length >= need) return emit(result.rowIds.slice(0, need ?? undefined));
  return emit(exactSearch(node, env, query, need, check, keyed));
}

/** The share of rows passing a filter: from its key lookup's rows when it has one, else sampled. */
function filterSelectivity(
  capacity: number,
  accept: (rowId: number) => boolean,
  keyed: number[] | null,
): number {
  return keyed ? keyed.length / Math.max(1, capacity) : selectivity(capacity, accept);
}

/**
 * Whether the statement's snapshot sees a row, it has a key, and it passes the WHERE filter.
 * The key is checked for rows found in the index too: a graph loaded after a restart can
 * still hold a rolled-back row whose row id a new row without a key has taken.
 */
function rowAcceptor(node: VectorSearchNode, env: ExecEnv): (rowId: number) => boolean {
  const store = node.table.store;
  const predicate = node.filter ? compileExpr(node.filter) : null;
  return (rowId) => {
    if (!store.isVisible(rowId, env.txn)) return false;
    // One read of the row: a sealed one is assembled from its segment's columns on each read.
    const row = store.row(rowId);
    if (node.index.keyOf(row) === null) return false;
    return predicate === null || predicate(row, env) === true;
  };
}

/**
 * Runs the index searches of a plan's kNN nodes before the plan is executed (execution
 * itself is synchronous): on the thread pool while other sessions are searching too, so the
 * event loop keeps serving them and every core searches; on this thread for a lone client,
 * which is answered sooner without the hop to a pool thread and back (measured on 50k×128,
 * ef 40: 1 client 2,644 QPS here vs 2,189 pooled; 4 clients 6,083 pooled vs 4,252 here).
 * Only plain searches are run ahead: no WHERE filter (its predicate needs the rows, on this
 * thread), a constant or parameter as query and limit. runVectorSearch uses the result when
 * enough of its rows are visible, and otherwise searches again with visibility inside the walk.
 * `session` tells concurrent clients apart. Null when nothing is left to wait for.
 */
export function prefetchVectorSearches(
  plan: PlanNode,
  env: ExecEnv,
  session: number,
): Promise<unknown> | null {
  const searches: Promise<void>[] = [];
  const pooled = othersSearching(session);
  const visit = (node: PlanNode): void => {
    if (node.kind === 'VectorSearch') {
      const search = prefetchSearch(node, env, pooled);
      if (search) searches.push(search);
      return;
    }
    const links = node as unknown as { input?: PlanNode; left?: PlanNode; right?: PlanNode };
    if (links.input) visit(links.input);
    if (links.left) visit(links.left);
    // A LATERAL right side runs once per left row, with values from it.
    if (links.right && !(node.kind === 'Join' && node.lateral)) visit(links.right);
  };
  visit(plan);
  return searches.length > 0 ? Promise.all(searches) : null;
}

/** The session whose kNN search started last, and when (performance.now() ms). */
let lastSearchSession = -1;
let lastSearchAt = 0;
/** Searches by two sessions this close together mean clients are waiting on each other. */
const CONCURRENT_WITHIN_MS = 5;

function othersSearching(session: number): boolean {
  const now = performance.now();
  const concurrent = session !== lastSearchSession && now - lastSearchAt < CONCURRENT_WITHIN_MS;
  lastSearchSession = session;
  lastSearchAt = now;
  return concurrent;
}

interface AsyncSearch {
  searchAsync(query: unknown, k: number, options: { efSearch?: number }): Promise<{ rowIds: number[] }>;
}

function prefetchSearch(node: VectorSearchNode, env: ExecEnv, pooled: boolean): Promise<void> | null {
  const prefetched = env.prefetched;
  const vector = node.index.vector;
  if (partlyHeld(vector?.index)) return prefetchAcrossShards(node, env);
  const impl = vector?.index as Partial<AsyncSearch> | undefined;
  if (!prefetched || !vector || !impl?.searchAsync || node.filter !== null || node.limit === null)
    return null;
  if (node.table.store.damaged) return null;
  const known = knownSearch(node, env);
  if (!known) return null;
  const { query, need } = known;
  const efSearch = Number(env.setting('hnsw.ef_search'));
  if (!pooled) {
    prefetched.set(node, { rowIds: vector.index.search(vector.encode(query), need, { efSearch }).rowIds });
    return null;
  }
  // Its answer comes back within ~100 µs: the event loop should be awake for it.
  keepPolling();
  return impl.searchAsync(vector.encode(query), need, { efSearch }).then((result) => {
    prefetched.set(node, { rowIds: result.rowIds });
  });
}

/**
 * A search through an index whose shards are not all on this node: some searched on other
 * nodes, so it runs here, ahead of execution. A WHERE filter is sent to the holders when
 * they can apply it; otherwise the search asks them for as many more rows as the filter is
 * estimated to drop (up to REMOTE_FILTERED_MAX_K). Left to runVectorSearch,
 * which then searches exactly, when the query or limit depends on rows, nothing would be
 * found, or the rows found fall short.
 */
function prefetchAcrossShards(node: VectorSearchNode, env: ExecEnv): Promise<void> | null {
  const { prefetched, remoteShards } = env;
  const sharded = node.index.vector!.index as ShardedIndex<unknown>;
  if (!prefetched || !remoteShards || node.limit === null || node.table.store.damaged) return null;
  const known = knownSearch(node, env);
  if (!known) return null;
  const { query, need } = known;
  const capacity = node.table.store.capacity;
  const keyed = node.lookup ? lookupRowIds(node.lookup, env) : null;
  // Few rows found by key: runVectorSearch searches them exactly, here (every node has the rows).
  if (keyed && preferExactAmong(keyed.length, capacity)) return null;
  const accept = keyed ? amongRows(keyed, capacity, rowAcceptor(node, env)) : rowAcceptor(node, env);
  const shipped = node.filter !== null && remoteShards.ships(node.filter, node.table);
  const passing = node.filter !== null ? filterSelectivity(capacity, accept, keyed) : 1;
  if (passing === 0) return null;
  const k = shipped ? need : Math.max(need, Math.min(REMOTE_FILTERED_MAX_K, Math.ceil(need / passing)));
  const search = {
    index: node.index,
    sharded,
    query,
    need,
    k,
    efSearch: Number(env.setting('hnsw.ef_search')),
    accept,
    txn: env.txn,
    filtered: node.filter !== null,
    passing,
    remoteFilter: shipped
      ? { expr: node.filter!, selectivity: passing, params: env.params, ctx: env.ctx }
      : null,
  };
  return searchAcrossShards(search, remoteShards).then(({ rowIds, fragments, exactly }) => {
    prefetched.set(node, { rowIds: rowIds ?? [], fragments, exactly });
  });
}

/** The most rows a filtered search asks other nodes' shards for; beyond it, exact search. */
const REMOTE_FILTERED_MAX_K = 2_000;

/**
 * The query value and the rows wanted (LIMIT + OFFSET) of a kNN search with a LIMIT, when
 * both are known before any row is read and there is something to search for; else null.
 */
function knownSearch(node: VectorSearchNode, env: ExecEnv): { query: Value; need: number } | null {
  if (![node.query, node.limit, node.offset].every((e) => e === null || rowFree(e))) return null;
  const query = compileExpr(node.query)([], env);
  const limit = compileExpr(node.limit!)([], env);
  const offset = node.offset ? compileExpr(node.offset)([], env) : 0;
  if (query === null || limit === null || !indexable(query, node.index.metric!)) return null;
  const need = Number(limit) + Number(offset ?? 0);
  return need > 0 ? { query, need } : null;
}

/** Whether an expression's value is known before any row is read (a constant or a parameter). */
function rowFree(e: BoundExpr): boolean {
  if (e.kind === 'Const' || e.kind === 'Param') return true;
  return e.kind === 'Cast' && rowFree(e.arg);
}

/** Exact top-k over every accepted row (exact-search.ts), interruptible. */
function exactSearch(
  node: VectorSearchNode,
  env: ExecEnv,
  query: Value,
  k: number,
  accept: (rowId: number) => boolean,
  among: readonly number[] | null = null,
): number[] {
  const check = () => env.checkInterrupt();
  return exactNearest(node.index, query, k, accept, check, among ?? undefined).rowIds;
}
