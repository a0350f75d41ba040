/**
 * What the sweep measures, whatever answers the queries: a server over the wire (one
 * pg.Client per connection) or an index in this process.
 */
import type { Dataset } from './dataset.ts';

export type IndexKind = 'hnsw' | 'ivfflat';

export interface IndexParameters {
  readonly kind: IndexKind;
  /** HNSW */
  readonly m: number;
  readonly efConstruction: number;
  /** IVFFlat */
  readonly lists: number;
}

export interface BuildResult {
  readonly rows: number;
  readonly loadSeconds: number | null;
  readonly loadRowsPerSecond: number | null;
  readonly indexSeconds: number;
  /** Table plus index bytes where the server reports them. */
  readonly sizeBytes: number | null;
  /** Notices the index build sent (pgvector warns when the graph outgrows maintenance_work_mem). */
  readonly notices: readonly string[];
}

export interface SearchTarget {
  readonly name: string;
  /** How many connections (concurrent query streams) it can be measured at. */
  readonly maxConnections: number;
  /** Server settings it runs with, `null` where it has no such setting. */
  settings(): Promise<Record<string, string | null>>;
  build(dataset: Dataset, index: IndexParameters): Promise<BuildResult>;
  /** hnsw.ef_search or ivfflat.probes, on every connection. */
  setSearchParameter(value: number): Promise<void>;
  /** The ids of the k nearest rows to query `query` (an index into the dataset's queries). */
  search(connection: number, query: number, category?: number): Promise<number[]>;
  close(): Promise<void>;
}

export function searchParameterName(kind: IndexKind): string {
  return kind === 'hnsw' ? 'hnsw.ef_search' : 'ivfflat.probes';
}
