#!/usr/bin/env node
// `npm test`: every check the project has, in order, stopping at the first failure.
// Each step prints one timing line so a slow step is easy to spot in CI logs.
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

const steps = [
  ['setup-deps', 'bash', ['scripts/setup-deps.sh']],
  ['biome', 'npx', ['biome', 'check', '.']],
  ['tsc', 'npx', ['tsc', '--noEmit']],
  ['vitest', 'npx', ['vitest', 'run', ...process.argv.slice(2)]],
];

const started = performance.now();
for (const [name, command, args] of steps) {
  const t0 = performance.now();
  console.log(`\n== ${name}: ${command} ${args.join(' ')}`);
  const result = spawnSync(command, args, { cwd: root, stdio: 'inherit' });
  const seconds = ((performance.now() - t0) / 1000).toFixed(1);
  const failed = result.error !== undefined || result.status !== 0;
  const why = result.error ? result.error.message : `exit ${result.status ?? result.signal}`;
  console.log(`== ${name}: ${failed ? `FAILED (${why})` : 'ok'} in ${seconds}s`);
  if (failed) {
    process.exit(typeof result.status === 'number' && result.status !== 0 ? result.status : 1);
  }
}
console.log(`\n== all steps ok in ${((performance.now() - started) / 1000).toFixed(1)}s`);
