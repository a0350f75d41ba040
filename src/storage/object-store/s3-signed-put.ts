/**
 * PutObject of an in-memory body, signed with SigV4 by the SDK's signer and sent on a
 * keep-alive connection, without the rest of the SDK's request pipeline (serializers,
 * endpoint rules, middleware, response parsing). A cluster's write leader PUTs a WAL
 * batch on every group commit; through `S3Client.send` that PUT cost ~1.5 ms of CPU, a
 * third of a single-row commit's, and this path ~0.3 ms (bench/RESULTS.md).
 *
 * Only for path-style URLs (`<endpoint>/<bucket>/<key>`, what an explicit endpoint uses):
 * AWS's own virtual-hosted addressing stays with the SDK, which knows its rules.
 */
import { createHash, createHmac, type Hash, type Hmac } from 'node:crypto';
import http from 'node:http';
import https from 'node:https';
import { SignatureV4 } from '@smithy/signature-v4';
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from '@smithy/types';

/** Node's SHA-256 and HMAC-SHA-256 in the shape SignatureV4 asks for. */
export class NodeSha256 {
  private readonly hash: Hash | Hmac;
  constructor(secret?: string | ArrayBuffer | ArrayBufferView) {
    this.hash =
      secret === undefined
        ? createHash('sha256')
        : createHmac('sha256', typeof secret === 'string' ? secret : toBuffer(secret));
  }
  update(data: string | ArrayBuffer | ArrayBufferView): void {
    this.hash.update(typeof data === 'string' ? data : toBuffer(data));
  }
  async digest(): Promise<Uint8Array> {
    return this.hash.digest();
  }
}

function toBuffer(data: ArrayBuffer | ArrayBufferView): Buffer {
  return ArrayBuffer.isView(data)
    ? Buffer.from(data.buffer, data.byteOffset, data.byteLength)
    : Buffer.from(data);
}

/** An S3 error answer, shaped as the SDK's errors are for s3-retry.ts and the store's messages. */
export class S3ResponseError extends Error {
  readonly $metadata: { readonly httpStatusCode: number };
  constructor(code: string, message: string, status: number) {
    super(message);
    this.name = code;
    this.$metadata = { httpStatusCode: status };
  }
}

export class S3SignedPut {
  private readonly signer: SignatureV4;
  private readonly agent: http.Agent;
  private readonly endpoint: URL;
  /** The endpoint's path (usually empty) and the bucket: every object's path starts with it. */
  private readonly bucketPath: string;

  constructor(
    endpoint: string,
    bucket: string,
    region: string,
    credentials: AwsCredentialIdentity | AwsCredentialIdentityProvider,
    private readonly timeoutMs: number,
  ) {
    this.endpoint = new URL(endpoint);
    this.bucketPath = `${this.endpoint.pathname.replace(/\/+$/, '')}/${bucket}`;
    this.signer = new SignatureV4({
      credentials,
      region,
      service: 's3',
      sha256: NodeSha256,
      // S3 signs the path as sent, not escaped a second time.
      uriEscapePath: false,
      applyChecksum: false,
    });
    const Agent = this.endpoint.protocol === 'https:' ? https.Agent : http.Agent;
    this.agent = new Agent({ keepAlive: true });
  }

  /** PUTs `data` as the object `key` (already prefixed; object keys need no escaping). */
  async put(key: string, data: Uint8Array): Promise<void> {
    const path = `${this.bucketPath}/${key.split('/').map(escapeSegment).join('/')}`;
    const signed = await this.signer.sign({
      method: 'PUT',
      protocol: this.endpoint.protocol,
      hostname: this.endpoint.hostname,
      port: this.endpoint.port === '' ? undefined : Number(this.endpoint.port),
      path,
      query: {},
      headers: {
        host: this.endpoint.host,
        'content-length': String(data.length),
        // The payload's hash is signed: S3 rejects a body that differs from the one signed.
        'x-amz-content-sha256': createHash('sha256').update(data).digest('hex'),
      },
      body: data,
    });
    await this.send(path, signed.headers, data);
  }

  close(): void {
    this.agent.destroy();
  }

  private send(path: string, headers: Record<string, string>, data: Uint8Array): Promise<void> {
    const request = this.endpoint.protocol === 'https:' ? https.request : http.request;
    return new Promise((resolve, reject) => {
      const req = request(
        {
          agent: this.agent,
          method: 'PUT',
          hostname: this.endpoint.hostname,
          port: this.endpoint.port,
          path,
          headers,
          timeout: this.timeoutMs,
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (chunk: Buffer) => chunks.push(chunk));
          res.on('error', reject);
          res.on('end', () => {
            const status = res.statusCode ?? 0;
            if (status >= 200 && status < 300) resolve();
            else reject(responseError(status, Buffer.concat(chunks).toString('utf8')));
          });
        },
      );
      req.on('timeout', () => {
        const error = new Error(`no answer within ${this.timeoutMs} ms`);
        error.name = 'TimeoutError';
        req.destroy(error);
      });
      req.on('error', reject);
      req.end(data);
    });
  }
}

/** The Code and Message of S3's XML error body (or the status alone when there is none). */
function responseError(status: number, body: string): S3ResponseError {
  const field = (name: string) => new RegExp(`<${name}>([^<]*)</${name}>`).exec(body)?.[1];
  const code = field('Code') ?? `HTTP${status}`;
  return new S3ResponseError(code, field('Message') ?? `HTTP ${status}`, status);
}

/** RFC 3986 escaping of a path segment, as S3's canonical URI has it (encodeURIComponent leaves !'()* alone). */
function escapeSegment(segment: string): string {
  return encodeURIComponent(segment).replace(
    /[!'()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
}
