/**
 * The in-memory catalog shared by every session of one server: databases, their schemas,
 * tables, indexes and sequences, and the cluster-wide roles. Name lookups follow
 * PostgreSQL: unqualified names are searched along the session's search_path.
 */

import { SqlError, SqlState } from '../errors/sql-error.ts';
import { TableStore } from '../storage/table-store.ts';
import { TransactionManager } from '../storage/transactions.ts';
import {
  HALFVEC_ARRAY_OID,
  HALFVEC_OID,
  SPARSEVEC_ARRAY_OID,
  SPARSEVEC_OID,
  VECTOR_ARRAY_OID,
  VECTOR_OID,
} from '../types/vector-oids.ts';
import type {
  Column,
  Database,
  ForeignKey,
  IndexBuildProgress,
  IndexDef,
  Role,
  Schema,
  Sequence,
  Table,
} from './catalog-types.ts';
import {
  type IndexShardPlacement,
  type NodeInfo,
  type ShardInfo,
  STANDALONE_NODES,
} from './pg-catalog/quiver-views.ts';

/** First OID for user objects, as in PostgreSQL (FirstNormalObjectId). */
const FIRST_USER_OID = 16384;

/** The fixed OIDs of the extension types (types/vector-oids.ts), inside the user range. */
const PINNED_TYPE_OIDS: ReadonlySet<number> = new Set([
  VECTOR_OID,
  VECTOR_ARRAY_OID,
  HALFVEC_OID,
  HALFVEC_ARRAY_OID,
  SPARSEVEC_OID,
  SPARSEVEC_ARRAY_OID,
]);

export class Catalog {
  readonly databases = new Map<string, Database>();
  readonly roles = new Map<string, Role>();
  private nextOid = FIRST_USER_OID;
  /** Bumped by every catalog change (and its undo): plans compiled before it are stale. */
  version = 0;

  /** Sequences advanced since the last WAL record (their values are logged with it). */
  readonly advancedSequences = new Set<Sequence>();
  /** CREATE INDEX builds running now, by backend pid (pg_stat_progress_create_index). */
  readonly indexBuilds = new Map<number, IndexBuildProgress>();
  /** The cluster's nodes (quiver_nodes); a cluster node replaces the standalone answer. */
  nodes: () => readonly NodeInfo[] = STANDALONE_NODES;
  /**
   * Where a shard of a sharded vector index is (quiver_index_shards): the nodes holding it,
   * and how many searches this node served of it for others. Standalone: here, none.
   */
  indexShardPlacement: (indexOid: number, shard: number) => IndexShardPlacement = () => ({
    holders: ['standalone'],
    searchesServed: 0,
  });
  /**
   * Resolves once every shard of a new sharded vector index is held by some node (or none
   * can hold it, or the index is gone). Standalone, an index holds its shards itself.
   */
  indexShardsHeld: (indexOid: number, shardCount: number) => Promise<void> = () => Promise.resolve();
  /** The write shards (quiver_shards); set by whoever opens the durable storage. */
  shards: () => readonly ShardInfo[] = () => [];

  /**
   * A fresh catalog with the bootstrap superuser and its databases, or an empty one to load
   * into. `txns` decides whose transactions its rows are versioned by: a read replica's next
   * catalog after DDL shares its predecessor's, so that their tables can share row stores.
   */
  constructor(
    bootstrapUser: string | null,
    readonly txns = new TransactionManager(),
  ) {
    if (bootstrapUser === null) return;
    this.createRole(bootstrapUser, { superuser: true, login: true, password: null });
    this.createDatabase('postgres', bootstrapUser);
    this.createDatabase(bootstrapUser, bootstrapUser);
  }

  allocateOid(): number {
    // OIDs are unique across catalogs in PostgreSQL, and clients rely on it (SQLAlchemy reads
    // pg_description by objoid alone): never hand out one pinned for pgvector's types.
    while (PINNED_TYPE_OIDS.has(this.nextOid)) this.nextOid++;
    return this.nextOid++;
  }

  /** The next OID to hand out (stored with the catalog so OIDs are never reused). */
  get oidCounter(): number {
    return this.nextOid;
  }

  set oidCounter(next: number) {
    this.nextOid = Math.max(this.nextOid, next);
  }

  createRole(name: string, attrs: Omit<Role, 'oid' | 'name'>): Role {
    if (this.roles.has(name)) throw new SqlError(SqlState.DuplicateObject, `role "${name}" already exists`);
    const role: Role = { oid: name === 'quiver' ? 10 : this.allocateOid(), name, ...attrs };
    this.roles.set(name, role);
    return role;
  }

  createDatabase(name: string, owner: string): Database {
    if (this.databases.has(name))
      throw new SqlError(SqlState.DuplicateDatabase, `database "${name}" already exists`);
    const db: Database = {
      oid: name === 'postgres' ? 5 : this.allocateOid(),
      name,
      owner,
      schemas: new Map(),
      extensions: new Map([['plpgsql', { oid: 13000, version: '1.0', schema: 'pg_catalog' }]]),
    };
    this.databases.set(name, db);
    this.createSchema(db, 'public', 2200);
    return db;
  }

  database(name: string): Database {
    const db = this.databases.get(name);
    if (!db) throw new SqlError(SqlState.InvalidCatalogName, `database "${name}" does not exist`);
    return db;
  }

  createSchema(db: Database, name: string, oid?: number): Schema {
    if (db.schemas.has(name)) throw new SqlError(SqlState.DuplicateSchema, `schema "${name}" already exists`);
    const schema: Schema = {
      oid: oid ?? this.allocateOid(),
      name,
      database: db,
      tables: new Map(),
      indexes: new Map(),
      sequences: new Map(),
    };
    db.schemas.set(name, schema);
    return schema;
  }

  /** Any relation (table, view, index, sequence) with this name in the schema? */
  relationExists(schema: Schema, name: string): boolean {
    return schema.tables.has(name) || schema.indexes.has(name) || schema.sequences.has(name);
  }

  createTable(
    schema: Schema,
    name: string,
    columns: Column[],
    temporary: boolean,
    view: Table['view'] = null,
    oid = this.allocateOid(),
    /**
     * The table's rows (by default a new empty store), given how to read the table's current
     * columns — not callable yet: the table is being built.
     */
    storeFor: (columns: () => readonly Column[]) => TableStore = (current) =>
      new TableStore(this.txns, oid, current, !temporary),
  ): Table {
    if (this.relationExists(schema, name)) {
      throw new SqlError(SqlState.DuplicateTable, `relation "${name}" already exists`);
    }
    const table: Table = {
      oid,
      name,
      schema,
      columns,
      indexes: [],
      checks: [],
      // Sealed rows are assembled in the table's current column order.
      store: storeFor(() => table.columns),
      view,
      temporary,
      foreignKeys: [],
      referencedBy: [],
    };
    schema.tables.set(name, table);
    return table;
  }

  /** Every table and view of every database. */
  *tables(): Generator<Table> {
    for (const db of this.databases.values()) {
      for (const schema of db.schemas.values()) yield* schema.tables.values();
    }
  }

  createSequence(schema: Schema, name: string, start = 1, increment = 1): Sequence {
    if (this.relationExists(schema, name)) {
      throw new SqlError(SqlState.DuplicateTable, `relation "${name}" already exists`);
    }
    const seq: Sequence = {
      oid: this.allocateOid(),
      name,
      schema,
      next: start,
      start,
      increment,
      called: false,
    };
    schema.sequences.set(name, seq);
    return seq;
  }

  addIndex(index: IndexDef): void {
    if (this.relationExists(index.schema, index.name)) {
      throw new SqlError(SqlState.DuplicateTable, `relation "${index.name}" already exists`);
    }
    index.schema.indexes.set(index.name, index);
    index.table.indexes.push(index);
  }

  dropIndex(index: IndexDef): void {
    index.schema.indexes.delete(index.name);
    const at = index.table.indexes.indexOf(index);
    if (at >= 0) index.table.indexes.splice(at, 1);
  }

  /** Adds a FOREIGN KEY constraint to both of its tables. */
  addForeignKey(fk: ForeignKey): void {
    fk.table.foreignKeys.push(fk);
    fk.refTable.referencedBy.push(fk);
  }

  dropForeignKey(fk: ForeignKey): void {
    remove(fk.table.foreignKeys, fk);
    remove(fk.refTable.referencedBy, fk);
  }

  /** Drops the table, its indexes and its own foreign keys (ones referencing it must be gone). */
  dropTable(table: Table): void {
    for (const fk of [...table.foreignKeys]) this.dropForeignKey(fk);
    for (const index of [...table.indexes]) this.dropIndex(index);
    for (const column of table.columns) {
      if (column.sequence) column.sequence.schema.sequences.delete(column.sequence.name);
    }
    table.schema.tables.delete(table.name);
  }

  /** Puts a dropped table back with its indexes and sequences (its transaction rolled back). */
  restoreTable(table: Table, indexes: readonly IndexDef[], foreignKeys: readonly ForeignKey[] = []): void {
    table.schema.tables.set(table.name, table);
    for (const fk of foreignKeys) this.addForeignKey(fk);
    for (const index of indexes) this.addIndex(index);
    for (const column of table.columns) {
      if (column.sequence) column.sequence.schema.sequences.set(column.sequence.name, column.sequence);
    }
  }

  /** Resolves a possibly qualified relation name along the search path. */
  findTable(
    db: Database,
    schemaName: string | null,
    name: string,
    searchPath: readonly string[],
  ): Table | undefined {
    for (const s of schemaName ? [schemaName] : searchPath) {
      const table = db.schemas.get(s)?.tables.get(name);
      if (table) return table;
    }
    return undefined;
  }

  findSequence(
    db: Database,
    schemaName: string | null,
    name: string,
    searchPath: readonly string[],
  ): Sequence | undefined {
    for (const s of schemaName ? [schemaName] : searchPath) {
      const seq = db.schemas.get(s)?.sequences.get(name);
      if (seq) return seq;
    }
    return undefined;
  }

  findIndex(
    db: Database,
    schemaName: string | null,
    name: string,
    searchPath: readonly string[],
  ): IndexDef | undefined {
    for (const s of schemaName ? [schemaName] : searchPath) {
      const index = db.schemas.get(s)?.indexes.get(name);
      if (index) return index;
    }
    return undefined;
  }

  /** Schema where unqualified new objects go: the first existing schema on the search path. */
  creationSchema(db: Database, schemaName: string | null, searchPath: readonly string[]): Schema {
    if (schemaName) {
      const schema = db.schemas.get(schemaName);
      if (!schema) throw new SqlError(SqlState.InvalidSchemaName, `schema "${schemaName}" does not exist`);
      return schema;
    }
    for (const s of searchPath) {
      const schema = db.schemas.get(s);
      if (schema) return schema;
    }
    throw new SqlError(SqlState.InvalidSchemaName, 'no schema has been selected to create in');
  }
}

function remove<T>(list: T[], item: T): void {
  const at = list.indexOf(item);
  if (at >= 0) list.splice(at, 1);
}
