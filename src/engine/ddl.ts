/**
 * DDL statements: tables (with serial/identity sequences, PRIMARY KEY/UNIQUE indexes, CHECK constraints),
 * indexes, schemas, the vector extension, databases, views, TRUNCATE and ALTER TABLE.
 */
import type { BindContext } from '../bind/bind-context.ts';
import { bindSelect } from '../bind/bind-select.ts';
import { outputName } from '../bind/output-name.ts';
import { resolveTypeName } from '../bind/resolve-type-name.ts';
import type { Column, Table } from '../catalog/catalog-types.ts';
import { SqlError, SqlState } from '../errors/sql-error.ts';
import type { CreateIndexStmt, CreateSequenceStmt, CreateTableStmt, DropStmt } from '../sql/ast-utility.ts';
import { T, type Value } from '../types/type.ts';
import { EXTENSION_TYPES } from '../types/vector-oids.ts';
import { addCheckConstraint } from './check-constraints.ts';
import {
  buildIndex,
  createConstraintIndex,
  createIndex,
  defaultIndexName,
  type IndexBuildContext,
  type IndexExpression,
} from './ddl-index.ts';
import {
  addForeignKey,
  dropDependentKeys,
  dropForeignKey,
  keysReferencing,
  keysUsingIndex,
} from './foreign-key-ddl.ts';
import { bindIndexExpression, bindIndexPredicate } from './index-expressions.ts';

export interface DdlContext extends IndexBuildContext {
  readonly bc: BindContext;
  /** Runs a SELECT and returns its rows (CREATE TABLE AS). */
  readonly runQuery: (plan: ReturnType<typeof bindSelect>) => Value[][];
  readonly insertRows: (table: Table, rows: Value[][]) => void;
}

const SERIAL_TYPES = new Set(['serial', 'bigserial', 'smallserial', 'serial4', 'serial8', 'serial2']);

export function createTable(stmt: CreateTableStmt, d: DdlContext): string {
  const { catalog, bc } = d;
  const schema = catalog.creationSchema(bc.database, stmt.name.schema, bc.searchPath);
  if (catalog.relationExists(schema, stmt.name.name)) {
    if (stmt.ifNotExists) {
      d.notice(`relation "${stmt.name.name}" already exists, skipping`);
      return 'CREATE TABLE';
    }
    throw new SqlError(SqlState.DuplicateTable, `relation "${stmt.name.name}" already exists`);
  }
  const names = new Set<string>();
  const columns: Column[] = [];
  const pending: { column: string; seqName: string; options: Readonly<Record<string, number>> }[] = [];
  let asPlan: ReturnType<typeof bindSelect> | null = null;
  if (stmt.asQuery) {
    asPlan = bindSelect(stmt.asQuery, null, bc);
    asPlan.columns.forEach((c, i) =>
      columns.push({
        name: c.name,
        type: c.type.base === 'unknown' ? T.text : c.type,
        notNull: false,
        default: null,
        defaultText: null,
        identity: null,
        sequence: null,
        attnum: i + 1,
      }),
    );
  }
  /** LIKE other_table: copies names, types and NOT NULL (and defaults with INCLUDING DEFAULTS). */
  const addLikes = (at: number) => {
    for (const like of stmt.likes ?? []) {
      if (like.at !== at) continue;
      const source = catalog.findTable(bc.database, like.table.schema, like.table.name, bc.searchPath);
      if (!source) {
        throw new SqlError(SqlState.UndefinedTable, `relation "${like.table.name}" does not exist`, {
          position: like.table.loc + 1,
        });
      }
      for (const c of source.columns) {
        if (names.has(c.name))
          throw new SqlError(SqlState.DuplicateColumn, `column "${c.name}" specified more than once`);
        names.add(c.name);
        columns.push({
          name: c.name,
          type: c.type,
          notNull: c.notNull,
          default: like.includingDefaults ? c.default : null,
          defaultText: null,
          identity: null,
          sequence: null,
          attnum: columns.length + 1,
        });
      }
    }
  };
  for (const [at, def] of stmt.columns.entries()) {
    addLikes(at);
    if (names.has(def.name)) {
      throw new SqlError(SqlState.DuplicateColumn, `column "${def.name}" specified more than once`);
    }
    names.add(def.name);
    const typeWord = def.type.names[def.type.names.length - 1];
    const serial = def.type.names.length === 1 && SERIAL_TYPES.has(typeWord);
    const type = resolveTypeName(def.type, bc);
    const needsSequence = serial || def.identity !== null;
    if (needsSequence) {
      pending.push({
        column: def.name,
        seqName: `${stmt.name.name}_${def.name}_seq`,
        options: def.sequenceOptions ?? {},
      });
    }
    columns.push({
      name: def.name,
      type,
      notNull: def.notNull || def.primaryKey || needsSequence,
      default: def.default,
      defaultText: null,
      identity: def.identity,
      sequence: null,
      attnum: columns.length + 1,
    });
  }
  addLikes(stmt.columns.length);
  const table = catalog.createTable(schema, stmt.name.name, columns, stmt.temporary);
  d.onUndo(() => catalog.dropTable(table));
  for (const p of pending) {
    const at = columns.findIndex((c) => c.name === p.column);
    const seq = catalog.createSequence(schema, p.seqName, p.options.start ?? 1, p.options.increment ?? 1);
    columns[at] = { ...columns[at], sequence: seq, defaultText: `nextval('${p.seqName}'::regclass)` };
  }
  addConstraints(stmt, table, d);
  if (asPlan) {
    const rows = d.runQuery(asPlan);
    d.insertRows(table, rows);
    return `SELECT ${rows.length}`;
  }
  return 'CREATE TABLE';
}

function addConstraints(stmt: CreateTableStmt, table: Table, d: DdlContext): void {
  const col = (name: string) => {
    const at = table.columns.findIndex((c) => c.name === name);
    if (at < 0) throw new SqlError(SqlState.UndefinedColumn, `column "${name}" named in key does not exist`);
    return at;
  };
  const keys: { primary: boolean; columns: number[]; name: string | null; include?: readonly string[] }[] =
    [];
  for (const c of stmt.columns) {
    if (c.primaryKey) keys.push({ primary: true, columns: [col(c.name)], name: null });
    if (c.unique) keys.push({ primary: false, columns: [col(c.name)], name: null });
  }
  for (const c of stmt.constraints) {
    if (c.type === 'primary key' || c.type === 'unique') {
      keys.push({
        primary: c.type === 'primary key',
        columns: c.columns.map(col),
        name: c.name,
        include: c.include,
      });
    }
  }
  if (keys.filter((k) => k.primary).length > 1) {
    throw new SqlError(
      SqlState.InvalidTableDefinition,
      `multiple primary keys for table "${table.name}" are not allowed`,
    );
  }
  // CHECK constraints first, as PostgreSQL creates them with the table, before its indexes.
  const pending: string[] = [];
  for (const c of stmt.constraints) if (c.type === 'check') addCheckConstraint(table, c, d, 0, { pending });
  for (const key of keys) {
    const colNames = key.columns.map((i) => table.columns[i].name);
    if (key.primary) for (const i of key.columns) table.columns[i].notNull = true;
    // PostgreSQL names a UNIQUE constraint after its included columns too.
    const named = [...colNames, ...(key.include ?? [])];
    const name = key.name ?? (key.primary ? `${table.name}_pkey` : `${table.name}_${named.join('_')}_key`);
    createConstraintIndex(table, name, key.columns, key.primary, d, key.include);
  }
  // After the keys: a table may reference its own.
  for (const c of stmt.constraints) if (c.type === 'foreign key') addForeignKey(table, c, d, 0, false);
}

export function createIndexStatement(stmt: CreateIndexStmt, d: DdlContext): string {
  const { catalog, bc } = d;
  const table = catalog.findTable(bc.database, stmt.table.schema, stmt.table.name, bc.searchPath);
  if (!table) {
    throw new SqlError(SqlState.UndefinedTable, `relation "${stmt.table.name}" does not exist`, {
      position: stmt.table.loc + 1,
    });
  }
  const expression = indexExpression(stmt, table, d);
  const columns = expression
    ? []
    : stmt.elems.map((e) => {
        const at = table.columns.findIndex((c) => c.name === e.column);
        if (at < 0) {
          throw new SqlError(SqlState.UndefinedColumn, `column "${e.column}" does not exist`, {
            position: e.loc + 1,
          });
        }
        return at;
      });
  if (stmt.name && catalog.relationExists(table.schema, stmt.name)) {
    if (stmt.ifNotExists) {
      d.notice(`relation "${stmt.name}" already exists, skipping`);
      return 'CREATE INDEX';
    }
    throw new SqlError(SqlState.DuplicateTable, `relation "${stmt.name}" already exists`);
  }
  const name =
    stmt.name ??
    defaultIndexName(
      table.schema,
      table,
      distinctNames([
        ...(expression ? [outputName(stmt.elems[0].expr!)] : columns.map((c) => table.columns[c].name)),
        ...stmt.include.map((i) => i.column),
      ]),
      catalog,
    );
  const predicate = stmt.where ? bindIndexPredicate(stmt.where, table, d.bc, d.ctx) : null;
  createIndex(stmt, table, name, columns, d, null, expression, predicate);
  return 'CREATE INDEX';
}

/**
 * The expression of `CREATE INDEX … ((expr) opclass)`, bound over the table's columns.
 * Used by vector indexes (pgvector's half-precision indexing of a vector column) and kept for
 * non-unique btree ones.
 */
function indexExpression(stmt: CreateIndexStmt, table: Table, d: DdlContext): IndexExpression | null {
  const elem = stmt.elems.find((e) => e.expr !== null);
  if (!elem) return null;
  // One expression is an index key like a column (kept in a key map, unique or not); several
  // keys with an expression among them have no representation yet.
  if (stmt.elems.length !== 1) {
    throw new SqlError(SqlState.FeatureNotSupported, 'multi-key expression indexes are not supported yet', {
      position: elem.loc + 1,
    });
  }
  return bindIndexExpression(elem.expr!, table, d.bc, d.ctx);
}

/** An index name's column part: a name seen before gets the next number (`a`, `a1`), as in PostgreSQL. */
function distinctNames(names: readonly string[]): string[] {
  const seen = new Map<string, number>();
  return names.map((name) => {
    const n = seen.get(name);
    seen.set(name, (n ?? 0) + 1);
    return n === undefined ? name : `${name}${n}`;
  });
}

const DROP_WORDS: Record<DropStmt['objectType'], string> = {
  table: 'table',
  index: 'index',
  schema: 'schema',
  extension: 'extension',
  view: 'view',
  sequence: 'sequence',
  type: 'type',
};

export function drop(stmt: DropStmt, d: DdlContext): string {
  const { catalog, bc } = d;
  const word = DROP_WORDS[stmt.objectType];
  const tag = `DROP ${word.toUpperCase()}`;
  // Tables dropped together may reference each other.
  const dropping = new Set<Table>();
  if (stmt.objectType === 'table') {
    for (const name of stmt.names) {
      const table = catalog.findTable(bc.database, name.schema, name.name, bc.searchPath);
      if (table && !table.view) dropping.add(table);
    }
  }
  for (const name of stmt.names) {
    const missing = () => {
      const shown = name.schema ? `${name.schema}.${name.name}` : name.name;
      if (stmt.ifExists) {
        d.notice(`${word} "${shown}" does not exist, skipping`);
        return;
      }
      const code =
        stmt.objectType === 'table' || stmt.objectType === 'view'
          ? SqlState.UndefinedTable
          : SqlState.UndefinedObject;
      throw new SqlError(code, `${word} "${shown}" does not exist`);
    };
    switch (stmt.objectType) {
      case 'table':
      case 'view': {
        const table = catalog.findTable(bc.database, name.schema, name.name, bc.searchPath);
        if (!table || (stmt.objectType === 'view') !== (table.view !== null)) {
          missing();
          continue;
        }
        const what = `table ${table.name}`;
        dropDependentKeys(
          keysReferencing(table, dropping),
          { object: what, dependsOn: what },
          stmt.cascade,
          d,
        );
        const indexes = [...table.indexes];
        const foreignKeys = [...table.foreignKeys];
        catalog.dropTable(table);
        d.onUndo(() => catalog.restoreTable(table, indexes, foreignKeys));
        break;
      }
      case 'index': {
        const index = catalog.findIndex(bc.database, name.schema, name.name, bc.searchPath);
        if (!index) {
          missing();
          continue;
        }
        const what = `index ${index.name}`;
        dropDependentKeys(keysUsingIndex(index), { object: what, dependsOn: what }, stmt.cascade, d);
        catalog.dropIndex(index);
        d.onUndo(() => catalog.addIndex(index));
        break;
      }
      case 'schema': {
        const schema = bc.database.schemas.get(name.name);
        if (!schema) {
          missing();
          continue;
        }
        if (!stmt.cascade && (schema.tables.size > 0 || schema.sequences.size > 0)) {
          throw new SqlError(
            SqlState.DependentObjectsStillExist,
            `cannot drop schema ${name.name} because other objects depend on it`,
            {
              hint: 'Use DROP ... CASCADE to drop the dependent objects too.',
            },
          );
        }
        // Its tables become unreachable with it (and come back if the transaction rolls
        // back); foreign keys between them and other schemas' tables go.
        for (const table of schema.tables.values()) {
          for (const fk of [...table.foreignKeys, ...table.referencedBy]) {
            if (fk.table.schema !== schema || fk.refTable.schema !== schema) dropForeignKey(fk, d);
          }
        }
        bc.database.schemas.delete(name.name);
        d.onUndo(() => bc.database.schemas.set(name.name, schema));
        break;
      }
      case 'extension': {
        if (!bc.database.extensions.has(name.name)) {
          missing();
          continue;
        }
        const extension = bc.database.extensions.get(name.name)!;
        if (name.name === 'vector') checkVectorDependents(bc, stmt.cascade);
        bc.database.extensions.delete(name.name);
        d.onUndo(() => bc.database.extensions.set(name.name, extension));
        break;
      }
      case 'sequence': {
        const seq = catalog.findSequence(bc.database, name.schema, name.name, bc.searchPath);
        if (!seq) {
          missing();
          continue;
        }
        const owner = [...seq.schema.tables.values()].find((t) => t.columns.some((c) => c.sequence === seq));
        if (owner && !stmt.cascade) {
          const column = owner.columns.find((c) => c.sequence === seq)!;
          throw new SqlError(
            SqlState.DependentObjectsStillExist,
            `cannot drop sequence ${seq.name} because other objects depend on it`,
            {
              detail: `default value for column ${column.name} of table ${owner.name} depends on sequence ${seq.name}`,
              hint: 'Use DROP ... CASCADE to drop the dependent objects too.',
            },
          );
        }
        seq.schema.sequences.delete(seq.name);
        d.onUndo(() => seq.schema.sequences.set(seq.name, seq));
        break;
      }
      default:
        throw new SqlError(SqlState.FeatureNotSupported, `DROP ${word.toUpperCase()} is not supported`);
    }
  }
  return tag;
}

export function truncate(tables: readonly Table[], d: IndexBuildContext, txn: number): void {
  for (const table of tables) {
    const saved = table.store.truncate(txn);
    for (const index of table.indexes) buildIndex(index, d);
    d.onUndo(() => {
      table.store.restore(saved);
      const quiet = { ...d, notice: () => undefined };
      for (const index of table.indexes) buildIndex(index, quiet);
    });
  }
}

/** Columns of pgvector's types keep the extension from being dropped, as in PostgreSQL. */
function checkVectorDependents(bc: DdlContext['bc'], cascade: boolean): void {
  const dependents: string[] = [];
  for (const schema of bc.database.schemas.values()) {
    for (const table of schema.tables.values()) {
      for (const c of table.columns) {
        if (EXTENSION_TYPES.has(c.type.base)) {
          const kind = c.type.isArray ? `${c.type.base}[]` : c.type.base;
          dependents.push(`column ${c.name} of table ${table.name} depends on type ${kind}`);
        }
      }
    }
  }
  if (dependents.length === 0) return;
  if (cascade) {
    throw new SqlError(SqlState.FeatureNotSupported, 'DROP EXTENSION vector CASCADE is not supported yet', {
      detail: dependents.join('\n'),
      hint: 'Drop the dependent tables first.',
    });
  }
  throw new SqlError(
    SqlState.DependentObjectsStillExist,
    'cannot drop extension vector because other objects depend on it',
    {
      detail: dependents.join('\n'),
      hint: 'Use DROP ... CASCADE to drop the dependent objects too.',
    },
  );
}

export function createSequence(stmt: CreateSequenceStmt, d: DdlContext): string {
  const schema = d.catalog.creationSchema(d.bc.database, stmt.name.schema, d.bc.searchPath);
  if (d.catalog.relationExists(schema, stmt.name.name)) {
    if (stmt.ifNotExists) {
      d.notice(`relation "${stmt.name.name}" already exists, skipping`);
      return 'CREATE SEQUENCE';
    }
    throw new SqlError(SqlState.DuplicateTable, `relation "${stmt.name.name}" already exists`);
  }
  if (stmt.increment === 0) throw new SqlError(SqlState.InvalidParameterValue, 'INCREMENT must not be zero');
  const increment = stmt.increment ?? 1;
  const seq = d.catalog.createSequence(schema, stmt.name.name, stmt.start ?? 1, increment);
  d.onUndo(() => schema.sequences.delete(seq.name));
  return 'CREATE SEQUENCE';
}
