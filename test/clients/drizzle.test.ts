/**
 * drizzle: `drizzle-kit generate` turns fixtures/drizzle/schema.ts into a migration, which
 * drizzle-orm's migrator applies (its own bookkeeping schema "drizzle" and table
 * __drizzle_migrations, inside a transaction); drizzle-orm queries with `vector`/`halfvec`
 * columns and the l2Distance/cosineDistance helpers; and `drizzle-kit pull` introspects the
 * result back into a schema file with the vector column, the hnsw index and the foreign key. drizzle-kit
 * runs as its CLI in a child process, with a config file pointing at the server.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { cosineDistance, eq, l2Distance } from 'drizzle-orm';
import { drizzle } from 'drizzle-orm/node-postgres';
import { migrate } from 'drizzle-orm/node-postgres/migrator';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { connect, type TestServer, withServer } from '../helpers/server.ts';
import { dzChunks, dzDocs } from './fixtures/drizzle/schema.ts';

const SCHEMA = fileURLToPath(new URL('./fixtures/drizzle/schema.ts', import.meta.url));
const DRIZZLE_KIT = fileURLToPath(new URL('../../node_modules/drizzle-kit/bin.cjs', import.meta.url));

let server: TestServer;
let dir: string;
let client: pg.Client & AsyncDisposable;
beforeAll(async () => {
  server = await withServer();
  dir = await mkdtemp(join(tmpdir(), 'quiver-drizzle-'));
  client = await connect(server);
});
afterAll(async () => {
  await client?.[Symbol.asyncDispose]();
  if (dir) await rm(dir, { recursive: true, force: true });
  await server?.close();
});

/** Runs the drizzle-kit CLI with a config for `out`; resolves with its output, rejects on failure. */
async function drizzleKit(command: 'generate' | 'pull', out: string): Promise<string> {
  const config = join(dir, `${command}.config.mjs`);
  const url = `postgres://${server.user}@${server.host}:${server.port}/${server.database}`;
  const settings = { dialect: 'postgresql', schema: SCHEMA, out, dbCredentials: { url } };
  await writeFile(config, `export default ${JSON.stringify(settings)};\n`);
  const child = spawn(process.execPath, [DRIZZLE_KIT, command, '--config', config], {
    cwd: dir,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk) => {
    output += chunk;
  });
  child.stderr.on('data', (chunk) => {
    output += chunk;
  });
  const timer = setTimeout(() => child.kill(), 60_000);
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  clearTimeout(timer);
  if (code !== 0) throw new Error(`drizzle-kit ${command} exited with ${code}:\n${output}`);
  return output;
}

describe('drizzle', () => {
  test('drizzle-kit generate, then the migrator applies it once', async () => {
    const out = join(dir, 'migrations');
    await drizzleKit('generate', out);
    const [file] = (await readdir(out)).filter((f) => f.endsWith('.sql'));
    const migration = await readFile(join(out, file), 'utf8');
    expect(migration).toContain('"embedding" vector(3)');
    expect(migration).toContain('USING hnsw ("embedding" vector_cosine_ops)');

    // drizzle-kit does not emit CREATE EXTENSION; applications run it first (or in a custom migration).
    await client.query('CREATE EXTENSION IF NOT EXISTS vector');
    const db = drizzle(client);
    await migrate(db, { migrationsFolder: out });
    const applied = await client.query('SELECT hash FROM drizzle.__drizzle_migrations');
    expect(applied.rowCount).toBe(1);
    // A second run finds the migration applied and changes nothing.
    await migrate(db, { migrationsFolder: out });
    expect((await client.query('SELECT count(*)::int AS n FROM drizzle.__drizzle_migrations')).rows).toEqual([
      { n: 1 },
    ]);
    const tables = await client.query(
      "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' ORDER BY 1",
    );
    expect(tables.rows).toEqual([{ table_name: 'dz_chunks' }, { table_name: 'dz_docs' }]);
  });

  test('drizzle-orm: inserts with vectors, kNN with l2Distance and cosineDistance', async () => {
    const db = drizzle(client);
    const [doc] = await db.insert(dzDocs).values({ title: 'guide' }).returning();
    await db.insert(dzChunks).values([
      { docId: doc.id, content: 'a', embedding: [1, 1, 1], summary: [1, 0, 0] },
      { docId: doc.id, content: 'b', embedding: [1, 2, 3], summary: [0, 1, 0] },
      { docId: doc.id, content: 'c', embedding: [3, 3, 3], summary: [0, 0, 1] },
    ]);
    const nearest = await db
      .select({
        content: dzChunks.content,
        embedding: dzChunks.embedding,
        d: l2Distance(dzChunks.embedding, [1, 1, 1]),
      })
      .from(dzChunks)
      .orderBy(l2Distance(dzChunks.embedding, [1, 1, 1]))
      .limit(2);
    expect(nearest).toEqual([
      { content: 'a', embedding: [1, 1, 1], d: 0 },
      { content: 'b', embedding: [1, 2, 3], d: Math.sqrt(5) },
    ]);
    const joined = await db
      .select({ title: dzDocs.title, content: dzChunks.content, summary: dzChunks.summary })
      .from(dzChunks)
      .innerJoin(dzDocs, eq(dzDocs.id, dzChunks.docId))
      .orderBy(cosineDistance(dzChunks.summary, [0, 0.5, 0.1]))
      .limit(1);
    expect(joined).toEqual([{ title: 'guide', content: 'b', summary: [0, 1, 0] }]);
    const [{ content }] = await db
      .update(dzChunks)
      .set({ content: 'a2' })
      .where(eq(dzChunks.content, 'a'))
      .returning({ content: dzChunks.content });
    expect(content).toBe('a2');
  });

  test('drizzle-kit pull writes the vector columns and the hnsw index into schema.ts', async () => {
    const out = join(dir, 'pulled');
    await drizzleKit('pull', out);
    const schema = await readFile(join(out, 'schema.ts'), 'utf8');
    const chunks = schema.slice(schema.indexOf('export const dzChunks'));
    expect(chunks).toContain('id: serial().primaryKey().notNull(),');
    expect(chunks).toContain('docId: integer("doc_id").notNull(),');
    expect(chunks).toContain('embedding: vector({ dimensions: 3 }),');
    // drizzle-kit 0.31 prints these two columns this way from PostgreSQL 15 + pgvector too:
    // it cannot map halfvec back, and it mangles the '' default.
    expect(chunks).toContain("// TODO: failed to parse database type 'halfvec(3)'");
    expect(chunks).toContain("content: text().default(').notNull(),");
    expect(chunks).toContain(
      'index("dz_chunks_embedding_idx").using("hnsw", table.embedding.asc().nullsLast().op("vector_cosine_ops")),',
    );
    expect(chunks).toContain(
      'index("dz_chunks_doc_idx").using("btree", table.docId.asc().nullsLast().op("int4_ops")),',
    );
    // The foreign key the migration created is read back with its action.
    expect(chunks.replace(/\s+/g, ' ')).toContain(
      'foreignKey({ columns: [table.docId], foreignColumns: [dzDocs.id], name: "dz_chunks_doc_id_dz_docs_id_fk" }).onDelete("cascade"),',
    );
  });
});
