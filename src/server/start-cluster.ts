/**
 * `quiver serve --etcd … --s3 …`: one node of a cluster whose state lives only in etcd and
 * object storage. This first stage runs every table's writes on one elected node:
 *
 * - Every node joins the membership (a lease) and campaigns for the write leadership (a
 *   fenced leader key and epoch, src/cluster/leadership.ts).
 * - The leader opens the engine on the cluster's storage: the WAL in object storage with
 *   its commit point in etcd (ObjectWal), checkpoints and segments in object storage, the
 *   catalog and manifests in etcd under `/quiver/<cluster>/engine/` (FencedMetaStore). Every
 *   durable write is fenced by the leadership: a deposed leader's commit fails (40001).
 * - Any node accepts SQL connections; a standby passes each one, byte for byte, to the
 *   leader's SQL port (sql-proxy.ts), so clients may connect anywhere; the leader
 *   authenticates them by the client's address, which the standby forwards.
 * - A standby also keeps a read replica of the engine (cluster/engine-replica.ts: recovered
 *   from object storage, then following the WAL). A connection that asks for replica reads
 *   in its startup packet (`quiver.consistency` bounded/session/eventual, or
 *   `default_transaction_read_only=on`) is served there, read only, as by a PostgreSQL hot
 *   standby; so reads scale with the nodes and keep working while the leader fails over.
 *   With `--write-forwarding on` every connection is served there: its reads on the
 *   replica, its writes on the leader over a link of its own (engine/write-forwarding.ts;
 *   only `default_transaction_read_only=on` connections stay read only).
 * - When the leader dies its lease expires, a standby wins the campaign, brings its read
 *   replica's copy up to the final commit point and serves it (without a copy to continue,
 *   it recovers from object storage); connections through standbys wait for it. A leader that
 *   learns it lost the leadership stops (`onFatal`) — its supervisor restarts it as a standby.
 *
 * Sharding the writes (a leader per shard), segment replicas instead of whole copies and
 * scatter/gather search are the next stages (src/cluster/README.md).
 */
import { randomBytes } from 'node:crypto';
import { rm } from 'node:fs/promises';
import { createServer, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createSecureContext } from 'node:tls';
import type { Catalog } from '../catalog/catalog.ts';
import type { ShardInfo } from '../catalog/pg-catalog/quiver-views.ts';
import { EngineReplica, readOnlyStorage } from '../cluster/engine-replica.ts';
import { FencedMetaStore } from '../cluster/fenced-meta-store.ts';
import { IndexShardFiles } from '../cluster/index-shard-files.ts';
import { IndexShardsNode } from '../cluster/index-shards-node.ts';
import { ClusterKeys, type ShardRef } from '../cluster/keys.ts';
import { LeaderLink } from '../cluster/leader-link.ts';
import type { Leadership } from '../cluster/leadership.ts';
import { Membership, type MemberView, watchMembers } from '../cluster/membership.ts';
import { ObjectWal } from '../cluster/object-wal.ts';
import type { CommitPoint } from '../cluster/object-wal-reader.ts';
import { openPrefixView, type PrefixView } from '../cluster/prefix-view.ts';
import { PeerClients } from '../cluster/rpc/node-client.ts';
import { campaignShard, readShardLeader } from '../cluster/shard-leadership.ts';
import {
  acceptTls,
  asksForReplica,
  forwardHeader,
  peekStartupPacket,
  pipeSocket,
  readForwardHeader,
  startsReadOnly,
} from '../cluster/sql-proxy.ts';
import { checkDatabaseWal, leaderWalSource } from '../cluster/wal-tail.ts';
import { EngineBackend } from '../engine/backend.ts';
import { Persistence } from '../engine/persistence.ts';
import { LinkLost, type WriteLeader } from '../engine/write-forwarding.ts';
import { SqlError } from '../errors/sql-error.ts';
import { SqlState } from '../errors/sqlstate.ts';
import { openEtcdMetaStore } from '../meta/etcd-meta-store.ts';
import type { MetaStore } from '../meta/meta-store.ts';
import { initParser } from '../sql/parser.ts';
import { DiskCachedObjectStore } from '../storage/object-store/disk-cached-object-store.ts';
import { S3ObjectStore } from '../storage/object-store/s3-object-store.ts';
import { placeShardsByCluster } from '../storage/vector/sharded-index.ts';
import '../types/index.ts';
import { WireServer } from '../wire/index.ts';
import type { Backend, StartupInfo } from '../wire/session.ts';
import { createLogger, type Logger, wireLogger } from './log.ts';
import { ServerMetrics } from './metrics.ts';
import { type OpsHttpServer, startOpsHttp } from './ops-http.ts';
import { hostPort, logRecovery, trackStorage, writeShard } from './storage-reports.ts';

/** The one write shard of this stage: every table's WAL and checkpoints. */
const WRITE_SHARD: ShardRef = { table: 'db', shard: 0 };

/** How long a connection to a standby waits for a leader before it is refused (57P03). */
const LEADER_WAIT_MS = 20_000;

/** How long a stopping standby lets its clients' connections finish (Kubernetes' grace is 30 s). */
const DEFAULT_DRAIN_MS = 20_000;

export interface ClusterStartOptions {
  readonly host?: string;
  readonly port?: number;
  readonly etcd: readonly string[];
  readonly s3: { readonly bucket: string; readonly prefix: string; readonly endpoint?: string };
  /** Several clusters may share one etcd and bucket; default "default". */
  readonly cluster?: string;
  readonly nodeId: string;
  /** host:port other nodes use to reach this node's SQL port; default host:port. */
  readonly advertise?: string;
  /** Port of the node-to-node RPC (index shard searches); default 0, an ephemeral port. */
  readonly rpcPort?: number;
  /** Membership lease TTL: how long a dead node holds the leadership; default 5 s. */
  readonly leaseTtlSeconds?: number;
  /** How long a stopping standby waits for its clients' connections to end; default 20 s. */
  readonly drainMs?: number;
  /**
   * Local directory for copies of the segments this node reads and writes (emptied at
   * start; default <tmpdir>/quiver-cache/<cluster>-<node>).
   */
  readonly cacheDir?: string;
  /** Whether a standby keeps a read replica for connections that ask for one; default true. */
  readonly readReplica?: boolean;
  /**
   * Whether a standby with a read replica serves every connection, sending writes to the
   * leader (engine/write-forwarding.ts), instead of passing it on whole; default false.
   */
  readonly writeForwarding?: boolean;
  readonly serverVersion?: string;
  readonly superuser?: string;
  readonly memoryBudgetBytes?: number;
  readonly checkpointWalBytes?: number;
  readonly tls?: { readonly cert: string | Buffer; readonly key: string | Buffer };
  readonly httpPort?: number | null;
  readonly httpHost?: string;
  readonly logger?: Logger;
  /** Called when the node can no longer serve safely (leadership lost): stop the process. */
  readonly onFatal: (reason: string) => void;
}

export interface RunningClusterNode {
  readonly host: string;
  readonly port: number;
  readonly httpPort: number | null;
  /** Whether this node leads the writes and runs the engine right now. */
  readonly leading: boolean;
  close(): Promise<void>;
}

type Role = 'standby' | 'starting' | 'leader' | 'stopping';

/** The segment files a database copy's tables read their sealed rows from. */
function segmentKeys(catalog: Catalog): Set<string> {
  const keys = new Set<string>();
  for (const table of catalog.tables()) {
    if (table.view || table.temporary) continue;
    for (const part of table.store.sealedParts()) keys.add(part.handle.key);
  }
  return keys;
}

/**
 * How long the event loop may go without a turn before this node's leases stop being
 * renewed (they are renewed from a thread: src/meta/lease-keeper.ts). A long statement or
 * checkpoint costs latency, not a failover; a node stuck for longer loses its leadership and
 * membership a lease TTL later. A killed or stopped process renews nothing at once.
 */
const STALL_TOLERANCE_MS = 30_000;

export async function startClusterNode(options: ClusterStartOptions): Promise<RunningClusterNode> {
  const log = options.logger ?? createLogger('warn');
  // Index shards are built by the nodes they are placed on (cluster/index-shard-placement.ts).
  placeShardsByCluster(true);
  const host = options.host ?? '127.0.0.1';
  const superuser = options.superuser ?? 'quiver';
  const serverVersion = options.serverVersion ?? '16.4';
  const keys = new ClusterKeys(options.cluster ?? 'default');
  const metrics = options.httpPort != null ? new ServerMetrics() : null;
  let role: Role = 'standby';
  let ops: OpsHttpServer | null = null;
  if (metrics) {
    ops = await startOpsHttp({
      host: options.httpHost ?? host,
      port: options.httpPort!,
      metrics,
      ready: () => role === 'leader' || role === 'standby',
      log,
    });
  }
  await initParser();
  const meta = await openEtcdMetaStore({ endpoints: options.etcd, stallToleranceMs: STALL_TOLERANCE_MS });
  const objectsAt = (sub: string) =>
    new S3ObjectStore({
      bucket: options.s3.bucket,
      prefix: [options.s3.prefix, sub].filter((p) => p !== '').join('/'),
      endpoint: options.s3.endpoint,
    });
  const walObjects = objectsAt('');
  // Segments, tombstones and index files; the segments' local copies are what the segment
  // cache reads sealed rows from (the replica's, then that of the leader this node may become).
  const cacheDir = options.cacheDir ?? join(tmpdir(), 'quiver-cache', `${keys.cluster}-${options.nodeId}`);
  // Index files too: a read replica loads them again for every new copy (after each DDL).
  const engineObjects = await DiskCachedObjectStore.open(
    objectsAt('engine'),
    cacheDir,
    (key) => key.endsWith('.seg') || key.endsWith('.idx'),
  );

  const waiting: Socket[] = [];
  const proxied = new Set<Socket>();
  let wire: WireServer | null = null;
  let persistence: Persistence | null = null;
  let leadership: Leadership | null = null;
  /** The WAL this node writes while it leads (its tail is streamed to the replicas). */
  let leaderWal: ObjectWal | null = null;
  /** The leader's RPC server, for the replica's WAL stream and commit positions. */
  const walPeers = new PeerClients();
  let walLeader: string | null = null;
  let members: MemberView | null = null;
  let shardView: PrefixView | null = null;
  let replica: EngineReplica | null = null;
  /** The sessions of the replica's current copy (a new copy gets a new server). */
  let replicaWire: WireServer | null = null;
  /** The database of the replica's current copy, and the backend of its sessions. */
  let copyCatalog: Catalog | null = null;
  let replicaBackend: EngineBackend | null = null;
  const refuse = new WireServer({ backend: refusingBackend(), logger: wireLogger(log) });

  const secret = await clusterSecret(meta, keys);
  /** Who each connection is for: its own peer, or the client a standby forwarded it for. */
  const clientOf = new WeakMap<Socket, string>();
  /** A standby's write-forwarding link: the user it authenticated (cluster/leader-link.ts). */
  const vouchedUser = new WeakMap<Socket, string>();

  /** Sockets whose first bytes have not arrived yet (closed at shutdown: they may never come). */
  const unread = new Set<Socket>();
  /** Client TLS this node ended itself (to read the startup packet); their sessions continue inside it. */
  const secured = new WeakSet<Socket>();
  const secureContext = options.tls
    ? createSecureContext({ cert: options.tls.cert, key: options.tls.key })
    : undefined;

  const accept = async (socket: Socket): Promise<void> => {
    socket.on('error', () => {});
    unread.add(socket);
    try {
      const forwarded = await readForwardHeader(socket, secret);
      clientOf.set(socket, forwarded?.client ?? socket.remoteAddress ?? '');
      if (forwarded?.vouchedUser !== undefined) vouchedUser.set(socket, forwarded.vouchedUser);
    } catch (error) {
      log.warn(
        { err: error, from: socket.remoteAddress },
        'dropped a connection with a bad forwarding header',
      );
      socket.destroy();
      return;
    } finally {
      unread.delete(socket);
    }
    route(socket);
  };

  const route = (socket: Socket): void => {
    if (socket.destroyed) return;
    if (role === 'leader')
      wire!.adopt(socket, clientOf.get(socket), secured.has(socket), vouchedUser.get(socket));
    else if (role === 'starting') waiting.push(socket);
    // A link for a leader this node no longer is goes on to the one there is.
    else if (vouchedUser.has(socket)) void passToLeader(socket);
    // A stopping leader takes no new sessions; a stopping standby still passes on the
    // connections it accepted before (they are part of its drain).
    else if (role === 'stopping' && leadership) socket.destroy();
    else void routeOnStandby(socket);
  };

  /** A replica connection (or a cancel for one of its sessions) stays here; the rest go to the leader. */
  const routeOnStandby = async (socket: Socket): Promise<void> => {
    if (replica?.catalog && replicaWire && role === 'standby') {
      const local = replicaWire;
      unread.add(socket);
      // This node answers an encryption request itself, as the leader would ('S' and TLS
      // when it has a certificate, else 'N'), so it gets to see the StartupMessage.
      let client = socket;
      let packet = await peekStartupPacket(client);
      while (packet?.kind === 'SSLRequest' || packet?.kind === 'GSSENCRequest') {
        client.read(8);
        if (packet.kind === 'SSLRequest' && secureContext && client === socket) {
          const secure = await acceptTls(client, secureContext);
          if (!secure) break;
          secured.add(secure);
          clientOf.set(secure, clientOf.get(socket) ?? '');
          client = secure;
        } else client.write('N');
        packet = await peekStartupPacket(client);
      }
      unread.delete(socket);
      if (client.destroyed) return;
      const cancelHere = packet?.kind === 'CancelRequest' && local.hasSession(packet.processId);
      // With write forwarding every session is served here; without it, only those asking for the replica.
      const servedHere = packet?.kind === 'StartupMessage' && (forwardWrites || asksForReplica(packet));
      if (packet && (cancelHere || servedHere) && replicaWire === local && role === 'standby')
        return local.adopt(client, clientOf.get(client), client !== socket);
      return void passToLeader(client);
    }
    void passToLeader(socket);
  };

  const passToLeader = async (socket: Socket): Promise<void> => {
    const deadline = Date.now() + LEADER_WAIT_MS;
    proxied.add(socket);
    socket.once('close', () => proxied.delete(socket));
    for (;;) {
      if (role === 'leader' || role === 'starting' || (role === 'stopping' && leadership)) {
        proxied.delete(socket);
        return route(socket);
      }
      const address = await currentLeaderAddress().catch(() => null);
      if (address) {
        const header = forwardHeader(secret, clientOf.get(socket) ?? '', vouchedUser.get(socket));
        pipeSocket(socket, address, header, secured.has(socket));
        return;
      }
      if (Date.now() > deadline || socket.destroyed)
        return refuse.adopt(socket, clientOf.get(socket), secured.has(socket));
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  };

  /**
   * The leader's SQL address, or null while there is none (or it is this node, still
   * starting): read from etcd until this node's live views of the shard and the members are
   * open, from them afterwards (no etcd round trip per passed-on connection).
   */
  let currentLeaderAddress = () => leaderAddress(meta, keys, options.nodeId);

  const forwardWrites = options.writeForwarding === true;
  /** A standby session's link to the leader for its writes; waits for a leader as a passed-on connection does. */
  const linkToLeader = async (info: StartupInfo): Promise<LeaderLink> => {
    const deadline = Date.now() + LEADER_WAIT_MS;
    for (;;) {
      const address = role === 'standby' ? await currentLeaderAddress().catch(() => null) : null;
      if (address) {
        try {
          return await LeaderLink.open({
            address,
            secret,
            client: info.remoteAddress,
            user: info.user,
            database: info.database,
          });
        } catch (error) {
          // The leader went away as the link opened: the next one is waited for.
          if (!(error instanceof LinkLost)) throw error;
        }
      }
      if (Date.now() > deadline)
        throw new SqlError(SqlState.CannotConnectNow, 'no write leader is available to run the statement', {
          hint: 'The cluster is electing a new leader; retry shortly.',
        });
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  };
  const writeLeader: WriteLeader = {
    forSession: (info) =>
      forwardWrites && !startsReadOnly(new Map(Object.entries(info.parameters)))
        ? () => linkToLeader(info)
        : null,
  };

  const listener = createServer({ noDelay: true }, (socket) => void accept(socket));
  const port = await new Promise<number>((resolve, reject) => {
    listener.once('error', reject);
    listener.listen(options.port ?? 5433, host, () => {
      listener.off('error', reject);
      resolve((listener.address() as { port: number }).port);
    });
  });
  const advertise = options.advertise ?? hostPort(host, port);
  /** The catalog other nodes search this node's index shards in. */
  const searchedCatalog = (): Catalog | null => {
    if (role === 'leader') return persistence?.catalog ?? null;
    return role === 'standby' ? (replica?.catalog ?? null) : null;
  };
  const shards = await IndexShardsNode.listen({
    meta,
    keys,
    nodeId: options.nodeId,
    host,
    advertiseHost: hostOf(advertise),
    port: options.rpcPort,
    catalog: searchedCatalog,
    caughtUp: async (lsn) => {
      if (role === 'leader') return;
      if (!replica)
        throw new SqlError(SqlState.CannotConnectNow, 'this node has no copy of the database yet');
      await replica.awaitApplied(lsn);
    },
    position: () => (role === 'leader' ? (persistence?.walNextLsn ?? 0) : (replica?.appliedLsn ?? 0)),
    address: (nodeId) => members?.members().get(nodeId)?.advertiseAddress,
    version: serverVersion,
    files: new IndexShardFiles(objectsAt('index-shards')),
    log,
    // The leader streams its commits to the replicas (the first message says the stream is open).
    tailWal: async function* (request, ctx) {
      checkDatabaseWal(request);
      const tail = role === 'leader' ? leaderWal?.tail : null;
      if (!tail) throw new SqlError(SqlState.CannotConnectNow, 'this node does not lead the writes');
      yield* tail.serve(request, ctx);
    },
    // A strong read on a replica waits for this position (a leader lease read).
    commitPosition: (request) => {
      checkDatabaseWal(request);
      const next = role === 'leader' ? leaderWal?.confirmedNextLsn() : null;
      if (next === null || next === undefined)
        throw new SqlError(
          SqlState.CannotConnectNow,
          'this node cannot confirm the commit position: it does not lead the writes, or its lease may have run out',
        );
      return { nextPosition: BigInt(next) };
    },
  });
  const membership = await Membership.join(
    meta,
    keys,
    {
      nodeId: options.nodeId,
      advertiseAddress: shards.address,
      sqlAddress: advertise,
      startedAt: Date.now(),
      load: { segments: 0, bytes: 0, leaderShards: 0 },
      // Without a read replica a standby has no rows to build index shards from.
      holdsShards: options.readReplica !== false,
    },
    { ttlSeconds: options.leaseTtlSeconds },
  );
  // A graceful close resigns and leaves on purpose; anything else means this node is out.
  const fatal = (reason: string) => {
    if (role !== 'stopping') options.onFatal(reason);
  };
  membership.onLost(() => fatal('the membership lease was lost'));
  members = await watchMembers(meta, keys);
  await shards.start(membership.lease);
  shardView = await openPrefixView(meta, keys.shard(WRITE_SHARD));
  const memberView = members;
  const writeShardView = shardView;
  /** Who leads the writes, as etcd says now. */
  const leaderRecord = () => {
    const value = writeShardView.entries.get('leader');
    return value ? (JSON.parse(value) as { nodeId: string; epoch: number }) : null;
  };
  currentLeaderAddress = async () => {
    const leader = leaderRecord()?.nodeId;
    if (!leader || leader === options.nodeId) return null;
    return memberView.members().get(leader)?.sqlAddress ?? null;
  };
  const nodeRows = () => {
    const leader = leaderRecord()?.nodeId;
    return [...memberView.members().values()].map((m) => ({
      nodeId: m.nodeId,
      sqlAddress: m.sqlAddress,
      leadsWrites: m.nodeId === leader,
      startedAt: m.startedAt,
    }));
  };
  /** The write shard as a replica sees it: the leader's committed WAL positions from etcd. */
  const replicaShardRow = (): ShardInfo => {
    const wal = writeShardView.entries.get('wal');
    const point = wal ? (JSON.parse(wal) as CommitPoint) : null;
    const leader = leaderRecord();
    return {
      tables: '*',
      shard: 0,
      leader: leader?.nodeId ?? '',
      epoch: leader?.epoch ?? null,
      walNextLsn: point?.nextLsn ?? 0,
      walReplayFromLsn: point?.replayFrom.lsn ?? 0,
    };
  };

  /** The objects each replica copy reads from the disk cache: its segments and the index files it loaded. */
  const copyIndexFiles = new Map<Catalog, ReadonlySet<string>>();
  const cachedKeys = (copy: Catalog) => {
    const keys = segmentKeys(copy);
    for (const key of copyIndexFiles.get(copy) ?? []) keys.add(key);
    return keys;
  };
  /** Replaced copies some session may still read: their cached objects stay until it is done. */
  const replacedCopies = new Set<Catalog>();
  const dropReplacedCopy = (replaced: Catalog): void => {
    replacedCopies.add(replaced);
    const timer = setInterval(() => {
      if (replicaBackend?.readsCopy(replaced)) return;
      clearInterval(timer);
      replacedCopies.delete(replaced);
      // Replacing a copy set copyCatalog, which is never cleared.
      const inUse = cachedKeys(copyCatalog!);
      for (const other of replacedCopies) for (const key of cachedKeys(other)) inUse.add(key);
      const unused = [...cachedKeys(replaced)].filter((key) => !inUse.has(key));
      copyIndexFiles.delete(replaced);
      engineObjects
        .dropLocalCopies(unused)
        .catch((err: unknown) => log.warn({ err }, 'could not clean up after the replaced replica copy'));
    }, 1_000);
    timer.unref();
  };

  if (options.readReplica !== false) {
    replica = EngineReplica.start({
      meta,
      keys,
      ref: WRITE_SHARD,
      walObjects,
      engineObjects,
      superuser,
      serverVersion,
      ownFiles: true,
      memoryBudgetBytes: options.memoryBudgetBytes,
      leader: leaderWalSource(() => {
        const leader = leaderRecord()?.nodeId;
        const address = leader ? memberView.members().get(leader)?.advertiseAddress : undefined;
        // Only the current leader's client is kept: a former leader's would retry its address.
        if (walLeader !== null && walLeader !== leader) walPeers.drop(walLeader);
        walLeader = leader ?? null;
        return leader && address && leader !== options.nodeId ? walPeers.get(leader, address) : null;
      }),
      log,
      onCopy: (catalog, indexFiles) => {
        const replaced = copyCatalog;
        copyCatalog = catalog;
        copyIndexFiles.set(catalog, indexFiles);
        catalog.nodes = nodeRows;
        catalog.indexShardPlacement = (oid, shard) => shards.placement(oid, shard);
        catalog.shards = () => [replicaShardRow()];
        const services = {
          catalog,
          serverVersion,
          storage: readOnlyStorage(catalog),
          replica: replica!,
          observer: metrics ?? undefined,
          remoteShards: shards.remoteShards,
          writeLeader,
        };
        shards.poke();
        log.info({ lsn: replica!.appliedLsn }, 'read replica ready');
        if (replicaBackend) {
          // The sessions go on: each moves to the new copy at its next transaction.
          replicaBackend.moveTo(services);
        } else {
          replicaBackend = new EngineBackend(services);
          replicaWire = new WireServer({
            backend: replicaBackend,
            tls: options.tls,
            logger: wireLogger(log),
          });
          metrics?.track({
            connections: () => replicaWire?.connectionCount ?? 0,
            segments: () => null,
            walBytesSinceCheckpoint: () => 0,
            checkpoints: () => 0,
            replica: () => replica?.stats() ?? null,
          });
        }
        // Segments only the replaced copy read (its leader compacted them away since) would
        // stay in the disk cache until the node restarts; they go once no session reads it.
        if (replaced) dropReplacedCopy(replaced);
      },
    });
  }

  const lead = async (won: Leadership): Promise<void> => {
    leadership = won;
    role = 'starting';
    won.onLost((reason) => fatal(`lost the write leadership: ${reason}`));
    log.info({ epoch: won.epoch }, 'won the write leadership; taking over');
    // New connections wait for the leader from here; the replica's sessions go on reading
    // its copy while it is handed over.
    const replicaServer = replicaWire;
    const replicaServerBackend = replicaBackend;
    replicaWire = null;
    const wal = await ObjectWal.open({
      store: meta,
      objects: walObjects,
      keys,
      ref: WRITE_SHARD,
      leadership: won,
    });
    leaderWal = wal;
    // The replica's copy, brought up to the final commit point, becomes the leader's
    // database; without one the database is recovered from object storage.
    const warm = (await replica?.handOver(wal)) ?? undefined;
    replica = null;
    // The sessions keep their connections when the copy they read becomes this leader's
    // database, as a promoted PostgreSQL standby's sessions do; otherwise they end (57P01)
    // and their clients reconnect to the database recovered from storage.
    // (The copy may have moved on in place, after DDL, while it was handed over.)
    const keptSessions = warm && warm.catalog === copyCatalog ? replicaServer : null;
    if (!keptSessions) await replicaServer?.close();
    persistence = await Persistence.open(
      {
        meta: new FencedMetaStore(meta, keys.engine, won),
        wal,
        objects: engineObjects,
        superuser,
        serverVersion,
        memoryBudgetBytes: options.memoryBudgetBytes,
        checkpointWalBytes: options.checkpointWalBytes,
        log,
      },
      warm,
    );
    logRecovery(log, persistence, { epoch: won.epoch }, 'leading the writes');
    const durable = persistence;
    durable.catalog.nodes = nodeRows;
    durable.catalog.indexShardPlacement = (oid, shard) => shards.placement(oid, shard);
    durable.catalog.indexShardsHeld = (oid, count) => shards.awaitHeld(oid, count);
    durable.catalog.shards = () => [writeShard(durable, options.nodeId, won.epoch)];
    const services = {
      catalog: durable.catalog,
      serverVersion,
      storage: durable,
      observer: metrics ?? undefined,
      remoteShards: shards.remoteShards,
    };
    if (keptSessions) {
      replicaServerBackend!.promote(services);
      wire = keptSessions;
    } else {
      wire = new WireServer({
        backend: new EngineBackend(services),
        tls: options.tls,
        logger: wireLogger(log),
      });
    }
    trackStorage(metrics, () => wire?.connectionCount ?? 0, durable, wal);
    if (role !== 'starting') return;
    role = 'leader';
    for (const socket of waiting.splice(0)) route(socket);
    shards.poke();
    await shards.lead(durable.catalog);
  };

  const campaignAbort = new AbortController();
  const campaigning = campaignShard(
    meta,
    keys,
    WRITE_SHARD,
    { nodeId: options.nodeId, lease: membership.lease },
    campaignAbort.signal,
  ).then(lead, (error: unknown) => {
    if (!campaignAbort.signal.aborted) throw error;
  });
  campaigning.catch((error: unknown) => fatal(`could not take over the writes: ${(error as Error).message}`));

  log.info(
    { host, port, nodeId: options.nodeId, cluster: keys.cluster, httpPort: ops?.port ?? null },
    `listening on ${advertise} (cluster ${keys.cluster}, node ${options.nodeId})`,
  );

  let closing: Promise<void> | null = null;
  const close = () => {
    closing ??= (async () => {
      role = 'stopping';
      campaignAbort.abort();
      // Resolves once every accepted socket is gone, so it is awaited last.
      const listenerClosed = new Promise<void>((resolve) => listener.close(() => resolve()));
      for (const socket of [...waiting.splice(0), ...unread]) socket.destroy();
      // A standby drains: connections it passed on or serves itself may finish what they do
      // (a scaled-in node's clients see no error if they disconnect within the drain time).
      await drain(proxied, () => replicaWire?.connectionCount ?? 0, options.drainMs ?? DEFAULT_DRAIN_MS);
      await campaigning.catch(() => undefined);
      try {
        await shards.close();
        await wire?.close();
        await refuse.close();
        await replica?.close();
        walPeers.close();
        await replicaWire?.close();
        await shardView?.close();
        // The final checkpoint, then the leadership goes at once instead of after the TTL.
        await persistence?.close();
        await members?.close();
        await leadership?.resign().catch(() => undefined);
        await membership.leave().catch(() => undefined);
      } finally {
        await meta.close();
        await walObjects.close();
        await engineObjects.close();
        await rm(cacheDir, { recursive: true, force: true });
        await ops?.close();
      }
      await listenerClosed;
    })();
    return closing;
  };
  return {
    host,
    port,
    httpPort: ops?.port ?? null,
    get leading() {
      return role === 'leader';
    },
    close,
  };
}

/** The host part of a `host:port` address (`[v6]:port` too). */
function hostOf(address: string): string {
  const host = address.slice(0, address.lastIndexOf(':'));
  return host.startsWith('[') ? host.slice(1, -1) : host;
}

/**
 * Waits until every socket in `sockets` has closed and no session is left (`sessions()`), or
 * `ms` passed; then closes the sockets left (the sessions' server closes the others).
 */
async function drain(sockets: Set<Socket>, sessions: () => number, ms: number): Promise<void> {
  const deadline = Date.now() + ms;
  while ((sockets.size > 0 || sessions() > 0) && Date.now() < deadline)
    await new Promise((resolve) => setTimeout(resolve, 50));
  for (const socket of sockets) socket.destroy();
}

/** The leader's SQL address, or null while there is none (or it is this node, still starting). */
async function leaderAddress(meta: MetaStore, keys: ClusterKeys, self: string): Promise<string | null> {
  const leader = await readShardLeader(meta, keys, WRITE_SHARD);
  if (!leader || leader.nodeId === self) return null;
  const member = await meta.get(keys.node(leader.nodeId));
  return member ? (JSON.parse(member.value) as { sqlAddress: string }).sqlAddress : null;
}

/**
 * The secret standbys prove themselves with when they forward a connection (sql-proxy.ts):
 * created by the first node of the cluster, read by every other.
 */
async function clusterSecret(meta: MetaStore, keys: ClusterKeys): Promise<string> {
  const key = keys.forwardingSecret;
  await meta.txn({
    compare: [{ key, target: 'createRevision', op: '=', value: 0 }],
    success: [{ type: 'put', key, value: randomBytes(24).toString('hex') }],
  });
  return (await meta.get(key))!.value;
}

/** Answers every connection attempt with PostgreSQL's "starting up" error (57P03). */
function refusingBackend(): Backend {
  const refusal = () =>
    Promise.reject(
      new SqlError(SqlState.CannotConnectNow, 'the database system is starting up', {
        detail: 'No node of the cluster leads the writes yet.',
      }),
    );
  return { authPlan: refusal, openSession: refusal };
}
