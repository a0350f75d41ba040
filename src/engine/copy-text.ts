/**
 * COPY's text and csv formats (PostgreSQL's rules): text is tab-separated with backslash
 * escapes and \N for NULL, ending at `\.`; csv quotes fields holding the delimiter, quotes or
 * line breaks, and a quoted field may span lines. Input is parsed as CopyData arrives, as
 * bytes: fields are byte ranges until a column asks for their text.
 */
import { SqlError, SqlState } from '../errors/sql-error.ts';

export interface TextOptions {
  readonly csv: boolean;
  readonly delimiter: string;
  readonly nullString: string;
  readonly quote: string;
  readonly header: boolean;
}

export function textOptions(
  format: 'text' | 'csv',
  o: { delimiter: string | null; nullString: string | null; quote: string | null; header: boolean },
): TextOptions {
  const csv = format === 'csv';
  const delimiter = o.delimiter ?? (csv ? ',' : '\t');
  const quote = o.quote ?? '"';
  // ProcessCopyOptions' checks: the reader splits bytes, so these are single bytes.
  if (Buffer.byteLength(delimiter) !== 1)
    throw new SqlError(SqlState.FeatureNotSupported, 'COPY delimiter must be a single one-byte character');
  if (csv && Buffer.byteLength(quote) !== 1)
    throw new SqlError(SqlState.FeatureNotSupported, 'COPY quote must be a single one-byte character');
  if (delimiter === '\n' || delimiter === '\r')
    throw new SqlError(SqlState.InvalidParameterValue, 'COPY delimiter cannot be newline or carriage return');
  return { csv, delimiter, nullString: o.nullString ?? (csv ? '' : '\\N'), quote, header: o.header };
}

function unescapeText(field: string): string {
  return field.replace(/\\(.)/g, (_m, c: string) => {
    switch (c) {
      case 't':
        return '\t';
      case 'n':
        return '\n';
      case 'r':
        return '\r';
      case 'b':
        return '\b';
      case 'f':
        return '\f';
      case 'v':
        return '\v';
      default:
        return c;
    }
  });
}

export function escapeText(value: string, delimiter: string): string {
  let out = '';
  for (const ch of value) {
    if (ch === '\\') out += '\\\\';
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\t' && delimiter === '\t') out += '\\t';
    else if (ch === delimiter) out += `\\${ch}`;
    else out += ch;
  }
  return out;
}

/** Splits one CSV record (which may span lines: the caller passes complete records). */
function splitCsv(
  line: string,
  delimiter: string,
  quote: string,
): { fields: (string | null)[]; complete: boolean } {
  const fields: (string | null)[] = [];
  let i = 0;
  while (true) {
    if (line[i] === quote) {
      let value = '';
      i++;
      while (true) {
        if (i >= line.length) return { fields, complete: false };
        if (line[i] === quote) {
          if (line[i + 1] === quote) {
            value += quote;
            i += 2;
            continue;
          }
          i++;
          break;
        }
        value += line[i++];
      }
      fields.push(value);
    } else {
      let end = line.indexOf(delimiter, i);
      if (end < 0) end = line.length;
      const raw = line.slice(i, end);
      fields.push(raw === '' ? null : raw);
      i = end;
    }
    if (i >= line.length) return { fields, complete: true };
    i++; // delimiter
  }
}

export function csvQuote(value: string, delimiter: string, quote: string): string {
  if (value === '' || value.includes(delimiter) || value.includes(quote) || /[\r\n]/.test(value)) {
    return quote + value.split(quote).join(quote + quote) + quote;
  }
  return value;
}

/** How a field of a TextRecord is read. */
export const FIELD_PLAIN = 0;
export const FIELD_NULL = 1;
/** Backslash escapes (text) or doubled quotes (csv) to undo: read it through `text`. */
export const FIELD_ESCAPED = 2;
/** Split by the string splitter (a csv record with text after a closing quote). */
export const FIELD_STRING = 3;

const NEWLINE = 10;
const CR = 13;
const BACKSLASH = 92;

/**
 * One input record as byte ranges of the input buffer, so a column whose type reads bytes
 * directly (COPY's fast decoders) never builds a string. Valid only during the row callback.
 */
export class TextRecord {
  bytes: Uint8Array = new Uint8Array(0);
  count = 0;
  starts = new Int32Array(8);
  ends = new Int32Array(8);
  kinds = new Uint8Array(8);
  strings: (string | null)[] = [];
  /** The record's bytes without its line break (PostgreSQL quotes it in some errors' CONTEXT). */
  lineStart = 0;
  lineEnd = 0;
  private readonly decoder = new TextDecoder('utf-8', { fatal: true });

  constructor(private readonly o: TextOptions) {}

  push(start: number, end: number, kind: number): void {
    if (this.count === this.starts.length) {
      const grow = <A extends Int32Array | Uint8Array>(a: A, make: (n: number) => A): A => {
        const b = make(a.length * 2);
        b.set(a);
        return b;
      };
      this.starts = grow(this.starts, (n) => new Int32Array(n));
      this.ends = grow(this.ends, (n) => new Int32Array(n));
      this.kinds = grow(this.kinds, (n) => new Uint8Array(n));
    }
    this.starts[this.count] = start;
    this.ends[this.count] = end;
    this.kinds[this.count++] = kind;
  }

  /** The record as it was sent, for an error's CONTEXT (invalid UTF-8 shown as U+FFFD). */
  line(): string {
    return Buffer.from(this.bytes.buffer, this.bytes.byteOffset, this.bytes.byteLength).toString(
      'utf8',
      this.lineStart,
      this.lineEnd,
    );
  }

  /** The field as its type's input function gets it (unescaped, unquoted); null for NULL. */
  text(i: number): string | null {
    const kind = this.kinds[i];
    if (kind === FIELD_NULL) return null;
    if (kind === FIELD_STRING) return this.strings[i];
    const s = this.decoder.decode(this.bytes.subarray(this.starts[i], this.ends[i]));
    if (kind === FIELD_PLAIN) return s;
    return this.o.csv ? s.split(this.o.quote + this.o.quote).join(this.o.quote) : unescapeText(s);
  }
}

/** indexOf with a remembered answer per byte value, so repeated searches stay linear. */
class ByteFinder {
  private readonly found = new Map<number, number>();
  constructor(
    private readonly buf: Buffer,
    private readonly length: number,
  ) {}

  /** Position of the first `byte` at or after `from`, or the buffer's length. */
  next(byte: number, from: number): number {
    const known = this.found.get(byte);
    if (known !== undefined && known >= from) return known;
    let at = from < this.length ? this.buf.indexOf(byte, from) : -1;
    if (at < 0) at = this.length;
    this.found.set(byte, at);
    return at;
  }
}

function equalBytes(buf: Uint8Array, start: number, end: number, want: Uint8Array): boolean {
  if (end - start !== want.length) return false;
  for (let k = 0; k < want.length; k++) if (buf[start + k] !== want[k]) return false;
  return true;
}

/**
 * Reads text/csv COPY data, calling `row` with each record and its line number. Returns
 * when the input ends (or at `\.`).
 */
export async function readText(
  input: AsyncIterable<Uint8Array>,
  o: TextOptions,
  row: (record: TextRecord, line: number) => void,
  /** Awaited after each input chunk (COPY moves rows out of memory there). */
  afterChunk?: () => Promise<void>,
): Promise<void> {
  const delimiter = o.delimiter.charCodeAt(0);
  const quote = o.quote.charCodeAt(0);
  const nullBytes = new TextEncoder().encode(o.nullString);
  const record = new TextRecord(o);
  const decoder = new TextDecoder('utf-8', { fatal: true });
  let lineNo = 0;
  let headerSkipped = !o.header;
  let ended = false;
  let buf: Buffer = Buffer.alloc(0);

  const emit = () => {
    lineNo++;
    if (!headerSkipped) headerSkipped = true;
    else row(record, lineNo);
  };

  /** A text-format line [start, end): fields split at unescaped delimiters. */
  const textLine = (find: ByteFinder, start: number, end: number) => {
    record.count = 0;
    if (find.next(BACKSLASH, start) >= end) {
      for (let p = start; ; ) {
        const d = Math.min(find.next(delimiter, p), end);
        record.push(p, d, equalBytes(buf, p, d, nullBytes) ? FIELD_NULL : FIELD_PLAIN);
        if (d >= end) return;
        p = d + 1;
      }
    }
    // PostgreSQL: a backslash makes the next byte data, a delimiter included.
    let p = start;
    let escaped = false;
    for (let i = start; ; i++) {
      if (i < end && buf[i] === BACKSLASH) {
        escaped = true;
        i++;
        continue;
      }
      if (i < end && buf[i] !== delimiter) continue;
      const fieldEnd = Math.min(i, end);
      const kind = equalBytes(buf, p, fieldEnd, nullBytes)
        ? FIELD_NULL
        : escaped
          ? FIELD_ESCAPED
          : FIELD_PLAIN;
      record.push(p, fieldEnd, kind);
      if (i >= end) return;
      p = i + 1;
      escaped = false;
    }
  };

  /**
   * A csv record from `start`: its end (just past its newline), or -1 when the buffer ends
   * inside it and more input may follow.
   */
  const csvRecord = (find: ByteFinder, start: number, final: boolean): number => {
    const length = buf.length;
    record.count = 0;
    let p = start;
    for (;;) {
      if (p < length && buf[p] === quote) {
        let q = p + 1;
        let doubled = false;
        let close: number;
        for (;;) {
          close = find.next(quote, q);
          if (close >= length) {
            if (final) throw new SqlError(SqlState.BadCopyFileFormat, 'unterminated CSV quoted field');
            return -1;
          }
          if (close + 1 >= length && !final) return -1;
          if (buf[close + 1] !== quote) break;
          doubled = true;
          q = close + 2;
        }
        const after = close + 1;
        const c = buf[after];
        const kind = doubled ? FIELD_ESCAPED : FIELD_PLAIN;
        if (after >= length) {
          record.push(p + 1, close, kind);
          return length;
        }
        if (c === delimiter) {
          record.push(p + 1, close, kind);
          p = after + 1;
          continue;
        }
        if (c === NEWLINE || (c === CR && buf[after + 1] === NEWLINE)) {
          record.push(p + 1, close, kind);
          return c === NEWLINE ? after + 1 : after + 2;
        }
        return irregularCsv(find, start, final);
      }
      const nl = find.next(NEWLINE, p);
      if (nl >= length && !final) return -1;
      const d = find.next(delimiter, p);
      if (d < nl) {
        pushUnquoted(p, d);
        p = d + 1;
        continue;
      }
      pushUnquoted(p, nl > p && buf[nl - 1] === CR ? nl - 1 : nl);
      return nl >= length ? length : nl + 1;
    }
  };

  const pushUnquoted = (start: number, end: number) => {
    const isNull = start === end || (nullBytes.length > 0 && equalBytes(buf, start, end, nullBytes));
    record.push(start, end, isNull ? FIELD_NULL : FIELD_PLAIN);
  };

  /** Text after a closing quote: the string splitter decides, line by line as before. */
  const irregularCsv = (find: ByteFinder, start: number, final: boolean): number => {
    const length = buf.length;
    let nl = find.next(NEWLINE, start);
    for (;;) {
      if (nl >= length && !final) return -1;
      const line = decoder.decode(buf.subarray(start, nl));
      const parsed = splitCsv(line.replace(/\r$/, ''), o.delimiter, o.quote);
      if (parsed.complete) {
        record.count = 0;
        record.strings = parsed.fields.map((f) => (f === o.nullString && o.nullString !== '' ? null : f));
        for (let k = 0; k < record.strings.length; k++) record.push(0, 0, FIELD_STRING);
        return nl >= length ? length : nl + 1;
      }
      if (nl >= length) throw new SqlError(SqlState.BadCopyFileFormat, 'unterminated CSV quoted field');
      nl = find.next(NEWLINE, nl + 1);
    }
  };

  /** Consumes the records in `buf`; returns where the first incomplete one starts. */
  const consume = (final: boolean): number => {
    const find = new ByteFinder(buf, buf.length);
    record.bytes = buf;
    let pos = 0;
    while (!ended && pos < buf.length) {
      if (o.csv) {
        const next = csvRecord(find, pos, final);
        if (next < 0) break;
        record.lineStart = pos;
        record.lineEnd =
          next > pos && buf[next - 1] === NEWLINE
            ? next - 1 > pos && buf[next - 2] === CR
              ? next - 2
              : next - 1
            : next;
        emit();
        pos = next;
        continue;
      }
      const nl = find.next(NEWLINE, pos);
      if (nl >= buf.length && !final) break;
      const end = nl > pos && buf[nl - 1] === CR ? nl - 1 : nl;
      if (end - pos === 2 && buf[pos] === BACKSLASH && buf[pos + 1] === 46) {
        ended = true;
        break;
      }
      textLine(find, pos, end);
      record.lineStart = pos;
      record.lineEnd = end;
      emit();
      pos = nl + 1;
    }
    return pos;
  };

  for await (const chunk of input) {
    if (ended) continue;
    let data = Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    if (buf.length > 0) {
      // The record left over from the last chunk is finished with this one's first line
      // break, most likely: join just that much instead of copying the whole chunk.
      const nl = data.indexOf(NEWLINE);
      if (nl >= 0) {
        buf = Buffer.concat([buf, data.subarray(0, nl + 1)]);
        const pos = consume(false);
        data =
          pos < buf.length
            ? Buffer.concat([buf.subarray(pos), data.subarray(nl + 1)])
            : data.subarray(nl + 1);
      } else data = Buffer.concat([buf, data]);
    }
    buf = data;
    // The rest is copied: the wire layer may reuse the chunk's memory once we return.
    const pos = ended ? buf.length : consume(false);
    buf = pos < buf.length ? Buffer.from(buf.subarray(pos)) : Buffer.alloc(0);
    await afterChunk?.();
  }
  if (!ended && buf.length > 0) consume(true);
}

/** One record of text/csv output (fields already rendered as text, null for NULL). */
export function formatTextRecord(fields: (string | null)[], o: TextOptions): string {
  const out = fields.map((f) => {
    if (f === null) return o.nullString;
    return o.csv ? csvQuote(f, o.delimiter, o.quote) : escapeText(f, o.delimiter);
  });
  return `${out.join(o.delimiter)}\n`;
}
