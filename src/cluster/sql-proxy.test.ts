import { once } from 'node:events';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { forwardHeader, readForwardHeader, splitAddress } from './sql-proxy.ts';

let server: Server | undefined;
afterEach(() => server?.close());

/** Sends `bytes` from a client; resolves with the server's end of the connection. */
async function serverSideOf(bytes: Buffer): Promise<Socket> {
  server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const accepted = once(server, 'connection');
  const client = connect((server.address() as { port: number }).port, '127.0.0.1');
  client.on('error', () => {});
  client.end(bytes);
  const [socket] = (await accepted) as [Socket];
  return socket;
}

async function rest(socket: Socket): Promise<Buffer> {
  const chunks: Buffer[] = [];
  socket.on('data', (chunk: Buffer) => chunks.push(chunk));
  await once(socket, 'end');
  return Buffer.concat(chunks);
}

// An SSLRequest: length 8, code 80877103, as clients open a connection.
const SSL_REQUEST = Buffer.from([0, 0, 0, 8, 4, 210, 22, 47]);

describe('forwarded SQL connections', () => {
  it('give the leader the client address and leave the protocol bytes after the header unread', async () => {
    const socket = await serverSideOf(Buffer.concat([forwardHeader('s3cret', '10.1.2.3'), SSL_REQUEST]));
    expect(await readForwardHeader(socket, 's3cret')).toEqual({ client: '10.1.2.3' });
    expect(await rest(socket)).toEqual(SSL_REQUEST);
  });

  it('carry the user a standby vouches it authenticated (its write-forwarding link)', async () => {
    const header = forwardHeader('s3cret', '10.1.2.3', 'alice');
    const socket = await serverSideOf(Buffer.concat([header, SSL_REQUEST]));
    expect(await readForwardHeader(socket, 's3cret')).toEqual({ client: '10.1.2.3', vouchedUser: 'alice' });
    expect(await rest(socket)).toEqual(SSL_REQUEST);
    const forged = await serverSideOf(
      Buffer.concat([forwardHeader('guess', '10.1.2.3', 'alice'), SSL_REQUEST]),
    );
    await expect(readForwardHeader(forged, 's3cret')).rejects.toThrow('wrong cluster secret');
    forged.destroy();
  });

  it('leave a direct connection untouched', async () => {
    const socket = await serverSideOf(SSL_REQUEST);
    expect(await readForwardHeader(socket, 's3cret')).toBeNull();
    expect(await rest(socket)).toEqual(SSL_REQUEST);
  });

  it('refuse a header with the wrong secret (a client claiming to be a node)', async () => {
    const socket = await serverSideOf(Buffer.concat([forwardHeader('guess', '127.0.0.1'), SSL_REQUEST]));
    await expect(readForwardHeader(socket, 's3cret')).rejects.toThrow('wrong cluster secret');
    socket.destroy();
  });

  it('treat a connection that ends early as direct', async () => {
    const socket = await serverSideOf(Buffer.from([0, 0]));
    expect(await readForwardHeader(socket, 's3cret')).toBeNull();
    socket.destroy();
  });

  it('read host:port addresses, IPv6 in brackets', () => {
    expect(splitAddress('node-1.quiver:5432')).toEqual({ host: 'node-1.quiver', port: 5432 });
    expect(splitAddress('[::1]:5433')).toEqual({ host: '::1', port: 5433 });
    expect(() => splitAddress('nohost')).toThrow('expected host:port');
  });
});
