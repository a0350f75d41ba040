/**
 * Builds a vector index off the event loop (DESIGN §2: CPU work never on the event loop),
 * so other sessions keep being served while CREATE INDEX runs. The rows' encoded vectors are
 * packed into one Float32Array. An index with a native parallel build (HNSW over hnswlib)
 * builds on libuv's thread pool from every core; any other is built in a worker thread,
 * which sends back the saved index file, loaded here (a fraction of the build time).
 */
import { Worker } from 'node:worker_threads';
import { type ColumnIndex, type ColumnIndexSpec, createColumnIndex } from './column-index.ts';
import { loadColumnIndex } from './index-persistence.ts';

export interface BuildRequest {
  readonly spec: ColumnIndexSpec;
  readonly rowIds: Float64Array;
  /** rowIds.length × width floats. */
  readonly vectors: Float32Array;
  readonly width: number;
}

export type BuildMessage =
  | { readonly kind: 'progress'; readonly done: number }
  | { readonly kind: 'done'; readonly bytes: Uint8Array }
  | { readonly kind: 'failed'; readonly message: string };

const WORKER = new URL('./index-build-worker.ts', import.meta.url).href;

/**
 * The worker runs TypeScript like the server does: tsx's loader is registered inside the
 * thread first (a worker does not inherit the parent's `--import tsx`).
 */
const BOOT = `import('tsx/esm/api').then(({ register }) => { register(); return import(${JSON.stringify(WORKER)}); })`;

/** Only indexes over float vectors (vector, halfvec, and bit under IVFFlat) are built in a worker. */
export function buildsInWorker(sample: unknown): boolean {
  return sample instanceof Float32Array;
}

/** An index that builds itself from packed vectors without blocking the event loop. */
interface NativeBuild {
  buildAsync(
    rowIds: ArrayLike<number>,
    vectors: Float32Array,
    onProgress: (done: number) => void,
  ): Promise<void>;
}

export async function buildInWorker(
  spec: ColumnIndexSpec,
  rowIds: readonly number[],
  encoded: readonly Float32Array[],
  onProgress: (done: number) => void,
): Promise<ColumnIndex> {
  const width = encoded[0]?.length ?? 0;
  const vectors = new Float32Array(encoded.length * width);
  for (let i = 0; i < encoded.length; i++) vectors.set(encoded[i], i * width);
  const index = createColumnIndex(spec.method, spec.type, spec.metric, spec.dimensions, spec.options);
  const native = index.index as Partial<NativeBuild>;
  if (native.buildAsync) {
    await native.buildAsync(rowIds, vectors, onProgress);
    return index;
  }
  const request: BuildRequest = { spec, rowIds: Float64Array.from(rowIds), vectors, width };
  const worker = new Worker(BOOT, {
    eval: true,
    workerData: request,
    transferList: [request.rowIds.buffer as ArrayBuffer, vectors.buffer as ArrayBuffer],
  });
  try {
    const bytes = await new Promise<Uint8Array>((resolve, reject) => {
      worker.on('message', (m: BuildMessage) => {
        if (m.kind === 'progress') onProgress(m.done);
        else if (m.kind === 'done') resolve(m.bytes);
        else reject(new Error(m.message));
      });
      worker.once('error', reject);
      worker.once('exit', (code) => reject(new Error(`index build worker exited with code ${code}`)));
    });
    return await loadColumnIndex(bytes, spec);
  } finally {
    await worker.terminate();
  }
}
