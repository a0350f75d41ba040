/**
 * Session-level and catalog utility statements: transactions, SET/SHOW/RESET, schemas,
 * the vector extension, databases, roles, views, ALTER TABLE, ALTER INDEX and REINDEX.
 */
import { SqlError, SqlState } from '../errors/sql-error.ts';
import type { Statement } from '../sql/ast-utility.ts';
import { T } from '../types/type.ts';
import { alterTable } from './alter-table.ts';
import { commentOn } from './comment.ts';
import { runCursorStatement } from './cursors.ts';
import { reindex, renameIndex } from './index-maintenance.ts';
import { alterRole, createRole, dropRoles } from './roles.ts';
import type { EngineSession } from './session.ts';
import type { Outcome, RunContext } from './statement-runner.ts';

const VECTOR_VERSION = '0.8.6';

function done(tag: string): Outcome {
  return { columns: null, rows: [], tag };
}

export function runUtility(
  stmt: Statement,
  session: EngineSession,
  rc: RunContext,
  notice: (message: string, detail?: string, hint?: string) => void,
): Outcome | null {
  const catalog = rc.bc.catalog;
  const db = session.database;
  switch (stmt.kind) {
    case 'Transaction': {
      if (stmt.op === 'prepare') {
        throw new SqlError(SqlState.FeatureNotSupported, 'PREPARE TRANSACTION is not supported');
      }
      return done(
        session.transactionControl(stmt.op, stmt.savepoint, {
          isolation: stmt.isolation ?? null,
          readOnly: stmt.readOnly ?? null,
        }),
      );
    }
    case 'SetConstraints':
      return done(session.setConstraints(stmt, rc.bc));
    case 'Set': {
      const sink = session.currentSink();
      if (stmt.local && session.transactionStatus() === 'I') {
        sink?.notice({
          severity: 'WARNING',
          code: '25P01',
          message: 'SET LOCAL can only be used in transaction blocks',
        });
        return done('SET');
      }
      if (stmt.action === 'modes') {
        session.setTransactionModes(stmt.modes!, stmt.name === 'session' ? 'session' : 'statement');
        return done('SET');
      }
      const name = stmt.action === 'value' ? session.settings.canonicalName(stmt.name) : null;
      if (name === 'transaction_isolation' || name === 'transaction_read_only') {
        const value = stmt.values.join(', ');
        session.setTransactionModes(
          name === 'transaction_isolation'
            ? { isolation: value, readOnly: null }
            : { isolation: null, readOnly: session.settings.normalize(name, value) === 'on' },
          'setting',
        );
        return done('SET');
      }
      if (stmt.action === 'reset all') session.settings.resetAll(sink);
      else if (stmt.action === 'reset' || stmt.action === 'default') session.settings.reset(stmt.name, sink);
      else session.settings.set(stmt.name, stmt.values.join(', '), sink, stmt.local);
      return done(stmt.action === 'value' || stmt.action === 'default' ? 'SET' : 'RESET');
    }
    case 'Show': {
      if (stmt.name === 'all') {
        return {
          columns: [
            { name: 'name', type: T.text, tableOid: 0, attnum: 0 },
            { name: 'setting', type: T.text, tableOid: 0, attnum: 0 },
            { name: 'description', type: T.text, tableOid: 0, attnum: 0 },
          ],
          rows: session.settings.all().map((s) => [s.name, session.settings.show(s.name), s.doc]),
          tag: 'SHOW',
        };
      }
      const value = session.settings.show(stmt.name);
      const name = session.settings.canonicalName(stmt.name);
      return { columns: [{ name, type: T.text, tableOid: 0, attnum: 0 }], rows: [[value]], tag: 'SHOW' };
    }
    case 'CreateSchema': {
      if (db.schemas.has(stmt.name)) {
        if (stmt.ifNotExists) {
          notice(`schema "${stmt.name}" already exists, skipping`);
          return done('CREATE SCHEMA');
        }
      }
      catalog.createSchema(db, stmt.name);
      rc.ddl.onUndo(() => db.schemas.delete(stmt.name));
      return done('CREATE SCHEMA');
    }
    case 'CreateExtension': {
      if (stmt.name !== 'vector' && stmt.name !== 'plpgsql') {
        throw new SqlError(SqlState.UndefinedFile, `extension "${stmt.name}" is not available`, {
          hint: 'The extension must first be installed on the system where PostgreSQL is running.',
        });
      }
      if (db.extensions.has(stmt.name)) {
        if (stmt.ifNotExists) {
          notice(`extension "${stmt.name}" already exists, skipping`);
          return done('CREATE EXTENSION');
        }
        throw new SqlError(SqlState.DuplicateObject, `extension "${stmt.name}" already exists`);
      }
      const schema = stmt.schema ?? session.searchPath().find((s) => db.schemas.has(s)) ?? 'public';
      db.extensions.set(stmt.name, { oid: catalog.allocateOid(), version: VECTOR_VERSION, schema });
      rc.ddl.onUndo(() => db.extensions.delete(stmt.name));
      return done('CREATE EXTENSION');
    }
    case 'CreateDatabase': {
      if (session.transactionStatus() !== 'I') {
        throw new SqlError(
          SqlState.ActiveSqlTransaction,
          'CREATE DATABASE cannot run inside a transaction block',
        );
      }
      catalog.createDatabase(stmt.name, session.user);
      catalog.version++;
      return done('CREATE DATABASE');
    }
    case 'DropDatabase': {
      if (session.transactionStatus() !== 'I') {
        throw new SqlError(
          SqlState.ActiveSqlTransaction,
          'DROP DATABASE cannot run inside a transaction block',
        );
      }
      if (!catalog.databases.has(stmt.name)) {
        if (stmt.ifExists) {
          notice(`database "${stmt.name}" does not exist, skipping`);
          return done('DROP DATABASE');
        }
        throw new SqlError(SqlState.InvalidCatalogName, `database "${stmt.name}" does not exist`);
      }
      if (stmt.name === db.name) {
        throw new SqlError(SqlState.ObjectInUse, 'cannot drop the currently open database');
      }
      catalog.databases.delete(stmt.name);
      catalog.version++;
      return done('DROP DATABASE');
    }
    // Roles and databases are not transactional here; the version bump still marks the
    // catalog changed so the commit stores it.
    case 'CreateRole':
      catalog.version++;
      return done(createRole(stmt, catalog));
    case 'AlterRole':
      catalog.version++;
      return done(alterRole(stmt, catalog));
    case 'DropRole':
      catalog.version++;
      return done(dropRoles(stmt, catalog, notice));
    case 'CreateView': {
      const schema = catalog.creationSchema(db, stmt.name.schema, rc.bc.searchPath);
      const existing = schema.tables.get(stmt.name.name);
      if (existing && stmt.replace && existing.view) {
        catalog.dropTable(existing);
        rc.ddl.onUndo(() => catalog.restoreTable(existing, []));
      }
      const view = catalog.createTable(schema, stmt.name.name, [], false, { text: '', query: stmt.query });
      rc.ddl.onUndo(() => catalog.dropTable(view));
      return done('CREATE VIEW');
    }
    case 'Comment':
      return done(commentOn(stmt, rc));
    case 'AlterTable':
      return done(alterTable(stmt, rc, notice));
    case 'RenameIndex':
      return done(renameIndex(stmt, rc, notice));
    case 'Reindex':
      return done(reindex(stmt, session, rc));
    case 'Prepare':
      session.prepareStatement(stmt);
      return done('PREPARE');
    case 'Deallocate':
      return done(session.deallocate(stmt.name));
    case 'DeclareCursor':
    case 'Fetch':
    case 'ClosePortal':
      return runCursorStatement(stmt, session.cursors, rc, session.cursorTransaction());
    default:
      return null;
  }
}
