/**
 * An in-process NodeServer over fake-node.ts with its events recorded, and a client to it:
 * the disposable tests start one per peer they need.
 */
import { NodeClient } from '../node-client.ts';
import { NodeServer } from '../node-server.ts';
import { type FakeNodeOptions, fakeHandlers } from './fake-node.ts';

export interface LocalNode extends AsyncDisposable {
  readonly server: NodeServer;
  readonly client: NodeClient;
  readonly events: string[];
  readonly logged: string[];
  waitForEvent(prefix: string, timeoutMs?: number): Promise<string>;
}

export async function startLocalNode(
  nodeId: string,
  options: Omit<FakeNodeOptions, 'nodeId' | 'onEvent'> = {},
): Promise<LocalNode> {
  const events: string[] = [];
  const logged: string[] = [];
  const waiters = new Set<{ prefix: string; resolve: (e: string) => void }>();
  const server = await NodeServer.start({
    handlers: fakeHandlers({
      ...options,
      nodeId,
      onEvent: (event) => {
        events.push(event);
        for (const w of waiters) {
          if (event.startsWith(w.prefix)) {
            waiters.delete(w);
            w.resolve(event);
          }
        }
      },
    }),
    logger: { error: (message, error) => logged.push(`${message}: ${String(error)}`) },
  });
  const client = new NodeClient(server.address, nodeId);
  return {
    server,
    client,
    events,
    logged,
    waitForEvent(prefix, timeoutMs = 5_000) {
      const seen = events.find((e) => e.startsWith(prefix));
      if (seen !== undefined) return Promise.resolve(seen);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no event ${prefix} on ${nodeId}`)), timeoutMs);
        waiters.add({
          prefix,
          resolve: (e) => {
            clearTimeout(timer);
            resolve(e);
          },
        });
      });
    },
    async [Symbol.asyncDispose]() {
      client.close();
      await server.close(0);
    },
  };
}
