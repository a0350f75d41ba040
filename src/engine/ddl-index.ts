/**
 * CREATE INDEX: btree (unique key maps for PRIMARY KEY/UNIQUE; non-unique btree is
 * accepted and costs nothing) and pgvector's hnsw / ivfflat with its opclasses, option
 * limits and messages. Vector indexes are built from the rows present at creation.
 */

import { BIND_EVAL_CONTEXT } from '../bind/coercion.ts';
import type { Catalog } from '../catalog/catalog.ts';
import {
  type IndexDef,
  type IndexPredicate,
  type IndexTextForm,
  indexedRow,
  type Schema,
  type Table,
} from '../catalog/catalog-types.ts';
import { OPERATOR_CLASSES, opclassTypeName } from '../catalog/pg-catalog/objects.ts';
import { SqlError, SqlState } from '../errors/sql-error.ts';
import {
  addToIndex,
  keyNames,
  keyValuesText,
  resetIndexKeys,
  rowKey,
  versionsToIndex,
} from '../exec/table-writer.ts';
import type { CreateIndexStmt } from '../sql/ast-utility.ts';
import { runAtOnce, runInSlices, type Steps } from '../storage/stepwise.ts';
import { buildInWorker, buildsInWorker } from '../storage/vector/build-in-worker.ts';
import {
  type ColumnIndexSpec,
  checkIndexedValue,
  columnEncoder,
  createColumnIndex,
  indexable,
} from '../storage/vector/column-index.ts';
import { shardsPlacedByCluster } from '../storage/vector/sharded-index.ts';
import type { DistanceMetric, IndexMethod } from '../storage/vector-index.ts';
import { typeInfo } from '../types/registry.ts';
import type { EvalContext } from '../types/registry-types.ts';
import type { SqlType, Value } from '../types/type.ts';
import { indexSpec } from './index-files.ts';

interface OpClass {
  readonly type: 'vector' | 'halfvec' | 'sparsevec' | 'bit';
  readonly metric: DistanceMetric;
  readonly operator: string;
  readonly methods: readonly IndexMethod[];
}

const op = (
  type: OpClass['type'],
  metric: DistanceMetric,
  operator: string,
  methods: IndexMethod[],
): OpClass => ({
  type,
  metric,
  operator,
  methods,
});

/** pgvector's operator classes and the access methods that have them. */
const OPCLASSES: Record<string, OpClass> = {
  vector_l2_ops: op('vector', 'l2', '<->', ['hnsw', 'ivfflat']),
  vector_ip_ops: op('vector', 'ip', '<#>', ['hnsw', 'ivfflat']),
  vector_cosine_ops: op('vector', 'cosine', '<=>', ['hnsw', 'ivfflat']),
  vector_l1_ops: op('vector', 'l1', '<+>', ['hnsw']),
  halfvec_l2_ops: op('halfvec', 'l2', '<->', ['hnsw', 'ivfflat']),
  halfvec_ip_ops: op('halfvec', 'ip', '<#>', ['hnsw', 'ivfflat']),
  halfvec_cosine_ops: op('halfvec', 'cosine', '<=>', ['hnsw', 'ivfflat']),
  halfvec_l1_ops: op('halfvec', 'l1', '<+>', ['hnsw']),
  sparsevec_l2_ops: op('sparsevec', 'l2', '<->', ['hnsw']),
  sparsevec_ip_ops: op('sparsevec', 'ip', '<#>', ['hnsw']),
  sparsevec_cosine_ops: op('sparsevec', 'cosine', '<=>', ['hnsw']),
  sparsevec_l1_ops: op('sparsevec', 'l1', '<+>', ['hnsw']),
  bit_hamming_ops: op('bit', 'hamming', '<~>', ['hnsw', 'ivfflat']),
  bit_jaccard_ops: op('bit', 'jaccard', '<%>', ['hnsw']),
};

const OPTION_LIMITS: Record<string, Record<string, [number, number]>> = {
  // shards, replicas: Quiver's own (sharded-index.ts; nodes holding each shard in a cluster).
  hnsw: { m: [2, 100], ef_construction: [4, 1000], shards: [1, 64], replicas: [1, 16] },
  ivfflat: { lists: [1, 32768] },
  btree: { fillfactor: [10, 100] },
};

const MAX_INDEX_DIMENSIONS: Record<string, number> = {
  vector: 2000,
  halfvec: 4000,
  bit: 64000,
};

export function defaultIndexName(
  schema: Schema,
  table: Table,
  columns: readonly string[],
  catalog: Catalog,
): string {
  const base = `${table.name}_${columns.join('_') || 'expr'}_idx`;
  let name = base;
  for (let i = 1; catalog.relationExists(schema, name); i++) name = `${base}${i}`;
  return name;
}

function parseOptions(stmt: CreateIndexStmt): Record<string, number> {
  const limits = OPTION_LIMITS[stmt.method] ?? {};
  const out: Record<string, number> = {};
  for (const opt of stmt.options) {
    const limit = limits[opt.name];
    if (!limit) throw new SqlError(SqlState.InvalidParameterValue, `unrecognized parameter "${opt.name}"`);
    const n = Number(opt.value);
    if (!/^[-+]?\d+$/.test(opt.value.trim())) {
      throw new SqlError(
        SqlState.InvalidParameterValue,
        `invalid value for integer option "${opt.name}": ${opt.value}`,
      );
    }
    if (n < limit[0] || n > limit[1]) {
      throw new SqlError(
        SqlState.InvalidParameterValue,
        `value ${opt.value} out of bounds for option "${opt.name}"`,
        {
          detail: `Valid values are between "${limit[0]}" and "${limit[1]}".`,
        },
      );
    }
    out[opt.name] = n;
  }
  return out;
}

export interface IndexBuildContext {
  readonly catalog: Catalog;
  readonly ctx: EvalContext;
  readonly notice: (message: string, detail?: string, hint?: string) => void;
  /** Registers how to undo a catalog change if the transaction rolls back (transactional DDL). */
  readonly onUndo: (undo: () => void) => void;
  /**
   * Runs asynchronous work before the statement completes (a big vector index is built in a
   * worker thread); absent where statements cannot wait (recovery), which builds inline.
   */
  readonly defer?: (work: () => Promise<void>) => void;
  /** The backend's pid, for pg_stat_progress_create_index. */
  readonly processId?: number;
  /**
   * Has the statement, once it committed, wait until the shards of a new sharded index are
   * built by the cluster nodes they are placed on; absent inside a transaction block (the
   * index exists only at COMMIT).
   */
  readonly awaitShards?: (index: IndexDef) => void;
  /** Stores a vector index built off the event loop (durable storage), so recovery loads it. */
  readonly saveIndexFile?: (index: IndexDef) => Promise<void>;
}

/**
 * How recovery and read replicas build indexes of an already committed catalog: no client
 * to notify, nothing to undo, no statement to defer work to.
 */
export function quietBuild(catalog: Catalog): IndexBuildContext {
  return { catalog, ctx: BIND_EVAL_CONTEXT, notice: () => {}, onUndo: () => {} };
}

/** Vector indexes over at least this many rows are built in a worker thread. */
const WORKER_BUILD_MIN_ROWS = 10_000;
/** …and report progress in NOTICE lines from this many rows on. */
const PROGRESS_NOTICE_MIN_ROWS = 50_000;

/** The indexed expression of an expression index, bound over the table's row. */
export interface IndexExpression {
  readonly key: string;
  readonly type: SqlType;
  readonly evaluate: (row: readonly Value[]) => Value;
  /** How the catalog prints it (IndexTextForm). */
  readonly text: (form: IndexTextForm) => string;
}

export function createIndex(
  stmt: CreateIndexStmt,
  table: Table,
  name: string,
  columns: readonly number[],
  opts: IndexBuildContext,
  constraint: { primary: boolean; name: string } | null = null,
  expression: IndexExpression | null = null,
  predicate: IndexPredicate | null = null,
): IndexDef {
  const method = stmt.method;
  if (method !== 'btree' && method !== 'hnsw' && method !== 'ivfflat' && method !== 'gin') {
    throw new SqlError(SqlState.UndefinedObject, `access method "${method}" does not exist`);
  }
  const options = parseOptions(stmt);
  if (method !== 'btree' && stmt.include.length > 0) {
    throw new SqlError(
      SqlState.FeatureNotSupported,
      `access method "${method}" does not support included columns`,
    );
  }
  const include = stmt.include.map((i) => {
    const at = table.columns.findIndex((c) => c.name === i.column);
    if (at < 0) throw new SqlError(SqlState.UndefinedColumn, `column "${i.column}" does not exist`);
    return at;
  });
  let metric: DistanceMetric | null = null;
  let operator: string | null = null;
  const opclasses = stmt.elems.map((e) => e.opclass ?? '');
  if (method === 'gin') {
    checkGinIndex(stmt, expression ? [expression.type] : columns.map((c) => table.columns[c].type));
  } else if (method !== 'btree') {
    if ((expression ? 1 : columns.length) !== 1) {
      throw new SqlError(
        SqlState.FeatureNotSupported,
        `access method "${method}" does not support multicolumn indexes`,
      );
    }
    const column = expression ?? table.columns[columns[0]];
    const opclassName = opclasses[0];
    const typeName = column.type.base;
    if (!opclassName) {
      throw new SqlError(
        SqlState.UndefinedObject,
        `data type ${typeInfo(typeName).formatType(-1)} has no default operator class for access method "${method}"`,
        {
          hint: 'You must specify an operator class for the index or define a default operator class for the data type.',
        },
      );
    }
    const opclass = vectorOpclass(method, opclassName, column.type);
    // pgvector's access methods cannot order (amcanorder = false): ComputeIndexAttrs refuses
    // ordering options once the operator class is resolved.
    if (stmt.elems.some((e) => e.desc)) {
      throw new SqlError(
        SqlState.FeatureNotSupported,
        `access method "${method}" does not support ASC/DESC options`,
      );
    }
    if (stmt.elems.some((e) => e.nullsFirst !== null)) {
      throw new SqlError(
        SqlState.FeatureNotSupported,
        `access method "${method}" does not support NULLS FIRST/LAST options`,
      );
    }
    if (method === 'hnsw' && (options.ef_construction ?? 64) < 2 * (options.m ?? 16)) {
      throw new SqlError(
        SqlState.InvalidParameterValue,
        'ef_construction must be greater than or equal to 2 * m',
      );
    }
    checkIndexDimensions(method, column.type);
    metric = opclass.metric;
    operator = opclass.operator;
  }
  const index: IndexDef = {
    oid: opts.catalog.allocateOid(),
    name,
    schema: table.schema,
    table,
    method,
    columns,
    include,
    opclasses,
    unique: stmt.unique || constraint !== null,
    primary: constraint?.primary ?? false,
    options,
    metric,
    operator,
    vector: null,
    constraint: constraint?.name ?? null,
    keyOptions: stmt.elems.map((e) => (e.desc ? 1 : 0) | ((e.nullsFirst ?? e.desc) ? 2 : 0)),
    keyType: expression?.type ?? table.columns[columns[0]].type,
    expressionKey: expression?.key ?? null,
    expression: stmt.elems.find((e) => e.expr !== null)?.expr ?? null,
    expressionText: expression?.text,
    keyOf: expression ? expression.evaluate : (row) => row[columns[0]],
    predicate,
  };
  if ((index.options.shards ?? 1) > 1 && shardsPlacedByCluster()) {
    if (opts.awaitShards) opts.awaitShards(index);
    else
      opts.notice(
        `the ${index.options.shards} shards of index "${index.name}" are built in the background by the cluster nodes they are placed on`,
        undefined,
        'Until a shard is built, queries search its rows exactly; quiver_index_shards shows which are held.',
      );
  }
  if (opts.defer && index.metric && table.store.capacity >= WORKER_BUILD_MIN_ROWS) {
    if (opts.catalog.relationExists(index.schema, index.name)) {
      throw new SqlError(SqlState.DuplicateTable, `relation "${index.name}" already exists`);
    }
    opts.defer(() => buildInBackground(index, opts));
    return index;
  }
  buildIndex(index, opts);
  opts.catalog.addIndex(index);
  opts.onUndo(() => opts.catalog.dropIndex(index));
  return index;
}

/**
 * A gin index as PostgreSQL checks it: no UNIQUE, no ordering options, and an operator class
 * (named, or the key type's default) for every key. Quiver keeps the index in the catalog
 * (migrations and \d see it) but does not look rows up through it.
 */
function checkGinIndex(stmt: CreateIndexStmt, keyTypes: readonly SqlType[]): void {
  if (stmt.unique) {
    throw new SqlError(SqlState.FeatureNotSupported, 'access method "gin" does not support unique indexes');
  }
  if (stmt.elems.some((e) => e.desc)) {
    throw new SqlError(SqlState.FeatureNotSupported, 'access method "gin" does not support ASC/DESC options');
  }
  if (stmt.elems.some((e) => e.nullsFirst !== null)) {
    throw new SqlError(
      SqlState.FeatureNotSupported,
      'access method "gin" does not support NULLS FIRST/LAST options',
    );
  }
  keyTypes.forEach((type, k) => {
    const typeName = opclassTypeName(type);
    const named = stmt.elems[k]?.opclass;
    const classes = OPERATOR_CLASSES.filter((o) => o.method === 'gin');
    if (!named) {
      if (classes.some((o) => o.isDefault && o.type === typeName)) return;
      throw new SqlError(
        SqlState.UndefinedObject,
        `data type ${typeInfo(type.base).formatType(-1)}${type.isArray ? '[]' : ''} has no default operator class for access method "gin"`,
        {
          hint: 'You must specify an operator class for the index or define a default operator class for the data type.',
        },
      );
    }
    const opclass = classes.find((o) => o.name === named);
    if (!opclass) {
      throw new SqlError(
        SqlState.UndefinedObject,
        `operator class "${named}" does not exist for access method "gin"`,
      );
    }
    if (opclass.type !== typeName) {
      throw new SqlError(
        SqlState.DatatypeMismatch,
        `operator class "${named}" does not accept data type ${typeInfo(type.base).formatType(-1)}${type.isArray ? '[]' : ''}`,
      );
    }
  });
}

/** The operator class of a vector index, which must exist for `method` and accept `type`. */
export function vectorOpclass(method: IndexMethod, opclassName: string, type: SqlType) {
  const opclass = OPCLASSES[opclassName];
  if (!opclass?.methods.includes(method)) {
    throw new SqlError(
      SqlState.UndefinedObject,
      `operator class "${opclassName}" does not exist for access method "${method}"`,
    );
  }
  // bit_hamming_ops accepts varbit as PostgreSQL's binary-compatible bit, then refuses it.
  if (opclass.type === 'bit' && type.base === 'varbit') {
    throw new SqlError(SqlState.FeatureNotSupported, `type not supported for ${method} index`);
  }
  if (opclass.type !== type.base) {
    throw new SqlError(
      SqlState.DatatypeMismatch,
      `operator class "${opclassName}" does not accept data type ${typeInfo(type.base).formatType(-1)}`,
    );
  }
  return opclass;
}

/** A vector index needs its type's dimensions, within what its method can hold. */
export function checkIndexDimensions(method: IndexMethod, type: SqlType): void {
  const dims = type.typmod;
  // sparsevec is limited by its non-zero elements (checked per row), not its dimensions.
  if (dims < 0 && type.base !== 'sparsevec') {
    throw new SqlError(SqlState.InvalidParameterValue, 'column does not have dimensions');
  }
  const max = MAX_INDEX_DIMENSIONS[type.base] ?? 2000;
  if (dims > max) {
    throw new SqlError(
      SqlState.ProgramLimitExceeded,
      `column cannot have more than ${max} dimensions for ${method} index`,
    );
  }
}

/** The unique btree index behind a PRIMARY KEY or UNIQUE constraint named `name`. */
export function createConstraintIndex(
  table: Table,
  name: string,
  columns: readonly number[],
  primary: boolean,
  opts: IndexBuildContext,
  include: readonly string[] = [],
): IndexDef {
  for (const column of include) {
    if (!table.columns.some((c) => c.name === column))
      throw new SqlError(SqlState.UndefinedColumn, `column "${column}" named in key does not exist`);
  }
  const stmt: CreateIndexStmt = {
    kind: 'CreateIndex',
    name,
    table: { schema: table.schema.name, name: table.name, loc: -1 },
    method: 'btree',
    unique: true,
    ifNotExists: false,
    concurrent: false,
    include: include.map((column) => ({ column, loc: -1 })),
    elems: columns.map((i) => ({
      column: table.columns[i].name,
      expr: null,
      opclass: null,
      desc: false,
      nullsFirst: null,
      loc: -1,
    })),
    options: [],
    where: null,
    loc: -1,
  };
  return createIndex(stmt, table, name, columns, opts, { primary, name });
}

/**
 * Builds a vector index in a worker thread while the event loop keeps serving other
 * sessions. The index joins the catalog only when it is complete; rows inserted meanwhile
 * are added to it then.
 */
async function buildInBackground(index: IndexDef, opts: IndexBuildContext): Promise<void> {
  const store = index.table.store;
  const generation = store.generation;
  const upTo = store.capacity;
  const plan = offLoopBuild(index, upTo);
  if (!plan) buildIndex(index, opts);
  else {
    const { spec, rowIds, vectorAt } = plan;
    const progress = {
      pid: opts.processId ?? 0,
      database: index.schema.database,
      table: index.table,
      index,
      phase: 'building index: loading tuples',
      tuplesTotal: rowIds.length,
      tuplesDone: 0,
    };
    const loud = rowIds.length >= PROGRESS_NOTICE_MIN_ROWS;
    let nextNotice = 0.25;
    opts.catalog.indexBuilds.set(progress.pid, progress);
    try {
      const built = await buildInWorker(spec, rowIds, vectorAt, (done) => {
        progress.tuplesDone = done;
        if (loud && done / rowIds.length >= nextNotice && done < rowIds.length) {
          opts.notice(`building index "${index.name}": ${done} of ${rowIds.length} rows`);
          while (nextNotice <= done / rowIds.length) nextNotice += 0.25;
        }
      });
      if (store.generation !== generation) buildIndex(index, opts);
      else {
        index.vector = built;
        // Rows that arrived while the worker built.
        for (let rowId = upTo; rowId < store.capacity; rowId++) {
          if (store.mayBeLive(rowId)) addToIndex(index, store.row(rowId), rowId);
        }
      }
    } finally {
      opts.catalog.indexBuilds.delete(progress.pid);
    }
  }
  if (opts.catalog.relationExists(index.schema, index.name)) {
    throw new SqlError(SqlState.DuplicateTable, `relation "${index.name}" already exists`);
  }
  opts.catalog.addIndex(index);
  opts.onUndo(() => opts.catalog.dropIndex(index));
  // Before the statement commits: a replica recovering the new catalog then finds the file.
  await opts.saveIndexFile?.(index);
}

/**
 * The rows below `upTo` a vector index holds: live, with a key pgvector indexes (checked
 * here, so a bad value fails the build before it starts); `onRow` sees each one's key.
 */
function indexedRowIds(
  index: IndexDef,
  upTo: number,
  onRow: (rowId: number, key: Value) => void = () => {},
): number[] {
  const store = index.table.store;
  const rowIds: number[] = [];
  for (let rowId = 0; rowId < upTo; rowId++) {
    if (!store.mayBeLive(rowId)) continue;
    const row = store.row(rowId);
    if (!indexedRow(index, row)) continue;
    const v = index.keyOf(row);
    if (!indexable(v, index.metric!)) continue;
    checkIndexedValue(index, v);
    rowIds.push(rowId);
    onRow(rowId, v);
  }
  return rowIds;
}

/**
 * What a build off the event loop needs: the rows below `upTo` and a reader of their
 * vectors, read again when the build gets to them (holding them all would double its
 * memory). Null when the index is built inline: its keys are not float vectors, or an
 * IVFFlat index has fewer rows than lists.
 */
function offLoopBuild(
  index: IndexDef,
  upTo: number,
): { spec: ColumnIndexSpec; rowIds: number[]; vectorAt: (i: number) => Float32Array } | null {
  const spec = indexSpec(index);
  const encode = columnEncoder(spec.method, spec.type);
  const rowIds = indexedRowIds(index, upTo);
  const vectorAt = (i: number) => vectorOfRow(index, encode, rowIds[i], spec.dimensions) as Float32Array;
  if (rowIds.length === 0 || !buildsInWorker(vectorAt(0))) return null;
  if (index.method === 'ivfflat' && rowIds.length < (index.options.lists ?? 100)) return null;
  return { spec, rowIds, vectorAt };
}

/**
 * A row's encoded key for the build. A row deleted (and compacted away) since its id was
 * taken goes in as a constant vector (ones: zeros have no cosine direction): searches skip
 * it as dead, and the next rebuild leaves it out.
 */
function vectorOfRow(
  index: IndexDef,
  encode: (value: Value) => unknown,
  rowId: number,
  dimensions: number,
): unknown {
  const store = index.table.store;
  if (!store.mayBeLive(rowId)) return new Float32Array(dimensions).fill(1);
  return encode(index.keyOf(store.row(rowId)));
}

/**
 * Rebuilds an index from the table's rows where nothing else runs on the table (recovery,
 * a read replica's new copy): a big vector index is built off the event loop, which a
 * cluster node needs free to renew its lease.
 */
export async function rebuildIndex(index: IndexDef, opts: IndexBuildContext): Promise<void> {
  const store = index.table.store;
  if (index.method === 'gin') return;
  if (index.method === 'btree') {
    resetIndexKeys(index);
    // The keys were unique when they were committed: no duplicate check.
    return runInSlices(addEveryRow(index));
  }
  if (store.capacity < WORKER_BUILD_MIN_ROWS) return buildIndex(index, opts);
  const plan = offLoopBuild(index, store.capacity);
  if (!plan || plan.rowIds.length < WORKER_BUILD_MIN_ROWS) return buildIndex(index, opts);
  resetIndexKeys(index);
  index.vector = await buildInWorker(plan.spec, plan.rowIds, plan.vectorAt, () => {});
}

/** (Re)builds an index from the table's current rows (CREATE INDEX, TRUNCATE). */
export function buildIndex(index: IndexDef, opts: IndexBuildContext): void {
  const table = index.table;
  const store = table.store;
  resetIndexKeys(index);
  if (index.method === 'gin') return;
  if (index.unique) checkDuplicates(index, opts.ctx);
  if (index.method !== 'btree') {
    const spec = indexSpec(index);
    index.vector = createColumnIndex(spec.method, spec.type, spec.metric, spec.dimensions, spec.options);
    const encode = index.vector.encode;
    const values: unknown[] = [];
    const rowIds = indexedRowIds(index, store.capacity, (_, key) => values.push(encode(key)));
    if (index.method === 'ivfflat' && rowIds.length < (index.options.lists ?? 100)) {
      opts.notice(
        'ivfflat index created with little data',
        'This will cause low recall.',
        'Drop the index until the table has more data.',
      );
    }
    index.vector.index.build(rowIds, values);
    return;
  }
  runAtOnce(addEveryRow(index));
}

/** Adds the row versions an index holds (versionsToIndex) to a btree index, in steps of a few hundred rows. */
function* addEveryRow(index: IndexDef): Steps<void> {
  const store = index.table.store;
  const wanted = versionsToIndex(store);
  for (let rowId = 0; rowId < store.capacity; rowId++) {
    if (wanted(rowId)) addToIndex(index, store.row(rowId), rowId);
    if (rowId % 256 === 255) yield;
  }
}

function checkDuplicates(index: IndexDef, ctx: EvalContext): void {
  const store = index.table.store;
  const seen = new Set<string | number>();
  for (let rowId = 0; rowId < store.capacity; rowId++) {
    if (!store.mayBeLive(rowId)) continue;
    const row = store.row(rowId);
    const key = rowKey(index, row);
    if (key === null) continue;
    if (seen.has(key)) {
      throw new SqlError(SqlState.UniqueViolation, `could not create unique index "${index.name}"`, {
        detail: `Key (${keyNames(index)})=(${keyValuesText(index, row, ctx)}) is duplicated.`,
      });
    }
    seen.add(key);
  }
}
