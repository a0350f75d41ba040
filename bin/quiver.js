#!/usr/bin/env node
// Runs the TypeScript entry point through tsx (no build step).
import { spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const child = spawn(
  process.execPath,
  // Resolved from here, not from the working directory, so `quiver` runs from anywhere.
  ['--import', import.meta.resolve('tsx'), join(root, 'src/server/main.ts'), ...process.argv.slice(2)],
  {
    stdio: 'inherit',
  },
);
child.on('exit', (code, signal) => (signal ? process.kill(process.pid, signal) : process.exit(code ?? 0)));
for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => child.kill(sig));
