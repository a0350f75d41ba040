/**
 * The catalog as MetaStore entries (DESIGN §5: "catalog (schemas, tables, indexes, with a
 * catalog version)"): one JSON descriptor per role, database, schema, table, index and
 * sequence under `catalog/<kind>/<oid>`, plus `catalog/state`. Expressions (column defaults,
 * view queries, index expressions, CHECK constraints) are stored as Quiver's parsed AST and
 * re-bound on load.
 * Temporary tables belong to their session and are never stored.
 */
import type { Catalog } from '../catalog/catalog.ts';
import type {
  CheckConstraint,
  Column,
  Database,
  ForeignKey,
  IndexDef,
  IndexPredicate,
  Role,
  Schema,
  Sequence,
  Table,
} from '../catalog/catalog-types.ts';
import type { Expr } from '../sql/ast.ts';
import type { TableStore } from '../storage/table-store.ts';
import type { DistanceMetric } from '../storage/vector-index.ts';
import type { SqlType, Value } from '../types/type.ts';
import { binaryIn, binaryOut } from '../types/value-io.ts';
import type { IndexExpression } from './ddl-index.ts';

export const CATALOG_PREFIX = 'catalog/';

interface StoredValue {
  readonly type: SqlType;
  readonly base64: string;
}

interface ColumnDescriptor {
  readonly name: string;
  readonly type: SqlType;
  readonly notNull: boolean;
  readonly default: Expr | null;
  readonly defaultText: string | null;
  readonly identity: Column['identity'];
  readonly sequence: number | null;
  readonly attnum: number;
  readonly storedAs?: number;
  readonly missing: StoredValue | null;
  readonly comment?: string;
}

interface TableDescriptor {
  readonly oid: number;
  readonly name: string;
  readonly schema: string;
  readonly columns: readonly ColumnDescriptor[];
  readonly view: { readonly text: string; readonly query: unknown } | null;
  readonly comment?: string;
  /** ALTER TABLE … DISABLE TRIGGER ALL (absent when enabled). */
  readonly foreignKeyTriggersDisabled?: boolean;
  /** CHECK constraints, expressions as written (absent in catalogs stored before them). */
  readonly checks?: readonly StoredCheck[];
}

/** A CHECK constraint as stored: everything but what binding its expression gives. */
export type StoredCheck = Omit<CheckConstraint, 'columns' | 'passes' | 'text'>;

interface IndexDescriptor {
  readonly oid: number;
  readonly name: string;
  readonly schema: string;
  readonly table: number;
  readonly method: IndexDef['method'];
  readonly columns: readonly number[];
  readonly include?: readonly number[];
  readonly opclasses: readonly string[];
  readonly unique: boolean;
  readonly primary: boolean;
  readonly options: Readonly<Record<string, number>>;
  readonly metric: DistanceMetric | null;
  readonly operator: string | null;
  readonly keyType: SqlType;
  readonly expression: Expr | null;
  /** A partial index's WHERE clause as written (absent in catalogs stored before partial indexes). */
  readonly predicate?: Expr | null;
  readonly constraint: string | null;
  readonly keyOptions?: readonly number[];
}

interface SequenceDescriptor {
  readonly oid: number;
  readonly name: string;
  readonly schema: string;
  readonly start: number;
  readonly increment: number;
  readonly next: number;
  readonly called: boolean;
}

/**
 * Schemas are named by database and OID: every database has its own `public` with OID 2200,
 * as in PostgreSQL, where each database has its own pg_namespace.
 */
const schemaRef = (schema: Schema): string => `${schema.database.oid}.${schema.oid}`;

const storeValue = (type: SqlType, v: Value | undefined): StoredValue | null =>
  v === null || v === undefined ? null : { type, base64: Buffer.from(binaryOut(type, v)).toString('base64') };

const loadValue = (s: StoredValue | null): Value =>
  s === null ? null : binaryIn(s.type, Buffer.from(s.base64, 'base64'));

/** Every descriptor of the catalog, keyed by MetaStore key (values are JSON text). */
export function catalogImage(catalog: Catalog): Map<string, string> {
  const out = new Map<string, string>();
  const put = (key: string, value: unknown) => out.set(CATALOG_PREFIX + key, JSON.stringify(value));
  put('state', { nextOid: catalog.oidCounter });
  for (const role of catalog.roles.values()) put(`role/${role.oid}`, role);
  for (const db of catalog.databases.values()) {
    put(`database/${db.oid}`, {
      oid: db.oid,
      name: db.name,
      owner: db.owner,
      extensions: [...db.extensions],
    });
    for (const schema of db.schemas.values()) {
      if (schema.name.startsWith('pg_temp')) continue;
      put(`schema/${schemaRef(schema)}`, { oid: schema.oid, name: schema.name, database: db.oid });
      for (const seq of schema.sequences.values()) put(`sequence/${seq.oid}`, sequenceDescriptor(seq));
      for (const table of schema.tables.values()) {
        if (table.temporary) continue;
        put(`table/${table.oid}`, tableDescriptor(table));
        for (const index of table.indexes) put(`index/${index.oid}`, indexDescriptor(index));
        for (const fk of table.foreignKeys) put(`foreignkey/${fk.oid}`, foreignKeyDescriptor(fk));
      }
    }
  }
  return out;
}

function sequenceDescriptor(seq: Sequence): SequenceDescriptor {
  const { oid, name, start, increment, next, called } = seq;
  return { oid, name, schema: schemaRef(seq.schema), start, increment, next, called };
}

function tableDescriptor(table: Table): TableDescriptor {
  return {
    oid: table.oid,
    name: table.name,
    schema: schemaRef(table.schema),
    view: table.view,
    comment: table.comment,
    foreignKeyTriggersDisabled: table.foreignKeyTriggersDisabled,
    checks: table.checks.map(({ oid, name, expr, noInherit, validated }) => ({
      oid,
      name,
      expr,
      noInherit,
      validated,
    })),
    columns: table.columns.map((c) => ({
      name: c.name,
      type: c.type,
      notNull: c.notNull,
      default: c.default,
      defaultText: c.defaultText,
      identity: c.identity,
      sequence: c.sequence?.oid ?? null,
      attnum: c.attnum,
      storedAs: c.storedAs,
      missing: storeValue(c.type, c.missing),
      comment: c.comment,
    })),
  };
}

function indexDescriptor(index: IndexDef): IndexDescriptor {
  return {
    oid: index.oid,
    name: index.name,
    schema: schemaRef(index.schema),
    table: index.table.oid,
    method: index.method,
    columns: index.columns,
    include: index.include ?? [],
    opclasses: index.opclasses,
    unique: index.unique,
    primary: index.primary,
    options: index.options,
    metric: index.metric,
    operator: index.operator,
    keyType: index.keyType,
    expression: index.expression ?? null,
    predicate: index.predicate?.expr ?? null,
    constraint: index.constraint,
    keyOptions: index.keyOptions,
  };
}

/** A FOREIGN KEY constraint with its tables by OID. */
type ForeignKeyDescriptor = Omit<ForeignKey, 'table' | 'refTable'> & {
  readonly table: number;
  readonly refTable: number;
};

function foreignKeyDescriptor(fk: ForeignKey): ForeignKeyDescriptor {
  return { ...fk, table: fk.table.oid, refTable: fk.refTable.oid };
}

/**
 * Binds an index's expression and WHERE clause, and a table's CHECK constraints, once the
 * table exists (needs the engine's binder).
 */
export interface IndexBinder {
  expression(expr: Expr, table: Table): IndexExpression;
  predicate(expr: Expr, table: Table): IndexPredicate;
  check(stored: StoredCheck, table: Table): CheckConstraint;
}

/**
 * Where a loaded table's rows come from: a store for the table with OID `oid` and these
 * columns, or undefined for a new empty one (Catalog.createTable's `storeFor`).
 */
export type StoreAdopter = (
  oid: number,
  columns: readonly Column[],
) => ((current: () => readonly Column[]) => TableStore) | undefined;

/**
 * Fills an empty catalog from stored descriptors. Vector indexes come back without their
 * search structure (`vector: null`); the caller rebuilds them once the rows are loaded.
 */
export function loadCatalog(
  catalog: Catalog,
  entries: ReadonlyMap<string, string>,
  bind: IndexBinder,
  adopt: StoreAdopter = () => undefined,
): void {
  const of = <T>(kind: string): T[] => {
    const found: T[] = [];
    for (const [key, json] of entries) {
      if (key.startsWith(`${CATALOG_PREFIX}${kind}/`)) found.push(JSON.parse(json) as T);
    }
    return found.sort((a, b) => (a as { oid: number }).oid - (b as { oid: number }).oid);
  };
  const state = entries.get(`${CATALOG_PREFIX}state`);
  if (state) catalog.oidCounter = (JSON.parse(state) as { nextOid: number }).nextOid;
  for (const role of of<Role>('role')) catalog.roles.set(role.name, role);
  const databases = new Map<number, Database>();
  type DatabaseDescriptor = Omit<Database, 'schemas' | 'extensions'> & {
    extensions: [string, Database['extensions'] extends Map<string, infer E> ? E : never][];
  };
  for (const d of of<DatabaseDescriptor>('database')) {
    const db: Database = {
      oid: d.oid,
      name: d.name,
      owner: d.owner,
      schemas: new Map(),
      extensions: new Map(d.extensions),
    };
    catalog.databases.set(db.name, db);
    databases.set(db.oid, db);
  }
  const schemas = new Map<string, Schema>();
  for (const s of of<{ oid: number; name: string; database: number }>('schema')) {
    const db = databases.get(s.database);
    if (db) {
      const schema = catalog.createSchema(db, s.name, s.oid);
      schemas.set(schemaRef(schema), schema);
    }
  }
  const sequences = new Map<number, Sequence>();
  for (const d of of<SequenceDescriptor>('sequence')) {
    const schema = schemas.get(d.schema);
    if (!schema) continue;
    const seq: Sequence = { ...d, schema };
    schema.sequences.set(seq.name, seq);
    sequences.set(seq.oid, seq);
  }
  const tables = new Map<number, Table>();
  for (const d of of<TableDescriptor>('table')) {
    const schema = schemas.get(d.schema);
    if (!schema) continue;
    const columns: Column[] = d.columns.map((c) => ({
      ...c,
      sequence: c.sequence === null ? null : (sequences.get(c.sequence) ?? null),
      missing: loadValue(c.missing),
    }));
    const table = catalog.createTable(schema, d.name, columns, false, d.view, d.oid, adopt(d.oid, columns));
    if (d.comment !== undefined) table.comment = d.comment;
    if (d.foreignKeyTriggersDisabled) table.foreignKeyTriggersDisabled = true;
    for (const check of d.checks ?? []) table.checks.push(bind.check(check, table));
    tables.set(table.oid, table);
  }
  for (const d of of<IndexDescriptor>('index')) {
    const table = tables.get(d.table);
    const schema = schemas.get(d.schema);
    if (!table || !schema) continue;
    const expression = d.expression ? bind.expression(d.expression, table) : null;
    const columns = d.columns;
    catalog.addIndex({
      ...d,
      schema,
      table,
      vector: null,
      expressionKey: expression?.key ?? null,
      expressionText: expression?.text,
      keyOf: expression ? expression.evaluate : (row) => row[columns[0]],
      predicate: d.predicate ? bind.predicate(d.predicate, table) : null,
    });
  }
  for (const d of of<ForeignKeyDescriptor>('foreignkey')) {
    const table = tables.get(d.table);
    const refTable = tables.get(d.refTable);
    if (table && refTable) catalog.addForeignKey({ ...d, table, refTable });
  }
}
