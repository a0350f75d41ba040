/**
 * Statements that maintain existing indexes: REINDEX (rebuild from the table's rows, as
 * PostgreSQL does to drop dead entries) and ALTER INDEX … RENAME.
 */
import type { IndexDef, Table } from '../catalog/catalog-types.ts';
import { SqlError, SqlState } from '../errors/sql-error.ts';
import type { ReindexStmt, RenameIndexStmt } from '../sql/ast-utility.ts';
import { shardsPlacedByCluster } from '../storage/vector/sharded-index.ts';
import { buildIndex } from './ddl-index.ts';
import type { EngineSession } from './session.ts';
import type { RunContext } from './statement-runner.ts';

export function reindex(stmt: ReindexStmt, session: EngineSession, rc: RunContext): string {
  const { catalog, database, searchPath } = rc.bc;
  const inBlock = session.transactionStatus() !== 'I';
  if (stmt.concurrently && inBlock) {
    throw new SqlError(
      SqlState.ActiveSqlTransaction,
      'REINDEX CONCURRENTLY cannot run inside a transaction block',
    );
  }
  const tables: Table[] = [];
  const indexes: IndexDef[] = [];
  switch (stmt.target) {
    case 'index': {
      const name = stmt.relation!;
      const index = catalog.findIndex(database, name.schema, name.name, searchPath);
      if (!index) throw notAn(rc, name, 'an index');
      indexes.push(index);
      break;
    }
    case 'table': {
      const name = stmt.relation!;
      const table = catalog.findTable(database, name.schema, name.name, searchPath);
      if (!table || table.view) throw notAn(rc, name, 'a table or materialized view');
      tables.push(table);
      break;
    }
    case 'schema': {
      if (inBlock)
        throw new SqlError(
          SqlState.ActiveSqlTransaction,
          'REINDEX SCHEMA cannot run inside a transaction block',
        );
      const schema = database.schemas.get(stmt.objectName!);
      if (!schema)
        throw new SqlError(SqlState.InvalidSchemaName, `schema "${stmt.objectName}" does not exist`);
      tables.push(...schema.tables.values());
      break;
    }
    case 'database':
    case 'system': {
      const what = stmt.target.toUpperCase();
      if (inBlock)
        throw new SqlError(
          SqlState.ActiveSqlTransaction,
          `REINDEX ${what} cannot run inside a transaction block`,
        );
      if (stmt.objectName !== null && stmt.objectName !== database.name) {
        throw new SqlError(SqlState.FeatureNotSupported, 'can only reindex the currently open database');
      }
      // SYSTEM means the system catalogs, which Quiver computes instead of storing.
      if (stmt.target === 'database')
        for (const schema of database.schemas.values()) tables.push(...schema.tables.values());
      break;
    }
  }
  for (const table of tables) indexes.push(...table.indexes);
  for (const index of indexes) {
    // A sharded index in a cluster is built shard by shard on the nodes holding it.
    if ((index.options.shards ?? 1) > 1 && shardsPlacedByCluster()) continue;
    buildIndex(index, rc.ddl);
  }
  return 'REINDEX';
}

/** PostgreSQL's errors for a name that is missing, or names a relation of another kind. */
function notAn(rc: RunContext, name: { schema: string | null; name: string }, kind: string): SqlError {
  const { catalog, database, searchPath } = rc.bc;
  const exists =
    catalog.findTable(database, name.schema, name.name, searchPath) ??
    catalog.findIndex(database, name.schema, name.name, searchPath);
  return exists
    ? new SqlError(SqlState.WrongObjectType, `"${name.name}" is not ${kind}`)
    : new SqlError(SqlState.UndefinedTable, `relation "${name.name}" does not exist`);
}

export function renameIndex(
  stmt: RenameIndexStmt,
  rc: RunContext,
  notice: (message: string) => void,
): string {
  const { catalog, database, searchPath } = rc.bc;
  const index = catalog.findIndex(database, stmt.name.schema, stmt.name.name, searchPath);
  if (!index) {
    if (stmt.ifExists) {
      notice(`relation "${stmt.name.name}" does not exist, skipping`);
      return 'ALTER INDEX';
    }
    throw new SqlError(SqlState.UndefinedTable, `relation "${stmt.name.name}" does not exist`);
  }
  if (catalog.relationExists(index.schema, stmt.newName)) {
    throw new SqlError(SqlState.DuplicateTable, `relation "${stmt.newName}" already exists`);
  }
  const rename = (from: string, to: string) => {
    index.schema.indexes.delete(from);
    index.name = to;
    // The constraint an index backs is renamed with it, as in PostgreSQL.
    if (index.constraint === from) index.constraint = to;
    index.schema.indexes.set(to, index);
  };
  const oldName = index.name;
  rename(oldName, stmt.newName);
  rc.ddl.onUndo(() => rename(stmt.newName, oldName));
  return 'ALTER INDEX';
}
