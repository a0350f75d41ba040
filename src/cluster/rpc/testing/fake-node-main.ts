/**
 * A QuiverNode server process over fake-node.ts, for tests that kill a peer:
 *   node --import tsx fake-node-main.ts <node-id> [search-delay-ms]
 * prints `listening <port>` once bound and `event <what>` for each handler event.
 */
import { NodeServer } from '../node-server.ts';
import { fakeHandlers } from './fake-node.ts';

const nodeId = process.argv[2] ?? 'fake';
const searchDelayMs = Number(process.argv[3] ?? 0);
const server = await NodeServer.start({
  handlers: fakeHandlers({
    nodeId,
    searchDelayMs,
    onEvent: (event) => process.stdout.write(`event ${event}\n`),
  }),
});
process.stdout.write(`listening ${server.port}\n`);
for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.on(signal, () => void server.close(500).then(() => process.exit(0)));
}
