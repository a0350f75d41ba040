/**
 * COPY's text and csv formats (PostgreSQL's rules): text is tab-separated with backslash
 * escapes and \N for NULL, ending at `\.`; csv quotes fields holding the delimiter, quotes or
 * line breaks, and a quoted field may span lines. Input is parsed as CopyData arrives.
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
  return {
    csv,
    delimiter: o.delimiter ?? (csv ? ',' : '\t'),
    nullString: o.nullString ?? (csv ? '' : '\\N'),
    quote: o.quote ?? '"',
    header: o.header,
  };
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

/**
 * Reads text/csv COPY data, calling `row` with each record's fields (null for NULL) and its
 * line number. Returns when the input ends (or at `\.`).
 */
export async function readText(
  input: AsyncIterable<Uint8Array>,
  o: TextOptions,
  row: (fields: (string | null)[], line: number) => void,
  /** Awaited after each input chunk (COPY moves rows out of memory there). */
  afterChunk?: () => Promise<void>,
): Promise<void> {
  const decoder = new TextDecoder('utf-8', { fatal: true });
  let pending = '';
  let lineNo = 0;
  let headerSkipped = !o.header;
  let ended = false;
  /** false = end marker, null = an open csv quote (the record goes on), true = consumed. */
  const take = (line: string): boolean | null => {
    if (!o.csv && line === '\\.') return false;
    let fields: (string | null)[];
    if (o.csv) {
      const parsed = splitCsv(line, o.delimiter, o.quote);
      if (!parsed.complete) return null;
      fields = parsed.fields.map((f) => (f === o.nullString && o.nullString !== '' ? null : f));
    } else {
      fields = line.split(o.delimiter).map((f) => (f === o.nullString ? null : unescapeText(f)));
    }
    lineNo++;
    if (!headerSkipped) headerSkipped = true;
    else row(fields, lineNo);
    return true;
  };
  for await (const chunk of input) {
    if (ended) continue;
    pending += decoder.decode(chunk, { stream: true });
    let start = 0;
    let nl = pending.indexOf('\n');
    while (nl >= 0 && !ended) {
      const r = take(pending.slice(start, nl).replace(/\r$/, ''));
      if (r === null) {
        nl = pending.indexOf('\n', nl + 1);
        continue;
      }
      if (r === false) ended = true;
      start = nl + 1;
      nl = pending.indexOf('\n', start);
    }
    pending = pending.slice(start);
    await afterChunk?.();
  }
  if (!ended && pending.length > 0) {
    if (take(pending.replace(/\r$/, '')) === null) {
      throw new SqlError(SqlState.BadCopyFileFormat, 'unterminated CSV quoted field');
    }
  }
}

/** One record of text/csv output (fields already rendered as text, null for NULL). */
export function formatTextRecord(fields: (string | null)[], o: TextOptions): string {
  const out = fields.map((f) => {
    if (f === null) return o.nullString;
    return o.csv ? csvQuote(f, o.delimiter, o.quote) : escapeText(f, o.delimiter);
  });
  return `${out.join(o.delimiter)}\n`;
}
