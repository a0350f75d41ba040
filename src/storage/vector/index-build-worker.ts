/**
 * A worker thread's side of an index build (build-in-worker.ts): builds the index from the
 * packed vectors it is given, reports progress, and sends back the saved index file.
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { BuildMessage, BuildRequest } from './build-in-worker.ts';
import { createColumnIndex } from './column-index.ts';
import { saveColumnIndex } from './index-persistence.ts';

const { spec, rowIds, vectors, width } = workerData as BuildRequest;
const post = (message: BuildMessage, transfer: ArrayBuffer[] = []) =>
  parentPort!.postMessage(message, transfer);
try {
  const index = createColumnIndex(spec.method, spec.type, spec.metric, spec.dimensions, spec.options);
  const views = Array.from({ length: rowIds.length }, (_, i) => vectors.subarray(i * width, (i + 1) * width));
  index.index.build(rowIds, views, (done) => post({ kind: 'progress', done }));
  const bytes = saveColumnIndex(index);
  post({ kind: 'done', bytes }, [bytes.buffer as ArrayBuffer]);
} catch (err) {
  post({ kind: 'failed', message: (err as Error).message });
}
