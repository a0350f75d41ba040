/**
 * A run's results as a markdown report (stdout and a .md file), JSON lines (one record per
 * measurement, each naming its dataset and index) and the plot's series.
 */
import type { DatasetSpec } from './dataset.ts';
import type { PlotSeries } from './plot.ts';
import type { BuildResult, IndexParameters } from './search-target.ts';
import type { FilteredPoint, SearchPoint } from './sweep.ts';

export interface TargetResult {
  readonly name: string;
  readonly settings: Record<string, string | null>;
  readonly build: BuildResult;
  readonly search: readonly SearchPoint[];
  readonly filtered: readonly FilteredPoint[];
}

export interface RunReport {
  readonly dataset: DatasetSpec;
  readonly seed: number;
  readonly queries: number;
  readonly index: IndexParameters;
  readonly parameter: string;
  readonly connections: readonly number[];
  readonly seconds: number;
  readonly date: string;
  readonly machine: string;
  readonly command: string;
  readonly targets: readonly TargetResult[];
}

const int = (v: number | null) => (v === null ? '–' : Math.round(v).toLocaleString('en-US'));
const fixed = (v: number | null | undefined, digits: number) =>
  v === null || v === undefined || Number.isNaN(v) ? '–' : v.toFixed(digits);

function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  return [
    `| ${header.join(' | ')} |`,
    `| ${header.map(() => '---').join(' | ')} |`,
    ...rows.map((r) => `| ${r.join(' | ')} |`),
  ].join('\n');
}

export function indexDescription(index: IndexParameters): string {
  return index.kind === 'hnsw'
    ? `hnsw (m = ${index.m}, ef_construction = ${index.efConstruction})`
    : `ivfflat (lists = ${index.lists})`;
}

export function markdownReport(run: RunReport): string {
  const { dataset, targets } = run;
  const out: string[] = [];
  out.push(
    `## ${dataset.name}: ${dataset.rows.toLocaleString('en-US')} × ${dataset.dimensions} (${dataset.metric}), ${indexDescription(run.index)}`,
    '',
    `${run.date}, ${run.machine}. ${run.queries} queries (seed ${run.seed}), recall@10 against the exact answer; ` +
      `QPS closed-loop for ${run.seconds} s per point; latency at 1 connection.`,
    '',
    `\`${run.command}\``,
    '',
    '### Server settings',
    '',
  );
  const names = [...new Set(targets.flatMap((t) => Object.keys(t.settings)))];
  out.push(
    table(
      ['setting', ...targets.map((t) => t.name)],
      names.map((n) => [n, ...targets.map((t) => (n in t.settings ? (t.settings[n] ?? '(none)') : ''))]),
    ),
    '',
    '### Build',
    '',
    table(
      ['target', 'COPY rows/s', 'CREATE INDEX s', 'table + index MB'],
      targets.map((t) => [
        t.name,
        int(t.build.loadRowsPerSecond),
        fixed(t.build.indexSeconds, 1),
        t.build.sizeBytes === null ? '–' : fixed(t.build.sizeBytes / 2 ** 20, 0),
      ]),
    ),
  );
  const notices = targets.flatMap((t) => t.build.notices.map((n) => `- ${t.name}: ${n}`));
  if (notices.length) out.push('', 'Index build notices:', '', ...notices);
  out.push('', '### Search', '');
  out.push(
    table(
      [
        'target',
        run.parameter,
        'recall@10',
        'p50 ms',
        'p99 ms',
        ...run.connections.map((c) => `QPS ${c} conn`),
      ],
      targets.flatMap((t) =>
        t.search.map((p) => [
          t.name,
          String(p.value),
          fixed(p.recall, 3),
          fixed(p.p50Ms, 2),
          fixed(p.p99Ms, 2),
          ...run.connections.map((c) => (p.qps[c] === undefined ? '–' : int(p.qps[c]))),
        ]),
      ),
    ),
  );
  const filtered = targets.flatMap((t) => t.filtered);
  if (filtered.length) {
    out.push('', '### Filtered (`WHERE category = $2`)', '');
    out.push(
      table(
        [
          'target',
          run.parameter,
          'rows kept',
          'recall@10',
          'rows returned (mean)',
          'rows returned (min)',
          'p50 ms',
        ],
        filtered.map((p) => [
          p.target,
          String(p.value),
          `${p.selectivity}%`,
          fixed(p.recall, 3),
          fixed(p.rowsMean, 1),
          String(p.rowsMin),
          fixed(p.p50Ms, 2),
        ]),
      ),
    );
  }
  return `${out.join('\n')}\n`;
}

export function jsonLines(run: RunReport): string {
  const context = {
    dataset: run.dataset.name,
    rows: run.dataset.rows,
    dimensions: run.dataset.dimensions,
    metric: run.dataset.metric,
    seed: run.seed,
    queries: run.queries,
    index: run.index.kind,
    date: run.date,
  };
  const records: object[] = [];
  for (const t of run.targets) {
    records.push({ kind: 'settings', ...context, target: t.name, settings: t.settings });
    records.push({ kind: 'build', ...context, target: t.name, ...t.build });
    for (const p of t.search) records.push({ ...context, ...p });
    for (const p of t.filtered) records.push({ ...context, ...p });
  }
  return records.map((r) => JSON.stringify(r)).join('\n') + '\n';
}

/** One series per target and connection count, through the sweep in parameter order. */
export function plotSeries(run: RunReport): PlotSeries[] {
  const series: PlotSeries[] = [];
  run.targets.forEach((t, ti) => {
    run.connections.forEach((c, ci) => {
      const points = t.search
        .filter((p) => p.qps[c] !== undefined)
        .map((p) => ({ recall: p.recall, qps: p.qps[c] }));
      if (points.length) series.push({ label: `${t.name} ${c} conn`, colour: ti, marker: ci, points });
    });
  });
  return series;
}
