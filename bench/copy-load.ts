/**
 * COPY ingest, side by side: the same rows (clustered 128-dim vectors with an id) loaded with
 * `COPY … FROM STDIN` in text, csv and binary format into Quiver and into PostgreSQL +
 * pgvector, each into a fresh table, over the wire with postgres.js. Prints a markdown table
 * of rows/s and the ratio, plus JSON lines.
 *
 *   npx tsx bench/copy-load.ts [--rows 200000] [--dims 128] [--postgres host:port]
 *                               [--quiver host:port] [--formats text,csv,binary]
 *
 * Without --quiver a `quiver serve` process is started on a temporary data directory
 * (durable: every COPY is a WAL commit). Without --postgres only Quiver is measured.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import postgres from 'postgres';
import { idVectorCopyBinary } from '../src/engine/testing/id-vector-copy.ts';
import { clusteredData } from '../src/storage/vector/testing/clustered-data.ts';

const { values: args } = parseArgs({
  options: {
    rows: { type: 'string', default: '200000' },
    dims: { type: 'string', default: '128' },
    postgres: { type: 'string' },
    quiver: { type: 'string' },
    user: { type: 'string', default: 'quiver' },
    database: { type: 'string', default: 'quiver' },
    formats: { type: 'string', default: 'text,csv,binary' },
  },
});
const ROWS = Number(args.rows);
const DIMS = Number(args.dims);
type Format = 'text' | 'csv' | 'binary';
const FORMATS = args.formats!.split(',') as Format[];
for (const f of FORMATS) if (!['text', 'csv', 'binary'].includes(f)) throw new Error(`unknown format ${f}`);

const vectors = clusteredData({ count: ROWS, dimensions: DIMS, seed: 42 }).vectors;

/** The COPY input, generated once per format (not part of the measured time). */
function input(format: Format): Buffer[] {
  const chunks: Buffer[] = [];
  const BATCH = 2000;
  if (format === 'binary') return [...idVectorCopyBinary(vectors, BATCH)];
  const sep = format === 'csv' ? ',' : '\t';
  const quote = format === 'csv' ? '"' : '';
  for (let start = 0; start < ROWS; start += BATCH) {
    let s = '';
    for (let id = start; id < Math.min(ROWS, start + BATCH); id++) {
      s += `${id}${sep}${quote}[${vectors[id].join(',')}]${quote}\n`;
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
    await sql.unsafe(`CREATE TABLE bench_copy (id int PRIMARY KEY, embedding vector(${DIMS}))`);
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

/** A `quiver serve` child process (its own event loop and core, as users run it). */
async function startQuiver(dataDir: string): Promise<{ port: number; close: () => Promise<void> }> {
  const main = fileURLToPath(new URL('../src/server/main.ts', import.meta.url));
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', main, 'serve', '--port', '0', '--data-dir', dataDir, '--http-port', 'off'],
    {
      stdio: ['ignore', 'inherit', 'pipe'],
    },
  );
  const port = await new Promise<number>((resolve, reject) => {
    // The server's log (JSON lines on stderr) announces the port; pass the log on.
    child.stderr!.on('data', (d: Buffer) => {
      process.stderr.write(d);
      const m = /listening on [^:]+:(\d+)/.exec(d.toString());
      if (m) resolve(Number(m[1]));
    });
    child.once('exit', (code) => reject(new Error(`quiver exited with ${code}`)));
  });
  const close = async () => {
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGTERM');
    await exited;
  };
  return { port, close };
}

async function main(): Promise<void> {
  let dataDir: string | null = null;
  let quiver = args.quiver;
  let close = async () => {};
  if (!quiver) {
    dataDir = await mkdtemp(join(tmpdir(), 'quiver-bench-'));
    const server = await startQuiver(dataDir);
    quiver = `127.0.0.1:${server.port}`;
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
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  }
  for (const r of results) console.log(JSON.stringify(r));
  console.log(`\nCOPY ${ROWS} rows × vector(${DIMS})\n`);
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
