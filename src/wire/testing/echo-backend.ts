/**
 * A tiny Backend/Session for wire tests. It understands no SQL: a few magic query texts
 * trigger errors, transactions, COPY or slow statements; anything else echoes itself back
 * as one text row in a column named "echo".
 *
 * Users: any name → trust, except "clear" (cleartext), "md5user" (md5), "scram"
 * (SCRAM-SHA-256) — all with password "secret" — and "nobody" (rejected).
 */
import { createHash } from 'node:crypto';
import { SqlError, SqlState } from '../../errors/sql-error.ts';
import { makeScramVerifier } from '../scram-verifier.ts';
import type {
  AuthPlan,
  Backend,
  BindRequest,
  ExecuteResult,
  FieldDescription,
  ResultSink,
  Session,
  StartupInfo,
  StatementDescription,
  TransactionStatus,
} from '../session.ts';

export const PASSWORD = 'secret';
const TEXT_OID = 25;
const ECHO_FIELD: FieldDescription = {
  name: 'echo',
  tableOid: 0,
  columnAttr: 0,
  typeOid: TEXT_OID,
  typeSize: -1,
  typeMod: -1,
  format: 0,
};
const SCRAM = makeScramVerifier(PASSWORD);

const canceled = () => new SqlError(SqlState.QueryCanceled, 'canceling statement due to user request');

export class EchoBackend implements Backend {
  readonly sessions: EchoSession[] = [];
  readonly startups: StartupInfo[] = [];
  idleInTransactionTimeoutMs = 0;

  async authPlan(info: StartupInfo): Promise<AuthPlan> {
    this.startups.push(info);
    switch (info.user) {
      case 'clear':
        return { method: 'password', check: (password) => password === PASSWORD };
      case 'md5user':
        return {
          method: 'md5',
          check: (response, salt) => {
            const inner = createHash('md5').update(`${PASSWORD}${info.user}`).digest('hex');
            const outer = createHash('md5').update(inner).update(salt).digest('hex');
            return response === `md5${outer}`;
          },
        };
      case 'scram':
        return { method: 'scram-sha-256', verifier: SCRAM };
      case 'nobody':
        return {
          method: 'reject',
          error: new SqlError(SqlState.InvalidAuthorizationSpecification, 'role "nobody" does not exist'),
        };
      default:
        return { method: 'trust' };
    }
  }

  async openSession(info: StartupInfo) {
    if (info.database === 'missing') {
      throw new SqlError(SqlState.InvalidCatalogName, 'database "missing" does not exist');
    }
    const session = new EchoSession(this);
    this.sessions.push(session);
    return { session, parameterStatus: { server_version: '16.0', client_encoding: 'UTF8' } };
  }
}

interface Portal {
  readonly sql: string;
  readonly parameters: readonly (Uint8Array | null)[];
  position: number;
}

export class EchoSession implements Session {
  status: TransactionStatus = 'I';
  closed = false;
  cancels = 0;
  extendedErrors: SqlError[] = [];
  copied: string[] = [];
  /** Rows written so far by a `many N` query. */
  produced = 0;
  private readonly statements = new Map<string, { sql: string; types: number[] }>();
  private readonly portals = new Map<string, Portal>();
  private abort: (() => void) | null = null;

  constructor(private readonly backend: EchoBackend) {}

  /** True while a `sleep N` statement is running (and can be cancelled). */
  get sleeping(): boolean {
    return this.abort !== null;
  }

  async simpleQuery(sql: string, sink: ResultSink): Promise<void> {
    if (sql.trim() === '') return sink.emptyQuery();
    await this.run(sql, [], sink, true);
  }

  /** Runs one "statement", writing its result. */
  private async run(
    sql: string,
    params: readonly (Uint8Array | null)[],
    sink: ResultSink,
    describe: boolean,
  ) {
    const command = sql.trim().toLowerCase();
    if (command.startsWith('fail')) {
      if (this.status === 'T') this.status = 'E';
      throw new SqlError(SqlState.SyntaxError, 'syntax error at or near "fail"', { position: 1 });
    }
    if (command === 'boom') throw new Error('kaboom');
    if (command === 'begin') this.status = 'T';
    else if (command === 'commit' || command === 'rollback') this.status = 'I';
    if (command.startsWith('sleep')) await this.sleep(Number(command.split(' ')[1]));
    if (command === 'notice') sink.notice({ severity: 'NOTICE', code: '00000', message: 'hello' });
    if (command === 'copy in') {
      let data = '';
      for await (const chunk of sink.copyIn({ format: 0, columnCount: 1 }))
        data += Buffer.from(chunk).toString();
      this.copied.push(data);
      return sink.commandComplete(`COPY ${data.split('\n').filter(Boolean).length}`);
    }
    if (command === 'copy out') {
      sink.copyOutStart({ format: 0, columnCount: 1 });
      sink.copyData(Buffer.from('a\n'));
      sink.copyData(Buffer.from('b\n'));
      sink.copyDone();
      return sink.commandComplete('COPY 2');
    }
    if (describe) sink.rowDescription([ECHO_FIELD]);
    const many = /^many (\d+)$/.exec(command);
    if (many) {
      // Streams rows, waiting for the socket every 100 rows (back-pressure).
      const row = 'x'.repeat(1000);
      for (this.produced = 0; this.produced < Number(many[1]); this.produced++) {
        sink.dataRow([row]);
        if (this.produced % 100 === 99) await sink.flush();
      }
      return sink.commandComplete(`SELECT ${many[1]}`);
    }
    const text =
      params.length > 0 ? params.map((p) => (p ? Buffer.from(p).toString() : 'NULL')).join(',') : sql;
    sink.dataRow([text]);
    sink.commandComplete('SELECT 1');
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(resolve, ms);
      this.abort = () => {
        clearTimeout(timer);
        reject(canceled());
      };
    }).finally(() => {
      this.abort = null;
    }) as Promise<void>;
  }

  async parse(name: string, sql: string, parameterTypes: readonly number[]): Promise<void> {
    if (sql.trim().toLowerCase().startsWith('fail')) {
      throw new SqlError(SqlState.SyntaxError, 'syntax error at or near "fail"', { position: 1 });
    }
    const count = new Set(sql.match(/\$\d+/g) ?? []).size;
    const types = Array.from({ length: count }, (_, i) => parameterTypes[i] || TEXT_OID);
    this.statements.set(name, { sql, types });
  }

  async bind(request: BindRequest): Promise<void> {
    const statement = this.statements.get(request.statement);
    if (!statement) {
      throw new SqlError(
        SqlState.InvalidSqlStatementName,
        `prepared statement "${request.statement}" does not exist`,
      );
    }
    this.portals.set(request.portal, { sql: statement.sql, parameters: request.parameters, position: 0 });
  }

  describeStatement(name: string): StatementDescription {
    const statement = this.statements.get(name);
    if (!statement)
      throw new SqlError(SqlState.InvalidSqlStatementName, `prepared statement "${name}" does not exist`);
    return {
      parameterTypes: statement.types,
      fields: /^\s*(set|begin|commit)/i.test(statement.sql) ? null : [ECHO_FIELD],
    };
  }

  describePortal(name: string): readonly FieldDescription[] | null {
    const portal = this.portals.get(name);
    if (!portal) throw new SqlError(SqlState.InvalidCursorName, `portal "${name}" does not exist`);
    return /^\s*(set|begin|commit)/i.test(portal.sql) ? null : [ECHO_FIELD];
  }

  async execute(name: string, maxRows: number, sink: ResultSink): Promise<ExecuteResult> {
    const portal = this.portals.get(name);
    if (!portal) throw new SqlError(SqlState.InvalidCursorName, `portal "${name}" does not exist`);
    const series = /^series (\d+)$/.exec(portal.sql.trim());
    if (series) {
      // Rows 1..n, resumable: the portal keeps its position between Execute messages.
      const total = Number(series[1]);
      let sent = 0;
      while (portal.position < total) {
        if (maxRows > 0 && sent === maxRows) return 'suspended';
        sink.dataRow([String(++portal.position)]);
        sent++;
      }
      sink.commandComplete(`SELECT ${total}`);
      return 'complete';
    }
    await this.run(portal.sql, portal.parameters, sink, true);
    return 'complete';
  }

  closeStatement(name: string): void {
    this.statements.delete(name);
  }

  closePortal(name: string): void {
    this.portals.delete(name);
  }

  async sync(): Promise<void> {
    this.portals.delete('');
  }

  onExtendedError(error: SqlError): void {
    this.extendedErrors.push(error);
  }

  transactionStatus(): TransactionStatus {
    return this.status;
  }

  cancel(): void {
    this.cancels++;
    this.abort?.();
  }

  close(): void {
    this.closed = true;
    this.abort?.();
  }

  idleInTransactionTimeout(): number {
    return this.backend.idleInTransactionTimeoutMs;
  }
}
