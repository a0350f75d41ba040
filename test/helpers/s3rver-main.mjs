// Runs s3rver in its own process for test/helpers/s3rver.ts (DESIGN §2a: on Node 20 its
// paginated ListObjectsV2 needs NODE_OPTIONS=--openssl-legacy-provider, which the test
// process itself must not run with).
// Usage: node s3rver-main.mjs <directory> <bucket>; prints {"port":n} once it accepts requests,
// stops on SIGTERM, and cleans up after itself if its parent dies.
import { rmSync } from 'node:fs';
import S3rver from 's3rver';

const [directory, bucket] = process.argv.slice(2);
if (!directory || !bucket) {
  process.stderr.write('usage: node s3rver-main.mjs <directory> <bucket>\n');
  process.exit(2);
}
const server = new S3rver({
  address: '127.0.0.1',
  port: 0,
  directory,
  silent: true,
  configureBuckets: [{ name: bucket }],
});
const { port } = await server.run();
process.stdout.write(`${JSON.stringify({ port })}\n`);

const stop = (removeDirectory) => {
  server.close().then(
    () => {
      if (removeDirectory) rmSync(directory, { recursive: true, force: true });
      process.exit(0);
    },
    () => process.exit(1),
  );
};
process.on('SIGTERM', () => stop(false));
process.on('SIGINT', () => stop(false));
// stdin is a pipe from the test process: when it closes without a SIGTERM first, the test
// process died, so nobody else will stop this server or remove its directory.
process.stdin.on('end', () => stop(true));
process.stdin.resume();
