/**
 * COPY … FROM STDIN and COPY … TO STDOUT in text, csv and binary formats. Input rows are
 * converted with each column type's input function (text) or receive function (binary) and
 * written as they arrive, so memory is bounded by one chunk plus the transaction's rows.
 */
import { lookupTable } from '../bind/bind-dml.ts';
import { bindSelect } from '../bind/bind-select.ts';
import type { Table } from '../catalog/catalog-types.ts';
import { SqlError, SqlState } from '../errors/sql-error.ts';
import { execute } from '../exec/executor.ts';
import { writeRow } from '../exec/table-writer.ts';
import type { PlanNode } from '../plan/plan-nodes.ts';
import type { CopyStmt } from '../sql/ast-utility.ts';
import { Float32Slab } from '../types/float32-slab.ts';
import { castValue } from '../types/resolve.ts';
import { T, type Value } from '../types/type.ts';
import type { ResultSink } from '../wire/session.ts';
import { type BinaryRecord, binaryHeader, binaryRecord, binaryTrailer, readBinary } from './copy-binary.ts';
import { binaryDecoder, textDecoder } from './copy-decoders.ts';
import {
  FIELD_NULL,
  FIELD_PLAIN,
  formatTextRecord,
  readText,
  type TextRecord,
  textOptions,
} from './copy-text.ts';
import { decodeParameter, encodeText, encodeValue } from './encode.ts';
import type { Outcome, RunContext } from './statement-runner.ts';

/** Adds PostgreSQL's CONTEXT line ("COPY t, line 2, column v: ...") to a row error. */
function withContext(err: unknown, where: string): unknown {
  if (!(err instanceof SqlError) || err.where) return err;
  return new SqlError(err.code, err.message, {
    detail: err.detail,
    hint: err.hint,
    where,
    schema: err.schema,
    table: err.table,
    column: err.column,
    constraint: err.constraint,
  });
}

export async function runCopy(stmt: CopyStmt, rc: RunContext, sink: ResultSink): Promise<Outcome> {
  return stmt.from ? copyIn(stmt, rc, sink) : copyOut(stmt, rc, sink);
}

function targetColumns(stmt: CopyStmt, table: Table): number[] {
  if (stmt.columns.length === 0) return table.columns.map((_, i) => i);
  return stmt.columns.map((n) => {
    const at = table.columns.findIndex((c) => c.name === n);
    if (at < 0)
      throw new SqlError(
        SqlState.UndefinedColumn,
        `column "${n}" of relation "${table.name}" does not exist`,
      );
    return at;
  });
}

async function copyIn(stmt: CopyStmt, rc: RunContext, sink: ResultSink): Promise<Outcome> {
  const table = lookupTable(stmt.table!, rc.bc);
  const cols = targetColumns(stmt, table);
  const ctx = rc.env.ctx;
  const width = table.columns.length;
  const binary = stmt.format === 'binary';
  const options = binary ? null : textOptions(stmt.format as 'text' | 'csv', stmt);
  // Vectors of the whole COPY share blocks instead of one ArrayBuffer each.
  const slab = new Float32Slab();
  const decoders = cols.map((c) =>
    binary ? binaryDecoder(table.columns[c].type, slab) : textDecoder(table.columns[c].type, slab),
  );
  const writeOptions = { txn: rc.env.txn, ctx };
  let count = 0;
  const wrongFieldCount = (fields: number, line: number, text?: string): SqlError => {
    const message =
      fields < cols.length
        ? `missing data for column "${table.columns[cols[fields]].name}"`
        : 'extra data after last expected column';
    const where = `COPY ${table.name}, line ${line}${text === undefined ? '' : `: "${text}"`}`;
    return new SqlError(SqlState.BadCopyFileFormat, message, { where });
  };
  /** `text` is the record as sent: PostgreSQL quotes it for errors found while reading the row. */
  const write = (row: Value[], line: number, text?: () => string) => {
    try {
      writeRow(table, row, writeOptions);
    } catch (err) {
      const quoted = text && err instanceof SqlError && err.code === SqlState.NotNullViolation;
      throw withContext(err, `COPY ${table.name}, line ${line}${quoted ? `: "${text()}"` : ''}`);
    }
    if ((++count & 1023) === 0) rc.env.checkInterrupt();
  };
  /** A text/csv record: fast decoders on plain fields, the type's input function otherwise. */
  const insertText = (record: TextRecord, line: number) => {
    if (record.count !== cols.length) throw wrongFieldCount(record.count, line, record.line());
    const row: Value[] = new Array(width).fill(null);
    for (let i = 0; i < cols.length; i++) {
      const kind = record.kinds[i];
      if (kind === FIELD_NULL) continue;
      const decode = decoders[i];
      if (decode && kind === FIELD_PLAIN) {
        const v = decode(record.bytes as Buffer, record.starts[i], record.ends[i]);
        if (v !== undefined) {
          row[cols[i]] = v;
          continue;
        }
      }
      const column = table.columns[cols[i]];
      const f = record.text(i);
      try {
        row[cols[i]] = castValue(f, T.unknown, column.type, ctx, false);
      } catch (err) {
        throw withContext(err, `COPY ${table.name}, line ${line}, column ${column.name}: "${f}"`);
      }
    }
    write(row, line, () => record.line());
  };
  /** A binary tuple: fast decoders, the type's receive function otherwise. */
  const insertBinary = (record: BinaryRecord, line: number) => {
    const row: Value[] = new Array(width).fill(null);
    for (let i = 0; i < cols.length; i++) {
      const start = record.starts[i];
      if (start < 0) continue;
      const decode = decoders[i];
      if (decode) {
        const v = decode(record.bytes, start, record.ends[i]);
        if (v !== undefined) {
          row[cols[i]] = v;
          continue;
        }
      }
      const column = table.columns[cols[i]];
      try {
        row[cols[i]] = decodeParameter(column.type, record.field(i), 1, ctx);
      } catch (err) {
        throw withContext(err, `COPY ${table.name}, line ${line}, column ${column.name}`);
      }
    }
    write(row, line);
  };
  // Memory stays bounded however long the input: every quiver.copy_spill_rows rows, the
  // rows so far move to a segment (they are read back from it when needed).
  const spillEvery = Number(rc.bc.setting('quiver.copy_spill_rows'));
  let spilledAt = 0;
  const afterChunk = async () => {
    if (!rc.spill || count - spilledAt < spillEvery) return;
    spilledAt = count;
    await rc.spill(table);
  };
  if (binary) {
    await readBinary(
      sink.copyIn({ format: 1, columnCount: cols.length }),
      cols.length,
      insertBinary,
      afterChunk,
    );
  } else {
    await readText(sink.copyIn({ format: 0, columnCount: cols.length }), options!, insertText, afterChunk);
  }
  return { columns: null, rows: [], tag: `COPY ${count}` };
}

/** The rows COPY TO sends: a query's, or a table's (all or listed columns). */
function copySource(stmt: CopyStmt, rc: RunContext): PlanNode {
  if (stmt.query) return bindSelect(stmt.query, null, rc.bc);
  const table = lookupTable(stmt.table!, rc.bc);
  const names = stmt.columns.length > 0 ? stmt.columns : table.columns.map((c) => c.name);
  return bindSelect(
    {
      kind: 'Select',
      with: null,
      setOp: null,
      values: null,
      distinct: null,
      targets: names.map((n) => ({ expr: { kind: 'ColumnRef', names: [n], loc: -1 }, alias: null, loc: -1 })),
      from: [{ kind: 'Table', name: stmt.table!, alias: null }],
      where: null,
      groupBy: [],
      having: null,
      orderBy: [],
      limit: null,
      offset: null,
      locking: false,
      loc: -1,
    },
    null,
    rc.bc,
  );
}

async function copyOut(stmt: CopyStmt, rc: RunContext, sink: ResultSink): Promise<Outcome> {
  const plan = copySource(stmt, rc);
  const types = plan.columns.map((c) => c.type);
  const rows = execute(plan, rc.env);
  const ctx = rc.env.ctx;
  if (stmt.format === 'binary') {
    sink.copyOutStart({ format: 1, columnCount: types.length });
    sink.copyData(binaryHeader());
    for (const row of rows) {
      sink.copyData(binaryRecord(row.map((v, i) => encodeValue(types[i], v, 1, ctx) as Uint8Array | null)));
    }
    sink.copyData(binaryTrailer());
  } else {
    const o = textOptions(stmt.format, stmt);
    sink.copyOutStart({ format: 0, columnCount: types.length });
    const enc = new TextEncoder();
    if (o.header)
      sink.copyData(
        enc.encode(
          formatTextRecord(
            plan.columns.map((c) => c.name),
            o,
          ),
        ),
      );
    for (const row of rows) {
      sink.copyData(
        enc.encode(
          formatTextRecord(
            row.map((v, i) => (v === null ? null : encodeText(types[i], v, ctx))),
            o,
          ),
        ),
      );
    }
  }
  sink.copyDone();
  return { columns: null, rows: [], tag: `COPY ${rows.length}` };
}
