/**
 * COPY FROM's parse on a worker thread (DESIGN §2: CPU work off the event loop). Parsing
 * text vectors is most of a bulk load's CPU (~60 ns per float element), so a big COPY has
 * its input parsed into column batches (copy-batch.ts) on one shared worker while the event
 * loop reads the next CopyData and writes the rows of the last batch: two cores load.
 *
 * A COPY is parsed here in the event loop when its whole input is smaller than
 * `offloadBytes` (psql's few-row COPYs pay no thread hop and start no worker); its first
 * `offloadBytes` are held back until that is known. Either way the rows reach `onBatch` in
 * input order, so errors, and which one comes first, are those of an in-line parse.
 */
import type { Worker } from 'node:worker_threads';
import { SqlError, SqlState } from '../errors/sql-error.ts';
import { typeScriptWorker } from '../storage/typescript-worker.ts';
import {
  type CopyBatch,
  type CopyParseFailure,
  type CopyParseSpec,
  errorOf,
  parseCopyInput,
} from './copy-batch.ts';

export type ToParseWorker =
  | { readonly kind: 'start'; readonly job: number; readonly spec: CopyParseSpec }
  | { readonly kind: 'chunk'; readonly job: number; readonly bytes: Uint8Array }
  | { readonly kind: 'end'; readonly job: number }
  | { readonly kind: 'cancel'; readonly job: number };

export type FromParseWorker =
  /** `taken`: chunks the parser has taken so far (each chunk yields one batch message). */
  | { readonly kind: 'batch'; readonly job: number; readonly batch: CopyBatch | null; readonly taken: number }
  | { readonly kind: 'done'; readonly job: number }
  | { readonly kind: 'failed'; readonly job: number; readonly failure: CopyParseFailure };

/** Input is posted to the worker in pieces of about this size (CopyData messages can be tiny). */
const POST_BYTES = 256 * 1024;
/** Posted pieces the worker may not have taken yet: bounds memory, keeps both threads busy. */
const MAX_IN_FLIGHT = 4;

const WORKER = new URL('./copy-parse-worker.ts', import.meta.url);

/** One job's messages from the worker, as they arrive. */
class JobInbox {
  private readonly messages: FromParseWorker[] = [];
  private wake: (() => void) | null = null;
  private lost: Error | null = null;
  posted = 0;
  taken = 0;
  private capacityWaiters: (() => void)[] = [];

  deliver(m: FromParseWorker): void {
    if (m.kind === 'batch') {
      this.taken = m.taken;
      if (this.posted - this.taken < MAX_IN_FLIGHT) this.release();
    }
    this.messages.push(m);
    this.wake?.();
  }

  /** The worker died (or the input failed): every wait ends with this error. */
  fail(err: Error): void {
    this.lost = err;
    this.wake?.();
    this.release();
  }

  async next(): Promise<FromParseWorker> {
    for (;;) {
      const m = this.messages.shift();
      if (m) return m;
      if (this.lost) throw this.lost;
      await new Promise<void>((resolve) => {
        this.wake = resolve;
      });
      this.wake = null;
    }
  }

  /** Resolves when another piece may be posted (or the job is over). */
  capacity(): Promise<void> {
    if (this.posted - this.taken < MAX_IN_FLIGHT || this.lost) return Promise.resolve();
    return new Promise((resolve) => this.capacityWaiters.push(resolve));
  }

  /** Wakes whoever waits for capacity (it looks again at why it waited). */
  release(): void {
    for (const w of this.capacityWaiters.splice(0)) w();
  }
}

/** The process's parse worker, started on first use. */
class ParseWorker {
  private static current: ParseWorker | null = null;
  private readonly jobs = new Map<number, JobInbox>();
  private nextJob = 1;

  static get(): ParseWorker {
    ParseWorker.current ??= new ParseWorker(typeScriptWorker(WORKER));
    return ParseWorker.current;
  }

  private constructor(private readonly worker: Worker) {
    // An idle worker does not keep the server process alive.
    worker.unref();
    worker.on('message', (m: FromParseWorker) => this.jobs.get(m.job)?.deliver(m));
    const lost = (why: string) => {
      if (ParseWorker.current === this) ParseWorker.current = null;
      const err = new SqlError(SqlState.InternalError, `COPY parse worker ${why}`);
      for (const inbox of this.jobs.values()) inbox.fail(err);
      this.jobs.clear();
    };
    worker.on('error', (err) => lost(`failed: ${err.message}`));
    worker.on('exit', (code) => lost(`exited with code ${code}`));
  }

  start(spec: CopyParseSpec): { job: number; inbox: JobInbox } {
    const job = this.nextJob++;
    const inbox = new JobInbox();
    this.jobs.set(job, inbox);
    this.send({ kind: 'start', job, spec });
    return { job, inbox };
  }

  send(m: ToParseWorker, transfer: ArrayBuffer[] = []): void {
    this.worker.postMessage(m, transfer);
  }

  finish(job: number, cancel: boolean): void {
    if (this.jobs.delete(job) && cancel) this.send({ kind: 'cancel', job });
  }
}

/** The held-back chunks (copies) as one buffer the worker may own. */
function joined(chunks: Uint8Array[], bytes: number): Uint8Array {
  if (chunks.length === 1 && chunks[0].byteLength === chunks[0].buffer.byteLength) return chunks[0];
  const out = new Uint8Array(bytes);
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}

async function* fromList(chunks: readonly Uint8Array[]): AsyncGenerator<Uint8Array> {
  yield* chunks;
}

/**
 * Parses COPY input into batches for `onBatch` (awaited, in input order): in a worker
 * thread once the input reaches `offloadBytes`, on this thread otherwise.
 */
export async function parseCopy(
  spec: CopyParseSpec,
  input: AsyncIterable<Uint8Array>,
  offloadBytes: number,
  onBatch: (batch: CopyBatch) => Promise<void>,
): Promise<void> {
  const apply = async (batch: CopyBatch | null) => {
    if (batch) await onBatch(batch);
  };
  const iterator = input[Symbol.asyncIterator]();
  // Held back until the input is known to be big; copied into buffers of their own, which
  // may be transferred to the worker (a CopyData body shares its buffer with other messages).
  const held: Uint8Array[] = [];
  let heldBytes = 0;
  while (heldBytes < offloadBytes || heldBytes === 0) {
    const r = await iterator.next();
    // One piece, so the rows come out as one batch (psql sends a CopyData per line).
    if (r.done) return parseCopyInput(spec, fromList([joined(held, heldBytes)]), apply);
    held.push(r.value.slice());
    heldBytes += r.value.length;
  }
  await parseInWorker(spec, held, heldBytes, iterator, apply);
}

async function parseInWorker(
  spec: CopyParseSpec,
  held: Uint8Array[],
  heldBytes: number,
  rest: AsyncIterator<Uint8Array>,
  apply: (batch: CopyBatch | null) => Promise<void>,
): Promise<void> {
  const worker = ParseWorker.get();
  const { job, inbox } = worker.start(spec);
  let failure: unknown = null;
  let finished = false;
  const post = (bytes: Uint8Array) => {
    inbox.posted++;
    worker.send({ kind: 'chunk', job, bytes }, [bytes.buffer as ArrayBuffer]);
  };
  // Reads the rest of the input and posts it, piece by piece, while batches are applied.
  const feed = async () => {
    // CopyData is copied straight into the next piece, a buffer the worker can be handed.
    let piece = new Uint8Array(POST_BYTES);
    let used = 0;
    const add = (chunk: Uint8Array) => {
      if (used + chunk.length > piece.length) {
        const bigger = new Uint8Array(used + chunk.length);
        bigger.set(piece.subarray(0, used));
        piece = bigger;
      }
      piece.set(chunk, used);
      used += chunk.length;
    };
    const postPiece = () => {
      post(piece.subarray(0, used));
      piece = new Uint8Array(POST_BYTES);
      used = 0;
    };
    try {
      post(joined(held, heldBytes));
      for (;;) {
        if (used >= POST_BYTES) {
          await inbox.capacity();
          if (failure) break;
          postPiece();
        }
        const r = await rest.next();
        if (r.done) {
          if (used > 0) postPiece();
          worker.send({ kind: 'end', job });
          return;
        }
        if (failure) break;
        add(r.value);
      }
      // The rows failed: the input ends here for this COPY (the connection drops the rest).
      await rest.return?.();
    } catch (err) {
      // The client failed the COPY (CopyFail) or broke the protocol.
      failure ??= err;
      inbox.fail(err as Error);
    }
  };
  const feeding = feed();
  try {
    for (;;) {
      const m = await inbox.next();
      if (failure) break;
      if (m.kind === 'done') {
        finished = true;
        break;
      }
      if (m.kind === 'failed') {
        finished = true;
        throw errorOf(m.failure);
      }
      await apply(m.batch);
    }
  } catch (err) {
    failure ??= err;
    inbox.release();
  } finally {
    worker.finish(job, !finished);
  }
  // The feeder may be waiting for the client's next message: it is the last reader of this
  // COPY's input, so the connection reads nothing until it stops.
  await feeding;
  if (failure) throw failure;
}
