/**
 * `quiver serve` — the command-line entry point. Flags override environment variables
 * (QUIVER_HOST, QUIVER_PORT, QUIVER_DATA_DIR, …), which override defaults. Mistakes in the
 * command line are reported as one plain line (exit 2); from then on the server writes its
 * structured log (log.ts).
 */
import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { parseArgs } from 'node:util';
import { setBusyPoll } from '../wire/busy-poll.ts';
import { watchEventLoop } from './event-loop-watch.ts';
import { createLogger, isLogLevel, LOG_LEVELS, type Logger } from './log.ts';
import { startServer } from './start.ts';
import { type ClusterStartOptions, startClusterNode } from './start-cluster.ts';

const HELP = `Usage: quiver serve [options]

Starts a Quiver server (PostgreSQL wire protocol, pgvector SQL): standalone, or a node of a
cluster with --etcd and --s3.

Options:
  --host <addr>        interface to listen on (env QUIVER_HOST, default 127.0.0.1)
  --port <n>           TCP port (env QUIVER_PORT, default 5433)
  --data-dir <path>    data directory (env QUIVER_DATA_DIR, default ./quiver-data)
  --in-memory          keep nothing on disk (data is lost when the server stops)
  --memory-budget <MiB> sealed segment data kept in memory; the rest is read back from the
                       data directory (a cluster node: --cache-dir) when needed
                       (env QUIVER_MEMORY_BUDGET, default 2048)
  --checkpoint-mb <MiB> WAL written since the last checkpoint that starts the next one, which
                       seals the rows written since into segments (default 256)
  --tls-cert <file>    PEM certificate: accept SSL connections (needs --tls-key)
  --tls-key <file>     PEM private key
  --server-version <v> PostgreSQL version to report (default 16.4)
  --busy-poll <µs>     keep the event loop polling this long after activity instead of
                       sleeping (lower latency on VMs; 0 turns it off; env QUIVER_BUSY_POLL_US,
                       default 150)
  -h, --help           show this help

Cluster (state in etcd and object storage; any node takes SQL connections):
  --etcd <urls>        comma-separated etcd endpoints: join a cluster (env QUIVER_ETCD)
  --s3 <url>           s3://bucket/prefix for the WAL, segments and index files (env QUIVER_S3)
  --s3-endpoint <url>  S3-compatible endpoint, e.g. http://minio:9000 (env QUIVER_S3_ENDPOINT);
                       credentials come from AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY
  --node-id <id>       this node's unique name (env QUIVER_NODE_ID, default: the host name)
  --advertise <h:p>    address other nodes reach this node's SQL port at (default --host:--port)
  --rpc-port <n>       port of the node-to-node RPC, searches of index shards (env
                       QUIVER_RPC_PORT, default 0: any free port, published in etcd)
  --cluster <name>     clusters sharing one etcd and bucket are told apart by name (default default)
  --lease-ttl <s>      seconds a dead node keeps its leadership before a standby takes over
                       (default 5)
  --drain <s>          on SIGTERM, seconds a standby lets its clients' connections (served or
                       passed to the leader) finish before closing them (default 20)
  --cache-dir <path>   local copies of the segments and index files this node reads or writes,
                       so sealed rows beyond --memory-budget are read back from disk (emptied
                       at start; env QUIVER_CACHE_DIR, default <tmpdir>/quiver-cache/<cluster>-<node>)
  --read-replica <on|off>
                       whether a standby keeps a read replica for connections that ask for
                       one (-c quiver.consistency=eventual, or default_transaction_read_only=on;
                       default on)
  --write-forwarding <on|off>
                       whether a standby with a read replica serves every connection itself,
                       reading its replica and sending writes to the leader (on), or passes
                       all but the replica connections to the leader (off, the default)

Operations:
  --http-port <n|off>  HTTP port for /metrics (Prometheus), /healthz and /readyz; 0 picks a
                       free port, off disables it (env QUIVER_HTTP_PORT, default 9433)
  --http-host <addr>   interface for the HTTP port (env QUIVER_HTTP_HOST, default: --host)
  --log-level <level>  ${LOG_LEVELS.join(', ')}: JSON lines on stderr
                       (env QUIVER_LOG_LEVEL, default info)
`;

/** Metrics next to SQL's 5433, clear of postgres_exporter's 9187 (docs/decisions.md). */
const DEFAULT_HTTP_PORT = '9433';

function fail(message: string): never {
  process.stderr.write(`quiver: ${message}\n`);
  process.exit(2);
}

async function main(argv: string[]): Promise<void> {
  const [command, ...rest] = argv;
  if (command === '--help' || command === '-h' || command === 'help') {
    process.stdout.write(HELP);
    return;
  }
  if (command !== 'serve') fail(`unknown command "${command ?? ''}"; try "quiver serve --help"`);
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      args: rest,
      options: {
        host: { type: 'string' },
        port: { type: 'string' },
        'data-dir': { type: 'string' },
        'in-memory': { type: 'boolean' },
        'memory-budget': { type: 'string' },
        'busy-poll': { type: 'string' },
        'checkpoint-mb': { type: 'string' },
        'tls-cert': { type: 'string' },
        'tls-key': { type: 'string' },
        'server-version': { type: 'string' },
        'http-port': { type: 'string' },
        'http-host': { type: 'string' },
        'log-level': { type: 'string' },
        etcd: { type: 'string' },
        s3: { type: 'string' },
        's3-endpoint': { type: 'string' },
        'node-id': { type: 'string' },
        advertise: { type: 'string' },
        'rpc-port': { type: 'string' },
        cluster: { type: 'string' },
        'lease-ttl': { type: 'string' },
        drain: { type: 'string' },
        'read-replica': { type: 'string' },
        'write-forwarding': { type: 'string' },
        'cache-dir': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (err) {
    fail((err as Error).message);
  }
  if (values.help) {
    process.stdout.write(HELP);
    return;
  }
  const host = (values.host as string | undefined) ?? process.env.QUIVER_HOST ?? '127.0.0.1';
  const portText = (values.port as string | undefined) ?? process.env.QUIVER_PORT ?? '5433';
  const port = Number(portText);
  if (!Number.isInteger(port) || port < 0 || port > 65535) fail(`invalid port "${portText}"`);
  const cert = values['tls-cert'] as string | undefined;
  const key = values['tls-key'] as string | undefined;
  if ((cert === undefined) !== (key === undefined)) fail('--tls-cert and --tls-key must be given together');
  let tls: { cert: Buffer; key: Buffer } | undefined;
  try {
    tls = cert && key ? { cert: readFileSync(cert), key: readFileSync(key) } : undefined;
  } catch (err) {
    fail(`cannot read TLS files: ${(err as Error).message}`);
  }
  const inMemory = values['in-memory'] === true;
  if (inMemory && values['data-dir'] !== undefined)
    fail('--in-memory and --data-dir cannot be used together');
  const dataDir = inMemory
    ? null
    : ((values['data-dir'] as string | undefined) ?? process.env.QUIVER_DATA_DIR ?? './quiver-data');
  const budgetText =
    (values['memory-budget'] as string | undefined) ?? process.env.QUIVER_MEMORY_BUDGET ?? '2048';
  const budget = Number(budgetText);
  if (!Number.isFinite(budget) || budget <= 0) fail(`invalid memory budget "${budgetText}" (MiB)`);
  const checkpointText = (values['checkpoint-mb'] as string | undefined) ?? '256';
  const checkpointMb = Number(checkpointText);
  if (!Number.isFinite(checkpointMb) || checkpointMb <= 0)
    fail(`invalid checkpoint size "${checkpointText}" (MiB)`);
  const httpText =
    (values['http-port'] as string | undefined) ?? process.env.QUIVER_HTTP_PORT ?? DEFAULT_HTTP_PORT;
  const httpPort = httpText === 'off' ? null : Number(httpText);
  if (httpPort !== null && (!/^\d+$/.test(httpText) || httpPort > 65535))
    fail(`invalid HTTP port "${httpText}" (a port number, 0 for any free port, or off)`);
  const httpHost = (values['http-host'] as string | undefined) ?? process.env.QUIVER_HTTP_HOST ?? host;
  if (httpPort !== null && httpPort !== 0 && httpPort === port && httpHost === host)
    fail('--http-port must differ from --port');
  const busyPollText =
    (values['busy-poll'] as string | undefined) ?? process.env.QUIVER_BUSY_POLL_US ?? '150';
  const busyPoll = Number(busyPollText);
  if (!/^\d+$/.test(busyPollText) || busyPoll > 1_000_000)
    fail(`invalid busy-poll time "${busyPollText}" (microseconds, 0 to 1000000)`);
  setBusyPoll(busyPoll);
  const level = (values['log-level'] as string | undefined) ?? process.env.QUIVER_LOG_LEVEL ?? 'info';
  if (!isLogLevel(level)) fail(`invalid log level "${level}" (one of ${LOG_LEVELS.join(', ')})`);
  logger = createLogger(level);
  const log = logger;
  watchEventLoop(log);
  const etcd = (values.etcd as string | undefined) ?? process.env.QUIVER_ETCD;
  // What a standalone server and a cluster node are both started with.
  const common = {
    host,
    port,
    memoryBudgetBytes: budget * 1024 * 1024,
    checkpointWalBytes: checkpointMb * 1024 * 1024,
    tls,
    serverVersion: values['server-version'] as string | undefined,
    httpPort,
    httpHost,
    logger: log,
  };
  const server = etcd
    ? await startClusterNode({
        ...common,
        ...clusterOptions(values, etcd),
        onFatal: (reason) => {
          log.fatal(`${reason}; stopping so that a standby takes over`);
          process.exit(3);
        },
      })
    : await startServer({ ...common, dataDir });
  const stop = (signal: NodeJS.Signals) => {
    log.info({ signal }, 'shutting down');
    server.close().then(
      () => {
        log.info('stopped');
        process.exit(0);
      },
      (err: unknown) => {
        log.fatal({ err }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

/** The cluster flags, checked (`--etcd` given). */
function clusterOptions(
  values: Record<string, string | boolean | undefined>,
  etcd: string,
): Pick<
  ClusterStartOptions,
  | 'etcd'
  | 's3'
  | 'nodeId'
  | 'advertise'
  | 'rpcPort'
  | 'cluster'
  | 'leaseTtlSeconds'
  | 'drainMs'
  | 'readReplica'
  | 'writeForwarding'
  | 'cacheDir'
> {
  if (values['data-dir'] !== undefined || values['in-memory'] !== undefined)
    fail('a cluster node keeps its data in etcd and object storage: drop --data-dir / --in-memory');
  const s3Text = (values.s3 as string | undefined) ?? process.env.QUIVER_S3;
  if (!s3Text) fail('--etcd needs --s3 s3://bucket/prefix');
  const s3 = /^s3:\/\/([^/]+)\/?(.*)$/.exec(s3Text);
  if (!s3) fail(`invalid --s3 "${s3Text}" (expected s3://bucket/prefix)`);
  const nodeId = (values['node-id'] as string | undefined) ?? process.env.QUIVER_NODE_ID ?? hostname();
  const ttlText = (values['lease-ttl'] as string | undefined) ?? '5';
  const leaseTtlSeconds = Number(ttlText);
  if (!Number.isInteger(leaseTtlSeconds) || leaseTtlSeconds < 1)
    fail(`invalid lease TTL "${ttlText}" (seconds)`);
  const drainText = (values.drain as string | undefined) ?? '20';
  const drainSeconds = Number(drainText);
  if (!Number.isFinite(drainSeconds) || drainSeconds < 0) fail(`invalid drain time "${drainText}" (seconds)`);
  const rpcPortText = (values['rpc-port'] as string | undefined) ?? process.env.QUIVER_RPC_PORT ?? '0';
  const rpcPort = Number(rpcPortText);
  if (!Number.isInteger(rpcPort) || rpcPort < 0 || rpcPort > 65535) fail(`invalid RPC port "${rpcPortText}"`);
  const replicaText = (values['read-replica'] as string | undefined) ?? 'on';
  if (replicaText !== 'on' && replicaText !== 'off')
    fail(`invalid --read-replica "${replicaText}" (on or off)`);
  const forwardingText = (values['write-forwarding'] as string | undefined) ?? 'off';
  if (forwardingText !== 'on' && forwardingText !== 'off')
    fail(`invalid --write-forwarding "${forwardingText}" (on or off)`);
  return {
    etcd: etcd.split(',').map((url) => url.trim()),
    s3: {
      bucket: s3[1],
      prefix: s3[2].replace(/\/+$/, ''),
      endpoint: (values['s3-endpoint'] as string | undefined) ?? process.env.QUIVER_S3_ENDPOINT,
    },
    nodeId,
    advertise: values.advertise as string | undefined,
    rpcPort,
    cluster: values.cluster as string | undefined,
    leaseTtlSeconds,
    drainMs: drainSeconds * 1000,
    readReplica: replicaText === 'on',
    writeForwarding: forwardingText === 'on',
    cacheDir: (values['cache-dir'] as string | undefined) ?? process.env.QUIVER_CACHE_DIR,
  };
}

/** Set once the command line is understood; failures before that are plain text. */
let logger: Logger | null = null;

main(process.argv.slice(2)).catch((err) => {
  if (logger) logger.fatal({ err }, `could not start: ${(err as Error).message}`);
  else process.stderr.write(`quiver: ${(err as Error).message}\n`);
  process.exit(1);
});
