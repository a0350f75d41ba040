/**
 * Starts fake-node-main.ts as a separate process (a real peer that can be SIGKILLed) and
 * follows its stdout. Disposing it kills the process.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const MAIN = fileURLToPath(new URL('./fake-node-main.ts', import.meta.url));

export interface FakeNodeProcess extends AsyncDisposable {
  readonly child: ChildProcess;
  readonly address: string;
  /** Resolves with the first `event` line starting with `prefix` (seen before or after the call). */
  waitForEvent(prefix: string, timeoutMs?: number): Promise<string>;
  /** Resolves once the process has exited. */
  kill(signal: NodeJS.Signals): Promise<void>;
}

export async function spawnFakeNode(
  nodeId: string,
  options: { readonly searchDelayMs?: number; readonly timeoutMs?: number } = {},
): Promise<FakeNodeProcess> {
  const timeoutMs = options.timeoutMs ?? 15_000;
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', MAIN, nodeId, String(options.searchDelayMs ?? 0)],
    {
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  const events: string[] = [];
  const waiters: { prefix: string; resolve: (line: string) => void }[] = [];
  let stderr = '';
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));

  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`fake node ${nodeId} did not start: ${stderr}`)),
      timeoutMs,
    );
    let buffered = '';
    child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
      buffered += chunk;
      let nl = buffered.indexOf('\n');
      while (nl >= 0) {
        const line = buffered.slice(0, nl);
        buffered = buffered.slice(nl + 1);
        nl = buffered.indexOf('\n');
        if (line.startsWith('listening ')) {
          clearTimeout(timer);
          resolve(Number(line.slice('listening '.length)));
        } else if (line.startsWith('event ')) {
          const event = line.slice('event '.length);
          events.push(event);
          for (const w of waiters.filter((w) => event.startsWith(w.prefix))) {
            waiters.splice(waiters.indexOf(w), 1);
            w.resolve(event);
          }
        }
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`fake node ${nodeId} exited with ${code}: ${stderr}`));
    });
  });

  const kill = async (signal: NodeJS.Signals) => {
    if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    await exited;
  };
  return {
    child,
    address: `127.0.0.1:${port}`,
    waitForEvent(prefix, waitMs = 10_000) {
      const seen = events.find((e) => e.startsWith(prefix));
      if (seen !== undefined) return Promise.resolve(seen);
      return new Promise<string>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no event ${prefix} from ${nodeId}`)), waitMs);
        waiters.push({
          prefix,
          resolve: (line) => {
            clearTimeout(timer);
            resolve(line);
          },
        });
      });
    },
    kill,
    [Symbol.asyncDispose]: () => kill('SIGKILL'),
  };
}
