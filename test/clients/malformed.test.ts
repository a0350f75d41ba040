/**
 * Malformed bytes on the wire: the server must answer a protocol fault by closing that
 * one connection (with a FATAL 08P01 ErrorResponse where it sends one at all), never by
 * crashing or hanging, and must go on serving new connections.
 *
 * PostgreSQL's own behaviour, which this accepts: an unknown message type gets
 * FATAL 08P01 "invalid frontend message type"; a message whose length is below 4 or
 * above the limit is logged as "invalid message length" and the connection is closed
 * without a reply (COMMERROR). Quiver may send FATAL 08P01 in those cases too.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import {
  type BackendMessage,
  errorFields,
  frontendMessage,
  PROTOCOL_3_0,
  RawConnection,
  startupMessage,
} from '../helpers/raw-wire.ts';
import { connect, type TestServer, withServer } from '../helpers/server.ts';

let server: TestServer;
beforeAll(async () => {
  server = await withServer();
});
afterAll(async () => {
  await server?.close();
});

/** Opens a raw connection and completes the startup up to ReadyForQuery. */
async function readyConnection(): Promise<RawConnection> {
  const raw = await RawConnection.open(server.host, server.port);
  raw.write(startupMessage({ user: server.user, database: server.database }));
  const messages = await raw.until('Z');
  expect(messages.find((m) => m.type === 'E')).toBeUndefined();
  return raw;
}

/** The server closed the connection; any ErrorResponse it sent first is a FATAL with `code`. */
function expectClosedWithOptionalFatal(messages: readonly BackendMessage[], code: string): void {
  const errors = messages.filter((m) => m.type === 'E').map((m) => errorFields(m.body));
  for (const fields of errors) {
    expect(fields.S).toBe('FATAL');
    expect(fields.C).toBe(code);
  }
}

async function expectServerStillWorks(): Promise<void> {
  await using client = await connect(server);
  const result = await client.query('SELECT 1 AS one');
  expect(result.rows).toEqual([{ one: 1 }]);
}

describe('malformed frontend messages', () => {
  test('unknown message type: FATAL 08P01, then the connection is closed', async () => {
    await using raw = await readyConnection();
    raw.write(frontendMessage('\x01', Buffer.from('garbage')));
    const messages = await raw.drain();
    const errors = messages.filter((m) => m.type === 'E').map((m) => errorFields(m.body));
    expect(errors).toHaveLength(1);
    expect(errors[0].S).toBe('FATAL');
    expect(errors[0].C).toBe('08P01');
    expect(errors[0].M).toMatch(/invalid frontend message type/);
    await expectServerStillWorks();
  });

  test('message length 3 (below the 4-byte minimum): connection closed', async () => {
    await using raw = await readyConnection();
    raw.write(frontendMessage('Q', Buffer.from('SELECT 1\0'), 3));
    expectClosedWithOptionalFatal(await raw.drain(), '08P01');
    await expectServerStillWorks();
  });

  test('oversize message length: connection closed without waiting for the body', async () => {
    await using raw = await readyConnection();
    // 2 GiB - 1: larger than any limit; the server must not wait for (or allocate) it.
    raw.write(frontendMessage('Q', Buffer.from('SELECT 1\0'), 0x7fffffff));
    expectClosedWithOptionalFatal(await raw.drain(), '08P01');
    await expectServerStillWorks();
  });

  test('oversize startup packet length: connection closed', async () => {
    await using raw = await RawConnection.open(server.host, server.port);
    const packet = Buffer.alloc(8);
    packet.writeInt32BE(0x7fffffff, 0);
    packet.writeInt32BE(PROTOCOL_3_0, 4);
    raw.write(packet);
    expectClosedWithOptionalFatal(await raw.drain(), '08P01');
    await expectServerStillWorks();
  });

  test('unsupported protocol version: FATAL 0A000', async () => {
    await using raw = await RawConnection.open(server.host, server.port);
    raw.write(startupMessage({ user: server.user, database: server.database }, (9 << 16) | 9));
    const messages = await raw.drain();
    const errors = messages.filter((m) => m.type === 'E').map((m) => errorFields(m.body));
    expect(errors).toHaveLength(1);
    expect(errors[0].S).toBe('FATAL');
    expect(errors[0].C).toBe('0A000');
    expect(errors[0].M).toMatch(/unsupported frontend protocol 9\.9/);
    await expectServerStillWorks();
  });

  test('a statement after a protocol error on another connection is unaffected', async () => {
    await using healthy = await connect(server);
    await using raw = await readyConnection();
    raw.write(frontendMessage('\x02', Buffer.alloc(0)));
    await raw.drain();
    const result = await healthy.query('SELECT 2 AS two');
    expect(result.rows).toEqual([{ two: 2 }]);
  });
});
