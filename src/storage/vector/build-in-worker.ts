/**
 * Builds a vector index off the event loop (DESIGN §2: CPU work never on the event loop),
 * so other sessions keep being served while CREATE INDEX runs. An index with a native
 * parallel build (HNSW over hnswlib) builds on libuv's thread pool from every core, reading
 * the rows' vectors chunk by chunk (`vectorAt`), so a big build holds no copy of them all;
 * any other is built in a worker thread from the vectors packed into one Float32Array,
 * which sends back the saved index file, loaded here (a fraction of the build time).
 */
import { typeScriptWorker } from '../typescript-worker.ts';
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

const WORKER = new URL('./index-build-worker.ts', import.meta.url);

/** Only indexes over float vectors (vector, halfvec, and bit under IVFFlat) are built in a worker. */
export function buildsInWorker(sample: unknown): boolean {
  return sample instanceof Float32Array;
}

/** An index that builds itself without blocking the event loop, asking for each row's vector. */
interface NativeBuild {
  buildAsync(
    rowIds: ArrayLike<number>,
    vectorAt: (i: number) => Float32Array,
    onProgress: (done: number) => void,
  ): Promise<void>;
}

/** Builds an index over `rowIds`; `vectorAt(i)` is row i's encoded vector (read when needed). */
export async function buildInWorker(
  spec: ColumnIndexSpec,
  rowIds: readonly number[],
  vectorAt: (i: number) => Float32Array,
  onProgress: (done: number) => void,
): Promise<ColumnIndex> {
  const index = createColumnIndex(spec.method, spec.type, spec.metric, spec.dimensions, spec.options);
  const native = index.index as Partial<NativeBuild>;
  if (native.buildAsync) {
    await native.buildAsync(rowIds, vectorAt, onProgress);
    return index;
  }
  const width = rowIds.length > 0 ? vectorAt(0).length : 0;
  const vectors = new Float32Array(rowIds.length * width);
  for (let i = 0; i < rowIds.length; i++) vectors.set(vectorAt(i), i * width);
  const request: BuildRequest = { spec, rowIds: Float64Array.from(rowIds), vectors, width };
  const worker = typeScriptWorker(WORKER, {
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
