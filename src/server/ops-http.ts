/**
 * The operations HTTP listener, apart from the SQL port: `/metrics` for Prometheus,
 * `/healthz` (the process answers: liveness) and `/readyz` (recovery finished and the SQL
 * port accepts connections, and no shutdown has begun: readiness). It starts before
 * recovery so that a long recovery reads as alive-but-not-ready instead of dead.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { Logger } from './log.ts';
import type { ServerMetrics } from './metrics.ts';

export interface OpsHttpOptions {
  readonly host: string;
  /** 0 picks a free port. */
  readonly port: number;
  readonly metrics: ServerMetrics;
  readonly ready: () => boolean;
  readonly log: Logger;
}

export interface OpsHttpServer {
  readonly port: number;
  close(): Promise<void>;
}

export async function startOpsHttp(options: OpsHttpOptions): Promise<OpsHttpServer> {
  const server = createServer((req, res) => {
    handle(req, res, options).catch((err: unknown) => {
      options.log.error({ err, url: req.url }, 'operations endpoint failed');
      if (!res.headersSent) reply(res, req, 500, 'internal error\n');
      else res.destroy();
    });
  });
  const port = await new Promise<number>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      const address = server.address();
      resolve(typeof address === 'object' && address ? address.port : options.port);
    });
  });
  server.on('error', (err) => options.log.error({ err }, 'operations listener error'));
  return {
    port,
    close: () =>
      new Promise<void>((resolve) => {
        // Prometheus keeps its scrape connection open: do not wait for it to go idle.
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

async function handle(req: IncomingMessage, res: ServerResponse, options: OpsHttpOptions): Promise<void> {
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    res.setHeader('Allow', 'GET, HEAD');
    return reply(res, req, 405, 'method not allowed\n');
  }
  const path = (req.url ?? '/').split('?', 1)[0];
  switch (path) {
    case '/metrics': {
      const { body, contentType } = await options.metrics.render();
      return reply(res, req, 200, body, contentType);
    }
    case '/healthz':
      return reply(res, req, 200, 'ok\n');
    case '/readyz':
      return options.ready() ? reply(res, req, 200, 'ready\n') : reply(res, req, 503, 'not ready\n');
    default:
      return reply(res, req, 404, 'not found: try /metrics, /healthz or /readyz\n');
  }
}

function reply(
  res: ServerResponse,
  req: IncomingMessage,
  status: number,
  body: string,
  contentType = 'text/plain; charset=utf-8',
): void {
  res.writeHead(status, {
    'Content-Type': contentType,
    'Content-Length': Buffer.byteLength(body),
    'Cache-Control': 'no-store',
  });
  res.end(req.method === 'HEAD' ? undefined : body);
}
