/**
 * The worker thread's side of COPY's parse offload (copy-parse-offload.ts): runs
 * parseCopyInput for each job over the chunks the event loop posts, and posts back a batch
 * per chunk (with how many chunks it has taken, so the sender can bound what is in flight),
 * then `done` or the failure.
 */
import { parentPort } from 'node:worker_threads';
import { type CopyBatch, failureOf, parseCopyInput, transferablesOf } from './copy-batch.ts';
import type { FromParseWorker, ToParseWorker } from './copy-parse-offload.ts';

/** Chunks of one job, handed to the parser as an async iterable. */
class ChunkQueue implements AsyncIterable<Uint8Array> {
  private readonly chunks: Uint8Array[] = [];
  private ended = false;
  private wake: (() => void) | null = null;
  taken = 0;

  push(chunk: Uint8Array): void {
    this.chunks.push(chunk);
    this.wake?.();
  }

  end(): void {
    this.ended = true;
    this.wake?.();
  }

  async *[Symbol.asyncIterator](): AsyncGenerator<Uint8Array> {
    for (;;) {
      const chunk = this.chunks.shift();
      if (chunk) {
        this.taken++;
        yield chunk;
        continue;
      }
      if (this.ended) return;
      await new Promise<void>((resolve) => {
        this.wake = resolve;
      });
      this.wake = null;
    }
  }
}

const port = parentPort!;
const jobs = new Map<number, ChunkQueue>();
const post = (message: FromParseWorker, transfer: ArrayBuffer[] = []) => port.postMessage(message, transfer);

port.on('message', (m: ToParseWorker) => {
  switch (m.kind) {
    case 'start': {
      const queue = new ChunkQueue();
      jobs.set(m.job, queue);
      const onBatch = (batch: CopyBatch | null) => {
        // A cancelled job's results go nowhere.
        if (!jobs.has(m.job)) return;
        post({ kind: 'batch', job: m.job, batch, taken: queue.taken }, batch ? transferablesOf(batch) : []);
      };
      parseCopyInput(m.spec, queue, onBatch).then(
        () => jobs.delete(m.job) && post({ kind: 'done', job: m.job }),
        (err) => jobs.delete(m.job) && post({ kind: 'failed', job: m.job, failure: failureOf(err) }),
      );
      return;
    }
    case 'chunk':
      jobs.get(m.job)?.push(m.bytes);
      return;
    case 'end':
      jobs.get(m.job)?.end();
      return;
    case 'cancel': {
      const queue = jobs.get(m.job);
      jobs.delete(m.job);
      queue?.end();
      return;
    }
  }
});
