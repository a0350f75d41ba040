/**
 * Every sql-tests/*.slt file over TCP against one server, once in the simple and once in
 * the extended query protocol: one vitest test per file and protocol. Used for a
 * standalone server (test/sql.test.ts) and for a cluster's standby node
 * (test/cluster/sql-cluster-slt.test.ts), which must give the same results.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { connect, type TestServer } from '../helpers/server.ts';
import { parseSltFile } from './parser.ts';
import { formatFailures, type Protocol, runSlt } from './runner.ts';

const dir = fileURLToPath(new URL('../../sql-tests/', import.meta.url));
const files = readdirSync(dir)
  .filter((name) => name.endsWith('.slt'))
  .sort();
const protocols: readonly Protocol[] = ['simple', 'extended'];

export function describeSqlTests(
  title: string,
  start: () => Promise<TestServer>,
  startTimeoutMs = 60_000,
): void {
  describe(title, () => {
    let server: TestServer | undefined;
    beforeAll(async () => {
      server = await start();
    }, startTimeoutMs);
    afterAll(async () => {
      await server?.close();
    });

    test('there are .slt files', () => {
      expect(files.length).toBeGreaterThan(0);
    });

    describe.each(files)('%s', (file) => {
      test.each(protocols)('%s protocol', async (protocol) => {
        if (!server) throw new Error('no server (see the beforeAll error)');
        const records = parseSltFile(join(dir, file));
        await using client = await connect(server, { application_name: `slt ${file} ${protocol}` });
        const result = await runSlt(client, records, {
          protocol,
          labels: [server.kind],
          connect: () => connect(server!, { application_name: `slt ${file} ${protocol}` }),
        });
        if (result.failures.length > 0) {
          throw new Error(
            `${result.failures.length} of ${result.ran} records failed in ${file} (${protocol}):\n\n` +
              formatFailures(result.failures),
          );
        }
        expect(result.ran).toBeGreaterThan(0);
      });
    });
  });
}
