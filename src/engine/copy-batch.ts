/**
 * COPY FROM input parsed into column batches: the text/csv/binary readers run over the
 * input, each field goes through its column's fast decoder (copy-decoders.ts), and the rows
 * come out a batch per input chunk, as typed arrays. What the fast path cannot decide
 * travels as the field itself (text, or binary bytes) for the type's own input function,
 * which COPY runs where it writes the rows, in row order, so every error is the one the row
 * gets in PostgreSQL. Thread-agnostic and made of structured-cloneable data, so the parse can
 * run in a worker (copy-parse-worker.ts) while the event loop writes the rows.
 */
import { SqlError, type SqlErrorFields, SqlState, sqlErrorFields } from '../errors/sql-error.ts';
import { Float32Appender } from '../types/float32-appender.ts';
import type { SqlType } from '../types/type.ts';
import { type BinaryRecord, readBinary } from './copy-binary.ts';
import { binaryDecoder, type FieldDecoder, textDecoder } from './copy-decoders.ts';
import { FIELD_NULL, FIELD_PLAIN, readText, type TextOptions, type TextRecord } from './copy-text.ts';

/** What the parser needs to know of a COPY (plain data: it may cross to a worker). */
export interface CopyParseSpec {
  readonly format: 'text' | 'csv' | 'binary';
  /** text/csv only. */
  readonly text: TextOptions | null;
  readonly table: string;
  /** The COPY's columns, in input order. */
  readonly columns: readonly { readonly name: string; readonly type: SqlType }[];
  /**
   * Attach every record's text (for a NOT NULL error's CONTEXT) even without a NULL field:
   * set when a NOT NULL column is missing from the column list.
   */
  readonly allLines: boolean;
}

/** A field's state in a batch. */
export const DECODED = 0;
export const NULL = 1;
/** In `raw`: the type's input (text) or receive (binary) function decides. */
export const RAW = 2;

export type BatchColumn =
  | { readonly kind: 'number'; readonly values: Float64Array }
  | { readonly kind: 'bigint'; readonly values: BigInt64Array }
  /** Row r's vector is floats[bounds[2r], bounds[2r + 1]). */
  | { readonly kind: 'vector'; readonly floats: Float32Array; readonly bounds: Int32Array }
  | { readonly kind: 'raw' };

export interface CopyBatch {
  readonly rows: number;
  /** Per row: its line (text) or tuple (binary) number. */
  readonly lines: Int32Array;
  /** Per column, per row (column-major): DECODED, NULL or RAW. */
  readonly states: Uint8Array;
  readonly columns: readonly BatchColumn[];
  /** The RAW fields in row order, then column order: text (text/csv) or bytes (binary). */
  readonly raw: readonly (string | Uint8Array)[];
  /** Record text by row, for rows with a NULL field (or all, with `allLines`); text/csv only. */
  readonly recordText: readonly (string | undefined)[];
}

/** A parse failure that ends the COPY after the rows before it (SqlError fields, or a plain message). */
export type CopyParseFailure = {
  readonly code: string;
  readonly message: string;
  readonly fields: SqlErrorFields;
};

export function failureOf(err: unknown): CopyParseFailure {
  if (err instanceof SqlError) return { code: err.code, message: err.message, fields: sqlErrorFields(err) };
  return {
    code: SqlState.InternalError,
    message: err instanceof Error ? err.message : String(err),
    fields: {},
  };
}

export function errorOf(failure: CopyParseFailure): SqlError {
  return new SqlError(failure.code as SqlError['code'], failure.message, failure.fields);
}

/** One column's fast decoder and the batch storage of what it decodes. */
class ColumnBuilder {
  readonly decode: FieldDecoder | undefined;
  private readonly kind: BatchColumn['kind'];
  private readonly vectors = new Float32Appender();
  private numbers: number[] = [];
  private bigints: bigint[] = [];
  /** Start and end of each row's vector in the appender (equal when not decoded). */
  private bounds: number[] = [];

  constructor(type: SqlType, binary: boolean) {
    this.decode = binary ? binaryDecoder(type, this.vectors) : textDecoder(type, this.vectors);
    if (!this.decode) this.kind = 'raw';
    else if (type.base === 'vector') this.kind = 'vector';
    else if (type.base === 'int8') this.kind = 'bigint';
    else this.kind = 'number';
  }

  /** The next row's decoded value (undefined: not decoded, nothing to store). */
  push(value: unknown): void {
    if (this.kind === 'vector') {
      const v = value as Float32Array | undefined;
      const start = v === undefined ? 0 : v.byteOffset / 4;
      this.bounds.push(start, start + (v?.length ?? 0));
    } else if (this.kind === 'bigint') this.bigints.push((value as bigint | undefined) ?? 0n);
    else if (this.kind === 'number') this.numbers.push((value as number | undefined) ?? 0);
  }

  finish(): BatchColumn {
    switch (this.kind) {
      case 'vector': {
        const bounds = Int32Array.from(this.bounds);
        this.bounds = [];
        return { kind: 'vector', floats: this.vectors.drain(), bounds };
      }
      case 'bigint': {
        const values = BigInt64Array.from(this.bigints);
        this.bigints = [];
        return { kind: 'bigint', values };
      }
      case 'number': {
        const values = Float64Array.from(this.numbers);
        this.numbers = [];
        return { kind: 'number', values };
      }
      default:
        return { kind: 'raw' };
    }
  }
}

/** Collects parsed records into batches. */
class BatchBuilder {
  private readonly columns: ColumnBuilder[];
  private lines: number[] = [];
  private states: number[][];
  private raw: (string | Uint8Array)[] = [];
  private recordText: (string | undefined)[] = [];

  constructor(private readonly spec: CopyParseSpec) {
    const binary = spec.format === 'binary';
    this.columns = spec.columns.map((c) => new ColumnBuilder(c.type, binary));
    this.states = spec.columns.map(() => []);
  }

  get rows(): number {
    return this.lines.length;
  }

  text(record: TextRecord, line: number): void {
    const n = this.spec.columns.length;
    if (record.count !== n) {
      const message =
        record.count < n
          ? `missing data for column "${this.spec.columns[record.count].name}"`
          : 'extra data after last expected column';
      throw new SqlError(SqlState.BadCopyFileFormat, message, {
        where: `COPY ${this.spec.table}, line ${line}: "${record.line()}"`,
      });
    }
    let hasNull = false;
    for (let i = 0; i < n; i++) {
      const column = this.columns[i];
      const kind = record.kinds[i];
      if (kind === FIELD_NULL) {
        hasNull = true;
        this.states[i].push(NULL);
        column.push(undefined);
        continue;
      }
      const v =
        column.decode && kind === FIELD_PLAIN
          ? column.decode(record.bytes as Buffer, record.starts[i], record.ends[i])
          : undefined;
      column.push(v);
      if (v !== undefined) this.states[i].push(DECODED);
      else {
        this.states[i].push(RAW);
        this.raw.push(record.text(i)!);
      }
    }
    this.recordText.push(hasNull || this.spec.allLines ? record.line() : undefined);
    this.lines.push(line);
  }

  binary(record: BinaryRecord, tuple: number): void {
    for (let i = 0; i < this.columns.length; i++) {
      const column = this.columns[i];
      const start = record.starts[i];
      if (start < 0) {
        this.states[i].push(NULL);
        column.push(undefined);
        continue;
      }
      const v = column.decode ? column.decode(record.bytes, start, record.ends[i]) : undefined;
      column.push(v);
      if (v !== undefined) this.states[i].push(DECODED);
      else {
        this.states[i].push(RAW);
        this.raw.push(record.field(i)!);
      }
    }
    this.recordText.push(undefined);
    this.lines.push(tuple);
  }

  take(): CopyBatch {
    const rows = this.lines.length;
    const states = new Uint8Array(rows * this.columns.length);
    this.states.forEach((s, i) => states.set(s, i * rows));
    const batch: CopyBatch = {
      rows,
      lines: Int32Array.from(this.lines),
      states,
      columns: this.columns.map((c) => c.finish()),
      raw: this.raw,
      recordText: this.recordText,
    };
    this.lines = [];
    this.states = this.columns.map(() => []);
    this.raw = [];
    this.recordText = [];
    return batch;
  }
}

/** Buffers of a batch, for postMessage's transfer list. */
export function transferablesOf(batch: CopyBatch): ArrayBuffer[] {
  const out: ArrayBuffer[] = [batch.lines.buffer as ArrayBuffer, batch.states.buffer as ArrayBuffer];
  for (const c of batch.columns) {
    if (c.kind === 'vector') out.push(c.floats.buffer as ArrayBuffer, c.bounds.buffer as ArrayBuffer);
    else if (c.kind !== 'raw') out.push(c.values.buffer as ArrayBuffer);
  }
  return out;
}

/**
 * Parses `input`, handing over a batch after each input chunk (null when the chunk
 * finished no record), then one for the records the end of input finished. A format error
 * is thrown after the rows before it were handed over.
 */
export async function parseCopyInput(
  spec: CopyParseSpec,
  input: AsyncIterable<Uint8Array>,
  onBatch: (batch: CopyBatch | null) => Promise<void> | void,
): Promise<void> {
  const builder = new BatchBuilder(spec);
  const afterChunk = async () => {
    await onBatch(builder.rows > 0 ? builder.take() : null);
  };
  try {
    if (spec.format === 'binary') {
      await readBinary(input, spec.columns.length, (r, t) => builder.binary(r, t), afterChunk);
    } else {
      await readText(input, spec.text!, (r, line) => builder.text(r, line), afterChunk);
    }
  } finally {
    if (builder.rows > 0) await onBatch(builder.take());
  }
}
