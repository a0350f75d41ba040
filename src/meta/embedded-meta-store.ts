import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { FileLock } from './file-lock.ts';
import { acquireFileLock } from './file-lock.ts';
import { compareKeys } from './key-order.ts';
import type { LogChange, SnapshotEntry } from './meta-log.ts';
import { corrupt, encodeRecord, LogWriter, readLog } from './meta-log.ts';
import type {
  Compare,
  KeyValue,
  Lease,
  MetaOp,
  MetaStore,
  TxnRequest,
  TxnResult,
  WatchEvent,
  Watcher,
} from './meta-store.ts';
import { monotonicMs } from './monotonic-ms.ts';

/**
 * The standalone MetaStore (DESIGN §5): state in memory, every committed revision appended
 * to `meta.log` in the data directory and fsync'd before it is acknowledged, seen by other
 * readers, or sent to watchers. Single process: `meta.lock` keeps a second server out.
 */
export interface EmbeddedMetaStoreOptions {
  /** Log size in bytes past which it is rewritten as one snapshot (default 4 MiB). */
  readonly compactBytes?: number;
  /** Revisions of change history kept for watches from an older revision (default 10,000). */
  readonly historyLimit?: number;
}

export const LOG_FILE = 'meta.log';
export const LOCK_FILE = 'meta.lock';

export async function openEmbeddedMetaStore(
  path: string,
  options: EmbeddedMetaStoreOptions = {},
): Promise<MetaStore> {
  await mkdir(path, { recursive: true });
  const lock = await acquireFileLock(join(path, LOCK_FILE), `metadata store ${path}`);
  try {
    const store = new EmbeddedMetaStore(lock, options.historyLimit ?? 10_000);
    await store.load(join(path, LOG_FILE), options.compactBytes ?? 4 * 1024 * 1024);
    return store;
  } catch (error) {
    await lock.release();
    throw error;
  }
}

interface HistoryEntry {
  readonly revision: number;
  readonly events: readonly WatchEvent[];
}

interface WatchState {
  readonly prefix: string;
  readonly onEvents: (events: WatchEvent[]) => void;
  /** Every revision up to this one has been delivered (or skipped by the filter). */
  through: number;
  closed: boolean;
}

interface LeaseState {
  readonly ttlMs: number;
  deadline: number;
  timer: NodeJS.Timeout;
  readonly listeners: (() => void)[];
  /** The holder stopped renewing (`abandon`): it may no longer count on the lease. */
  abandoned: boolean;
}

const CLOSED = 'metadata store is closed';

class EmbeddedMetaStore implements MetaStore {
  private readonly kvs = new Map<string, KeyValue>();
  private rev = 1;
  private durableRev = 1;
  /** Resolves when the latest committed revision is durable; reads wait for it. */
  private tail: Promise<void> = Promise.resolve();
  private writer: LogWriter | null = null;
  /** Contiguous revisions since open; watches can start after `watchableAfter`. */
  private readonly history: HistoryEntry[] = [];
  private watchableAfter = 1;
  private readonly watchers = new Set<WatchState>();
  private readonly leases = new Map<number, LeaseState>();
  private nextLeaseId = 1;
  private closed = false;

  constructor(
    private readonly lock: FileLock,
    private readonly historyLimit: number,
  ) {}

  async load(logPath: string, compactBytes: number): Promise<void> {
    const read = await readLog(logPath);
    for (const { record, offset } of read.records) {
      if ('s' in record) {
        this.kvs.clear();
        for (const [key, value, createRevision, modRevision, version, lease] of record.k) {
          this.kvs.set(key, { key, value, createRevision, modRevision, version, lease });
        }
        this.rev = record.s;
      } else if (record.r > this.rev) {
        // Records at or below a snapshot's revision were queued during its compaction.
        if (record.r !== this.rev + 1)
          throw corrupt(logPath, offset, `revision ${record.r} after ${this.rev}`);
        this.applyChanges(record.c, record.r);
        this.rev = record.r;
      }
    }
    this.durableRev = this.rev;
    this.watchableAfter = this.rev;
    for (const kv of this.kvs.values()) this.nextLeaseId = Math.max(this.nextLeaseId, kv.lease + 1);
    this.writer = await LogWriter.open(logPath, read, compactBytes, () => this.snapshot());
    // Leases are in-process: keys still attached to a previous process's leases are orphans.
    const orphans = [...this.kvs.values()].filter((kv) => kv.lease !== 0);
    if (orphans.length > 0) await this.commit(orphans.map((kv): LogChange => ['d', kv.key]));
  }

  async get(key: string): Promise<KeyValue | null> {
    return this.visible(this.kvs.get(key) ?? null);
  }

  async range(prefix: string): Promise<KeyValue[]> {
    const found = [...this.kvs.values()].filter((kv) => kv.key.startsWith(prefix));
    return this.visible(found.sort((a, b) => compareKeys(a.key, b.key)));
  }

  async put(key: string, value: string, options?: { lease?: number }): Promise<number> {
    return (await this.txn({ compare: [], success: [{ type: 'put', key, value, lease: options?.lease }] }))
      .revision;
  }

  async delete(key: string): Promise<number> {
    return (await this.txn({ compare: [], success: [{ type: 'delete', key }] })).revision;
  }

  async txn(request: TxnRequest): Promise<TxnResult> {
    this.assertOpen();
    checkTxn(request);
    const succeeded = request.compare.every((c) => this.holds(c));
    const ops = succeeded ? request.success : (request.failure ?? []);
    for (const op of ops) {
      if (op.type === 'put' && op.lease && !this.leases.has(op.lease)) {
        throw new Error(`requested lease not found: ${op.lease}`);
      }
    }
    const changes = this.resolve(ops);
    if (changes.length === 0) return { succeeded, revision: await this.visible(this.rev) };
    return { succeeded, revision: await this.commit(changes) };
  }

  async watch(
    prefix: string,
    afterRevision: number,
    onEvents: (events: WatchEvent[]) => void,
  ): Promise<Watcher> {
    this.assertOpen();
    if (afterRevision === 0) afterRevision = this.rev;
    if (afterRevision < this.watchableAfter) {
      throw new Error(
        `required revision has been compacted: the embedded metadata store keeps changes after revision ${this.watchableAfter}, asked for changes after ${afterRevision}`,
      );
    }
    const state: WatchState = { prefix, onEvents, through: afterRevision, closed: false };
    this.watchers.add(state);
    this.deliver();
    return {
      close: async () => {
        state.closed = true;
        this.watchers.delete(state);
      },
    };
  }

  async grantLease(ttlSeconds: number): Promise<Lease> {
    this.assertOpen();
    if (!(ttlSeconds >= 1)) throw new RangeError(`lease TTL must be at least 1 second, got ${ttlSeconds}`);
    const id = this.nextLeaseId++;
    const ttlMs = ttlSeconds * 1000;
    // Renewal checks that it is on time: an event loop stalled past the TTL loses the lease,
    // as a stalled etcd client would.
    const timer = setInterval(() => {
      const state = this.leases.get(id);
      if (!state) return;
      const now = Date.now();
      if (now > state.deadline) void this.endLease(id, true).catch(() => undefined);
      else state.deadline = now + ttlMs;
    }, ttlMs / 3);
    timer.unref();
    const state: LeaseState = { ttlMs, deadline: Date.now() + ttlMs, timer, listeners: [], abandoned: false };
    this.leases.set(id, state);
    return {
      id,
      revoke: () => this.endLease(id, false),
      abandon: () => {
        state.abandoned = true;
        clearInterval(state.timer);
        const timer = setTimeout(
          () => void this.endLease(id, true).catch(() => undefined),
          Math.max(0, state.deadline - Date.now()),
        );
        timer.unref();
        state.timer = timer;
      },
      onLost: (listener) => void state.listeners.push(listener),
      // The store is this process: the lease holds until its own deadline.
      heldUntil: () =>
        this.leases.get(id) === state && !state.abandoned ? monotonicMs() + state.deadline - Date.now() : 0,
    };
  }

  async revision(): Promise<number> {
    return this.visible(this.rev);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    for (const id of [...this.leases.keys()]) await this.endLease(id, false).catch(() => undefined);
    this.closed = true;
    for (const w of this.watchers) w.closed = true;
    this.watchers.clear();
    await this.tail.catch(() => undefined);
    await this.writer?.close();
    await this.lock.release();
  }

  /** Revokes (lost = false) or expires a lease, deleting its keys as one revision. */
  private async endLease(id: number, lost: boolean): Promise<void> {
    const state = this.leases.get(id);
    if (!state) return;
    this.leases.delete(id);
    clearInterval(state.timer);
    if (lost) for (const listener of state.listeners) queueMicrotask(listener);
    const keys = [...this.kvs.values()].filter((kv) => kv.lease === id);
    if (keys.length > 0 && !this.closed) await this.commit(keys.map((kv): LogChange => ['d', kv.key]));
  }

  /** etcd's rules: a missing key has revisions and version 0, and any value compare fails. */
  private holds(c: Compare): boolean {
    const kv = this.kvs.get(c.key);
    if (c.target === 'value') {
      if (!kv) return false;
      return test(compareKeys(kv.value, String(c.value)), c.op);
    }
    const actual = kv ? kv[c.target] : 0;
    return test(actual - Number(c.value), c.op);
  }

  /** The changes `ops` make, in order; deleting a missing key changes nothing. */
  private resolve(ops: readonly MetaOp[]): LogChange[] {
    const changes: LogChange[] = [];
    const deleted = new Set<string>();
    const live = (key: string) =>
      !deleted.has(key) && (this.kvs.has(key) || changes.some((c) => c[1] === key));
    for (const op of ops) {
      if (op.type === 'put') {
        changes.push(['p', op.key, op.value, op.lease ?? 0]);
        deleted.delete(op.key);
      } else if (op.type === 'delete') {
        if (live(op.key)) changes.push(['d', op.key]), deleted.add(op.key);
      } else {
        const keys = new Set([...this.kvs.keys(), ...changes.map((c) => c[1])]);
        for (const key of [...keys].sort(compareKeys)) {
          if (key.startsWith(op.prefix) && live(key)) changes.push(['d', key]), deleted.add(key);
        }
      }
    }
    return changes;
  }

  /** Applies, logs and (once durable) publishes one revision. */
  private commit(changes: readonly LogChange[]): Promise<number> {
    const revision = ++this.rev;
    const events = this.applyChanges(changes, revision);
    this.history.push({ revision, events });
    const durable = this.writer!.append(encodeRecord({ r: revision, c: changes }));
    this.tail = durable;
    return durable.then(() => {
      this.durableRev = Math.max(this.durableRev, revision);
      this.deliver();
      return revision;
    });
  }

  private applyChanges(changes: readonly LogChange[], revision: number): WatchEvent[] {
    const events: WatchEvent[] = [];
    for (const change of changes) {
      const key = change[1];
      if (change[0] === 'p') {
        const [, , value, lease] = change;
        const old = this.kvs.get(key);
        const createRevision = old?.createRevision ?? revision;
        const version = (old?.version ?? 0) + 1;
        this.kvs.set(key, { key, value, createRevision, modRevision: revision, version, lease });
        events.push({ type: 'put', key, value, modRevision: revision });
      } else {
        this.kvs.delete(key);
        events.push({ type: 'delete', key, value: '', modRevision: revision });
      }
    }
    return events;
  }

  /** Sends watchers every durable revision they have not seen, one callback per revision. */
  private deliver(): void {
    const first = this.history[0]?.revision ?? this.durableRev + 1;
    for (const w of this.watchers) {
      for (; w.through < this.durableRev; w.through++) {
        const entry = this.history[w.through + 1 - first];
        if (!entry) continue;
        const events = entry.events.filter((e) => e.key.startsWith(w.prefix));
        if (events.length > 0) queueMicrotask(() => w.closed || w.onEvents(events));
      }
    }
    while (this.history.length > this.historyLimit && this.history[0].revision <= this.durableRev) {
      this.watchableAfter = this.history.shift()!.revision;
    }
  }

  private snapshot(): Buffer {
    const k = [...this.kvs.values()].map(
      (kv): SnapshotEntry => [kv.key, kv.value, kv.createRevision, kv.modRevision, kv.version, kv.lease],
    );
    return encodeRecord({ s: this.rev, k });
  }

  /** Returns `value` once everything it may reflect is durable. */
  private async visible<T>(value: T): Promise<T> {
    this.assertOpen();
    await this.tail;
    return value;
  }

  private assertOpen(): void {
    if (this.closed) throw new Error(CLOSED);
  }
}

/** etcd's default `--max-txn-ops`. */
const MAX_TXN_OPS = 128;

/**
 * etcd's request checks, so that code developed against the standalone store does not fail
 * in a cluster: both branches are checked whatever the compare, a key is written at most
 * once per branch, and no put falls inside a range the same branch deletes.
 */
function checkTxn(request: TxnRequest): void {
  const branches = [request.success, request.failure ?? []];
  if (request.compare.length > MAX_TXN_OPS || branches.some((ops) => ops.length > MAX_TXN_OPS)) {
    throw new Error('too many operations in txn request');
  }
  for (const ops of branches) {
    const puts = new Set<string>();
    for (const op of ops) {
      if (op.type !== 'put') continue;
      if (puts.has(op.key)) throw new Error(`duplicate key given in txn request: ${op.key}`);
      puts.add(op.key);
    }
    for (const op of ops) {
      const hit =
        op.type === 'delete'
          ? puts.has(op.key)
          : op.type === 'deletePrefix' && [...puts].some((key) => key.startsWith(op.prefix));
      if (hit) throw new Error('duplicate key given in txn request: a put inside a deleted range');
    }
  }
}

function test(difference: number, op: Compare['op']): boolean {
  switch (op) {
    case '=':
      return difference === 0;
    case '!=':
      return difference !== 0;
    case '<':
      return difference < 0;
    case '>':
      return difference > 0;
  }
}
