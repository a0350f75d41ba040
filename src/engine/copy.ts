/**
 * COPY … FROM STDIN and COPY … TO STDOUT in PostgreSQL's text and csv formats. Input is
 * parsed line by line as CopyData arrives, so memory stays bounded by one chunk plus the rows
 * of the current transaction.
 */
import { lookupTable } from '../bind/bind-dml.ts';
import { bindSelect } from '../bind/bind-select.ts';
import { SqlError, SqlState } from '../errors/sql-error.ts';
import { execute } from '../exec/executor.ts';
import { writeRow } from '../exec/table-writer.ts';
import type { CopyStmt } from '../sql/ast-utility.ts';
import { castValue } from '../types/resolve.ts';
import { T, type Value } from '../types/type.ts';
import type { ResultSink } from '../wire/session.ts';
import { encodeText } from './encode.ts';
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

function escapeText(value: string, delimiter: string): string {
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

function csvQuote(value: string, delimiter: string, quote: string): string {
  if (value === '' || value.includes(delimiter) || value.includes(quote) || /[\r\n]/.test(value)) {
    return quote + value.split(quote).join(quote + quote) + quote;
  }
  return value;
}

export async function runCopy(stmt: CopyStmt, rc: RunContext, sink: ResultSink): Promise<Outcome> {
  if (stmt.format === 'binary')
    throw new SqlError(SqlState.FeatureNotSupported, 'COPY BINARY is not supported yet');
  const csv = stmt.format === 'csv';
  const delimiter = stmt.delimiter ?? (csv ? ',' : '\t');
  const nullString = stmt.nullString ?? (csv ? '' : '\\N');
  const quote = stmt.quote ?? '"';
  if (!stmt.from) return copyOut(stmt, rc, sink, { csv, delimiter, nullString, quote });
  const table = lookupTable(stmt.table!, rc.bc);
  const cols =
    stmt.columns.length > 0
      ? stmt.columns.map((n) => {
          const at = table.columns.findIndex((c) => c.name === n);
          if (at < 0)
            throw new SqlError(
              SqlState.UndefinedColumn,
              `column "${n}" of relation "${table.name}" does not exist`,
            );
          return at;
        })
      : table.columns.map((_, i) => i);
  let pending = '';
  let count = 0;
  let lineNo = 0;
  let headerSkipped = !stmt.header;
  const decoder = new TextDecoder('utf-8', { fatal: true });
  const insertLine = (line: string) => {
    lineNo++;
    if (!headerSkipped) {
      headerSkipped = true;
      return true;
    }
    if (!csv && line === '\\.') return false;
    let fields: (string | null)[];
    if (csv) {
      const parsed = splitCsv(line, delimiter, quote);
      if (!parsed.complete) return null;
      fields = parsed.fields.map((f) => (f === nullString && nullString !== '' ? null : f));
    } else {
      fields = line.split(delimiter).map((f) => (f === nullString ? null : unescapeText(f)));
    }
    if (fields.length !== cols.length) {
      const what =
        fields.length < cols.length ? 'missing data for column' : 'extra data after last expected column';
      const col = fields.length < cols.length ? ` "${table.columns[cols[fields.length]].name}"` : '';
      throw new SqlError(SqlState.BadCopyFileFormat, `${what}${col}`, {
        where: `COPY ${table.name}, line ${lineNo}`,
      });
    }
    const row: Value[] = new Array(table.columns.length).fill(null);
    cols.forEach((c, i) => {
      const f = fields[i];
      try {
        row[c] = f === null ? null : castValue(f, T.unknown, table.columns[c].type, rc.env.ctx, false);
      } catch (err) {
        throw withContext(err, `COPY ${table.name}, line ${lineNo}, column ${table.columns[c].name}: "${f}"`);
      }
    });
    try {
      writeRow(table, row, { txn: rc.env.txn, ctx: rc.env.ctx });
    } catch (err) {
      throw withContext(err, `COPY ${table.name}, line ${lineNo}`);
    }
    count++;
    return true;
  };
  let ended = false;
  for await (const chunk of sink.copyIn({ format: 0, columnCount: cols.length })) {
    if (ended) continue;
    pending += decoder.decode(chunk, { stream: true });
    let nl = pending.indexOf('\n');
    let start = 0;
    while (nl >= 0 && !ended) {
      const line = pending.slice(start, nl).replace(/\r$/, '');
      const r = insertLine(line);
      if (r === null) {
        // An open CSV quote: the record continues on the next line.
        nl = pending.indexOf('\n', nl + 1);
        continue;
      }
      if (r === false) ended = true;
      start = nl + 1;
      nl = pending.indexOf('\n', start);
    }
    pending = pending.slice(start);
  }
  if (!ended && pending.length > 0) insertLine(pending.replace(/\r$/, ''));
  return { columns: null, rows: [], tag: `COPY ${count}` };
}

async function copyOut(
  stmt: CopyStmt,
  rc: RunContext,
  sink: ResultSink,
  o: { csv: boolean; delimiter: string; nullString: string; quote: string },
): Promise<Outcome> {
  let plan: ReturnType<typeof bindSelect>;
  let types: import('../types/type.ts').SqlType[];
  if (stmt.query) {
    plan = bindSelect(stmt.query, null, rc.bc);
  } else {
    const table = lookupTable(stmt.table!, rc.bc);
    const names = stmt.columns.length > 0 ? stmt.columns : table.columns.map((c) => c.name);
    plan = bindSelect(
      {
        kind: 'Select',
        with: null,
        setOp: null,
        values: null,
        distinct: null,
        targets: names.map((n) => ({
          expr: { kind: 'ColumnRef', names: [n], loc: -1 },
          alias: null,
          loc: -1,
        })),
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
  types = plan.columns.map((c) => c.type);
  const rows = execute(plan, rc.env);
  sink.copyOutStart({ format: 0, columnCount: types.length });
  const enc = new TextEncoder();
  if (stmt.header && o.csv)
    sink.copyData(
      enc.encode(`${plan.columns.map((c) => csvQuote(c.name, o.delimiter, o.quote)).join(o.delimiter)}\n`),
    );
  for (const row of rows) {
    const fields = row.map((v, i) => {
      if (v === null) return o.nullString;
      const text = encodeText(types[i], v, rc.env.ctx);
      return o.csv ? csvQuote(text, o.delimiter, o.quote) : escapeText(text, o.delimiter);
    });
    sink.copyData(enc.encode(`${fields.join(o.delimiter)}\n`));
  }
  sink.copyDone();
  return { columns: null, rows: [], tag: `COPY ${rows.length}` };
}
