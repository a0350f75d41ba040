/**
 * ObjectStore over S3 or any S3-compatible endpoint (MinIO, s3rver) for cluster mode
 * (DESIGN §5): key `k` is the S3 object `<prefix>/k` in one bucket.
 *
 * - One PutObject per object, which S3 makes visible atomically. `putFile` streams the file
 *   with its size as ContentLength: no multipart, since a single PUT takes up to 5 GB and
 *   index files are ~100 MB.
 * - Every call is retried on transient failures (network errors, 5xx, throttling) a bounded
 *   number of times with jittered exponential backoff. The SDK's own retries are off so
 *   attempts do not multiply, and a retry here also covers a body that breaks off mid-read,
 *   which the SDK does not retry. Replaying any call is safe because objects are immutable.
 * - `put` of an in-memory object (the WAL's group commits) bypasses the SDK's pipeline when
 *   the URLs are path-style (s3-signed-put.ts); everything else goes through the SDK.
 * - Checksums only when the operation requires them (DESIGN §2a): with the SDK default, a
 *   streamed PUT is sent aws-chunked with a trailing checksum, which s3rver stores verbatim
 *   (corrupting the object) and other S3-compatible servers reject.
 */
import { randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { rename, rm, stat } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import {
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { assertObjectKey, compareKeys, TEMP_SUFFIX } from './object-key.ts';
import { type ObjectInfo, ObjectNotFoundError, type ObjectStore } from './object-store.ts';
import { isTransientS3Error, type RetryPolicy, withRetry } from './s3-retry.ts';
import { S3SignedPut } from './s3-signed-put.ts';

export interface S3ObjectStoreConfig {
  readonly bucket: string;
  /** Key prefix inside the bucket, without leading or trailing `/` ("" for the whole bucket). */
  readonly prefix: string;
  /** For S3-compatible servers, e.g. "http://127.0.0.1:9000"; AWS S3 when absent. */
  readonly endpoint?: string;
  /** Default: AWS_REGION, else us-east-1 (S3-compatible servers mostly ignore it). */
  readonly region?: string;
  /** Default: the SDK's chain (AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY, profiles, …). */
  readonly credentials?: {
    readonly accessKeyId: string;
    readonly secretAccessKey: string;
    readonly sessionToken?: string;
  };
  /** Path-style URLs (http://host/bucket/key); default true when an endpoint is given. */
  readonly forcePathStyle?: boolean;
  readonly retry?: Partial<RetryPolicy>;
}

const SOCKET_TIMEOUT_MS = 60_000;
const DEFAULT_RETRY: RetryPolicy = { attempts: 5, baseDelayMs: 100, maxDelayMs: 2_000 };

export class S3ObjectStore implements ObjectStore {
  readonly location: string;
  private readonly client: S3Client;
  private readonly bucket: string;
  /** Prepended to every key: "" or "some/prefix/". */
  private readonly keyPrefix: string;
  private readonly retry: RetryPolicy;
  /** Set for path-style URLs: the lean PUT (s3-signed-put.ts). */
  private readonly signedPut: S3SignedPut | undefined;

  constructor(config: S3ObjectStoreConfig) {
    const prefix = config.prefix.replace(/^\/+|\/+$/g, '');
    // The prefix is part of every key, so it follows the key rules too.
    if (prefix !== '') assertObjectKey(prefix);
    this.bucket = config.bucket;
    this.keyPrefix = prefix === '' ? '' : `${prefix}/`;
    this.location = `s3://${config.bucket}/${prefix}`;
    this.retry = { ...DEFAULT_RETRY, ...config.retry };
    const region = config.region ?? process.env.AWS_REGION ?? 'us-east-1';
    const forcePathStyle = config.forcePathStyle ?? config.endpoint !== undefined;
    this.client = new S3Client({
      endpoint: config.endpoint,
      region,
      credentials: config.credentials,
      forcePathStyle,
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
      maxAttempts: 1,
      // Without timeouts a dead connection would hang a query forever instead of retrying.
      requestHandler: { connectionTimeout: 5_000, socketTimeout: SOCKET_TIMEOUT_MS },
    });
    this.signedPut =
      config.endpoint !== undefined && forcePathStyle
        ? new S3SignedPut(
            config.endpoint,
            config.bucket,
            region,
            // The SDK's resolved credentials: its provider chain, cached and refreshed.
            config.credentials ?? this.client.config.credentials,
            SOCKET_TIMEOUT_MS,
          )
        : undefined;
  }

  async put(key: string, data: Uint8Array): Promise<void> {
    const Key = this.s3Key(key);
    const { signedPut } = this;
    if (signedPut) {
      await this.call('put', key, () => signedPut.put(Key, data));
      return;
    }
    await this.call('put', key, () =>
      this.client.send(
        new PutObjectCommand({ Bucket: this.bucket, Key, Body: data, ContentLength: data.length }),
      ),
    );
  }

  async putFile(key: string, path: string): Promise<void> {
    const Key = this.s3Key(key);
    const { size } = await stat(path);
    // A fresh stream per attempt: a stream consumed by a failed attempt cannot be replayed.
    await this.call('putFile', key, () =>
      this.client.send(
        new PutObjectCommand({ Bucket: this.bucket, Key, Body: createReadStream(path), ContentLength: size }),
      ),
    );
  }

  async get(key: string): Promise<Uint8Array> {
    const Key = this.s3Key(key);
    return await this.call('get', key, async () => {
      const response = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key }));
      if (!response.Body) throw new Error('GetObject returned no body');
      const data = await response.Body.transformToByteArray();
      checkLength(response.ContentLength, data.length);
      return data;
    });
  }

  /** Streams to a temporary file beside `path` and renames it, so a failure leaves no partial file. */
  async getFile(key: string, path: string): Promise<void> {
    const Key = this.s3Key(key);
    await this.call('getFile', key, async () => {
      const temp = `${path}.${randomBytes(8).toString('hex')}${TEMP_SUFFIX}`;
      try {
        const response = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key }));
        if (!(response.Body instanceof Readable)) throw new Error('GetObject returned no stream body');
        const output = createWriteStream(temp);
        await pipeline(response.Body, output);
        checkLength(response.ContentLength, output.bytesWritten);
        await rename(temp, path);
      } finally {
        await rm(temp, { force: true });
      }
    });
  }

  async head(key: string): Promise<ObjectInfo | null> {
    const Key = this.s3Key(key);
    try {
      const response = await this.call('head', key, () =>
        this.client.send(new HeadObjectCommand({ Bucket: this.bucket, Key })),
      );
      return { key, size: response.ContentLength ?? 0 };
    } catch (error) {
      if (error instanceof ObjectNotFoundError) return null;
      throw error;
    }
  }

  async list(prefix: string): Promise<ObjectInfo[]> {
    const found: ObjectInfo[] = [];
    let token: string | undefined;
    do {
      const page = await this.call('list', prefix, () =>
        this.client.send(
          new ListObjectsV2Command({
            Bucket: this.bucket,
            Prefix: this.keyPrefix + prefix,
            ContinuationToken: token,
          }),
        ),
      );
      for (const object of page.Contents ?? []) {
        if (object.Key === undefined) continue;
        found.push({ key: object.Key.slice(this.keyPrefix.length), size: object.Size ?? 0 });
      }
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
    // S3 returns UTF-8 byte order already; s3rver walks its directories instead.
    return found.sort((a, b) => compareKeys(a.key, b.key));
  }

  async delete(key: string): Promise<void> {
    const Key = this.s3Key(key);
    // S3 answers 204 for a missing key too, which makes delete idempotent.
    await this.call('delete', key, () =>
      this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key })),
    );
  }

  async close(): Promise<void> {
    this.client.destroy();
    this.signedPut?.close();
  }

  private s3Key(key: string): string {
    assertObjectKey(key);
    return this.keyPrefix + key;
  }

  /** Runs one S3 call with retries; a missing object becomes ObjectNotFoundError, anything else names the store and key. */
  private async call<T>(operation: string, key: string, run: () => Promise<T>): Promise<T> {
    const outcome = await withRetry(this.retry, isTransientS3Error, run);
    if (outcome.ok) return outcome.value;
    const { error, attempts } = outcome;
    if (isNotFound(error)) throw new ObjectNotFoundError(this.location, key);
    const tries = attempts > 1 ? ` after ${attempts} attempts` : '';
    throw new Error(`${operation} "${key}" in ${this.location} failed${tries}: ${describeError(error)}`, {
      cause: error,
    });
  }
}

/** `s3://bucket/some/prefix` → { bucket, prefix: "some/prefix" }. */
export function parseS3Url(url: string): { bucket: string; prefix: string } {
  const match = /^s3:\/\/([^/?#]*)(?:\/([^?#]*))?$/.exec(url);
  if (!match) throw new Error(`not an S3 URL (expected s3://bucket/prefix): ${JSON.stringify(url)}`);
  const [, bucket, path = ''] = match;
  // The rules for new buckets: 3–63 lowercase letters, digits, dots and hyphens.
  if (!/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(bucket)) {
    throw new Error(`invalid bucket name in ${JSON.stringify(url)}: ${JSON.stringify(bucket)}`);
  }
  const prefix = path.replace(/\/+$/, '');
  if (prefix !== '') {
    try {
      assertObjectKey(prefix);
    } catch (error) {
      throw new Error(`invalid prefix in ${JSON.stringify(url)}: ${(error as Error).message}`);
    }
  }
  return { bucket, prefix };
}

function checkLength(expected: number | undefined, actual: number): void {
  // Transient: a connection that closes early is worth another attempt.
  if (expected !== undefined && expected !== actual) {
    throw Object.assign(new Error(`received ${actual} of ${expected} bytes`), { code: 'ECONNRESET' });
  }
}

function isNotFound(error: unknown): boolean {
  const name = (error as { name?: string } | undefined)?.name;
  // GetObject says NoSuchKey; HeadObject has no body, so only its status says 404.
  return name === 'NoSuchKey' || (name === 'NotFound' && httpStatus(error) === 404);
}

function httpStatus(error: unknown): number | undefined {
  return (error as { $metadata?: { httpStatusCode?: number } } | undefined)?.$metadata?.httpStatusCode;
}

function describeError(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const status = httpStatus(error);
  const code = (error as NodeJS.ErrnoException).code;
  const detail = [error.name !== 'Error' ? error.name : '', code ?? '', status ? `HTTP ${status}` : '']
    .filter((part) => part !== '' && !error.message.includes(part))
    .join(', ');
  const message = error.message || '(no message)';
  return detail ? `${message} (${detail})` : message;
}
