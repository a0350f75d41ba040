/**
 * Runs every sql-tests/*.slt file over TCP, once in the simple and once in the extended
 * query protocol: one vitest test per file and protocol. See sql-tests/README.md.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { connect, type TestServer, withServer } from './helpers/server.ts';
import { parseSltFile } from './slt/parser.ts';
import { formatFailures, type Protocol, runSlt } from './slt/runner.ts';

const dir = fileURLToPath(new URL('../sql-tests/', import.meta.url));
const files = readdirSync(dir)
  .filter((name) => name.endsWith('.slt'))
  .sort();
const protocols: readonly Protocol[] = ['simple', 'extended'];

describe('sql-tests', () => {
  let server: TestServer | undefined;
  beforeAll(async () => {
    server = await withServer();
  });
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
