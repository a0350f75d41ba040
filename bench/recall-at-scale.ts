/**
 * Recall@10 of hnswlib graphs on a bench dataset, in process, with no server: the engine's
 * own ceiling at a given m / ef_construction, and what moves it (insertion order, build
 * threads, ef_construction, graphs split into segments searched one after another and
 * merged). Ground truth is bench/lib/ground-truth.ts's cache (k=11 to see the gap between
 * the 10th and 11th neighbour; the k=10 file knn.ts reads is written from it).
 *
 *   npx tsx bench/recall-at-scale.ts --dataset clustered-1m-128 --queries 1000 --threads 2
 *   npx tsx bench/recall-at-scale.ts --gaps                       # ground truth and tie statistics only
 *   npx tsx bench/recall-at-scale.ts --order clustered --threads 1 --ef-construction 128
 *   npx tsx bench/recall-at-scale.ts --segments 4                 # 4 graphs of rows/4, top-10 merged
 *   npx tsx bench/recall-at-scale.ts --engine hnswlib-node        # hnswlib-node, one thread
 *
 * Each run prints a markdown table and appends JSON lines to --out.
 */
import { access, appendFile, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import hnswlib from 'hnswlib-node';
import { Index as QuiverIndex } from 'quiver-hnsw';
import { findDataset, generateDataset } from './lib/dataset.ts';
import { cachedGroundTruth, groundTruthFile } from './lib/ground-truth.ts';

const { values: args } = parseArgs({
  options: {
    dataset: { type: 'string', default: 'clustered-1m-128' },
    rows: { type: 'string' },
    queries: { type: 'string', default: '1000' },
    seed: { type: 'string', default: '42' },
    engine: { type: 'string', default: 'quiver' },
    m: { type: 'string', default: '16' },
    'ef-construction': { type: 'string', default: '64' },
    threads: { type: 'string', default: '1' },
    order: { type: 'string', default: 'random' },
    segments: { type: 'string', default: '1' },
    ef: { type: 'string', default: '10,20,40,80,160,320' },
    'level-seed': { type: 'string', default: '100' },
    gaps: { type: 'boolean', default: false },
    /** Another build of native/hnsw (a .node file), e.g. with a patched hnswlib, to compare builds. */
    addon: { type: 'string' },
    cache: { type: 'string', default: fileURLToPath(new URL('./.cache', import.meta.url)) },
    out: {
      type: 'string',
      default: fileURLToPath(new URL('./.cache/recall-at-scale.jsonl', import.meta.url)),
    },
  },
});

const K = 10;
const spec = findDataset(args.dataset!, args.rows ? Number(args.rows) : undefined);
const dims = spec.dimensions;
const engine = args.engine as 'quiver' | 'hnswlib-node';
const m = Number(args.m);
const efConstruction = Number(args['ef-construction']);
const threads = Number(args.threads);
const order = args.order as 'random' | 'clustered';
const segments = Number(args.segments);
const efs = args.ef!.split(',').map(Number);
if (spec.metric !== 'l2') throw new Error('recall-at-scale: l2 datasets only');
if (engine !== 'quiver' && engine !== 'hnswlib-node') throw new Error(`unknown engine ${engine}`);
if (order !== 'random' && order !== 'clustered') throw new Error(`unknown order ${order}`);
if (engine === 'hnswlib-node' && threads !== 1) throw new Error('hnswlib-node builds on one thread');

const Index: typeof QuiverIndex = args.addon ? createRequire(import.meta.url)(args.addon).Index : QuiverIndex;

const log = (message: string) =>
  process.stderr.write(`[${new Date().toISOString().slice(11, 19)}] ${message}\n`);

let started = performance.now();
const dataset = generateDataset(spec, Number(args.seed), Number(args.queries));
log(`generated ${spec.rows} rows in ${((performance.now() - started) / 1000).toFixed(1)}s`);

started = performance.now();
const { truth: truth11, cached } = await cachedGroundTruth(dataset, K + 1, [], args.cache!);
log(
  `ground truth (k=11) ${cached ? 'from cache' : `computed in ${((performance.now() - started) / 1000).toFixed(1)}s`}`,
);
const truth = truth11.unfiltered.map((ids) => ids.slice(0, K));
const k10File = groundTruthFile(dataset, K, args.cache!);
try {
  await access(k10File);
} catch {
  // The first K of the k=11 answers are the k=10 answers (same scan, same tie order).
  await writeFile(k10File, JSON.stringify({ k: K, unfiltered: truth, filtered: {} }));
}

function squaredL2(a: Float32Array, b: Float32Array): number {
  let sum = 0;
  for (let d = 0; d < a.length; d++) sum += (a[d] - b[d]) ** 2;
  return sum;
}

function quantile(sorted: number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
}

if (args.gaps) {
  // Near ties at the 10th place make recall@10 ill-defined: a correct search may return the
  // 11th instead of the 10th. Relative gaps in (unsquared) L2 distance.
  const gaps: number[] = [];
  const spread: number[] = [];
  let sameComponent = 0;
  for (let q = 0; q < dataset.queries.length; q++) {
    const ids = truth11.unfiltered[q];
    const distances = ids.map((id) => Math.sqrt(squaredL2(dataset.queries[q], dataset.vectors[id])));
    gaps.push((distances[K] - distances[K - 1]) / distances[K - 1]);
    spread.push(distances[K - 1] / distances[0]);
    for (let i = 0; i < K; i++)
      if (dataset.components[ids[i]] === dataset.components[ids[0]]) sameComponent++;
  }
  gaps.sort((a, b) => a - b);
  spread.sort((a, b) => a - b);
  const summary = {
    kind: 'gaps',
    dataset: spec.name,
    rows: spec.rows,
    queries: dataset.queries.length,
    gap10to11: { p10: quantile(gaps, 0.1), median: quantile(gaps, 0.5), p90: quantile(gaps, 0.9) },
    queriesWithGapBelow: {
      '0.1%': gaps.filter((g) => g < 0.001).length / gaps.length,
      '1%': gaps.filter((g) => g < 0.01).length / gaps.length,
    },
    d10OverD1: { p10: quantile(spread, 0.1), median: quantile(spread, 0.5), p90: quantile(spread, 0.9) },
    top10InComponentOfNearest: sameComponent / (dataset.queries.length * K),
  };
  console.log(JSON.stringify(summary, null, 2));
  await mkdir(dirname(args.out!), { recursive: true });
  await appendFile(args.out!, `${JSON.stringify(summary)}\n`);
  process.exit(0);
}

// Rows are drawn with a random component each, so row order is already a random order;
// `clustered` replays them one mixture component at a time (stable within a component).
const permutation = Array.from({ length: spec.rows }, (_, i) => i);
if (order === 'clustered') permutation.sort((a, b) => dataset.components[a] - dataset.components[b] || a - b);

/**
 * Level-0 out-degrees from hnswlib's file (hnswalg.h saveIndex: a 96-byte header whose
 * fields 3 and 4 are the element count and bytes per element, then per element a 16-bit
 * link count first): how full the neighbour lists are, against maxM0 = 2m.
 */
async function levelZeroDegrees(index: QuiverIndex): Promise<{ mean: number; belowM: number; min: number }> {
  const file = join(tmpdir(), `recall-at-scale-${process.pid}.bin`);
  index.save(file);
  const bytes = await readFile(file);
  await rm(file);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const elements = Number(view.getBigUint64(16, true));
  const perElement = Number(view.getBigUint64(24, true));
  let total = 0;
  let belowM = 0;
  let min = Number.POSITIVE_INFINITY;
  for (let i = 0; i < elements; i++) {
    const links = view.getUint16(96 + i * perElement, true);
    total += links;
    min = Math.min(min, links);
    if (links < m) belowM++;
  }
  return { mean: total / elements, belowM: belowM / elements, min };
}

interface Graph {
  search(query: Float32Array, ef: number): { labels: ArrayLike<number>; distances: ArrayLike<number> };
}

const PROGRESS_CHUNK = 100_000;
const graphs: Graph[] = [];
const degreeStats: { mean: number; belowM: number; min: number }[] = [];
started = performance.now();
for (let s = 0; s < segments; s++) {
  const from = Math.floor((s * spec.rows) / segments);
  const to = Math.floor(((s + 1) * spec.rows) / segments);
  const ids = permutation.slice(from, to);
  const levelSeed = Number(args['level-seed']) + s;
  if (engine === 'quiver') {
    const index = new Index('l2', dims, ids.length, m, efConstruction, levelSeed);
    // Chunks only to report progress; inserts are the same as one batch.
    for (let at = 0; at < ids.length; at += PROGRESS_CHUNK) {
      const chunk = ids.slice(at, at + PROGRESS_CHUNK);
      const vectors = new Float32Array(chunk.length * dims);
      chunk.forEach((id, i) => vectors.set(dataset.vectors[id], i * dims));
      index.addBatch(Uint32Array.from(chunk), vectors, threads);
      log(`segment ${s}: ${at + chunk.length}/${ids.length} rows`);
    }
    const inspecting = performance.now();
    const degrees = await levelZeroDegrees(index);
    started += performance.now() - inspecting; // not part of the build
    degreeStats.push(degrees);
    log(
      `segment ${s}: level-0 degree mean ${degrees.mean.toFixed(1)}, ${(degrees.belowM * 100).toFixed(1)}% below m, min ${degrees.min}`,
    );
    graphs.push({ search: (query, ef) => index.search(query, K, ef) });
  } else {
    const index = new hnswlib.HierarchicalNSW('l2', dims);
    index.initIndex(ids.length, m, efConstruction, levelSeed);
    ids.forEach((id, i) => {
      index.addPoint(Array.from(dataset.vectors[id]), id);
      if ((i + 1) % PROGRESS_CHUNK === 0) log(`segment ${s}: ${i + 1}/${ids.length} rows`);
    });
    const queries = new Map(dataset.queries.map((q) => [q, Array.from(q)]));
    graphs.push({
      search: (query, ef) => {
        index.setEf(ef);
        const result = index.searchKnn(queries.get(query)!, K);
        return { labels: result.neighbors, distances: result.distances };
      },
    });
  }
}
const buildSeconds = (performance.now() - started) / 1000;
log(`built ${segments} graph(s) in ${buildSeconds.toFixed(1)}s`);

const config = {
  engine,
  addon: args.addon ?? null,
  patches: Object.fromEntries(Object.entries(process.env).filter(([name]) => name.startsWith('QH_'))),
  m,
  efConstruction,
  threads,
  order,
  segments,
  rows: spec.rows,
  dataset: spec.name,
};
const lines: string[] = [
  `${engine}${args.addon ? ` (${args.addon})` : ''}, ${spec.name} (${spec.rows} rows), m=${m}, ef_construction=${efConstruction}, ${threads} build thread(s), ${order} order, ${segments} segment(s), build ${buildSeconds.toFixed(0)} s` +
    (degreeStats.length
      ? `, level-0 degree mean ${(degreeStats.reduce((sum, d) => sum + d.mean, 0) / degreeStats.length).toFixed(1)}`
      : ''),
  '',
  '| ef | recall@10 | QPS (1 thread, all segments) | QPS per CPU second |',
  '| -: | --------: | ---------------------------: | -----------------: |',
];
for (const ef of efs) {
  let found = 0;
  const begin = performance.now();
  // CPU time as well as wall time: on a shared machine the wall clock also counts other processes' turns.
  const cpuBegin = process.cpuUsage();
  for (let q = 0; q < dataset.queries.length; q++) {
    const query = dataset.queries[q];
    const hits: { label: number; distance: number }[] = [];
    for (const graph of graphs) {
      const result = graph.search(query, ef);
      for (let i = 0; i < result.labels.length; i++)
        hits.push({ label: result.labels[i], distance: result.distances[i] });
    }
    hits.sort((a, b) => a.distance - b.distance);
    const wanted = new Set(truth[q]);
    for (const hit of hits.slice(0, K)) if (wanted.has(hit.label)) found++;
  }
  const seconds = (performance.now() - begin) / 1000;
  const cpu = process.cpuUsage(cpuBegin);
  const cpuQps = dataset.queries.length / ((cpu.user + cpu.system) / 1e6);
  const recall = found / (dataset.queries.length * K);
  const qps = dataset.queries.length / seconds;
  lines.push(`| ${ef} | ${recall.toFixed(4)} | ${qps.toFixed(0)} | ${cpuQps.toFixed(0)} |`);
  log(`ef ${ef}: recall@10 ${recall.toFixed(4)}, ${qps.toFixed(0)} QPS, ${cpuQps.toFixed(0)} per CPU second`);
  const record = {
    kind: 'sweep',
    ...config,
    buildSeconds,
    levelZeroDegrees: degreeStats,
    ef,
    recall,
    qps,
    cpuQps,
  };
  await appendFile(args.out!, `${JSON.stringify(record)}\n`);
}
console.log(lines.join('\n'));
