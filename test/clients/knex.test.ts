/**
 * knex (with its `pg` client) running the migrations in fixtures/knex-migrations up and
 * down through its programmatic API: its bookkeeping tables and lock (knex_migrations,
 * knex_migrations_lock), its information_schema lookups (hasTable, hasColumn), the
 * extension, vector/halfvec columns, HNSW indexes, and constraints added by ALTER TABLE.
 */
import { fileURLToPath } from 'node:url';
import createKnex, { type Knex } from 'knex';
import { toSql } from 'pgvector/pg';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { type TestServer, withServer } from '../helpers/server.ts';

const MIGRATIONS = fileURLToPath(new URL('./fixtures/knex-migrations', import.meta.url));

let server: TestServer;
let knex: Knex;
beforeAll(async () => {
  server = await withServer();
  knex = createKnex({
    client: 'pg',
    connection: { host: server.host, port: server.port, user: server.user, database: server.database },
    pool: { min: 0, max: 2 },
    migrations: { directory: MIGRATIONS, loadExtensions: ['.mjs'] },
  });
});
afterAll(async () => {
  await knex?.destroy();
  await server?.close();
});

/** Index name → definition of a table's indexes, as pg_get_indexdef prints them. */
async function indexes(table: string): Promise<Record<string, string>> {
  const r = await knex.raw(
    `SELECT c.relname, pg_get_indexdef(c.oid) AS def FROM pg_index i
     JOIN pg_class c ON c.oid = i.indexrelid WHERE i.indrelid = ?::regclass ORDER BY 1`,
    [table],
  );
  return Object.fromEntries(r.rows.map((row: { relname: string; def: string }) => [row.relname, row.def]));
}

describe('knex migrations', () => {
  test('migrate.latest runs every migration as one batch', async () => {
    expect(await knex.schema.hasTable('kx_items')).toBe(false);
    const [batch, files] = await knex.migrate.latest();
    expect(batch).toBe(1);
    expect(files).toEqual(['001_create_items.mjs', '002_add_tags.mjs']);
    expect(await knex.schema.hasTable('kx_items')).toBe(true);
    expect(await knex.schema.hasColumn('kx_items', 'embedding')).toBe(true);
    expect(await knex.schema.hasColumn('kx_items', 'missing')).toBe(false);

    const done = await knex('knex_migrations').select('name', 'batch').orderBy('id');
    expect(done).toEqual([
      { name: '001_create_items.mjs', batch: 1 },
      { name: '002_add_tags.mjs', batch: 1 },
    ]);
    expect(await knex('knex_migrations_lock').select('is_locked')).toEqual([{ is_locked: 0 }]);
    expect(await knex.migrate.currentVersion()).toBe('002');
    const [completed, pending] = await knex.migrate.list();
    expect(completed.map((m: { name: string }) => m.name)).toEqual(files);
    expect(pending).toEqual([]);
    // Nothing left to run: a second call is an empty batch.
    expect(await knex.migrate.latest()).toEqual([1, []]);
  });

  test('the migrated schema: columns, indexes, constraints, kNN through the query builder', async () => {
    const columns = await knex('information_schema.columns')
      .select('column_name', 'data_type', 'udt_name', 'is_nullable')
      .where({ table_name: 'kx_items' })
      .orderBy('ordinal_position');
    expect(columns).toEqual([
      { column_name: 'id', data_type: 'integer', udt_name: 'int4', is_nullable: 'NO' },
      { column_name: 'title', data_type: 'character varying', udt_name: 'varchar', is_nullable: 'NO' },
      { column_name: 'embedding', data_type: 'USER-DEFINED', udt_name: 'vector', is_nullable: 'YES' },
      {
        column_name: 'created_at',
        data_type: 'timestamp with time zone',
        udt_name: 'timestamptz',
        is_nullable: 'NO',
      },
      {
        column_name: 'updated_at',
        data_type: 'timestamp with time zone',
        udt_name: 'timestamptz',
        is_nullable: 'NO',
      },
      {
        column_name: 'summary_embedding',
        data_type: 'USER-DEFINED',
        udt_name: 'halfvec',
        is_nullable: 'YES',
      },
    ]);
    expect(await indexes('kx_items')).toEqual({
      kx_items_embedding_idx:
        'CREATE INDEX kx_items_embedding_idx ON public.kx_items USING hnsw (embedding vector_l2_ops)',
      kx_items_pkey: 'CREATE UNIQUE INDEX kx_items_pkey ON public.kx_items USING btree (id)',
      kx_items_summary_idx:
        'CREATE INDEX kx_items_summary_idx ON public.kx_items USING hnsw (summary_embedding halfvec_cosine_ops)',
    });
    expect(await indexes('kx_tags')).toEqual({
      kx_tags_pkey: 'CREATE UNIQUE INDEX kx_tags_pkey ON public.kx_tags USING btree (id)',
      kx_tags_tag_unique: 'CREATE UNIQUE INDEX kx_tags_tag_unique ON public.kx_tags USING btree (tag)',
    });

    const ids = await knex('kx_items')
      .insert([
        { title: 'one', embedding: toSql([1, 1, 1]), summary_embedding: toSql([1, 0, 0]) },
        { title: 'two', embedding: toSql([2, 2, 2]), summary_embedding: toSql([0, 1, 0]) },
        { title: 'three', embedding: toSql([1, 1, 2]), summary_embedding: toSql([0, 0, 1]) },
      ])
      .returning('id');
    expect(ids).toEqual([{ id: 1 }, { id: 2 }, { id: 3 }]);
    const near = await knex('kx_items')
      .select('title')
      .orderBy(knex.raw('embedding <-> ?', [toSql([1, 1, 1])]))
      .limit(2);
    expect(near).toEqual([{ title: 'one' }, { title: 'three' }]);

    await knex('kx_tags').insert({ item_id: 1, tag: 'first' });
    const duplicate = await knex('kx_tags')
      .insert({ item_id: 2, tag: 'first' })
      .catch((error: { code: string; constraint: string }) => error);
    expect(duplicate).toMatchObject({ code: '23505', constraint: 'kx_tags_tag_unique' });
    // knex's transaction helper: the failed statement rolls the whole block back.
    await expect(
      knex.transaction(async (trx) => {
        await trx('kx_tags').insert({ item_id: 2, tag: 'second' });
        await trx('kx_tags').insert({ item_id: 3, tag: 'first' });
      }),
    ).rejects.toMatchObject({ code: '23505' });
    expect(await knex('kx_tags').pluck('tag')).toEqual(['first']);
    // The migration's foreign key is enforced, with its ON DELETE CASCADE.
    const orphan = await knex('kx_tags')
      .insert({ item_id: 99, tag: 'orphan' })
      .catch((error: { code: string; constraint: string }) => error);
    expect(orphan).toMatchObject({ code: '23503', constraint: 'kx_tags_item_id_foreign' });
    await knex('kx_items').where({ id: 1 }).delete();
    expect(await knex('kx_tags').pluck('tag')).toEqual([]);
  });

  test('migrate.down and migrate.rollback undo the migrations in reverse order', async () => {
    expect(await knex.migrate.down()).toEqual([1, ['002_add_tags.mjs']]);
    expect(await knex.schema.hasTable('kx_tags')).toBe(false);
    expect(await knex.schema.hasColumn('kx_items', 'summary_embedding')).toBe(false);
    expect(Object.keys(await indexes('kx_items'))).toEqual(['kx_items_embedding_idx', 'kx_items_pkey']);

    expect(await knex.migrate.up()).toEqual([2, ['002_add_tags.mjs']]);
    expect(await knex.migrate.rollback(undefined, true)).toEqual([
      2,
      ['002_add_tags.mjs', '001_create_items.mjs'],
    ]);
    expect(await knex.schema.hasTable('kx_items')).toBe(false);
    expect(await knex('knex_migrations').count({ n: '*' })).toEqual([{ n: '0' }]);
    expect(await knex('knex_migrations_lock').select('is_locked')).toEqual([{ is_locked: 0 }]);
    // The extension stays: the down migration does not drop it.
    const ext = await knex('pg_extension').select('extname').where({ extname: 'vector' });
    expect(ext).toEqual([{ extname: 'vector' }]);
  });
});
