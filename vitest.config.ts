import { defineConfig } from 'vitest/config';

// Integration tests talk to one server over TCP; their files run one at a time within
// a project (fileParallelism is a root-only option, so projects use singleFork).
const serial = { poolOptions: { forks: { singleFork: true } } } as const;
const slow = { testTimeout: 120_000, hookTimeout: 120_000 } as const;

export default defineConfig({
  test: {
    projects: [
      { test: { name: 'unit', include: ['src/**/*.test.ts'], testTimeout: 20_000 } },
      // sql-tests/*.slt over the wire, simple and extended protocol (npm run test:sql).
      { test: { name: 'sql', include: ['test/sql.test.ts'], ...slow, ...serial } },
      {
        // The client suites again, each connected to a cluster's standby node (which reads
        // its replica and forwards writes to the leader): helpers/server.ts, QUIVER_TEST_CLUSTER.
        test: {
          name: 'clients-via-cluster',
          include: ['test/clients/psql.test.ts', 'test/clients/python.test.ts', 'test/clients/jdbc.test.ts'],
          env: { QUIVER_TEST_CLUSTER: '1' },
          ...slow,
          ...serial,
        },
      },
      {
        test: {
          name: 'integration',
          include: ['test/**/*.test.ts'],
          exclude: ['test/sql.test.ts', '**/node_modules/**'],
          ...slow,
          ...serial,
        },
      },
    ],
  },
});
