/**
 * Run-time state shared by the operators of one statement execution.
 */
import type { Table } from '../catalog/catalog-types.ts';
import type { PlanNode } from '../plan/plan-nodes.ts';
import type { EvalContext } from '../types/registry-types.ts';
import type { Value } from '../types/type.ts';
import type { ConstraintTiming } from './foreign-keys.ts';
import type { RemoteShardSearch, ShardFragment } from './sharded-search.ts';

export interface ExecEnv {
  readonly params: readonly Value[];
  /** Rows of enclosing queries, innermost first (correlated subqueries, LATERAL). */
  readonly outer: readonly Value[][];
  readonly ctx: EvalContext;
  /** The reading transaction (row visibility). */
  readonly txn: number;
  /** Settings that steer execution (hnsw.ef_search, ivfflat.probes, …). */
  setting(name: string): string;
  /** WITH query results, computed once per execution. */
  readonly cteRows: Map<object, Value[][]>;
  /** Runs a subquery plan with `row` as its innermost outer row; `limit` 0 = all rows. */
  runSubquery(plan: PlanNode, row: Value[], env: ExecEnv, limit: number): Value[][];
  /** Adds to the time the statement sleeps once it ran (pg_sleep). */
  deferSleep(ms: number): void;
  /** EXPLAIN ANALYZE: rows, time and loops per plan node. */
  readonly instrument?: Map<PlanNode, { rows: number; ms: number; loops: number }>;
  /** Throws 57014 when the statement was cancelled or timed out. */
  checkInterrupt(): void;
  /** Searches shards of sharded vector indexes held by other cluster nodes. */
  readonly remoteShards?: RemoteShardSearch;
  /** When foreign key checks run (the session's transaction); absent: at the end of each statement. */
  readonly constraintTiming?: ConstraintTiming;
  /** A column's default, for ON DELETE/UPDATE SET DEFAULT; null when it has none. */
  columnDefault?(table: Table, column: number): (() => Value) | null;
  /** Index searches run ahead of execution, off the event loop (prefetchVectorSearches). */
  readonly prefetched?: Map<PlanNode, PrefetchedSearch>;
}

/** The rows an index search found for a VectorSearch node, nearest first. */
export interface PrefetchedSearch {
  readonly rowIds: readonly number[];
  /** A sharded index's search: where its parts ran (EXPLAIN ANALYZE). */
  readonly fragments?: readonly ShardFragment[];
  /** Why a sharded search is left to exact search. */
  readonly exactly?: string;
}
