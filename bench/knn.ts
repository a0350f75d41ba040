/**
 * kNN search, side by side: the same rows, index parameters and queries against Quiver,
 * PostgreSQL + pgvector (both over the wire, node-postgres, `$1` parameters in extended
 * protocol) and hnswlib-node in-process (the engine's limit). Measures COPY rows/s, CREATE
 * INDEX time, recall@10 against the exact answer, latency p50/p99 at one connection and
 * closed-loop QPS at 1, 2 and 4 connections for each hnsw.ef_search (or ivfflat.probes),
 * and filtered queries. Writes a markdown report, JSON lines and a recall-vs-QPS PNG per
 * dataset. Usage in bench/README.md.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { findDataset, generateDataset, SELECTIVITIES } from './lib/dataset.ts';
import { cachedGroundTruth } from './lib/ground-truth.ts';
import { HnswlibTarget } from './lib/hnswlib-target.ts';
import { recallQpsPlot } from './lib/plot.ts';
import { startQuiver } from './lib/quiver-server.ts';
import { jsonLines, markdownReport, plotSeries, type RunReport, type TargetResult } from './lib/report.ts';
import {
  type IndexKind,
  type IndexParameters,
  type SearchTarget,
  searchParameterName,
} from './lib/search-target.ts';
import { SqlTarget } from './lib/sql-target.ts';
import { sweep } from './lib/sweep.ts';
import { tuningWarnings } from './lib/tuning.ts';

const { values: args } = parseArgs({
  options: {
    dataset: { type: 'string', default: 'clustered-100k-128' },
    rows: { type: 'string' },
    seed: { type: 'string', default: '42' },
    queries: { type: 'string', default: '1000' },
    targets: { type: 'string' },
    postgres: { type: 'string' },
    quiver: { type: 'string' },
    'quiver-read': { type: 'string' },
    'read-options': { type: 'string', default: '-c default_transaction_read_only=on' },
    'quiver-flags': { type: 'string', default: '' },
    user: { type: 'string', default: 'quiver' },
    database: { type: 'string', default: 'quiver' },
    index: { type: 'string', default: 'hnsw' },
    ef: { type: 'string', default: '10,20,40,80,160,320' },
    probes: { type: 'string', default: '1,2,4,8,16,32' },
    m: { type: 'string', default: '16' },
    'ef-construction': { type: 'string', default: '64' },
    lists: { type: 'string' },
    connections: { type: 'string', default: '1,2,4' },
    seconds: { type: 'string', default: '5' },
    filtered: { type: 'string', default: '10,1' },
    'category-index': { type: 'boolean', default: false },
    out: { type: 'string', default: 'bench/results' },
    cache: { type: 'string', default: fileURLToPath(new URL('./.cache', import.meta.url)) },
    help: { type: 'boolean', short: 'h' },
  },
});

if (args.help) {
  process.stdout.write(
    'npx tsx bench/knn.ts [--dataset clustered-100k-128|clustered-1m-128|clustered-50k-768[,…]] [--rows N]\n' +
      '  [--targets quiver,pgvector,hnswlib] [--postgres host:port] [--quiver host:port] [--quiver-flags "…"]\n' +
      '  [--quiver-read host:port[,…] [--read-options="-c quiver.consistency=eventual"]]\n' +
      '  [--index hnsw|ivfflat] [--ef 10,20,…] [--probes 1,2,…] [--m 16] [--ef-construction 64] [--lists N]\n' +
      '  [--connections 1,2,4] [--seconds 5] [--queries 1000] [--filtered 10,1|none] [--category-index]\n' +
      '  [--seed 42] [--out dir]\n',
  );
  process.exit(0);
}

const numbers = (text: string) => text.split(',').filter(Boolean).map(Number);
const indexKind = args.index as IndexKind;
if (indexKind !== 'hnsw' && indexKind !== 'ivfflat') throw new Error(`--index must be hnsw or ivfflat`);
const targetNames = (args.targets ?? (args.postgres ? 'quiver,pgvector,hnswlib' : 'quiver,hnswlib')).split(
  ',',
);
for (const t of targetNames)
  if (!['quiver', 'pgvector', 'hnswlib'].includes(t)) throw new Error(`unknown target ${t}`);
if (targetNames.includes('pgvector') && !args.postgres)
  throw new Error('the pgvector target needs --postgres host:port');
const selectivities = args.filtered === 'none' ? [] : numbers(args.filtered!);
for (const s of selectivities)
  if (!SELECTIVITIES.includes(s))
    throw new Error(`--filtered: supported selectivities are ${SELECTIVITIES.join(',')}`);
const connections = numbers(args.connections!);
const seconds = Number(args.seconds);
const queryCount = Number(args.queries);
const seed = Number(args.seed);
const log = (line: string) => process.stderr.write(`${line}\n`);

async function openTarget(
  name: string,
  connectionCount: number,
): Promise<{ target: SearchTarget; stop: () => Promise<void> }> {
  if (name === 'hnswlib') return { target: new HnswlibTarget(), stop: async () => {} };
  const common = {
    user: args.user!,
    database: args.database!,
    connections: connectionCount,
    table: 'bench_knn',
    categoryIndex: args['category-index'],
  };
  if (name === 'pgvector')
    return {
      target: await SqlTarget.connect({ ...common, name, hostPort: args.postgres! }),
      stop: async () => {},
    };
  if (args.quiver)
    return {
      target: await SqlTarget.connect({
        ...common,
        name,
        hostPort: args.quiver,
        // A cluster's replicas: load and build through --quiver, search through these.
        readers: args['quiver-read']
          ? { hostPorts: args['quiver-read'].split(','), options: args['read-options']! }
          : undefined,
      }),
      stop: async () => {},
    };
  const server = await startQuiver(args['quiver-flags']!.split(' ').filter(Boolean));
  try {
    const target = await SqlTarget.connect({
      ...common,
      name,
      hostPort: server.hostPort,
      extraSettings: { 'quiver serve flags': server.flags.join(' ') },
    });
    return { target, stop: server.close };
  } catch (err) {
    await server.close();
    throw err;
  }
}

async function runDataset(datasetName: string): Promise<void> {
  const spec = findDataset(datasetName, args.rows ? Number(args.rows) : undefined);
  let started = performance.now();
  const dataset = generateDataset(spec, seed, queryCount);
  log(
    `${spec.name}: ${spec.rows} × ${spec.dimensions} generated in ${((performance.now() - started) / 1000).toFixed(1)} s`,
  );
  started = performance.now();
  const { truth, cached } = await cachedGroundTruth(dataset, 10, selectivities, args.cache!);
  log(
    `ground truth ${cached ? 'from cache' : 'computed'} in ${((performance.now() - started) / 1000).toFixed(1)} s`,
  );

  const index: IndexParameters = {
    kind: indexKind,
    m: Number(args.m),
    efConstruction: Number(args['ef-construction']),
    lists: args.lists ? Number(args.lists) : Math.max(1, Math.round(spec.rows / 1000)),
  };
  const parameter = searchParameterName(indexKind);
  const values = numbers(indexKind === 'hnsw' ? args.ef! : args.probes!);
  const results: TargetResult[] = [];
  const warnings: string[] = [];
  for (const name of targetNames) {
    if (name === 'hnswlib' && indexKind !== 'hnsw') {
      log('hnswlib: skipped (HNSW only)');
      continue;
    }
    const { target, stop } = await openTarget(name, Math.max(...connections));
    try {
      const settings = await target.settings();
      log(`${name} settings: ${JSON.stringify(settings)}`);
      log(`${name}: loading and building ${indexKind}…`);
      const build = await target.build(dataset, index);
      log(
        `${name}: COPY ${build.loadRowsPerSecond ? Math.round(build.loadRowsPerSecond) : '–'} rows/s, CREATE INDEX ${build.indexSeconds.toFixed(1)} s`,
      );
      if (name === 'pgvector')
        for (const w of tuningWarnings(settings, build.sizeBytes)) {
          warnings.push(`pgvector: ${w}`);
          log(`WARNING pgvector is not tuned: ${w}`);
        }
      const measured = await sweep(target, dataset, truth, {
        parameter,
        values,
        connections,
        seconds,
        selectivities,
        log,
      });
      results.push({ name, settings, build, ...measured });
    } finally {
      await target.close();
      await stop();
    }
  }

  const cpu = cpus();
  const report: RunReport = {
    dataset: spec,
    seed,
    queries: queryCount,
    index,
    parameter,
    connections,
    seconds,
    date: new Date().toISOString().slice(0, 10),
    machine: `${cpu.length} × ${cpu[0]?.model.trim() ?? 'cpu'}, ${Math.round(totalmem() / 2 ** 30)} GiB RAM, Node ${process.version}`,
    command: `npx tsx bench/knn.ts ${process.argv.slice(2).join(' ')}`,
    targets: results,
  };
  let markdown = markdownReport(report);
  if (warnings.length)
    markdown += `\n**Not a fair comparison — pgvector untuned:**\n\n${warnings.map((w) => `- ${w}`).join('\n')}\n`;
  const base = join(args.out!, `${spec.name}${args.rows ? `-r${spec.rows}` : ''}-${indexKind}`);
  await mkdir(args.out!, { recursive: true });
  await writeFile(`${base}.md`, markdown);
  await writeFile(`${base}.jsonl`, jsonLines(report));
  await writeFile(
    `${base}.png`,
    recallQpsPlot(`${spec.name} (${spec.rows} rows), ${indexKind}`, plotSeries(report)),
  );
  process.stdout.write(`${markdown}\n`);
  log(`wrote ${base}.md, .jsonl, .png`);
}

for (const name of args.dataset!.split(',')) await runDataset(name);
