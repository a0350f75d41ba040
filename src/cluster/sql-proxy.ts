/**
 * A standby's SQL connections go to the write leader byte for byte: startup, TLS, COPY and
 * cancel requests all pass through unchanged, so the leader answers as if the client had
 * connected to it. Either side closing closes both (a leader that dies drops its clients,
 * as a PostgreSQL primary does; they reconnect and land on the next leader).
 */
import { connect, type Socket } from 'node:net';

export function pipeSocket(client: Socket, address: string): void {
  const { host, port } = splitAddress(address);
  const upstream = connect({ host, port, noDelay: true });
  const closeBoth = () => {
    client.destroy();
    upstream.destroy();
  };
  client.on('error', closeBoth).on('close', closeBoth);
  upstream.on('error', closeBoth).on('close', closeBoth);
  client.pipe(upstream);
  upstream.pipe(client);
}

/** `host:port` or `[v6 host]:port`. */
export function splitAddress(address: string): { host: string; port: number } {
  const match = /^(?:\[([^\]]+)\]|([^:]+)):(\d+)$/.exec(address);
  if (!match) throw new Error(`invalid address "${address}" (expected host:port)`);
  return { host: match[1] ?? match[2], port: Number(match[3]) };
}
