/**
 * COPY ingest, side by side: the same rows loaded with `COPY … FROM STDIN` in text, csv and
 * binary format into Quiver and into PostgreSQL + pgvector, each into a fresh table, over the
 * wire with postgres.js. Prints a markdown table of rows/s and the ratio, plus JSON lines.
 * `--shape vector` (default): `(id int PRIMARY KEY, embedding vector(dims))`, clustered
 * vectors; `--shape rows`: `(id int PRIMARY KEY, tenant int, title text, at timestamptz)`,
 * the metadata rows loaded beside embeddings.
 *
 *   npx tsx bench/copy-load.ts [--rows 200000] [--dims 128] [--shape vector|rows]
 *                               [--postgres host:port] [--quiver host:port]
 *                               [--formats text,csv,binary]
 *
 * Without --quiver a `quiver serve` process is started on a temporary data directory
 * (durable: every COPY is a WAL commit). Without --postgres only Quiver is measured.
 */
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { parseArgs } from 'node:util';
import postgres from 'postgres';
import { binaryHeader, binaryRecord, binaryTrailer } from '../src/engine/copy-binary.ts';
import { idVectorCopyBinary } from '../src/engine/testing/id-vector-copy.ts';
import { clusteredData } from '../src/storage/vector/testing/clustered-data.ts';
import { ctx } from '../src/types/test-helpers.ts';
import { T } from '../src/types/type.ts';
import { binaryOut, textIn } from '../src/types/value-io.ts';
import { startQuiver } from './lib/quiver-server.ts';

const { values: args } = parseArgs({
  options: {
    rows: { type: 'string', default: '200000' },
    dims: { type: 'string', default: '128' },
    postgres: { type: 'string' },
    quiver: { type: 'string' },
    user: { type: 'string', default: 'quiver' },
    database: { type: 'string', default: 'quiver' },
    formats: { type: 'string', default: 'text,csv,binary' },
    shape: { type: 'string', default: 'vector' },
  },
});
const ROWS = Number(args.rows);
const DIMS = Number(args.dims);
type Format = 'text' | 'csv' | 'binary';
const FORMATS = args.formats!.split(',') as Format[];
for (const f of FORMATS) if (!['text', 'csv', 'binary'].includes(f)) throw new Error(`unknown format ${f}`);

const SHAPE = args.shape!;
if (SHAPE !== 'vector' && SHAPE !== 'rows') throw new Error(`unknown shape ${SHAPE}`);
const vectors = SHAPE === 'vector' ? clusteredData({ count: ROWS, dimensions: DIMS, seed: 42 }).vectors : [];
const TABLE =
  SHAPE === 'vector'
    ? `(id int PRIMARY KEY, embedding vector(${DIMS}))`
    : '(id int PRIMARY KEY, tenant int, title text, at timestamptz)';
const ROW_TYPES = [T.int4, T.int4, T.text, T.timestamptz];

/** Row `id` of the rows shape as text fields. */
function rowFields(id: number): string[] {
  const at = new Date(Date.UTC(2026, 0, 1) + id * 37_000).toISOString().replace('T', ' ').replace('Z', '+00');
  return [String(id), String(id % 100), `document title number ${id}`, at];
}

/** The COPY input, generated once per format (not part of the measured time). */
function input(format: Format): Buffer[] {
  const chunks: Buffer[] = [];
  const BATCH = 2000;
  if (format === 'binary' && SHAPE === 'vector') return [...idVectorCopyBinary(vectors, BATCH)];
  if (format === 'binary') {
    chunks.push(Buffer.from(binaryHeader()));
    for (let start = 0; start < ROWS; start += BATCH) {
      const rows: Uint8Array[] = [];
      for (let id = start; id < Math.min(ROWS, start + BATCH); id++) {
        rows.push(
          binaryRecord(rowFields(id).map((f, i) => binaryOut(ROW_TYPES[i], textIn(ROW_TYPES[i], f, ctx)))),
        );
      }
      chunks.push(Buffer.concat(rows));
    }
    chunks.push(Buffer.from(binaryTrailer()));
    return chunks;
  }
  const sep = format === 'csv' ? ',' : '\t';
  const quote = format === 'csv' ? '"' : '';
  for (let start = 0; start < ROWS; start += BATCH) {
    let s = '';
    for (let id = start; id < Math.min(ROWS, start + BATCH); id++) {
      s +=
        SHAPE === 'vector'
          ? `${id}${sep}${quote}[${vectors[id].join(',')}]${quote}\n`
          : `${rowFields(id).join(sep)}\n`;
    }
    chunks.push(Buffer.from(s));
  }
  return chunks;
}

interface Result {
  readonly server: string;
  readonly format: Format;
  readonly rows: number;
  readonly seconds: number;
  readonly rowsPerSecond: number;
}

async function measure(name: string, hostPort: string, format: Format, data: Buffer[]): Promise<Result> {
  const [host, port] = hostPort.split(':');
  const sql = postgres({
    host,
    port: Number(port),
    user: args.user,
    database: args.database,
    max: 1,
    onnotice: () => {},
  });
  try {
    await sql`CREATE EXTENSION IF NOT EXISTS vector`;
    await sql`DROP TABLE IF EXISTS bench_copy`;
    await sql.unsafe(`CREATE TABLE bench_copy ${TABLE}`);
    const options = format === 'text' ? '' : ` (FORMAT ${format})`;
    const started = performance.now();
    const writable = await sql.unsafe(`COPY bench_copy FROM STDIN${options}`).writable();
    await pipeline(Readable.from(data), writable);
    const seconds = (performance.now() - started) / 1000;
    const [{ count }] = await sql`SELECT count(*)::int AS count FROM bench_copy`;
    if (count !== ROWS) throw new Error(`${name}: loaded ${count} rows, expected ${ROWS}`);
    await sql`DROP TABLE bench_copy`;
    return { server: name, format, rows: ROWS, seconds, rowsPerSecond: ROWS / seconds };
  } finally {
    await sql.end();
  }
}

async function main(): Promise<void> {
  let quiver = args.quiver;
  let close = async () => {};
  if (!quiver) {
    const server = await startQuiver();
    quiver = server.hostPort;
    close = server.close;
  }
  const results: Result[] = [];
  try {
    for (const format of FORMATS) {
      const data = input(format);
      results.push(await measure('quiver', quiver, format, data));
      if (args.postgres) results.push(await measure('pgvector', args.postgres, format, data));
    }
  } finally {
    await close();
  }
  for (const r of results) console.log(JSON.stringify(r));
  console.log(`\nCOPY ${ROWS} rows ${TABLE}\n`);
  console.log('| format | Quiver rows/s | pgvector rows/s | Quiver / pgvector |');
  console.log('|---|---|---|---|');
  for (const format of FORMATS) {
    const q = results.find((r) => r.server === 'quiver' && r.format === format)!;
    const p = results.find((r) => r.server === 'pgvector' && r.format === format);
    const ratio = p ? (q.rowsPerSecond / p.rowsPerSecond).toFixed(2) : '–';
    console.log(
      `| ${format} | ${Math.round(q.rowsPerSecond)} | ${p ? Math.round(p.rowsPerSecond) : '–'} | ${ratio} |`,
    );
  }
}

await main();
