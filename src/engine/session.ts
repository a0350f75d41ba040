/**
 * The engine's implementation of the wire layer's Session: statement parsing, prepared
 * statements and portals, transactions (explicit blocks, implicit per statement or per
 * extended-protocol batch), settings, cancellation and statement_timeout.
 */

import type { BindContext } from '../bind/bind-context.ts';
import { bindDefault, bindOverTable } from '../bind/bind-dml.ts';
import type { BoundExpr } from '../bind/bound-expr.ts';
import { coerceBoolean } from '../bind/coercion.ts';
import type { Catalog } from '../catalog/catalog.ts';
import type { CheckConstraint, Database, IndexDef, IndexPredicate, Table } from '../catalog/catalog-types.ts';
import { SqlError, SqlState, toSqlError } from '../errors/sql-error.ts';
import { compileExpr } from '../exec/compile-expr.ts';
import type { ExecEnv } from '../exec/exec-env.ts';
import { execute } from '../exec/executor.ts';
import type { RemoteShardSearch } from '../exec/sharded-search.ts';
import { writeRow } from '../exec/table-writer.ts';
import { prefetchVectorSearches } from '../exec/vector-search.ts';
import type { OutputColumn, PlanNode } from '../plan/plan-nodes.ts';
import type { Expr, QualifiedName } from '../sql/ast.ts';
import type { PreparableStmt, PrepareStmt } from '../sql/ast-prepare.ts';
import type { ParsedStatement, SetConstraintsStmt, Statement, TransactionModes } from '../sql/ast-utility.ts';
import { parseSql } from '../sql/parser.ts';
import type { EvalContext } from '../types/registry-types.ts';
import { PG_EPOCH_MS } from '../types/time-zone.ts';
import { type SqlType, T, type Value } from '../types/type.ts';
import { sqlTypeFromOid, typeOid } from '../types/value-io.ts';
import type {
  BindRequest,
  ExecuteResult,
  FieldDescription,
  FormatCode,
  ResultSink,
  Session,
  StatementDescription,
  TransactionStatus,
} from '../wire/session.ts';
import type { StoredCheck } from './catalog-image.ts';
import { loadedCheck } from './check-constraints.ts';
import { runCopy } from './copy.ts';
import { Cursors, type CursorTransaction } from './cursors.ts';
import type { IndexExpression } from './ddl-index.ts';
import { decodeParameter, encodeValue, fieldDescriptions } from './encode.ts';
import { bindIndexExpression, bindIndexPredicate } from './index-expressions.ts';
import { objectNames } from './object-names.ts';
import { refuseWrite } from './read-only.ts';
import { sessionBindContext } from './session-context.ts';
import type { SessionRegistry } from './session-registry.ts';
import { SessionSettings } from './session-settings.ts';
import { type CommitLog, SessionTransaction } from './session-transaction.ts';
import { setConstraints } from './set-constraints.ts';
import { declaredParameterTypes, executeArguments, noSuchPreparedStatement } from './sql-prepare.ts';
import { StatementInterrupts } from './statement-interrupts.ts';
import {
  type CompiledStatement,
  compileStatement,
  describeStatement,
  type Outcome,
  type RunContext,
  runStatement,
} from './statement-runner.ts';
import { reportStatement, type StatementObserver } from './statement-stats.ts';
import { type TransactionOp, transactionControl } from './transaction-control.ts';
import { runUtility } from './utility.ts';
import {
  type LeaderConnection,
  QUIET_SINK,
  type RemoteDescription,
  RunOnLeader,
  WriteForwarding,
  type WriteLeader,
} from './write-forwarding.ts';

/** How many recently parsed statements a session keeps for reuse. */
const RECENT_STATEMENTS = 256;

interface Prepared {
  readonly parsed: ParsedStatement | null;
  readonly paramTypes: SqlType[];
  /** The statement bound and planned, valid for one catalog version and settings generation. */
  compiled: {
    readonly key: string;
    readonly value: CompiledStatement | null;
    /** The result columns the client was described (null: nothing compiled to check against). */
    readonly columns: readonly OutputColumn[] | null;
  } | null;
  readonly sql: string;
  /** µs since 2000-01-01, for pg_prepared_statements. */
  readonly prepareTime: number;
  /** Made by the PREPARE statement, not by the protocol's Parse (pg_prepared_statements.from_sql). */
  readonly fromSql: boolean;
  /**
   * Described by the write leader: the replica cannot prepare it (it reads a temporary
   * table, which only the leader has); it runs there.
   */
  remote?: RemoteDescription;
  /** PREPARE's own statement text (a standby prepares it on the leader to EXECUTE it there). */
  readonly prepareText?: string;
}

/**
 * What a statement runs as: itself, or for EXECUTE the prepared statement it names with its
 * arguments as the parameters.
 */
interface StatementRun {
  readonly stmt: Statement;
  readonly prepared?: Prepared;
  readonly paramTypes: SqlType[];
  readonly params: Value[];
  /** Parameter values the plan may take as constants (EXPLAIN EXECUTE; see BindContext.paramValues). */
  readonly paramValues?: readonly Value[];
}

interface Portal {
  readonly prepared: Prepared;
  readonly params: Value[];
  readonly formats: readonly FormatCode[];
  outcome: Outcome | null;
  cursor: number;
}

export interface EngineServices {
  readonly catalog: Catalog;
  readonly serverVersion: string;
  /** Durable storage (WAL, checkpoints); null for a server that keeps nothing (--in-memory). */
  readonly storage: DurableStorage | null;
  /** Open sessions by process id (pg_cancel_backend); the backend supplies one when absent. */
  readonly sessions?: SessionRegistry;
  /** Told about every statement that ran (the server's query metrics). */
  readonly observer?: StatementObserver;
  /** Set on a read replica (src/cluster/engine-replica.ts): its sessions only read. */
  readonly replica?: ReplicaReads;
  /** A cluster node's search of index shards other nodes hold (src/cluster/index-shard-search.ts). */
  readonly remoteShards?: RemoteShardSearch;
  /** On a standby's read replica: where its sessions send what writes (write-forwarding.ts). */
  readonly writeLeader?: WriteLeader;
}

/** What a session on a read replica asks of it. */
export interface ReplicaReads {
  /**
   * Resolves once the replica has applied every commit the `quiver.consistency` level asks
   * for (strong: all acknowledged so far; bounded: all older than `stalenessMs`); rejects
   * with a SqlError when it cannot catch up.
   */
  awaitFreshness(consistency: string, stalenessMs: number): Promise<void>;
  /**
   * Whether the replica has applied every commit acknowledged so far (what a strong read
   * waits for), without waiting.
   */
  caughtUp(): Promise<boolean>;
}

export interface DurableStorage extends CommitLog {
  /** Writes transaction `top`'s in-memory new rows of `table` to a segment (see RunContext.spill). */
  spill(top: number, table: Table): Promise<void>;
  /** Seals what the WAL holds into segments (CHECKPOINT); `compact` drops deleted rows (VACUUM). */
  checkpoint(options?: { compact?: boolean }): Promise<void>;
  /** Stores the file of a vector index CREATE INDEX has just built (before it commits). */
  saveIndexFile(index: IndexDef): Promise<void>;
}

export class EngineSession implements Session {
  readonly settings: SessionSettings;
  /** DECLARE'd cursors (FETCH, MOVE, CLOSE). */
  readonly cursors = new Cursors();
  database: Database;
  private readonly transaction: SessionTransaction;
  private readonly prepared = new Map<string, Prepared>();
  /** Recently parsed statement texts (with their parameter types), most recent last. */
  private readonly recentStatements = new Map<string, Prepared>();
  private readonly portals = new Map<string, Portal>();
  private readonly interrupts = new StatementInterrupts();
  /** Promoted from a read replica; the client hears in_hot_standby = off with the next statement. */
  private promotedUnreported = false;
  /** The read replica's newer copy, moved to at the next transaction's first query (`moveTo`). */
  private nextCopy: EngineServices | null = null;
  /** Copies this session has read: part of the plan key, as two copies' catalog versions may be equal. */
  private copyGeneration = 0;
  private readonly lastSequenceValues = new Map<number, bigint>();
  private sink: ResultSink | null = null;
  /** Asynchronous work the running statement left to finish before it completes. */
  private deferredWork: (() => Promise<void>)[] = [];
  /** New sharded indexes whose shards are waited for once the implicit transaction committed. */
  private shardWaits: IndexDef[] = [];
  /** A standby session's writes go to the leader (null: the leader's own session, or a read-only one). */
  private forwarding: WriteForwarding | null;
  /** A statement ran on the leader since the replica last caught up: the next read waits for it. */
  private forwardedSinceCatchUp = false;
  /** One of them may have changed the catalog: the next Parse waits for it too. */
  private forwardedDdl = false;
  /** The text of the statement running (PREPARE keeps its own). */
  private statementText = '';

  /** `forwardTo`: on a standby's read replica, how this session reaches the write leader. */
  constructor(
    private services: EngineServices,
    readonly user: string,
    databaseName: string,
    readonly processId: number,
    startupParameters: Readonly<Record<string, string>>,
    forwardTo: (() => Promise<LeaderConnection>) | null = null,
  ) {
    this.database = services.catalog.database(databaseName);
    this.forwarding = services.replica && forwardTo ? new WriteForwarding(forwardTo) : null;
    this.transaction = new SessionTransaction(
      services.catalog.txns,
      services.storage,
      this.inRecovery(services),
    );
    this.settings = new SessionSettings(user, services.serverVersion);
    this.settings.computed.set(
      'transaction_isolation',
      () => this.transaction.isolation ?? this.settings.get('default_transaction_isolation'),
    );
    this.settings.computed.set('transaction_read_only', () => (this.readOnlyTransaction ? 'on' : 'off'));
    this.settings.applyStartup(startupParameters);
    if (services.replica)
      this.settings.computed.set('in_hot_standby', () => (this.inRecovery(this.services) ? 'on' : 'off'));
    services.sessions?.add(processId, {
      user,
      cancel: () => this.cancel(),
      promote: (promoted) => this.promote(promoted),
      moveTo: (services) => this.moveTo(services),
      // A session waiting to move reads nothing of its copy any more, unless its transaction is open.
      reads: (catalog) => this.services.catalog === catalog && (!this.nextCopy || this.transaction.open),
    });
  }

  // ---------- Session interface ----------

  async simpleQuery(sql: string, sink: ResultSink): Promise<void> {
    this.sink = sink;
    const statements = parseSql(sql);
    if (statements.length === 0) {
      sink.emptyQuery();
      return;
    }
    // As in PostgreSQL, the statements of one Query message share an implicit transaction:
    // an error rolls back the ones before it (unless they were committed explicitly).
    for (const parsed of statements) {
      try {
        const outcome = await this.runParsed(parsed, [], sink);
        if (outcome.columns) sink.rowDescription(fieldDescriptions(outcome.columns, []));
        await this.writeRows(outcome, [], sink, 0);
        sink.commandComplete(outcome.tag);
      } catch (err) {
        this.transaction.statementFailed();
        this.shardWaits = [];
        await this.forwarding?.endImplicit(false, sink);
        throw err;
      }
    }
    await this.endForwardedImplicit(sink);
    this.transaction.endImplicit(true);
    await this.transaction.settle();
    await this.awaitShards();
  }

  /**
   * The implicit transaction ends: the one the leader runs for it (write forwarding)
   * commits first; if that fails, so does this one.
   */
  private async endForwardedImplicit(sink: ResultSink | null): Promise<void> {
    try {
      await this.forwarding?.endImplicit(true, sink);
    } catch (err) {
      this.transaction.statementFailed();
      throw err;
    }
  }

  /**
   * A standby session that ran DDL on the leader: the replica catches up with it before the
   * next statement is prepared here (it must see the new tables and columns).
   */
  private async catchUpWithLeader(): Promise<void> {
    const replica = this.services.replica;
    if (!this.forwardedDdl || !replica) return;
    this.interrupts.start(Number(this.settings.get('statement_timeout')));
    try {
      await this.interrupts.interruptible(replica.awaitFreshness('strong', 0));
    } finally {
      this.interrupts.finish();
    }
    this.forwardedSinceCatchUp = false;
    this.forwardedDdl = false;
    if (this.nextCopy) this.moveToNextCopy();
  }

  async parse(name: string, sql: string, parameterTypes: readonly number[]): Promise<void> {
    if (name !== '' && this.prepared.has(name)) {
      throw new SqlError(SqlState.DuplicatePreparedStatement, `prepared statement "${name}" already exists`);
    }
    await this.catchUpWithLeader();
    const cacheKey = `${parameterTypes.join(',')}|${sql}`;
    const recent = this.recentStatements.get(cacheKey);
    if (recent) {
      // Drivers send Parse for the same text again and again (unnamed statements): reuse the
      // parse and the plan; `compiled()` re-plans if the catalog or settings moved on.
      this.recentStatements.delete(cacheKey);
      this.recentStatements.set(cacheKey, recent);
      // A fresh Parse may describe different columns than before: a stale plan is dropped,
      // not checked against the old result shape.
      const current = recent.compiled?.key === this.planKey() ? recent.compiled : null;
      const again: Prepared = {
        ...recent,
        paramTypes: [...recent.paramTypes],
        prepareTime: (Date.now() - PG_EPOCH_MS) * 1000,
        compiled: current,
      };
      if (again.parsed && !this.transaction.failed) {
        this.compiled(again);
        recent.compiled = again.compiled;
      }
      this.prepared.set(name, again);
      return;
    }
    const statements = parseSql(sql);
    if (statements.length > 1) {
      throw new SqlError(SqlState.SyntaxError, 'cannot insert multiple commands into a prepared statement');
    }
    const paramTypes = parameterTypes.map((oid) => this.typeForOid(oid));
    const parsed = statements[0] ?? null;
    if (parsed) {
      while (paramTypes.length < parsed.paramCount) paramTypes.push(T.unknown);
    }
    const prepared: Prepared = {
      parsed,
      paramTypes,
      sql,
      prepareTime: (Date.now() - PG_EPOCH_MS) * 1000,
      compiled: null,
      fromSql: false,
    };
    // Bind and plan now: parameter types are inferred and errors surface at Parse, as in
    // PostgreSQL; the plan is reused by every Execute until the catalog or settings change.
    if (parsed && (!this.transaction.failed || isTransactionEnd(parsed.stmt))) {
      try {
        this.compiled(prepared);
      } catch (error) {
        // A standby session whose temporary tables live on the leader: prepared there.
        if (!this.forwarding?.onLeader) throw error;
        const remote = await this.forwarding.describe(sql, parameterTypes, this.settings.changed());
        prepared.remote = remote;
        paramTypes.splice(0, paramTypes.length, ...remote.parameterTypes.map((oid) => this.typeForOid(oid)));
      }
    }
    unknownAsText(paramTypes);
    this.prepared.set(name, prepared);
    if (prepared.compiled) {
      this.recentStatements.set(cacheKey, prepared);
      if (this.recentStatements.size > RECENT_STATEMENTS) {
        this.recentStatements.delete(this.recentStatements.keys().next().value!);
      }
    }
  }

  async bind(request: BindRequest): Promise<void> {
    const prepared = this.prepared.get(request.statement);
    if (!prepared) throw noSuchPreparedStatement(request.statement);
    if (request.portal !== '' && this.portals.has(request.portal)) {
      throw new SqlError(SqlState.DuplicateCursor, `portal "${request.portal}" already exists`);
    }
    if (request.parameters.length !== prepared.paramTypes.length) {
      throw new SqlError(
        SqlState.ProtocolViolation,
        `bind message supplies ${request.parameters.length} parameters, but prepared statement "${request.statement}" requires ${prepared.paramTypes.length}`,
      );
    }
    const ctx = this.evalContext();
    const params = request.parameters.map((bytes, i) => {
      const f = (
        request.parameterFormats.length === 1
          ? request.parameterFormats[0]
          : (request.parameterFormats[i] ?? 0)
      ) as FormatCode;
      return decodeParameter(prepared.paramTypes[i], bytes, f, ctx);
    });
    this.portals.set(request.portal, {
      prepared,
      params,
      formats: request.resultFormats,
      outcome: null,
      cursor: 0,
    });
  }

  describeStatement(name: string): StatementDescription {
    const prepared = this.prepared.get(name);
    if (!prepared) throw noSuchPreparedStatement(name);
    const parameterTypes = prepared.paramTypes.map((t) => typeOid(t.base === 'unknown' ? T.text : t));
    if (prepared.remote) return { parameterTypes, fields: prepared.remote.fields };
    const columns = prepared.parsed ? this.describeColumns(prepared.parsed.stmt, prepared) : null;
    return { parameterTypes, fields: columns ? fieldDescriptions(columns, []) : null };
  }

  describePortal(name: string): readonly FieldDescription[] | null {
    const portal = this.portals.get(name);
    if (!portal) throw new SqlError(SqlState.InvalidCursorName, `portal "${name}" does not exist`);
    if (!portal.prepared.parsed) return null;
    const remote = portal.prepared.remote;
    if (remote) {
      const formats = portal.formats;
      return (
        remote.fields?.map((f, i) => ({
          ...f,
          format: (formats.length === 1 ? formats[0] : (formats[i] ?? 0)) as FormatCode,
        })) ?? null
      );
    }
    const columns = this.describeColumns(portal.prepared.parsed.stmt, portal.prepared);
    return columns ? fieldDescriptions(columns, portal.formats) : null;
  }

  /**
   * Result columns for Describe; a FETCH describes its cursor's rows and an EXECUTE its
   * prepared statement's (none when there is no such statement yet), as in PostgreSQL.
   */
  private describeColumns(stmt: Statement, prepared: Prepared): readonly OutputColumn[] | null {
    if (stmt.kind === 'Fetch') return this.cursors.fetchColumns(stmt);
    if (stmt.kind === 'Execute') {
      const target = this.prepared.get(stmt.name);
      return target?.parsed ? this.describeColumns(target.parsed.stmt, target) : null;
    }
    return describeStatement(stmt, this.compiled(prepared));
  }

  async execute(name: string, maxRows: number, sink: ResultSink): Promise<ExecuteResult> {
    this.sink = sink;
    const portal = this.portals.get(name);
    if (!portal) throw new SqlError(SqlState.InvalidCursorName, `portal "${name}" does not exist`);
    const parsed = portal.prepared.parsed;
    if (!parsed) {
      sink.emptyQuery();
      return 'complete';
    }
    if (!portal.outcome) {
      portal.outcome = await this.runParsed(parsed, portal.params, sink, portal.prepared, portal.formats);
    }
    const outcome = portal.outcome;
    const done = await this.writeRows(outcome, portal.formats, sink, maxRows, portal);
    if (!done) return 'suspended';
    sink.commandComplete(outcome.tag);
    if (isTransactionControl(parsed.stmt)) {
      this.transaction.endImplicit(true);
      await this.transaction.settle();
    }
    return 'complete';
  }

  closeStatement(name: string): void {
    this.prepared.delete(name);
  }

  /**
   * PREPARE: bound and planned now, as at Parse, so that the parameter types are inferred
   * and errors surface here. Not transactional: a ROLLBACK keeps it, as in PostgreSQL.
   */
  prepareStatement(stmt: PrepareStmt): void {
    if (this.prepared.has(stmt.name)) {
      throw new SqlError(
        SqlState.DuplicatePreparedStatement,
        `prepared statement "${stmt.name}" already exists`,
      );
    }
    const paramTypes = declaredParameterTypes(stmt, this.bindContext([]));
    const prepared: Prepared = {
      parsed: { stmt: stmt.statement, text: stmt.source, offset: 0, paramCount: stmt.paramCount },
      paramTypes,
      sql: stmt.source,
      prepareTime: (Date.now() - PG_EPOCH_MS) * 1000,
      compiled: null,
      fromSql: true,
      prepareText: this.statementText,
    };
    this.compiled(prepared);
    const undecided = paramTypes.findIndex((t) => t.base === 'unknown');
    if (undecided >= 0) {
      throw new SqlError(
        SqlState.IndeterminateDatatype,
        `could not determine data type of parameter $${undecided + 1}`,
      );
    }
    this.prepared.set(stmt.name, prepared);
  }

  /** DEALLOCATE name, or ALL (null): the protocol's unnamed statement is not among them. */
  deallocate(name: string | null): string {
    if (name === null) {
      for (const key of [...this.prepared.keys()]) if (key !== '') this.prepared.delete(key);
      return 'DEALLOCATE ALL';
    }
    if (!this.prepared.delete(name)) throw noSuchPreparedStatement(name);
    return 'DEALLOCATE';
  }

  closePortal(name: string): void {
    this.portals.delete(name);
  }

  async sync(): Promise<void> {
    this.portals.delete('');
    await this.endForwardedImplicit(this.sink);
    this.transaction.endImplicit(true);
    await this.transaction.settle();
    await this.awaitShards();
  }

  onExtendedError(_error: SqlError): void {
    this.transaction.statementFailed();
    this.forwarding?.statementFailed();
    this.shardWaits = [];
  }

  transactionStatus(): TransactionStatus {
    return this.transaction.status();
  }

  cancel(): void {
    this.interrupts.cancel();
    this.forwarding?.cancel();
  }

  /**
   * The read replica this session reads became the write leader's database (the same
   * catalog): from now on the session is the leader's. A transaction it began on the replica
   * stays read only, as one begun during a PostgreSQL standby's recovery does.
   */
  promote(services: EngineServices): void {
    this.promotedUnreported = true;
    if (this.forwarding) {
      // What the transaction did on the old leader is gone with it.
      if (this.forwarding.onLeader && this.transaction.open) this.transaction.statementFailed();
      this.forwarding.close();
      this.forwarding = null;
    }
    // Still on an older copy than the promoted one (a repeatable read transaction begun
    // before it): the session moves when that transaction has ended.
    if (services.catalog !== this.services.catalog) {
      this.moveTo(services);
      return;
    }
    this.nextCopy = null;
    this.services = services;
    this.transaction.promote(services.storage);
  }

  /**
   * The read replica this session reads has a new copy of the database (after DDL, a
   * TRUNCATE or a checkpoint on the leader): the session moves to it at its next query, so
   * it sees the DDL as a PostgreSQL standby's sessions do, without reconnecting. A copy made
   * in place after DDL shares the old one's transactions, so an open transaction moves with
   * its snapshot; a recovered copy has transactions of its own, and an open transaction
   * moves only if it has not queried yet (see `moveToNextCopy`).
   */
  moveTo(services: EngineServices): void {
    this.nextCopy = services;
    // An idle session moves at once, so that nothing it holds keeps the old copy in memory.
    if (!this.transaction.open) this.switchCopy();
  }

  /**
   * Switches to `nextCopy` unless the session's database is gone from it or the transaction
   * has read the old copy; says which. Compiled plans of prepared statements are dropped
   * (they name the old copy's tables), their result columns kept for the "cached plan must
   * not change result type" check.
   */
  private switchCopy(): 'moved' | 'database dropped' | 'transaction read the old copy' {
    const next = this.nextCopy!;
    const database = next.catalog.databases.get(this.database.name);
    if (!database) return 'database dropped';
    if (!this.transaction.moveTo(next.catalog.txns, next.storage, this.inRecovery(next)))
      return 'transaction read the old copy';
    this.services = next;
    this.nextCopy = null;
    this.database = database;
    this.copyGeneration++;
    for (const prepared of [...this.prepared.values(), ...this.recentStatements.values()]) {
      if (prepared.compiled) prepared.compiled = { ...prepared.compiled, value: null };
    }
    return 'moved';
  }

  /**
   * A query moves the session to the newest copy. A transaction that has queried an old
   * copy whose transactions the new one does not share stays on it when its snapshot is fixed (repeatable read,
   * serializable) or when it asked for no freshness (session, eventual); otherwise its
   * statement cannot see the commits the old copy stopped before, and fails as a PostgreSQL
   * standby's query that conflicts with recovery does.
   */
  private moveToNextCopy(): void {
    const outcome = this.switchCopy();
    if (outcome === 'moved') return;
    if (outcome === 'database dropped') {
      throw new SqlError(
        SqlState.SerializationFailure,
        'terminating connection due to conflict with recovery',
        {
          severity: 'FATAL',
          detail: 'User was connected to a database that must be dropped.',
        },
      );
    }
    const isolation = this.transaction.isolation ?? this.settings.get('default_transaction_isolation');
    const consistency = this.settings.get('quiver.consistency');
    if (isolation !== 'read committed' || (consistency !== 'strong' && consistency !== 'bounded')) return;
    throw new SqlError(SqlState.SerializationFailure, 'canceling statement due to conflict with recovery', {
      detail:
        "The read replica moved to a new copy of the database (DDL, TRUNCATE or a checkpoint on the leader) after this transaction's first query.",
      hint: 'Roll back and repeat the transaction: it will read the new copy.',
    });
  }

  close(): void {
    this.forwarding?.close();
    this.services.sessions?.remove(this.processId);
    this.transaction.abandon();
    this.cancel();
  }

  idleInTransactionTimeout(): number {
    return Number(this.settings.get('idle_in_transaction_session_timeout'));
  }

  // ---------- statement execution ----------

  currentSink(): ResultSink | null {
    return this.sink;
  }

  private typeForOid(oid: number): SqlType {
    if (oid === 0) return T.unknown;
    const found = sqlTypeFromOid(oid);
    if (!found) throw new SqlError(SqlState.UndefinedObject, `type with OID ${oid} does not exist`);
    return found;
  }

  evalContext(): EvalContext {
    const now = (Date.now() - PG_EPOCH_MS) * 1000;
    return {
      dateStyle: this.settings.get('DateStyle'),
      timeZone: this.settings.get('TimeZone'),
      extraFloatDigits: Number(this.settings.get('extra_float_digits')),
      textSearchConfig: this.settings.get('default_text_search_config'),
      statementTimestamp: now,
      transactionTimestamp: this.transaction.startTime || now,
      notice: (severity, message, detail) => this.sink?.notice({ severity, code: '00000', message, detail }),
      objectNames: objectNames(this.services.catalog, this.database, this.searchPath()),
    };
  }

  private bindContext(paramTypes: SqlType[], paramValues?: readonly Value[]): BindContext {
    return sessionBindContext(
      {
        user: this.user,
        database: this.database,
        processId: this.processId,
        services: this.services,
        settings: this.settings,
        sink: () => this.sink,
        lastSequenceValues: this.lastSequenceValues,
        searchPath: () => this.searchPath(),
        checkWritable: (command) => this.checkWritable(command),
        readsLeaderSession: () => {
          if (this.services.replica && this.forwarding && !this.readOnlyTransaction) throw new RunOnLeader();
        },
        preparedStatements: () =>
          [...this.prepared.entries()]
            .filter(([name]) => name !== '')
            .map(([name, p]) => ({
              name,
              statement: p.sql,
              prepareTime: p.prepareTime,
              parameterTypes: p.paramTypes.map((t) => typeOid(t)),
              fromSql: p.fromSql,
            })),
      },
      paramTypes,
      paramValues,
    );
  }

  searchPath(): string[] {
    return this.settings
      .get('search_path')
      .split(',')
      .map((s) => s.trim().replace(/^"(.*)"$/, '$1'))
      .map((s) => (s === '$user' ? this.user : s))
      .filter((s) => s.length > 0);
  }

  /** Plans stay valid while neither the catalog nor this session's settings change. */
  private planKey(): string {
    return `${this.copyGeneration}/${this.services.catalog.version}/${this.settings.generation}`;
  }

  /** The prepared statement's compiled form, rebuilt when the catalog or settings changed. */
  private compiled(prepared: Prepared): CompiledStatement | null {
    const key = this.planKey();
    if (prepared.compiled?.key === key) return prepared.compiled.value;
    const rc = this.runContext({ paramTypes: prepared.paramTypes, params: [] }, this.evalContext());
    const value = prepared.parsed ? compileStatement(prepared.parsed.stmt, rc) : null;
    const columns = value ? (describeStatement(prepared.parsed!.stmt, value) ?? []) : null;
    const before = prepared.compiled?.columns;
    if (before && columns && !sameColumnTypes(before, columns)) {
      // The client already has this statement's RowDescription (PostgreSQL refuses the same way).
      throw new SqlError(SqlState.FeatureNotSupported, 'cached plan must not change result type');
    }
    prepared.compiled = { key, value, columns };
    return value;
  }

  private runContext(
    { paramTypes, params, paramValues }: Pick<StatementRun, 'paramTypes' | 'params' | 'paramValues'>,
    ctx: EvalContext,
    replicaWaitMs?: number,
  ): RunContext {
    const bc = this.bindContext(paramTypes, paramValues);
    const env: ExecEnv = {
      params,
      outer: [],
      ctx,
      txn: this.transaction.id,
      setting: (n) => this.settings.get(n),
      cteRows: new Map(),
      prefetched: new Map(),
      remoteShards: this.services.remoteShards,
      runSubquery: (plan: PlanNode, row: Value[], e: ExecEnv) =>
        execute(plan, { ...e, outer: [row, ...e.outer] }),
      checkInterrupt: () => this.interrupts.check(),
      deferSleep: (ms) => this.interrupts.deferSleep(ms),
      constraintTiming: this.transaction,
      columnDefault: (table, column) => {
        const expr = bindDefault(table.columns[column], bc);
        if (!expr) return null;
        const fn = compileExpr(expr);
        return () => fn([], env);
      },
    };
    const notice = (message: string, detail?: string, hint?: string) =>
      this.sink?.notice({ severity: 'NOTICE', code: '00000', message, detail, hint });
    const rc: RunContext = {
      bc,
      env,
      ddl: {
        bc,
        catalog: this.services.catalog,
        ctx,
        notice,
        runQuery: (plan) => execute(plan, env),
        insertRows: (table, rows) => {
          for (const row of rows) writeRow(table, row, { txn: env.txn, ctx });
        },
        defer: (work) => this.deferredWork.push(work),
        awaitShards: this.transaction.inBlock ? undefined : (index) => this.shardWaits.push(index),
        processId: this.processId,
        saveIndexFile: (index) => this.services.storage?.saveIndexFile(index) ?? Promise.resolve(),
        // Every catalog change registers its undo: the one place to mark compiled plans stale.
        onUndo: (undo: () => void) => {
          const catalog = this.services.catalog;
          catalog.version++;
          this.transaction.onUndo(() => {
            undo();
            catalog.version++;
          });
        },
      },
      utility: (stmt) => runUtility(stmt, this, rc, notice),
      spill: async (table) => {
        // Rows of a savepoint could still roll back alone; a spilled segment is all or nothing.
        if (!this.services.storage || this.transaction.inSubtransaction) return;
        await this.services.storage.spill(this.transaction.topId, table);
      },
      replicaWaitMs,
    };
    return rc;
  }

  /** Binds a stored index expression as this session would (catalog load). */
  indexExpression(expr: Expr, table: Table): IndexExpression {
    return bindIndexExpression(expr, table, this.bindContext([]), this.evalContext());
  }

  /** Binds a stored partial index's WHERE clause as this session would (catalog load). */
  indexPredicate(expr: Expr, table: Table): IndexPredicate {
    return bindIndexPredicate(expr, table, this.bindContext([]), this.evalContext());
  }

  /** Binds a stored CHECK constraint as this session would (catalog load). */
  checkConstraint(stored: StoredCheck, table: Table): CheckConstraint {
    return loadedCheck(stored, table, this.bindContext([]));
  }

  /** Binds a WHERE condition over `table`'s row as this session would (a kNN filter another node shipped). */
  rowFilter(expr: Expr, table: Table, paramTypes: SqlType[]): BoundExpr {
    const bc = this.bindContext(paramTypes);
    const bound = bindOverTable(expr, table, bc, 'WHERE', 'a shipped filter cannot hold a subquery');
    return coerceBoolean(bound, bc, 'WHERE', expr.loc);
  }

  /** The transaction DECLARE CURSOR runs in. */
  cursorTransaction(): CursorTransaction {
    return this.transaction;
  }

  /** BEGIN/COMMIT/ROLLBACK and savepoints, called by the utility runner. */
  setConstraints(stmt: SetConstraintsStmt, bc: BindContext): string {
    const warn = (code: string, message: string) => this.sink?.notice({ severity: 'WARNING', code, message });
    return setConstraints(stmt, this.transaction, bc, warn);
  }

  transactionControl(
    op: TransactionOp,
    savepoint: string | null,
    modes: TransactionModes | null = null,
  ): string {
    return transactionControl(this.transaction, this.settings, this.sink, op, savepoint, modes);
  }

  /**
   * This transaction's modes: SET TRANSACTION … (`statement`), or SET transaction_isolation /
   * transaction_read_only (`setting`: outside a block it changes nothing, silently); or the
   * defaults of later ones (`session`: SET SESSION CHARACTERISTICS AS TRANSACTION …).
   */
  setTransactionModes(modes: TransactionModes, scope: 'statement' | 'setting' | 'session'): void {
    const session = scope === 'session';
    const sink = this.sink;
    const level =
      modes.isolation === null ? null : this.settings.normalize('transaction_isolation', modes.isolation);
    if (session) {
      if (level !== null) this.settings.set('default_transaction_isolation', level, sink);
      if (modes.readOnly !== null)
        this.settings.set('default_transaction_read_only', modes.readOnly ? 'on' : 'off', sink);
      return;
    }
    if (!this.transaction.inBlock) {
      if (scope === 'statement')
        sink?.notice({
          severity: 'WARNING',
          code: '25P01',
          message: 'SET TRANSACTION can only be used in transaction blocks',
        });
      return;
    }
    if (level !== null) this.transaction.setIsolation(level);
    if (modes.readOnly !== null) this.transaction.setReadOnly(modes.readOnly);
  }

  /** Whether sessions of `services` read a replica and cannot write at all (they do not forward writes). */
  private inRecovery(services: EngineServices): boolean {
    return services.replica !== undefined && !this.forwarding;
  }

  /** Whether the current transaction may not write (a read-only transaction, or a replica's). */
  private get readOnlyTransaction(): boolean {
    if (this.inRecovery(this.services)) return true;
    return this.transaction.readOnly ?? this.settings.get('default_transaction_read_only') === 'on';
  }

  /** nextval()/setval() and the like: 25006 in a read-only transaction, as PostgreSQL. */
  checkWritable(command: string): void {
    // A standby session: the statement runs again on the leader (runParsed catches this).
    if (this.services.replica && this.forwarding && !this.readOnlyTransaction) throw new RunOnLeader();
    if (this.readOnlyTransaction) {
      throw new SqlError(
        SqlState.ReadOnlySqlTransaction,
        `cannot execute ${command} in a read-only transaction`,
      );
    }
  }

  private isTemporaryTable(name: QualifiedName): boolean {
    const bc = this.bindContext([]);
    return bc.catalog.findTable(bc.database, name.schema, name.name, bc.searchPath)?.temporary === true;
  }

  private async runParsed(
    parsed: ParsedStatement,
    params: Value[],
    sink: ResultSink,
    prepared?: Prepared,
    resultFormats: readonly FormatCode[] = [],
  ): Promise<Outcome> {
    if (this.promotedUnreported) {
      this.promotedUnreported = false;
      sink.parameterStatus('in_hot_standby', 'off');
    }
    if (this.transaction.failed && !isTransactionEnd(parsed.stmt)) {
      throw new SqlError(
        SqlState.InFailedSqlTransaction,
        'current transaction is aborted, commands ignored until end of transaction block',
      );
    }
    const replica = this.services.replica;
    this.statementText = parsed.text;
    this.transaction.ensureStarted();
    this.transaction.adoptDefaultReadOnly(this.settings.get('default_transaction_read_only') === 'on');
    const run = this.resolveExecute({
      stmt: parsed.stmt,
      prepared,
      paramTypes: prepared ? [...prepared.paramTypes] : [],
      params,
    });
    const stmt = run.stmt;
    const forwarding = this.forwarding;
    if (forwarding && (forwarding.onLeader || this.transaction.readOnly !== true)) {
      const route = forwarding.route(stmt, this.isLocalCursor(stmt), this.snapshotBlockToWrite());
      if (route === 'leader') return this.runOnLeader(parsed, params, stmt, sink, prepared, resultFormats);
      if (route === 'both') await this.runOnLeaderFirst(parsed, stmt);
    }
    // A read-only transaction may still write temporary tables; a replica's may not.
    if (this.readOnlyTransaction || replica)
      refuseWrite(stmt, replica ? undefined : (name) => this.isTemporaryTable(name));
    this.interrupts.start(Number(this.settings.get('statement_timeout')));
    let replicaWaitMs: number | undefined;
    if (!SNAPSHOT_FREE.has(stmt.kind)) {
      if (replica) {
        const waitStart = performance.now();
        const consistency = this.settings.get('quiver.consistency');
        // Right after this session's own write the replica has seldom applied it yet (it
        // reads the WAL batch from object storage): read on the leader instead of waiting.
        const ownWrite =
          this.forwarding !== null &&
          this.forwardedSinceCatchUp &&
          (consistency === 'strong' || consistency === 'session');
        // Only a query, in a transaction that may write (a read-only one stays here and waits):
        // the leader must not get session state (a cursor, a prepared statement) it lacks.
        const toLeader =
          (parsed.stmt.kind === 'Select' || parsed.stmt.kind === 'Copy') &&
          this.transaction.readOnly !== true &&
          !SESSION_STATE.test(parsed.text);
        if (ownWrite && toLeader && !(await this.interrupts.interruptible(replica.caughtUp()))) {
          this.interrupts.finish();
          return this.runOnLeader(parsed, params, stmt, sink, prepared, resultFormats);
        }
        // A cancel or statement_timeout ends the wait, as they end any part of a statement.
        if (!ownWrite || !toLeader)
          await this.interrupts.interruptible(
            replica.awaitFreshness(consistency, Number(this.settings.get('quiver.bounded_staleness'))),
          );
        if (consistency === 'strong' || consistency === 'session') {
          this.forwardedSinceCatchUp = false;
          this.forwardedDdl = false;
        }
        replicaWaitMs = performance.now() - waitStart;
      }
      if (this.nextCopy) this.moveToNextCopy();
      this.transaction.beforeQuery(this.settings.get('default_transaction_isolation'));
    }
    const observer = this.services.observer;
    const started = observer ? performance.now() : 0;
    // Set only once the statement succeeded: the observer counts a null as an error.
    let done: Outcome | null = null;
    try {
      const rc = this.runContext(run, this.evalContext(), replicaWaitMs);
      if (stmt.kind === 'Copy') {
        done = await runCopy(stmt, rc, sink);
        if (!this.transaction.inBlock) this.transaction.runDeferredChecks();
        return done;
      }
      if (stmt.kind === 'NoOp' && stmt.tag === 'VACUUM' && this.transaction.inBlock) {
        throw new SqlError(SqlState.ActiveSqlTransaction, 'VACUUM cannot run inside a transaction block');
      }
      const compiled = run.prepared
        ? this.compiled(run.prepared)
        : stmt.kind === 'Select' || stmt.kind === 'Explain'
          ? compileStatement(stmt, rc)
          : null;
      const searches =
        compiled?.kind === 'query' || compiled?.kind === 'explain'
          ? prefetchVectorSearches(compiled.plan, rc.env, this.processId)
          : null;
      // Searches on other nodes (sharded indexes) end with a cancel or statement_timeout too.
      if (searches) await this.interrupts.interruptible(searches);
      const outcome = runStatement(stmt, rc, compiled);
      // Outside a block the statement's transaction commits next: DEFERRED checks run now.
      if (!this.transaction.inBlock) this.transaction.runDeferredChecks();
      for (const work of this.deferredWork.splice(0)) await work();
      if (stmt.kind === 'NoOp' && (stmt.tag === 'CHECKPOINT' || stmt.tag === 'VACUUM')) {
        await this.services.storage?.checkpoint({ compact: stmt.tag === 'VACUUM' });
      }
      // COMMIT (or END, or a failed block's ROLLBACK) reports only once it is durable.
      await this.transaction.settle();
      await this.interrupts.sleepDeferred();
      done = outcome;
      return outcome;
    } catch (err) {
      // nextval() and the like on a standby: the statement runs on the leader instead.
      if (err instanceof RunOnLeader) {
        done = await this.runOnLeader(parsed, params, stmt, sink, prepared, resultFormats);
        return done;
      }
      throw toSqlError(err);
    } finally {
      this.forwarding?.transactionChanged(this.transaction.inBlock, this.transaction.open);
      this.deferredWork = [];
      this.interrupts.finish();
      // COMMIT or ROLLBACK closed the block: cursors without HOLD close with it.
      if (!this.transaction.open) this.cursors.transactionEnded();
      if (observer) reportStatement(observer, stmt, done, (performance.now() - started) / 1000);
    }
  }

  /**
   * Runs a statement on the write leader (write forwarding), relaying its answer to `sink`:
   * the outcome has no rows left to write. The leader gets the client's own statement — the
   * prepared statement's text and parameters for a protocol Execute, the statement's text
   * for a Query — or `text` instead.
   */
  private async runOnLeader(
    parsed: ParsedStatement,
    params: readonly Value[],
    stmt: Statement,
    sink: ResultSink,
    prepared: Prepared | undefined,
    resultFormats: readonly FormatCode[],
    text?: string,
  ): Promise<Outcome> {
    const ctx = this.evalContext();
    const types = (prepared?.paramTypes ?? []).map((t) => (t.base === 'unknown' ? T.text : t));
    const tag = await this.forwarding!.run(
      {
        sql: text ?? prepared?.sql ?? parsed.text,
        paramTypes: types.map((t) => typeOid(t)),
        params: params.map((v, i) => encodeValue(types[i], v, 1, ctx) as Uint8Array | null),
        paramFormats: params.map(() => 1),
        resultFormats,
        positionOffset: prepared || text ? 0 : parsed.offset,
        copyIn: stmt.kind === 'Copy' && stmt.from,
        simple: prepared === undefined,
      },
      stmt,
      {
        inBlock: this.transaction.inBlock,
        isolation: this.transaction.isolation ?? this.settings.get('default_transaction_isolation'),
        readOnly: this.transaction.readOnly === true,
        savepoints: this.transaction.savepointNames,
      },
      this.settings.changed(),
      sink,
      this.preparesFor(parsed.stmt),
    );
    this.forwardedSinceCatchUp = true;
    if (!DATA_STATEMENTS.has(stmt.kind)) this.forwardedDdl = true;
    return { columns: null, rows: [], tag };
  }

  /** An EXECUTE (or EXPLAIN EXECUTE) of a statement PREPAREd in this session: its PREPARE, for the leader. */
  private preparesFor(stmt: Statement): { name: string; text: string }[] {
    const execute = stmt.kind === 'Explain' ? stmt.statement : stmt;
    if (execute.kind !== 'Execute') return [];
    const text = this.prepared.get(execute.name)?.prepareText;
    return text === undefined ? [] : [{ name: execute.name, text }];
  }

  /**
   * Transaction control in a block the leader runs: the leader's block first, then this
   * session's follows (its answer is the client's). A COMMIT of a block that failed here
   * (a SET, say) rolls the leader's back; a COMMIT the leader refuses ends both.
   */
  private async runOnLeaderFirst(parsed: ParsedStatement, stmt: Statement): Promise<void> {
    const commit = stmt.kind === 'Transaction' && stmt.op === 'commit';
    const text = commit && this.transaction.failed ? 'ROLLBACK' : parsed.text;
    try {
      await this.runOnLeader(parsed, [], stmt, QUIET_SINK, undefined, [], text);
    } catch (error) {
      if (commit) {
        this.transaction.endBlock(false);
        this.forwarding?.transactionChanged(false, false);
      }
      throw error;
    }
  }

  /** FETCH, MOVE or CLOSE of a cursor this session declared (on a standby: on its replica). */
  private isLocalCursor(stmt: Statement): boolean {
    return (stmt.kind === 'Fetch' || stmt.kind === 'ClosePortal') && this.cursors.has(stmt.name);
  }

  /** A REPEATABLE READ or SERIALIZABLE block that may write: on a standby it runs on the leader. */
  private snapshotBlockToWrite(): boolean {
    if (!this.transaction.inBlock || this.transaction.readOnly === true) return false;
    const level = this.transaction.isolation ?? this.settings.get('default_transaction_isolation');
    return level === 'repeatable read' || level === 'serializable';
  }

  /**
   * EXECUTE runs the prepared statement it names as the protocol's Execute does, with the
   * plan kept for it. EXPLAIN EXECUTE plans it afresh for the arguments, as constants: what
   * PostgreSQL shows for its custom plans.
   */
  private resolveExecute(run: StatementRun): StatementRun {
    const stmt = run.stmt;
    const explain = stmt.kind === 'Explain' ? stmt : null;
    const execute = stmt.kind === 'Execute' ? stmt : explain?.statement;
    if (execute?.kind !== 'Execute') return run;
    const target = this.prepared.get(execute.name);
    if (!target) throw noSuchPreparedStatement(execute.name);
    const params = executeArguments(execute, target.paramTypes, this.bindContext([]), this.evalContext());
    const paramTypes = [...target.paramTypes];
    // A Parse of the empty string: nothing to run.
    const statement: Statement = target.parsed?.stmt ?? { kind: 'NoOp', tag: 'EXECUTE' };
    if (explain === null) return { stmt: statement, prepared: target, paramTypes, params };
    if (!isPreparable(statement)) {
      throw new SqlError(
        SqlState.FeatureNotSupported,
        'EXPLAIN is only supported for SELECT, INSERT, UPDATE and DELETE',
      );
    }
    return { stmt: { ...explain, statement }, paramTypes, params, paramValues: params };
  }

  /**
   * CREATE INDEX … WITH (shards) on a cluster returns, like pgvector's, once the index can be
   * searched: when each shard is held by a node that built it. That can only be after the
   * implicit transaction committed (the other nodes build from the committed catalog), so
   * it is waited for before ReadyForQuery. A cancel or statement_timeout ends the wait, not
   * the committed index (a WARNING says so, as PostgreSQL's does when a commit stops waiting
   * for a synchronous standby).
   */
  private async awaitShards(): Promise<void> {
    for (const index of this.shardWaits.splice(0)) {
      this.interrupts.start(Number(this.settings.get('statement_timeout')));
      try {
        await this.interrupts.interruptible(
          this.services.catalog.indexShardsHeld(index.oid, index.options.shards ?? 1),
        );
      } catch (error) {
        if (!(error instanceof SqlError) || error.code !== SqlState.QueryCanceled) throw error;
        this.cancelledShardWait(index, error);
      } finally {
        this.interrupts.finish();
      }
    }
  }

  private cancelledShardWait(index: IndexDef, error: SqlError): void {
    const why = error.message.replace(/^canceling statement /, '');
    this.sink?.notice({
      severity: 'WARNING',
      code: '01000',
      message: `canceling wait for the shards of index "${index.name}" ${why}`,
      detail: `Index "${index.name}" was created; its shards are built in the background, and until one is built queries search its rows exactly.`,
    });
  }

  /** Writes rows from the portal cursor; returns true when all rows were sent. */
  private async writeRows(
    outcome: Outcome,
    formats: readonly FormatCode[],
    sink: ResultSink,
    maxRows: number,
    portal?: Portal,
  ): Promise<boolean> {
    if (!outcome.columns) return true;
    const ctx = this.evalContext();
    const types = outcome.columns.map((c) => c.type);
    const fmt = types.map((_, i) => (formats.length === 1 ? formats[0] : (formats[i] ?? 0)) as FormatCode);
    const start = portal?.cursor ?? 0;
    const end = maxRows > 0 ? Math.min(outcome.rows.length, start + maxRows) : outcome.rows.length;
    for (let r = start; r < end; r++) {
      const row = outcome.rows[r];
      sink.dataRow(row.map((v, i) => encodeValue(types[i], v, fmt[i], ctx)));
      if ((r & 1023) === 1023) await sink.flush();
    }
    if (portal) portal.cursor = end;
    return end >= outcome.rows.length;
  }
}

/** Statements that change no catalog entry (after one ran on the leader, a Parse need not wait). */
const DATA_STATEMENTS: ReadonlySet<Statement['kind']> = new Set([
  'Select',
  'Insert',
  'Update',
  'Delete',
  'Copy',
  'Explain',
  'Execute',
  'Transaction',
  'Set',
  'Show',
  'DeclareCursor',
  'Fetch',
  'ClosePortal',
]);

/**
 * What a query may read of its session rather than of the tables (prepared statements,
 * cursors, settings, the backend's identity): on a standby such a query is not sent to the
 * leader's session after a write, whose session state is not this one's; it waits for the
 * replica instead.
 */
const SESSION_STATE =
  /\bpg_(prepared_statements|cursors|backend_pid|settings|stat_activity)\b|current_setting|inet_client|\bcurrval\b/i;

/** Statements that do not take a transaction's snapshot (PostgreSQL's utility commands that read no tables). */
const SNAPSHOT_FREE: ReadonlySet<Statement['kind']> = new Set([
  'Transaction',
  'Set',
  'Show',
  'NoOp',
  'Deallocate',
]);

function isPreparable(stmt: Statement): stmt is PreparableStmt {
  return stmt.kind === 'Select' || stmt.kind === 'Insert' || stmt.kind === 'Update' || stmt.kind === 'Delete';
}

/** Parameters whose type nothing decided are text, as for an untyped literal. */
function unknownAsText(types: SqlType[]): void {
  for (let i = 0; i < types.length; i++) if (types[i].base === 'unknown') types[i] = T.text;
}

function isTransactionEnd(stmt: Statement): boolean {
  return (
    stmt.kind === 'Transaction' &&
    (stmt.op === 'commit' || stmt.op === 'rollback' || stmt.op === 'rollback to')
  );
}

function isTransactionControl(stmt: Statement): boolean {
  return stmt.kind === 'Transaction';
}

function sameColumnTypes(ca: readonly OutputColumn[], cb: readonly OutputColumn[]): boolean {
  return (
    ca.length === cb.length &&
    ca.every((c, i) => c.type.base === cb[i].type.base && c.type.isArray === cb[i].type.isArray)
  );
}
