/**
 * Fills in the expected rows of the query records of .slt files from a real server,
 * normally the reference PostgreSQL+pgvector, then prints what still fails:
 *
 *   npx tsx test/slt/complete.ts 127.0.0.1:55433 sql-tests/vector.slt [...]
 *
 * Write a query record with `----` and no rows (or wrong ones), run this, and review
 * the diff before committing: the server's answer becomes the expectation. Records from
 * included files are run but not rewritten. Uses the simple protocol.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import pg from 'pg';
import { parseTarget } from '../helpers/server.ts';
import { parseSltFile, type QueryRecord } from './parser.ts';
import { formatFailures, renderRow, runSlt } from './runner.ts';

async function complete(target: string, file: string): Promise<number> {
  const path = resolve(file);
  const records = parseSltFile(path);
  const { host, port } = parseTarget(target);
  const client = new pg.Client({ host, port, user: 'quiver', database: 'quiver' });
  await client.connect();
  const actual = new Map<QueryRecord, string[]>();
  try {
    await runSlt(client, records, {
      protocol: 'simple',
      onQueryResult: (record, rows) => actual.set(record, rows.map(renderRow)),
    });
  } finally {
    await client.end();
  }

  const lines = readFileSync(path, 'utf8').split('\n');
  const own = [...actual.entries()]
    .filter(([record]) => record.at.file === path && record.rows !== undefined)
    .sort(([a], [b]) => b.at.line - a.at.line);
  for (const [record, rows] of own) {
    const dashes = record.at.line + record.sql.split('\n').length; // 0-based index of `----`
    if (lines[dashes] !== '----') throw new Error(`${file}:${record.at.line}: cannot find ----`);
    let end = dashes + 1;
    while (end < lines.length && lines[end].trim() !== '') end++;
    lines.splice(dashes + 1, end - dashes - 1, ...rows);
  }
  writeFileSync(path, lines.join('\n'));

  // Run again to show what the rewrite could not fix (statement expectations, errors).
  const check = new pg.Client({ host, port, user: 'quiver', database: 'quiver' });
  await check.connect();
  try {
    const result = await runSlt(check, parseSltFile(path), { protocol: 'simple' });
    console.log(`${file}: ${result.ran} records, ${result.failures.length} failing`);
    if (result.failures.length > 0) console.log(formatFailures(result.failures, 100));
    return result.failures.length;
  } finally {
    await check.end();
  }
}

const [target, ...files] = process.argv.slice(2);
if (!target || files.length === 0) {
  console.error('usage: npx tsx test/slt/complete.ts <host:port> <file.slt>...');
  process.exit(2);
}
let failing = 0;
for (const file of files) failing += await complete(target, file);
process.exit(failing > 0 ? 1 : 0);
