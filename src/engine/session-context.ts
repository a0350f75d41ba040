/**
 * Builds the binder's view of a session (BindContext): catalog and database, search path,
 * the engine-side functions bound to this session's state, and what pg_catalog relations
 * show about it.
 */
import type { BindContext } from '../bind/bind-context.ts';
import { bindDefault } from '../bind/bind-dml.ts';
import { bindSelect } from '../bind/bind-select.ts';
import type { Database } from '../catalog/catalog-types.ts';
import type { SystemContext } from '../catalog/system-relations.ts';
import { SqlError, SqlState } from '../errors/sql-error.ts';
import type { SelectStmt } from '../sql/ast.ts';
import type { SqlType, Value } from '../types/type.ts';
import type { ResultSink } from '../wire/session.ts';
import { deparse } from './deparse-expr.ts';
import { objectNames } from './object-names.ts';
import type { EngineServices } from './session.ts';
import { type SessionState, sessionFunctions } from './session-functions.ts';
import type { SessionSettings } from './session-settings.ts';

/** The parts of a session the binder may read or change. */
export interface SessionView {
  readonly user: string;
  readonly database: Database;
  readonly processId: number;
  readonly services: EngineServices;
  readonly settings: SessionSettings;
  readonly sink: () => ResultSink | null;
  readonly lastSequenceValues: Map<number, bigint>;
  readonly searchPath: () => string[];
  readonly preparedStatements: SystemContext['preparedStatements'];
  /** Throws 25006 in a read-only transaction. */
  readonly checkWritable: (command: string) => void;
  /** On a standby that forwards writes: the statement reads state of its session on the leader (currval). */
  readonly readsLeaderSession: () => void;
}

export function sessionBindContext(
  view: SessionView,
  paramTypes: SqlType[],
  paramValues?: readonly Value[],
): BindContext {
  const { database, settings } = view;
  const searchPath = view.searchPath();
  const state: SessionState = {
    user: view.user,
    databaseName: database.name,
    processId: view.processId,
    getSetting: (n) => settings.show(n),
    setSetting: (n, v) => settings.set(n, v, view.sink()),
    lastSequenceValues: view.lastSequenceValues,
    findSequence: (n) => view.services.catalog.findSequence(database, null, n, searchPath),
    sequenceByOid: (oid) => {
      for (const schema of database.schemas.values()) {
        for (const seq of schema.sequences.values()) if (seq.oid === oid) return seq;
      }
      return undefined;
    },
    sequenceAdvanced: (seq) => view.services.catalog.advancedSequences.add(seq),
    checkWritable: view.checkWritable,
    readsLeaderSession: view.readsLeaderSession,
    serverVersion: view.services.serverVersion,
    cancelBackend: (pid) => cancelBackend(view, pid),
  };
  const bc: BindContext = {
    catalog: view.services.catalog,
    database,
    searchPath,
    paramTypes,
    ...(paramValues ? { paramValues } : {}),
    ctes: [],
    sessionFunctions: sessionFunctions(state),
    setting: (n) => settings.get(n),
    objectNames: objectNames(view.services.catalog, database, searchPath),
    system: {
      catalog: view.services.catalog,
      database,
      user: view.user,
      preparedStatements: view.preparedStatements,
      settings: () => settings.all(),
      // Defaults and view columns print as PostgreSQL deparses them, which needs the binder.
      defaultExpression: (_table, column) => {
        const bound = bindDefault(column, { ...bc, paramTypes: [] });
        return bound ? deparse(bound, []) : null;
      },
      viewColumns: (table) =>
        table.view ? bindSelect(table.view.query as SelectStmt, null, { ...bc, paramTypes: [] }).columns : [],
    },
  };
  return bc;
}

/**
 * pg_cancel_backend as PostgreSQL's pg_signal_backend decides it: an unknown pid is a
 * WARNING and false; only a superuser or the target's own role may cancel its query.
 */
function cancelBackend(view: SessionView, pid: number): boolean {
  const target = view.services.sessions?.get(pid);
  if (!target) {
    view.sink()?.notice({
      severity: 'WARNING',
      code: SqlState.Warning,
      message: `PID ${pid} is not a PostgreSQL backend process`,
    });
    return false;
  }
  const superuser = view.services.catalog.roles.get(view.user)?.superuser ?? false;
  if (!superuser && target.user !== view.user) {
    throw new SqlError(SqlState.InsufficientPrivilege, 'permission denied to cancel query', {
      detail: `Only roles with privileges of the role whose query is being canceled or with privileges of the "pg_signal_backend" role may cancel this query.`,
    });
  }
  target.cancel();
  return true;
}
