/**
 * The metadata store (DESIGN §3, §5): a small, strongly consistent key-value store with
 * etcd's model — a global revision bumped by every change, per-key create/mod revisions,
 * compare-and-set transactions, watches from a revision, and leases that delete their keys
 * when they expire. etcd implements it in a cluster; an embedded store on a local file
 * implements it standalone. Keys and values are strings (values are usually JSON).
 */

export interface KeyValue {
  readonly key: string;
  readonly value: string;
  /** Revision of the change that created the key (since its last deletion). */
  readonly createRevision: number;
  /** Revision of the last change to the key. */
  readonly modRevision: number;
  /** Number of changes since creation (1 after the first put). */
  readonly version: number;
  /** Lease the key is attached to, or 0. */
  readonly lease: number;
}

/** A condition of a transaction; a missing key has revisions 0, version 0 and no value. */
export interface Compare {
  readonly key: string;
  readonly target: 'value' | 'version' | 'createRevision' | 'modRevision';
  readonly op: '=' | '!=' | '<' | '>';
  readonly value: string | number;
}

export type MetaOp =
  | { readonly type: 'put'; readonly key: string; readonly value: string; readonly lease?: number }
  | { readonly type: 'delete'; readonly key: string }
  | { readonly type: 'deletePrefix'; readonly prefix: string };

export interface TxnRequest {
  readonly compare: readonly Compare[];
  readonly success: readonly MetaOp[];
  readonly failure?: readonly MetaOp[];
}

export interface TxnResult {
  readonly succeeded: boolean;
  /** Store revision after the transaction (unchanged when it wrote nothing). */
  readonly revision: number;
}

export interface WatchEvent {
  readonly type: 'put' | 'delete';
  readonly key: string;
  /** The new value for puts, '' for deletes. */
  readonly value: string;
  readonly modRevision: number;
}

export interface Watcher {
  close(): Promise<void>;
}

export interface Lease {
  readonly id: number;
  /** Renewed automatically until revoked; `onLost` fires if a renewal fails or it expires. */
  revoke(): Promise<void>;
  /**
   * Stops renewing without revoking, as if the holder had died: the lease and its keys expire
   * after the TTL, and `onLost` fires then. Lets one process stand in for a crashed node in
   * failover tests (the embedded store cannot be shared by two processes).
   */
  abandon(): void;
  onLost(listener: () => void): void;
  /**
   * Until when (monotonic-ms.ts) the store surely still holds the lease: when the last
   * renewal it answered was sent (or the grant was asked for), plus the TTL; 0 once the lease
   * is lost or ended. A holder that acts on "nobody else can have taken what this lease
   * guards" (a leader answering reads without asking the store) must act before then.
   */
  heldUntil(): number;
}

export interface MetaStore {
  get(key: string): Promise<KeyValue | null>;
  /** Every key starting with `prefix`, in key order. */
  range(prefix: string): Promise<KeyValue[]>;
  /** Returns the store revision after the write. */
  put(key: string, value: string, options?: { lease?: number }): Promise<number>;
  /** Returns the store revision after the delete (unchanged when the key was missing). */
  delete(key: string): Promise<number>;
  txn(request: TxnRequest): Promise<TxnResult>;
  /**
   * Calls `onEvents` for every change to keys under `prefix` after revision `afterRevision`
   * (0 = from now), in revision order, events of one transaction together.
   */
  watch(prefix: string, afterRevision: number, onEvents: (events: WatchEvent[]) => void): Promise<Watcher>;
  grantLease(ttlSeconds: number): Promise<Lease>;
  /** Current store revision. */
  revision(): Promise<number>;
  close(): Promise<void>;
}
