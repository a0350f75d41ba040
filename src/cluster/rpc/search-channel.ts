/**
 * The caller's side of SearchSegments: every search to one peer travels as a pair of
 * messages on one long-lived gRPC stream, matched by a call id, instead of an HTTP/2
 * stream each (see quiver.proto for what that saves). This file gives each search what a
 * call of its own would have: its deadline and cancellation reach the peer's handler, its
 * error arrives as the handler's SqlError, and a broken stream fails every search on it
 * as a lost peer (retryable) while the next search opens a new stream. CommitPosition calls
 * (a strong read's question to the write leader) travel the same way.
 */
import type { ClientDuplexStream, ServiceError } from '@grpc/grpc-js';
import type { CommitPosition, CommitPositionRequest, SearchRequest, SearchResponse } from './messages.ts';
import type { RpcCallOptions } from './node-peer.ts';
import {
  commitPositionFromWire,
  commitPositionRequestToWire,
  searchRequestToWire,
  searchResponseFromWire,
  type WireSearchCall,
  type WireSearchReply,
} from './proto-codec.ts';
import { abortError, errorFromJson, lostPeer, statementTimeout, statusToError } from './status-mapping.ts';

type SearchStream = ClientDuplexStream<WireSearchCall, WireSearchReply>;

interface OpenCall {
  readonly stream: SearchStream;
  answer(reply: WireSearchReply): void;
  fail(err: Error): void;
}

const MAX_CALL_ID = 0xffff_ffff;

export class SearchChannel {
  private stream: SearchStream | undefined;
  private readonly calls = new Map<number, OpenCall>();
  private lastId = 0;

  /** `open` starts a SearchSegments stream; `peer` names the node in errors. */
  constructor(
    private readonly open: () => SearchStream,
    private readonly peer: string,
  ) {}

  search(request: SearchRequest, options: RpcCallOptions = {}): Promise<SearchResponse> {
    return this.call({ request: searchRequestToWire(request) }, options, (reply) =>
      reply.result === 'response' && reply.response ? searchResponseFromWire(reply.response) : undefined,
    );
  }

  commitPosition(request: CommitPositionRequest, options: RpcCallOptions = {}): Promise<CommitPosition> {
    return this.call({ commitPosition: commitPositionRequestToWire(request) }, options, (reply) =>
      reply.result === 'position' && reply.position ? commitPositionFromWire(reply.position) : undefined,
    );
  }

  /** Sends one call and waits for its reply: `decode` reads the answer (undefined: an error came back). */
  private call<T>(
    payload: Pick<WireSearchCall, 'request' | 'commitPosition'>,
    options: RpcCallOptions,
    decode: (reply: WireSearchReply) => T | undefined,
  ): Promise<T> {
    const { signal, deadline } = options;
    if (signal?.aborted) return Promise.reject(abortError(signal));
    const timeoutMs = deadline === undefined ? 0 : Math.ceil(deadline - Date.now());
    if (deadline !== undefined && timeoutMs <= 0) return Promise.reject(statementTimeout());
    const stream = this.current();
    const id = this.nextId();
    return new Promise<T>((resolve, reject) => {
      let timer: NodeJS.Timeout | undefined;
      const settle = () => {
        this.calls.delete(id);
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
      };
      // A cancel stops waiting at once and tells the peer, so its handler stops too.
      const onAbort = () => {
        settle();
        if (!stream.writableEnded) stream.write({ callId: id, cancel: true, timeoutMs: 0 });
        reject(abortError(signal!));
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      // At the deadline the peer's own timer (same timeout) stops the handler.
      if (deadline !== undefined) {
        timer = setTimeout(() => {
          settle();
          reject(statementTimeout());
        }, timeoutMs);
      }
      this.calls.set(id, {
        stream,
        answer: (reply) => {
          settle();
          const answer = decode(reply);
          if (answer !== undefined) resolve(answer);
          else reject(errorFromJson(reply.error ?? new Uint8Array(), this.peer));
        },
        fail: (err) => {
          settle();
          reject(signal?.aborted ? abortError(signal) : err);
        },
      });
      stream.write({ callId: id, ...payload, timeoutMs });
    });
  }

  /** Ends the stream; searches still open fail as the peer lost. */
  close(): void {
    this.stream?.end();
    this.stream?.cancel();
  }

  private nextId(): number {
    do this.lastId = this.lastId >= MAX_CALL_ID ? 1 : this.lastId + 1;
    while (this.calls.has(this.lastId));
    return this.lastId;
  }

  private current(): SearchStream {
    if (this.stream) return this.stream;
    const stream = this.open();
    this.stream = stream;
    stream.on('data', (reply: WireSearchReply) => this.calls.get(reply.callId)?.answer(reply));
    // The peer went away, shut down or reset the stream: every search on it is lost.
    const broken = (err: Error) => {
      if (this.stream === stream) this.stream = undefined;
      for (const call of [...this.calls.values()]) if (call.stream === stream) call.fail(err);
    };
    stream.on('error', (err: ServiceError) => broken(statusToError(err, this.peer, undefined)));
    stream.on('end', () => broken(lostPeer(this.peer, { details: 'the search stream ended' })));
    return stream;
  }
}
