/** The wire server against a real client: node-postgres over TCP on 127.0.0.1. */
import { readFileSync } from 'node:fs';
import type { DatabaseError } from 'pg';
import { describe, expect, it } from 'vitest';
import { PASSWORD } from './testing/echo-backend.ts';
import { fe } from './testing/frontend-encoder.ts';
import { RawClient } from './testing/raw-client.ts';
import { selfSignedCertificate } from './testing/self-signed-certificate.ts';
import { connectPg, startServer, waitFor } from './testing/test-server.ts';

async function rejection(promise: Promise<unknown>): Promise<DatabaseError> {
  try {
    await promise;
  } catch (error) {
    return error as DatabaseError;
  }
  throw new Error('expected the promise to reject');
}

describe('WireServer with node-postgres', () => {
  it('connects with trust auth and runs a simple query', async () => {
    await using t = await startServer();
    await using client = await connectPg(t.port);
    const result = await client.query('hello');
    expect(result.rows).toEqual([{ echo: 'hello' }]);
    expect(result.fields[0]).toMatchObject({ name: 'echo', dataTypeID: 25 });
    expect(result.command).toBe('SELECT');
    const info = t.backend.startups[0]!;
    expect(info).toMatchObject({ user: 'alice', database: 'db', tls: false, remoteAddress: '127.0.0.1' });
    expect(info.processId).toBe((client as unknown as { processID: number }).processID);
    expect(t.server.connectionCount).toBe(1);
  });

  it('runs extended queries with parameters, named statements and NULLs', async () => {
    await using t = await startServer();
    await using client = await connectPg(t.port);
    expect((await client.query('select $1, $2', ['a', null])).rows).toEqual([{ echo: 'a,NULL' }]);
    for (const value of ['x', 'ü']) {
      const result = await client.query({ name: 'q1', text: 'select $1', values: [value] });
      expect(result.rows).toEqual([{ echo: value }]);
    }
  });

  it('reports an error and keeps serving, in simple and extended mode', async () => {
    await using t = await startServer();
    await using client = await connectPg(t.port);
    const simple = await rejection(client.query('fail here'));
    expect(simple).toMatchObject({ code: '42601', message: 'syntax error at or near "fail"', position: '1' });
    expect((await client.query('after')).rows).toEqual([{ echo: 'after' }]);
    const extended = await rejection(client.query('fail $1', [1]));
    expect(extended.code).toBe('42601');
    expect(t.backend.sessions[0]!.extendedErrors.map((e) => e.code)).toEqual(['42601']);
    expect((await client.query('select $1', ['ok'])).rows).toEqual([{ echo: 'ok' }]);
  });

  it('maps unclassified session errors to XX000 and logs them', async () => {
    await using t = await startServer();
    await using client = await connectPg(t.port);
    expect(await rejection(client.query('boom'))).toMatchObject({ code: 'XX000', message: 'kaboom' });
    expect(t.errors.join()).toContain('kaboom');
    expect((await client.query('fine')).rowCount).toBe(1);
  });

  it('cancels a running query with a CancelRequest', async () => {
    await using t = await startServer();
    await using client = await connectPg(t.port);
    const { processID, secretKey } = client as unknown as { processID: number; secretKey: number };
    const slow = rejection(client.query('sleep 10000'));
    await waitFor(() => t.backend.sessions[0]?.sleeping === true);
    // A wrong key is ignored; the right one cancels. Neither gets a reply.
    for (const key of [secretKey + 1, secretKey]) {
      await using raw = await RawClient.connect(t.port);
      raw.send(fe.cancelRequest(processID, key));
      await raw.closed();
    }
    expect(await slow).toMatchObject({ code: '57014' });
    expect(t.backend.sessions[0]!.cancels).toBe(1);
    expect((await client.query('next')).rows).toEqual([{ echo: 'next' }]);
  });

  it('authenticates with SCRAM-SHA-256, cleartext and md5 passwords', async () => {
    await using t = await startServer();
    for (const user of ['scram', 'clear', 'md5user']) {
      await using client = await connectPg(t.port, { user, password: PASSWORD });
      expect((await client.query('hi')).rows).toEqual([{ echo: 'hi' }]);
      const wrong = await rejection(connectPg(t.port, { user, password: 'wrong' }));
      expect(wrong).toMatchObject({
        code: '28P01',
        message: `password authentication failed for user "${user}"`,
      });
      expect(wrong.severity).toBe('FATAL');
    }
  });

  it('sends FATAL for rejected roles and missing databases', async () => {
    await using t = await startServer();
    expect(await rejection(connectPg(t.port, { user: 'nobody' }))).toMatchObject({
      code: '28000',
      message: 'role "nobody" does not exist',
      severity: 'FATAL',
    });
    expect(await rejection(connectPg(t.port, { database: 'missing' }))).toMatchObject({
      code: '3D000',
      severity: 'FATAL',
    });
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(t.server.connectionCount).toBe(0);
  });

  it('upgrades to TLS when given a certificate', async () => {
    const files = selfSignedCertificate();
    try {
      await using t = await startServer({
        tls: { key: readFileSync(files.key), cert: readFileSync(files.cert) },
      });
      await using client = await connectPg(t.port, {
        ssl: { rejectUnauthorized: false },
        user: 'scram',
        password: PASSWORD,
      });
      expect((await client.query('secure')).rows).toEqual([{ echo: 'secure' }]);
      expect(t.backend.startups[0]!.tls).toBe(true);
    } finally {
      files.remove();
    }
  });

  it('refuses SSL without a certificate', async () => {
    await using t = await startServer();
    const error = await rejection(connectPg(t.port, { ssl: { rejectUnauthorized: false } }));
    expect(String(error)).toContain('does not support SSL');
  });

  it('closes every connection on server close', async () => {
    const t = await startServer();
    const client = await connectPg(t.port);
    const ended = new Promise<void>((resolve) => client.on('end', () => resolve()));
    await t.server.close();
    await ended;
    expect(t.backend.sessions[0]!.closed).toBe(true);
    expect(t.server.connectionCount).toBe(0);
  });
});
