import { createHash, randomBytes } from 'node:crypto';
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SignatureV4 } from '@smithy/signature-v4';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ObjectNotFoundError } from '../src/storage/object-store/object-store.ts';
import {
  parseS3Url,
  S3ObjectStore,
  type S3ObjectStoreConfig,
} from '../src/storage/object-store/s3-object-store.ts';
import { NodeSha256 } from '../src/storage/object-store/s3-signed-put.ts';
import { describeObjectStoreConformance } from '../src/storage/object-store/testing/object-store-conformance.ts';
import { startS3rver, type TestS3Server } from './helpers/s3rver.ts';

let s3: TestS3Server;
beforeAll(async () => {
  s3 = await startS3rver();
});
afterAll(async () => {
  await s3?.close();
});

let stores = 0;
function storeConfig(overrides: Partial<S3ObjectStoreConfig> = {}): S3ObjectStoreConfig {
  // A fresh prefix per store keeps tests apart within the one bucket.
  return {
    bucket: s3.bucket,
    prefix: `run/${++stores}`,
    endpoint: s3.endpoint,
    credentials: s3.credentials,
    ...overrides,
  };
}

// The s3rver directory, with everything in it, goes in afterAll.
describeObjectStoreConformance('S3ObjectStore on s3rver', async () => {
  const store = new S3ObjectStore(storeConfig());
  return { store, cleanup: () => store.close() };
});

describe('S3ObjectStore', () => {
  it('names its location as an s3:// URL and keeps prefixes apart', async () => {
    const a = new S3ObjectStore(storeConfig({ prefix: '/shared/a/' }));
    const ab = new S3ObjectStore(storeConfig({ prefix: 'shared/ab' }));
    try {
      expect(a.location).toBe(`s3://${s3.bucket}/shared/a`);
      await a.put('k', new Uint8Array([1]));
      await ab.put('k', new Uint8Array([2, 2]));
      expect(await a.list('')).toEqual([{ key: 'k', size: 1 }]);
      expect(await ab.list('')).toEqual([{ key: 'k', size: 2 }]);
    } finally {
      await a.close();
      await ab.close();
    }
  });

  it('rejects a prefix that is not a valid key', () => {
    expect(() => new S3ObjectStore(storeConfig({ prefix: 'a/../b' }))).toThrow(
      /invalid object key "a\/..\/b"/,
    );
  });

  it('fails with a clear error after a bounded number of retries when the endpoint is down', async () => {
    const port = await closedPort();
    const store = new S3ObjectStore(
      storeConfig({
        prefix: 'p',
        endpoint: `http://127.0.0.1:${port}`,
        retry: { attempts: 3, baseDelayMs: 20 },
      }),
    );
    const started = Date.now();
    try {
      await expect(store.get('some/key')).rejects.toThrow(
        new RegExp(`^get "some/key" in s3://${s3.bucket}/p failed after 3 attempts: .*ECONNREFUSED`),
      );
      await expect(store.getFile('some/key', '/nonexistent/never-written')).rejects.toThrow(
        /failed after 3 attempts/,
      );
      expect(Date.now() - started).toBeLessThan(5_000);
    } finally {
      await store.close();
    }
  });

  it("signs its lean PUT over exactly what it sends, with the SDK chain's credentials when none are given", async () => {
    const seen: { method?: string; url?: string; headers: Record<string, string>; body: Buffer }[] = [];
    const server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        seen.push({
          method: req.method,
          url: req.url,
          headers: req.headers as Record<string, string>,
          body: Buffer.concat(chunks),
        });
        res.writeHead(200).end();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const saved = { id: process.env.AWS_ACCESS_KEY_ID, secret: process.env.AWS_SECRET_ACCESS_KEY };
    process.env.AWS_ACCESS_KEY_ID = 'AKIDFROMTHEENVIRONMENT';
    process.env.AWS_SECRET_ACCESS_KEY = 'secret-from-the-environment';
    const store = new S3ObjectStore({ bucket: 'b', prefix: 'p', endpoint, region: 'eu-west-1' });
    try {
      const data = randomBytes(3000);
      await store.put("a b/ü+(x)*!'.bin", data);
      const [request] = seen;
      expect(request.method).toBe('PUT');
      expect(request.url).toBe('/b/p/a%20b/%C3%BC%2B%28x%29%2A%21%27.bin');
      expect(Buffer.compare(request.body, data)).toBe(0);
      expect(request.headers['x-amz-content-sha256']).toBe(createHash('sha256').update(data).digest('hex'));
      const auth =
        /^AWS4-HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/eu-west-1\/s3\/aws4_request, SignedHeaders=([^,]+), Signature=([0-9a-f]{64})$/.exec(
          request.headers.authorization,
        );
      expect(auth?.[1]).toBe('AKIDFROMTHEENVIRONMENT');
      const signedNames = auth![3].split(';');
      expect(signedNames).toEqual(expect.arrayContaining(['host', 'x-amz-content-sha256', 'x-amz-date']));
      // A verifier's view: recompute the signature from the request as it arrived.
      const verifier = new SignatureV4({
        credentials: {
          accessKeyId: 'AKIDFROMTHEENVIRONMENT',
          secretAccessKey: 'secret-from-the-environment',
        },
        region: 'eu-west-1',
        service: 's3',
        sha256: NodeSha256,
        uriEscapePath: false,
        applyChecksum: false,
      });
      const amzDate = request.headers['x-amz-date'];
      const at = new Date(
        `${amzDate.slice(0, 4)}-${amzDate.slice(4, 6)}-${amzDate.slice(6, 11)}:${amzDate.slice(11, 13)}:${amzDate.slice(13)}`,
      );
      const headers = Object.fromEntries(signedNames.map((name) => [name, request.headers[name]]));
      const expected = await verifier.sign(
        {
          method: request.method!,
          protocol: 'http:',
          hostname: '127.0.0.1',
          path: request.url!,
          query: {},
          headers,
          body: request.body,
        },
        { signingDate: at },
      );
      expect(request.headers.authorization).toBe(expected.headers.authorization);
    } finally {
      await store.close();
      process.env.AWS_ACCESS_KEY_ID = saved.id;
      process.env.AWS_SECRET_ACCESS_KEY = saved.secret;
      if (saved.id === undefined) delete process.env.AWS_ACCESS_KEY_ID;
      if (saved.secret === undefined) delete process.env.AWS_SECRET_ACCESS_KEY;
      await new Promise((resolve) => server.close(resolve));
    }
  });

  describe('through a proxy that injects faults', () => {
    let proxy: FaultyProxy;
    beforeAll(async () => {
      proxy = await startFaultyProxy(s3.endpoint);
    });
    afterAll(async () => {
      await proxy?.close();
    });
    const proxiedStore = (overrides: Partial<S3ObjectStoreConfig> = {}) =>
      new S3ObjectStore(
        storeConfig({ endpoint: proxy.endpoint, retry: { attempts: 4, baseDelayMs: 10 }, ...overrides }),
      );

    it('retries 503 answers and bodies cut off mid-transfer, then succeeds', async () => {
      const store = proxiedStore();
      try {
        const data = randomBytes(512 * 1024);
        await store.put('flaky/object', data);
        proxy.takeRequestCount();

        proxy.inject('unavailable', 'unavailable');
        expect(Buffer.compare(await store.get('flaky/object'), data)).toBe(0);
        expect(proxy.takeRequestCount()).toBe(3);

        proxy.inject('truncate');
        expect(Buffer.compare(await store.get('flaky/object'), data)).toBe(0);
        expect(proxy.takeRequestCount()).toBe(2);

        proxy.inject('unavailable', 'unavailable', 'unavailable', 'unavailable');
        await expect(store.head('flaky/object')).rejects.toThrow(/failed after 4 attempts/);
        expect(proxy.takeRequestCount()).toBe(4);

        // PUTs go the lean way (s3-signed-put.ts) and are retried the same.
        const other = randomBytes(1000);
        proxy.inject('unavailable', 'unavailable');
        await store.put('flaky/other', other);
        expect(proxy.takeRequestCount()).toBe(3);
        expect(Buffer.compare(await store.get('flaky/other'), other)).toBe(0);
        proxy.takeRequestCount();
        proxy.inject('unavailable', 'unavailable', 'unavailable', 'unavailable');
        await expect(store.put('flaky/other', other)).rejects.toThrow(
          /^put "flaky\/other" in s3:\/\/.* failed after 4 attempts: .*ServiceUnavailable/,
        );
        expect(proxy.takeRequestCount()).toBe(4);
      } finally {
        await store.close();
      }
    });

    it('does not retry answers that another attempt would repeat', async () => {
      const store = proxiedStore();
      const wrongBucket = proxiedStore({ bucket: 'no-such-bucket' });
      try {
        proxy.takeRequestCount();
        await expect(store.get('missing')).rejects.toBeInstanceOf(ObjectNotFoundError);
        expect(proxy.takeRequestCount()).toBe(1);

        const error = await wrongBucket.get('key').then(
          () => null,
          (e: unknown) => e,
        );
        expect(error).not.toBeInstanceOf(ObjectNotFoundError);
        expect((error as Error).message).toMatch(
          /^get "key" in s3:\/\/no-such-bucket\/run\/\d+ failed: .*NoSuchBucket/,
        );
        expect(proxy.takeRequestCount()).toBe(1);

        await expect(wrongBucket.put('key', new Uint8Array([1]))).rejects.toThrow(
          /^put "key" in s3:\/\/no-such-bucket\/run\/\d+ failed: .*NoSuchBucket/,
        );
        expect(proxy.takeRequestCount()).toBe(1);
      } finally {
        await store.close();
        await wrongBucket.close();
      }
    });
  });
});

describe('parseS3Url', () => {
  it('splits bucket and prefix', () => {
    expect(parseS3Url('s3://my-bucket')).toEqual({ bucket: 'my-bucket', prefix: '' });
    expect(parseS3Url('s3://my-bucket/')).toEqual({ bucket: 'my-bucket', prefix: '' });
    expect(parseS3Url('s3://my.bucket.1/quiver')).toEqual({ bucket: 'my.bucket.1', prefix: 'quiver' });
    expect(parseS3Url('s3://b12/a/b/c/')).toEqual({ bucket: 'b12', prefix: 'a/b/c' });
  });

  it('rejects what is not an S3 URL with a message naming it', () => {
    expect(() => parseS3Url('http://bucket/prefix')).toThrow(/not an S3 URL .*"http:\/\/bucket\/prefix"/);
    expect(() => parseS3Url('s3:/bucket')).toThrow(/not an S3 URL/);
    expect(() => parseS3Url('s3://bucket/p?x=1')).toThrow(/not an S3 URL/);
    expect(() => parseS3Url('s3://')).toThrow(/invalid bucket name/);
    expect(() => parseS3Url('s3://Upper/p')).toThrow(/invalid bucket name .*"Upper"/);
    expect(() => parseS3Url('s3://ab/p')).toThrow(/invalid bucket name/);
    expect(() => parseS3Url('s3://bucket//p')).toThrow(/invalid prefix/);
    expect(() => parseS3Url('s3://bucket/a/../b')).toThrow(/invalid prefix/);
  });
});

type Fault = 'unavailable' | 'truncate';

interface FaultyProxy {
  readonly endpoint: string;
  /** Faults for the next requests, one each, in order. */
  inject(...faults: Fault[]): void;
  /** Requests seen since the last call. */
  takeRequestCount(): number;
  close(): Promise<void>;
}

/** A real HTTP hop in front of s3rver that fails chosen requests the way networks and S3 do. */
async function startFaultyProxy(target: string): Promise<FaultyProxy> {
  const faults: Fault[] = [];
  let requests = 0;
  const server: Server = createServer((req, res) => {
    requests++;
    const fault = faults.shift();
    if (fault === 'unavailable') {
      res.writeHead(503, { 'content-type': 'application/xml' });
      res.end('<?xml version="1.0" encoding="UTF-8"?><Error><Code>ServiceUnavailable</Code></Error>');
      req.resume();
      return;
    }
    // Headers go unchanged (Host included): s3rver checks the SDK's signature over them.
    const upstream = request(
      new URL(req.url ?? '/', target),
      { method: req.method, headers: req.headers },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        if (fault !== 'truncate') {
          answer.pipe(res);
          return;
        }
        answer.once('data', (chunk: Buffer) => {
          res.write(chunk.subarray(0, Math.max(1, chunk.length >> 1)));
          answer.destroy();
          res.socket?.destroy();
        });
      },
    );
    upstream.on('error', () => res.socket?.destroy());
    req.pipe(upstream);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    inject: (...more) => faults.push(...more),
    takeRequestCount: () => {
      const count = requests;
      requests = 0;
      return count;
    },
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** A loopback port that nothing listens on (it was free a moment ago). */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
