/**
 * Write forwarding: a session on a cluster standby reads its node's read replica and runs
 * what writes on the write leader, over a connection of its own to it (the leader link,
 * src/cluster/leader-link.ts). So every node serves the reads of its own clients — load
 * spreads with the nodes — while writes keep one leader.
 *
 * What runs where (`route`):
 * - Reads (SELECT, EXPLAIN, SHOW, COPY TO, cursors) run on the replica; with the default
 *   `quiver.consistency = strong` the replica first applies every commit acknowledged so
 *   far, so a client reads its own writes.
 * - A statement that writes (INSERT/UPDATE/DELETE, SELECT … FOR UPDATE, COPY FROM, DDL,
 *   nextval()) runs on the leader inside a transaction there: one the leader link opens
 *   for the client's implicit transaction (committed when that ends — at Sync or the end of
 *   a Query — so a pipeline of statements commits as one, as on PostgreSQL), or the
 *   client's own block. From then on until the transaction ends everything runs on the
 *   leader, so the transaction sees its own writes.
 * - A REPEATABLE READ or SERIALIZABLE read-write block runs on the leader from its first
 *   statement on: its snapshot must be the one it writes in.
 * - Settings (SET) stay in the session; before each statement the link sends the leader
 *   the values that changed since it last did. Transaction control in a block the leader
 *   runs goes to both: the leader first, then the session's own transaction follows it.
 * - A session that created a temporary table (it lives on the leader) runs everything
 *   there from then on.
 *
 * A session that starts read only (default_transaction_read_only=on in its startup packet)
 * does not forward: it is a hot-standby session (in_hot_standby on, writes 25006). A
 * weaker `quiver.consistency` forwards its writes too; `session` then reads its own writes
 * (the first read after one waits as a strong read does), `bounded` and `eventual` may not.
 */

import { SqlError, SqlState } from '../errors/sql-error.ts';
import type { Statement } from '../sql/ast-utility.ts';
import type { FieldDescription, FormatCode, ResultSink, StartupInfo } from '../wire/session.ts';
import { writingCommand } from './read-only.ts';

/** One statement to run on the leader (with the statements that set its stage). */
export interface LinkStatement {
  /** Parameterless statements run first in the same pipeline (settings, BEGIN, SAVEPOINT). */
  readonly before: readonly string[];
  readonly sql: string;
  readonly paramTypes: readonly number[];
  readonly params: readonly (Uint8Array | null)[];
  readonly paramFormats: readonly FormatCode[];
  readonly resultFormats: readonly FormatCode[];
  /** Added to an error's position: where `sql` starts in the text the client sent. */
  readonly positionOffset: number;
  /** A COPY FROM STDIN: the client's data follows the leader's CopyInResponse. */
  readonly copyIn: boolean;
  /**
   * Sent as the client sent it: in a Query message (with `before` ahead of it in the same
   * string; a $n in it is an error there too), not Parse/Bind/Execute.
   */
  readonly simple: boolean;
}

/** A session's connection to the write leader. */
export interface LeaderConnection {
  readonly alive: boolean;
  /**
   * The changed settings the leader's session has, as this connection last set them; null
   * when not known (a rollback there may have undone some): they are all set again.
   */
  sentSettings: Map<string, string> | null;
  /**
   * Runs the statement, relaying the leader's answer to `sink`; returns its command tag.
   * Throws the leader's SqlError, or LinkLost when the connection broke first.
   */
  run(statement: LinkStatement, sink: ResultSink): Promise<string>;
  /** Parameter types and result columns of `sql` prepared on the leader (after `before`). */
  describe(before: readonly string[], sql: string, paramTypes: readonly number[]): Promise<RemoteDescription>;
  cancel(): void;
  close(): void;
}

/** What the leader's Describe of a statement answered. */
export interface RemoteDescription {
  readonly parameterTypes: readonly number[];
  readonly fields: readonly FieldDescription[] | null;
}

/** The connection to the write leader broke: the statement may or may not have run there. */
export class LinkLost extends Error {}

/** A standby's side of write forwarding (server/start-cluster.ts). */
export interface WriteLeader {
  /** How a new session reaches the leader; null for a session that only reads. */
  forSession(info: StartupInfo): (() => Promise<LeaderConnection>) | null;
}

/** Thrown by a replica session's write check (nextval()…) when the statement can run on the leader instead. */
export class RunOnLeader extends Error {}

export type Route = 'replica' | 'leader' | 'both';

/** What forwarding asks of its session's transaction. */
export interface ForwardedTransaction {
  readonly inBlock: boolean;
  /** The block's isolation level (or the session default). */
  readonly isolation: string;
  /** BEGIN READ ONLY (a block that still runs on the leader: it reads a temporary table). */
  readonly readOnly: boolean;
  /** Savepoints open in the block, outermost first. */
  readonly savepoints: readonly string[];
}

export class WriteForwarding {
  private link: LeaderConnection | null = null;
  /** The transaction open on the leader: one for the client's implicit transaction, or its block. */
  private leaderTransaction: 'none' | 'implicit' | 'block' = 'none';
  /** The session created a temporary table, which only the leader has. */
  private pinned = false;
  /** A statement of the implicit transaction failed (extended protocol): Sync rolls it back. */
  private implicitFailed = false;
  /** PREPAREd statements the leader's session has (name → the PREPARE statement). */
  private preparedOnLeader = new Map<string, string>();

  constructor(private readonly connect: () => Promise<LeaderConnection>) {}

  /** Whether statements run on the leader whatever they are (a transaction there, or a temporary table). */
  get onLeader(): boolean {
    return this.pinned || this.leaderTransaction !== 'none';
  }

  /**
   * Where `stmt` runs. `localCursor`: FETCH/CLOSE of a cursor the replica session declared
   * (it stays there). `readWriteSnapshot`: the block is REPEATABLE READ or SERIALIZABLE,
   * read-write, and has not queried yet.
   */
  route(stmt: Statement, localCursor: boolean, readWriteSnapshot: boolean): Route {
    switch (stmt.kind) {
      case 'Show':
      case 'Prepare':
      case 'Deallocate':
        return 'replica';
      case 'Set':
        return stmt.action === 'modes' && this.leaderTransaction === 'block' ? 'both' : 'replica';
      case 'Fetch':
      case 'ClosePortal':
        if (localCursor) return 'replica';
        break;
      case 'Transaction':
        return this.onLeader ? 'both' : 'replica';
    }
    if (this.onLeader || readWriteSnapshot) return 'leader';
    return runsOnReplica(stmt) ? 'replica' : 'leader';
  }

  /**
   * Runs one statement on the leader, opening the link and the leader's transaction as
   * needed, and relays its answer to `sink`. `settings` are the session's current values.
   */
  async run(
    statement: Omit<LinkStatement, 'before'>,
    stmt: Statement,
    txn: ForwardedTransaction,
    settings: ReadonlyMap<string, string>,
    sink: ResultSink,
    prepares: readonly { readonly name: string; readonly text: string }[] = [],
  ): Promise<string> {
    const link = await this.openLink();
    // The transaction first: BEGIN must come before any query in it.
    const before: string[] = [];
    // A statement that refuses transaction blocks runs on its own there, as it does here.
    const opens =
      this.leaderTransaction === 'none' &&
      stmt.kind !== 'Transaction' &&
      (txn.inBlock || !refusesBlock(stmt));
    if (opens) {
      // Its modes are this session's (the leader's session defaults may lag behind them).
      const mode = txn.readOnly ? 'READ ONLY' : 'READ WRITE';
      before.push(`BEGIN ISOLATION LEVEL ${txn.isolation.toUpperCase()} ${mode}`);
      for (const name of txn.savepoints) before.push(`SAVEPOINT ${identifier(name)}`);
    }
    // Transaction control needs no settings (and in a failed block nothing else may run).
    if (stmt.kind !== 'Transaction') before.push(...settingsToSend(link, settings));
    // EXECUTE of a statement PREPAREd here: the leader's session prepares it first.
    for (const { name, text } of prepares) {
      const there = this.preparedOnLeader.get(name);
      if (there === text) continue;
      if (there !== undefined) before.push(`DEALLOCATE ${identifier(name)}`);
      before.push(text);
      this.preparedOnLeader.set(name, text);
    }
    const ending = stmt.kind === 'Transaction' && (stmt.op === 'commit' || stmt.op === 'prepare');
    try {
      const tag = await link.run({ ...statement, before }, sink);
      if (opens) this.leaderTransaction = txn.inBlock ? 'block' : 'implicit';
      if (stmt.kind === 'CreateTable' && stmt.temporary) this.pinned = true;
      if (stmt.kind === 'Transaction' && (stmt.op === 'rollback' || stmt.op === 'rollback to'))
        link.sentSettings = null;
      return tag;
    } catch (error) {
      if (!(error instanceof LinkLost)) {
        link.sentSettings = null;
        // The leader's transaction is open (and failed) from here: the client ends it.
        if (opens) this.leaderTransaction = txn.inBlock ? 'block' : 'implicit';
        throw error;
      }
      throw this.lost(ending);
    }
  }

  /** The session's transaction ended (or its block began or ended through `both`): follow it. */
  transactionChanged(inBlock: boolean, open: boolean): void {
    if (!open) this.leaderTransaction = 'none';
    else if (inBlock && this.leaderTransaction !== 'none') this.leaderTransaction = 'block';
    else if (inBlock && this.pinned) this.leaderTransaction = 'block';
  }

  /**
   * The client's implicit transaction ends: commit (or roll back) the leader's, if one was
   * opened for it. A failed commit throws the leader's error.
   */
  async endImplicit(requested: boolean, sink: ResultSink | null): Promise<void> {
    const commit = requested && !this.implicitFailed;
    this.implicitFailed = false;
    if (this.leaderTransaction !== 'implicit') return;
    this.leaderTransaction = 'none';
    const link = this.link;
    if (!link?.alive) {
      if (commit) throw this.lost(true);
      return;
    }
    const sql = commit ? 'COMMIT' : 'ROLLBACK';
    if (!commit) link.sentSettings = null;
    try {
      const tag = await link.run(simple(sql), sink ?? QUIET_SINK);
      // A transaction that failed on the leader ends in ROLLBACK, whatever was asked.
      if (commit && tag === 'ROLLBACK')
        throw new SqlError(SqlState.InFailedSqlTransaction, 'the write leader rolled back the transaction');
    } catch (error) {
      if (error instanceof LinkLost) {
        if (commit) throw this.lost(true);
        return;
      }
      if (commit) throw error;
    }
  }

  /**
   * Describes a statement on the leader: one the replica cannot prepare because it reads a
   * temporary table, which only the leader has.
   */
  async describe(
    sql: string,
    paramTypes: readonly number[],
    settings: ReadonlyMap<string, string>,
  ): Promise<RemoteDescription> {
    const link = await this.openLink();
    try {
      return await link.describe(settingsToSend(link, settings), sql, paramTypes);
    } catch (error) {
      if (error instanceof LinkLost) throw this.lost(false);
      throw error;
    }
  }

  /** A statement failed in extended mode: an implicit transaction on the leader rolls back at Sync. */
  statementFailed(): void {
    if (this.leaderTransaction === 'implicit') this.implicitFailed = true;
  }

  cancel(): void {
    this.link?.cancel();
  }

  /** The session ends, or it became the leader's own (promotion): the link goes. */
  close(): void {
    this.link?.close();
    this.link = null;
    this.leaderTransaction = 'none';
    this.pinned = false;
  }

  private async openLink(): Promise<LeaderConnection> {
    if (this.link?.alive) return this.link;
    if (this.leaderTransaction !== 'none') throw this.lost(false);
    this.link = await this.connect();
    this.pinned = false;
    this.preparedOnLeader = new Map();
    return this.link;
  }

  /**
   * The link broke with a leader transaction open: it is gone (a new leader never saw it
   * committed), unless the break came during its COMMIT, when nobody knows.
   */
  private lost(committing: boolean): SqlError {
    this.link?.close();
    this.link = null;
    this.leaderTransaction = 'none';
    this.pinned = false;
    if (committing)
      return new SqlError(
        SqlState.StatementCompletionUnknown,
        'the connection to the write leader was lost while the transaction committed',
        { hint: 'The transaction may or may not have committed; check before retrying it.' },
      );
    return new SqlError(
      SqlState.SerializationFailure,
      'the connection to the write leader was lost; the transaction was rolled back',
      { hint: 'Retry the transaction.' },
    );
  }
}

/** Statements PostgreSQL refuses to run inside a transaction block. */
function refusesBlock(stmt: Statement): boolean {
  switch (stmt.kind) {
    case 'NoOp':
      return stmt.tag === 'VACUUM';
    case 'Reindex':
      return stmt.concurrently || (stmt.target !== 'index' && stmt.target !== 'table');
    case 'CreateDatabase':
    case 'DropDatabase':
      return true;
    default:
      return false;
  }
}

/** Whether a statement only reads (a read replica can run it). */
function runsOnReplica(stmt: Statement): boolean {
  switch (stmt.kind) {
    case 'Select':
    case 'Explain':
      return writingCommand(stmt) === null;
    case 'DeclareCursor':
      return writingCommand(stmt.query) === null;
    case 'Copy':
      return !stmt.from;
    case 'Fetch':
    case 'ClosePortal':
    case 'Execute':
      return true;
    case 'NoOp':
      return stmt.tag !== 'CHECKPOINT' && stmt.tag !== 'VACUUM' && stmt.tag !== 'ANALYZE';
    default:
      return false;
  }
}

/**
 * Statements that give the leader's session the `changed` settings (those the session set
 * away from their defaults): set_config for a new value, RESET for one set back.
 */
function settingsToSend(link: LeaderConnection, changed: ReadonlyMap<string, string>): string[] {
  const out: string[] = [];
  if (link.sentSettings === null) {
    out.push('RESET ALL');
    link.sentSettings = new Map();
  }
  const sent = link.sentSettings;
  for (const [name, value] of changed) {
    if (sent.get(name) === value) continue;
    out.push(`SELECT pg_catalog.set_config(${literal(name)}, ${literal(value)}, false)`);
    sent.set(name, value);
  }
  for (const name of [...sent.keys()]) {
    if (changed.has(name)) continue;
    // Setting names are plain words (a placeholder's with a dot), never quoted.
    if (/^[A-Za-z_][\w.]*$/.test(name)) out.push(`RESET ${name}`);
    sent.delete(name);
  }
  return out;
}

function simple(sql: string): LinkStatement {
  return {
    before: [],
    sql,
    paramTypes: [],
    params: [],
    paramFormats: [],
    resultFormats: [],
    positionOffset: 0,
    copyIn: false,
    simple: false,
  };
}

function literal(text: string): string {
  return `'${text.replaceAll("'", "''")}'`;
}

function identifier(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

/** A sink for answers nobody reads (the leader's side of transaction control). */
export const QUIET_SINK: ResultSink = {
  rowDescription: () => {},
  dataRow: () => {},
  commandComplete: () => {},
  emptyQuery: () => {},
  notice: () => {},
  parameterStatus: () => {},
  flush: async () => {},
  copyIn: () => (async function* () {})(),
  copyOutStart: () => {},
  copyData: () => {},
  copyDone: () => {},
};
