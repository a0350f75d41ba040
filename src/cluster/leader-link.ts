/**
 * A standby session's own connection to the write leader (write forwarding): the standby
 * runs a client's reads on its read replica and sends the statements that write to the
 * leader over this link, relaying the leader's answer — rows, notices, errors, COPY data —
 * to the client as if it were its own.
 *
 * The link is an ordinary PostgreSQL protocol connection (extended query protocol) after the
 * forwarding header of sql-proxy.ts. The header vouches for the user: the standby has
 * authenticated the client already, and the cluster secret proves the header comes from a
 * node, so the leader lets the link in as that user without a password.
 *
 * One statement at a time: `run` sends the statements to run first (SET, BEGIN, SAVEPOINT)
 * and the statement, each Parse/Bind/Execute, then one Sync, so that an error anywhere
 * skips the rest — the leader discards messages up to the Sync — and the link is in step
 * again at the ReadyForQuery that follows.
 */
import { connect, type Socket } from 'node:net';
import {
  type LeaderConnection,
  LinkLost,
  type LinkStatement,
  type RemoteDescription,
} from '../engine/write-forwarding.ts';
import { SqlError, SqlState } from '../errors/sql-error.ts';
import type { SqlStateCode } from '../errors/sqlstate.ts';
import type { FieldDescription, FormatCode, Notice, ResultSink, WireValue } from '../wire/session.ts';
import { forwardHeader, splitAddress } from './sql-proxy.ts';

interface Frame {
  readonly type: number;
  readonly body: Buffer;
}

const ROW_FLUSH_EVERY = 1024;

export class LeaderLink implements LeaderConnection {
  private buffered: Buffer = Buffer.alloc(0);
  private readonly frames: Frame[] = [];
  private waiter: (() => void) | null = null;
  private closed = false;
  private processId = 0;
  private secretKey = 0;
  sentSettings: Map<string, string> | null = new Map();

  private constructor(
    private readonly socket: Socket,
    private readonly address: string,
    private readonly header: Buffer,
  ) {
    socket.on('data', (chunk: Buffer) => {
      this.buffered = this.buffered.length === 0 ? chunk : Buffer.concat([this.buffered, chunk]);
      this.split();
    });
    socket.on('close', () => {
      this.closed = true;
      this.wake();
    });
    socket.on('error', () => {});
  }

  /**
   * Opens a link to the leader at `address` for `user`, vouched for by the cluster `secret`;
   * `client` is the client's own address (the leader's sessions see it).
   */
  static async open(options: {
    address: string;
    secret: string;
    client: string;
    user: string;
    database: string;
  }): Promise<LeaderLink> {
    const { host, port } = splitAddress(options.address);
    const header = forwardHeader(options.secret, options.client, options.user);
    const socket = connect({ host, port, noDelay: true });
    const link = new LeaderLink(socket, options.address, header);
    socket.write(header);
    socket.write(startupMessage({ user: options.user, database: options.database, client_encoding: 'UTF8' }));
    for (;;) {
      const frame = await link.next();
      switch (String.fromCharCode(frame.type)) {
        case 'R':
          if (frame.body.readInt32BE(0) !== 0) {
            link.close();
            throw new SqlError(
              SqlState.ConnectionFailure,
              'the write leader asked the forwarding link for a password',
            );
          }
          break;
        case 'K':
          link.processId = frame.body.readInt32BE(0);
          link.secretKey = frame.body.readInt32BE(4);
          break;
        case 'E':
          link.close();
          throw errorFrom(frame.body, 0);
        case 'Z':
          return link;
        default:
          // ParameterStatus, NoticeResponse, NegotiateProtocolVersion: nothing to keep.
          break;
      }
    }
  }

  get alive(): boolean {
    return !this.closed;
  }

  /**
   * Runs `statement` on the leader, relaying its row description, rows, notices and COPY
   * data to `sink`; returns the command tag. A SqlError is the leader's error (its
   * transaction is then failed or rolled back, as the leader's own client would see);
   * LinkLost means the link broke first.
   */
  async run(statement: LinkStatement, sink: ResultSink): Promise<string> {
    let synced: boolean;
    let positionOffset = statement.positionOffset;
    if (statement.simple) {
      // One Query: an error stops the statements after it, and ReadyForQuery ends it.
      const prefix = statement.before.map((sql) => `${sql};\n`).join('');
      positionOffset -= [...prefix].length;
      this.socket.write(message('Q', cstring(prefix + statement.sql)));
      synced = true;
    } else {
      const out: Buffer[] = [];
      for (const sql of statement.before) out.push(parse(sql, []), bind([], [], []), execute());
      out.push(
        parse(statement.sql, statement.paramTypes),
        bind(statement.params, statement.paramFormats, statement.resultFormats),
        describePortal(),
        execute(),
      );
      // A COPY FROM's Sync follows its data (other messages are an error during copy-in);
      // Flush makes the leader answer up to CopyInResponse.
      synced = !statement.copyIn;
      out.push(message(synced ? 'S' : 'H'));
      this.socket.write(Buffer.concat(out));
    }
    const sync = () => {
      if (synced) return;
      this.socket.write(message('S'));
      synced = true;
    };
    let error: SqlError | null = null;
    let tag = '';
    let rows = 0;
    let completed = 0;
    for (;;) {
      const frame = await this.next();
      switch (String.fromCharCode(frame.type)) {
        case 'Z':
          if (error) throw error;
          return tag;
        case 'T':
          if (completed < statement.before.length) break;
          sink.rowDescription(rowDescription(frame.body));
          break;
        case 'D':
          // Rows of the `before` statements (set_config) are not the client's.
          if (completed < statement.before.length) break;
          sink.dataRow(dataRow(frame.body));
          if (++rows % ROW_FLUSH_EVERY === 0) await sink.flush();
          break;
        case 'C':
          // The last one is the statement's (the `before` statements complete first).
          completed++;
          tag = cstrings(frame.body)[0];
          break;
        case 'N':
          sink.notice(noticeFrom(frame.body));
          break;
        case 'E':
          error = errorFrom(frame.body, positionOffset);
          sync();
          break;
        case 'G':
          try {
            await this.copyIn(frame.body, sink);
          } finally {
            sync();
          }
          break;
        case 'H':
          sink.copyOutStart(copyFormat(frame.body));
          break;
        case 'd':
          sink.copyData(frame.body);
          break;
        case 'c':
          sink.copyDone();
          break;
        default:
          // ParseComplete, BindComplete, NoData, PortalSuspended, EmptyQueryResponse, ParameterStatus.
          break;
      }
    }
  }

  /** Parameter types and result columns of `sql` as the leader prepares it (Describe of a statement). */
  async describe(
    before: readonly string[],
    sql: string,
    paramTypes: readonly number[],
  ): Promise<RemoteDescription> {
    const out: Buffer[] = [];
    for (const setup of before) out.push(parse(setup, []), bind([], [], []), execute());
    out.push(parse(sql, paramTypes), message('D', Buffer.from('S'), cstring('')), message('S'));
    this.socket.write(Buffer.concat(out));
    let error: SqlError | null = null;
    let parameterTypes: number[] = [];
    let fields: FieldDescription[] | null = null;
    for (;;) {
      const frame = await this.next();
      switch (String.fromCharCode(frame.type)) {
        case 'Z':
          if (error) throw error;
          return { parameterTypes, fields };
        case 't':
          parameterTypes = Array.from({ length: frame.body.readInt16BE(0) }, (_, i) =>
            frame.body.readUInt32BE(2 + 4 * i),
          );
          break;
        case 'T':
          fields = rowDescription(frame.body);
          break;
        case 'E':
          error = errorFrom(frame.body, 0);
          break;
        default:
          break;
      }
    }
  }

  /** Relays the client's COPY data to the leader (CopyFail when the client's stream fails). */
  private async copyIn(body: Buffer, sink: ResultSink): Promise<void> {
    try {
      for await (const chunk of sink.copyIn(copyFormat(body))) this.socket.write(message('d', chunk));
      this.socket.write(message('c'));
    } catch (error) {
      this.socket.write(message('f', cstring(error instanceof Error ? error.message : String(error))));
      throw error;
    }
  }

  /** Cancels the statement the leader is running for this link (a CancelRequest of its own). */
  cancel(): void {
    if (this.closed || this.processId === 0) return;
    const { host, port } = splitAddress(this.address);
    const socket = connect({ host, port, noDelay: true });
    socket.on('error', () => {});
    const request = Buffer.alloc(16);
    request.writeInt32BE(16, 0);
    request.writeInt32BE(80877102, 4);
    request.writeInt32BE(this.processId, 8);
    request.writeInt32BE(this.secretKey, 12);
    socket.end(Buffer.concat([this.header, request]));
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.socket.end(message('X'));
    this.socket.destroySoon();
    this.wake();
  }

  private split(): void {
    let offset = 0;
    const data = this.buffered;
    while (data.length - offset >= 5) {
      const length = data.readInt32BE(offset + 1);
      if (data.length - offset < 1 + length) break;
      this.frames.push({ type: data[offset], body: data.subarray(offset + 5, offset + 1 + length) });
      offset += 1 + length;
    }
    this.buffered = offset === data.length ? Buffer.alloc(0) : data.subarray(offset);
    if (this.frames.length > 0) this.wake();
  }

  private wake(): void {
    const waiter = this.waiter;
    this.waiter = null;
    waiter?.();
  }

  private async next(): Promise<Frame> {
    for (;;) {
      const frame = this.frames.shift();
      if (frame) return frame;
      if (this.closed) throw new LinkLost('the connection to the write leader was lost');
      await new Promise<void>((resolve) => {
        this.waiter = resolve;
      });
    }
  }
}

// ---------- frontend messages ----------

function message(type: string, ...parts: Uint8Array[]): Buffer {
  const body = Buffer.concat(parts);
  const head = Buffer.alloc(5);
  head.write(type, 0, 'latin1');
  head.writeInt32BE(body.length + 4, 1);
  return Buffer.concat([head, body]);
}

function cstring(text: string): Buffer {
  return Buffer.from(`${text}\0`, 'utf8');
}

function int16s(values: readonly number[]): Buffer {
  const b = Buffer.alloc(2 + 2 * values.length);
  b.writeInt16BE(values.length, 0);
  values.forEach((v, i) => b.writeInt16BE(v, 2 + 2 * i));
  return b;
}

function startupMessage(parameters: Record<string, string>): Buffer {
  const pairs = Object.entries(parameters).flatMap(([k, v]) => [cstring(k), cstring(v)]);
  const body = Buffer.concat([Buffer.from([0, 3, 0, 0]), ...pairs, Buffer.of(0)]);
  const length = Buffer.alloc(4);
  length.writeInt32BE(body.length + 4);
  return Buffer.concat([length, body]);
}

function parse(sql: string, types: readonly number[]): Buffer {
  const oids = Buffer.alloc(2 + 4 * types.length);
  oids.writeInt16BE(types.length, 0);
  types.forEach((oid, i) => oids.writeUInt32BE(oid, 2 + 4 * i));
  return message('P', cstring(''), cstring(sql), oids);
}

function bind(
  params: readonly (Uint8Array | null)[],
  formats: readonly FormatCode[],
  resultFormats: readonly FormatCode[],
): Buffer {
  const values: Buffer[] = [];
  const count = Buffer.alloc(2);
  count.writeInt16BE(params.length);
  for (const value of params) {
    const length = Buffer.alloc(4);
    length.writeInt32BE(value === null ? -1 : value.length);
    values.push(length);
    if (value !== null) values.push(Buffer.from(value.buffer, value.byteOffset, value.byteLength));
  }
  return message('B', cstring(''), cstring(''), int16s(formats), count, ...values, int16s(resultFormats));
}

function describePortal(): Buffer {
  return message('D', Buffer.from('P'), cstring(''));
}

function execute(): Buffer {
  return message('E', cstring(''), Buffer.alloc(4));
}

// ---------- backend messages ----------

function cstrings(body: Buffer): string[] {
  return body.toString('utf8').split('\0');
}

function rowDescription(body: Buffer): FieldDescription[] {
  const count = body.readInt16BE(0);
  const fields: FieldDescription[] = [];
  let at = 2;
  for (let i = 0; i < count; i++) {
    const end = body.indexOf(0, at);
    const name = body.toString('utf8', at, end);
    at = end + 1;
    fields.push({
      name,
      tableOid: body.readUInt32BE(at),
      columnAttr: body.readInt16BE(at + 4),
      typeOid: body.readUInt32BE(at + 6),
      typeSize: body.readInt16BE(at + 10),
      typeMod: body.readInt32BE(at + 12),
      format: body.readInt16BE(at + 16) as FormatCode,
    });
    at += 18;
  }
  return fields;
}

function dataRow(body: Buffer): WireValue[] {
  const count = body.readInt16BE(0);
  const values: WireValue[] = new Array(count);
  let at = 2;
  for (let i = 0; i < count; i++) {
    const length = body.readInt32BE(at);
    at += 4;
    if (length < 0) values[i] = null;
    else {
      values[i] = body.subarray(at, at + length);
      at += length;
    }
  }
  return values;
}

function copyFormat(body: Buffer): { format: FormatCode; columnCount: number } {
  return { format: body[0] as FormatCode, columnCount: body.readInt16BE(1) };
}

/** The fields of an ErrorResponse or NoticeResponse by their code letter. */
function fieldsOf(body: Buffer): Map<string, string> {
  const fields = new Map<string, string>();
  let at = 0;
  while (at < body.length && body[at] !== 0) {
    const end = body.indexOf(0, at + 1);
    fields.set(String.fromCharCode(body[at]), body.toString('utf8', at + 1, end));
    at = end + 1;
  }
  return fields;
}

function errorFrom(body: Buffer, positionOffset: number): SqlError {
  const f = fieldsOf(body);
  const position = f.get('P');
  return new SqlError((f.get('C') ?? SqlState.InternalError) as SqlStateCode, f.get('M') ?? '', {
    detail: f.get('D'),
    hint: f.get('H'),
    position: position === undefined ? undefined : Number(position) + positionOffset,
    internalPosition: f.has('p') ? Number(f.get('p')) : undefined,
    internalQuery: f.get('q'),
    where: f.get('W'),
    schema: f.get('s'),
    table: f.get('t'),
    column: f.get('c'),
    dataType: f.get('d'),
    constraint: f.get('n'),
  });
}

function noticeFrom(body: Buffer): Notice {
  const f = fieldsOf(body);
  return {
    severity: (f.get('V') ?? f.get('S') ?? 'NOTICE') as Notice['severity'],
    code: f.get('C') ?? '00000',
    message: f.get('M') ?? '',
    detail: f.get('D'),
    hint: f.get('H'),
  };
}
