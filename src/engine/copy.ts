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
import { foreignKeyChecks } from '../exec/foreign-keys.ts';
import { writeRow } from '../exec/table-writer.ts';
import type { PlanNode } from '../plan/plan-nodes.ts';
import type { CopyStmt } from '../sql/ast-utility.ts';
import { castValue } from '../types/resolve.ts';
import { T, type Value } from '../types/type.ts';
import type { ResultSink } from '../wire/session.ts';
import { type BatchColumn, type CopyBatch, type CopyParseSpec, DECODED, NULL } from './copy-batch.ts';
import { binaryHeader, binaryRecord, binaryTrailer } from './copy-binary.ts';
import { parseCopy } from './copy-parse-offload.ts';
import { formatTextRecord, textOptions } from './copy-text.ts';
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
  const text = binary ? null : textOptions(stmt.format as 'text' | 'csv', stmt);
  const columns = cols.map((c) => table.columns[c]);
  const spec: CopyParseSpec = {
    format: binary ? 'binary' : (stmt.format as 'text' | 'csv'),
    text,
    table: table.name,
    columns: columns.map((c) => ({ name: c.name, type: c.type })),
    // A CHECK violation's CONTEXT quotes the record too: any row may have one.
    allLines: table.checks.length > 0 || table.columns.some((c, i) => c.notNull && !cols.includes(i)),
  };
  const writeOptions = { txn: rc.env.txn, ctx };
  // Foreign keys are checked after each batch (PostgreSQL: at the end of the COPY), so the
  // rows waiting for a check stay few however long the input.
  const fks = foreignKeyChecks(table, rc.env);
  let count = 0;
  /**
   * Rows [from, to) of a batch, in order, raw fields through the type's input or receive
   * function; `raw` is the batch's first raw field not used yet. Returns the next one.
   */
  const writeRows = (batch: CopyBatch, from: number, to: number, raw: number): number => {
    const { rows, states, lines } = batch;
    for (let r = from; r < to; r++) {
      const row: Value[] = new Array(width).fill(null);
      const line = lines[r];
      for (let i = 0; i < cols.length; i++) {
        const state = states[i * rows + r];
        if (state === NULL) continue;
        if (state === DECODED) {
          row[cols[i]] = decodedValue(batch.columns[i], r);
          continue;
        }
        const field = batch.raw[raw++];
        const column = columns[i];
        try {
          row[cols[i]] = binary
            ? decodeParameter(column.type, field as Uint8Array, 1, ctx)
            : castValue(field as string, T.unknown, column.type, ctx, false);
        } catch (err) {
          const quoted = binary ? '' : `: "${field as string}"`;
          throw withContext(err, `COPY ${table.name}, line ${line}, column ${column.name}${quoted}`);
        }
      }
      try {
        const rowId = writeRow(table, row, writeOptions);
        fks?.written(table, row, rowId, null);
      } catch (err) {
        // PostgreSQL quotes the record for a NOT NULL or CHECK violation found while reading it.
        const record = batch.recordText[r];
        const quoted =
          record !== undefined &&
          err instanceof SqlError &&
          (err.code === SqlState.NotNullViolation || err.code === SqlState.CheckViolation);
        throw withContext(err, `COPY ${table.name}, line ${line}${quoted ? `: "${record}"` : ''}`);
      }
      if ((++count & 1023) === 0) rc.env.checkInterrupt();
    }
    return raw;
  };
  // Memory stays bounded however long the input: every quiver.copy_spill_rows rows, the
  // rows so far move to a segment (they are read back from it when needed). While one is
  // being stored (written and synced: tens of ms), the next rows are read: at most one
  // spill is in flight, and it is waited for before the COPY ends, however it ends.
  const spillEvery = Number(rc.bc.setting('quiver.copy_spill_rows'));
  let spilledAt = 0;
  let spilling: Promise<void> | null = null;
  const onBatch = async (batch: CopyBatch) => {
    let raw = 0;
    for (let r = 0; r < batch.rows; ) {
      const to = rc.spill ? Math.min(batch.rows, r + spillEvery - (count - spilledAt)) : batch.rows;
      raw = writeRows(batch, r, to, raw);
      fks?.finish();
      r = to;
      if (rc.spill && count - spilledAt >= spillEvery) {
        spilledAt = count;
        if (spilling) await spilling;
        spilling = rc.spill(table);
        // A failure is reported when it is waited for (next spill or the end).
        spilling.catch(() => {});
      }
    }
  };
  const input = sink.copyIn({ format: binary ? 1 : 0, columnCount: cols.length });
  try {
    await parseCopy(spec, input, Number(rc.bc.setting('quiver.copy_worker_bytes')), onBatch);
  } catch (err) {
    await (spilling as Promise<void> | null)?.catch(() => {});
    throw err;
  }
  await spilling;
  return { columns: null, rows: [], tag: `COPY ${count}` };
}

/** A decoded field of a batch as the row's value. */
function decodedValue(column: BatchColumn, r: number): Value {
  switch (column.kind) {
    case 'vector':
      return column.floats.subarray(column.bounds[2 * r], column.bounds[2 * r + 1]);
    case 'number':
      return column.values[r];
    case 'bigint':
      return column.values[r];
    default:
      throw new Error('a raw column has no decoded values');
  }
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
      locking: null,
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
