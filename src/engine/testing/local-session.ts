/**
 * An engine session without a socket, for unit tests of the engine and planner: statements
 * run through the same EngineSession the wire layer uses, results come back as text cells.
 */
import { Catalog } from '../../catalog/catalog.ts';
import type { SqlError } from '../../errors/sql-error.ts';
import { initParser } from '../../sql/parser.ts';
import '../../types/index.ts';
import type { CopyFormat, FieldDescription, Notice, ResultSink, WireValue } from '../../wire/session.ts';
import { type EngineServices, EngineSession } from '../session.ts';

export interface LocalResult {
  readonly fields: string[];
  readonly rows: (string | null)[][];
  readonly tags: string[];
  readonly notices: Notice[];
}

class CapturingSink implements ResultSink {
  fields: string[] = [];
  rows: (string | null)[][] = [];
  tags: string[] = [];
  notices: Notice[] = [];
  rowDescription(fields: readonly FieldDescription[]): void {
    this.fields = fields.map((f) => f.name);
    this.rows = [];
  }
  dataRow(values: readonly WireValue[]): void {
    this.rows.push(
      values.map((v) => (v === null ? null : typeof v === 'string' ? v : Buffer.from(v).toString())),
    );
  }
  commandComplete(tag: string): void {
    this.tags.push(tag);
  }
  emptyQuery(): void {}
  notice(notice: Notice): void {
    this.notices.push(notice);
  }
  parameterStatus(): void {}
  async flush(): Promise<void> {}
  copyIn(_format: CopyFormat): AsyncIterable<Uint8Array> {
    throw new Error('COPY is not available in a local session');
  }
  copyOutStart(): void {}
  copyData(): void {}
  copyDone(): void {}
}

/** A session on a new in-memory catalog, or on `services` (a durable or replica engine). */
export async function localSession(
  services?: EngineServices,
  startupParameters: Record<string, string> = {},
): Promise<{
  run(sql: string): Promise<LocalResult>;
  error(sql: string): Promise<SqlError>;
  /** A CancelRequest for the running statement. */
  cancel(): void;
}> {
  await initParser();
  const session = new EngineSession(
    services ?? { catalog: new Catalog('quiver'), serverVersion: '16.4', storage: null },
    'quiver',
    'quiver',
    1,
    startupParameters,
  );
  const run = async (sql: string) => {
    const sink = new CapturingSink();
    await session.simpleQuery(sql, sink);
    return { fields: sink.fields, rows: sink.rows, tags: sink.tags, notices: sink.notices };
  };
  const error = async (sql: string) => {
    try {
      await run(sql);
    } catch (err) {
      return err as SqlError;
    }
    throw new Error(`expected an error from: ${sql}`);
  };
  return { run, error, cancel: () => session.cancel() };
}
