/**
 * A worker thread running one of the project's TypeScript modules, as the server runs them:
 * tsx's loader is registered inside the thread first (a worker does not inherit the parent's
 * `--import tsx`). Index builds and COPY's parse use it.
 */
import { Worker, type WorkerOptions } from 'node:worker_threads';

export function typeScriptWorker(module: URL, options: Omit<WorkerOptions, 'eval'> = {}): Worker {
  const boot = `import('tsx/esm/api').then(({ register }) => { register(); return import(${JSON.stringify(module.href)}); })`;
  return new Worker(boot, { ...options, eval: true });
}
