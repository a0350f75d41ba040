/**
 * The recall-vs-QPS plot (as ann-benchmarks draws it): recall@10 across, queries per second
 * up on a log scale, one line per series (a target at a connection count) through its
 * search-parameter sweep. Rendered into a PNG without dependencies.
 */
import { encodePng } from './png.ts';
import { type Marker, Raster, type Rgb } from './raster.ts';

export interface PlotSeries {
  readonly label: string;
  /** Series with the same colour index share a colour (one per target). */
  readonly colour: number;
  /** Series with the same marker index share a marker (one per connection count). */
  readonly marker: number;
  readonly points: readonly { readonly recall: number; readonly qps: number }[];
}

const COLOURS: readonly Rgb[] = [
  [31, 119, 180],
  [214, 39, 40],
  [44, 160, 44],
  [148, 103, 189],
  [255, 127, 14],
  [140, 86, 75],
  [23, 190, 207],
];
const MARKERS: readonly Marker[] = ['disc', 'square', 'diamond', 'triangle'];
const INK: Rgb = [30, 30, 30];
const GRID: Rgb = [225, 225, 225];

/** Tick values 1, 2, 5 × 10^n covering [low, high]. */
function logTicks(low: number, high: number): number[] {
  const ticks: number[] = [];
  for (let e = Math.floor(Math.log10(low)); e <= Math.ceil(Math.log10(high)); e++)
    for (const m of [1, 2, 5]) {
      const v = m * 10 ** e;
      if (v >= low && v <= high) ticks.push(v);
    }
  return ticks;
}

function formatQps(v: number): string {
  return v >= 1000 ? `${v / 1000}k` : `${v}`;
}

export function recallQpsPlot(
  title: string,
  series: readonly PlotSeries[],
  width = 960,
  height = 640,
): Buffer {
  const r = new Raster(width, height);
  const left = 90;
  const right = width - 250;
  const top = 50;
  const bottom = height - 70;
  const points = series.flatMap((s) => s.points).filter((p) => p.qps > 0 && Number.isFinite(p.qps));
  const minRecall = points.length ? Math.min(...points.map((p) => p.recall)) : 0;
  const xLow = Math.max(0, Math.floor(Math.min(minRecall, 0.9) * 10) / 10);
  const xHigh = 1;
  const qps = points.map((p) => p.qps);
  const yLow = 10 ** Math.floor(Math.log10(Math.max(1e-3, qps.length ? Math.min(...qps) : 1)));
  const yHigh = 10 ** Math.ceil(Math.log10(Math.max(yLow * 10, qps.length ? Math.max(...qps) : 10)));
  const px = (recall: number) => left + ((recall - xLow) / (xHigh - xLow)) * (right - left);
  const py = (q: number) =>
    bottom - ((Math.log10(q) - Math.log10(yLow)) / (Math.log10(yHigh) - Math.log10(yLow))) * (bottom - top);

  const xStep = xHigh - xLow > 0.5 ? 0.1 : 0.05;
  for (let x = xLow; x <= xHigh + 1e-9; x += xStep) {
    r.line(px(x), top, px(x), bottom, GRID);
    const label = x.toFixed(xStep < 0.1 ? 2 : 1);
    r.text(px(x) - Raster.textWidth(label, 2) / 2, bottom + 10, label, INK);
  }
  for (const y of logTicks(yLow, yHigh)) {
    r.line(left, py(y), right, py(y), GRID);
    const label = formatQps(y);
    r.text(left - 10 - Raster.textWidth(label, 2), py(y) - 7, label, INK);
  }
  r.line(left, top, left, bottom, INK, 2);
  r.line(left, bottom, right, bottom, INK, 2);
  r.text(left, 15, title, INK, 2);
  const xTitle = 'recall@10';
  r.text((left + right) / 2 - Raster.textWidth(xTitle, 2) / 2, bottom + 38, xTitle, INK);
  const yTitle = 'queries per second (log)';
  r.text(18, (top + bottom) / 2 + Raster.textWidth(yTitle, 2) / 2, yTitle, INK, 2, true);

  series.forEach((s, i) => {
    const colour = COLOURS[s.colour % COLOURS.length];
    const marker = MARKERS[s.marker % MARKERS.length];
    const drawn = s.points.filter((p) => p.qps > 0 && Number.isFinite(p.qps));
    for (let j = 1; j < drawn.length; j++)
      r.line(px(drawn[j - 1].recall), py(drawn[j - 1].qps), px(drawn[j].recall), py(drawn[j].qps), colour, 2);
    for (const p of drawn) r.marker(marker, px(p.recall), py(p.qps), 5, colour);
    const ly = top + 10 + i * 26;
    r.line(right + 20, ly + 7, right + 50, ly + 7, colour, 2);
    r.marker(marker, right + 35, ly + 7, 5, colour);
    r.text(right + 58, ly, s.label, INK, 2);
  });
  return encodePng(width, height, r.pixels);
}
