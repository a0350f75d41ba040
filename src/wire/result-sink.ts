/**
 * The ResultSink a session writes to during one simpleQuery or execute call. Each call
 * becomes one backend message in the connection's output buffer; large output is handed to
 * the socket as it accumulates, and `flush()` waits for the socket (back-pressure).
 */

import type { CopyFormat, FieldDescription, Notice, ResultSink, WireValue } from './session.ts';
import type { SocketChannel, WireLogger } from './socket-channel.ts';

/** 'simple' for a Query message; 'execute' for an Execute message of the extended protocol. */
export type SinkMode = 'simple' | 'execute';

export class WireResultSink implements ResultSink {
  private open = true;

  constructor(
    private readonly channel: SocketChannel,
    private readonly mode: SinkMode,
    private readonly readCopyData: () => AsyncIterable<Uint8Array>,
    private readonly logger: WireLogger,
  ) {}

  /** Ends the sink's call: later writes would land after ReadyForQuery, so they are dropped. */
  detach(): void {
    this.open = false;
  }

  rowDescription(fields: readonly FieldDescription[]): void {
    // Execute never sends RowDescription: the client got it from Describe (protocol 55.2.3).
    if (this.mode === 'execute' || !this.usable('rowDescription')) return;
    this.channel.writer.rowDescription(fields);
    this.channel.sendIfLarge();
  }

  dataRow(values: readonly WireValue[]): void {
    if (!this.usable('dataRow')) return;
    this.channel.writer.dataRow(values);
    this.channel.sendIfLarge();
  }

  commandComplete(tag: string): void {
    if (!this.usable('commandComplete')) return;
    this.channel.writer.commandComplete(tag);
    this.channel.sendIfLarge();
  }

  emptyQuery(): void {
    if (!this.usable('emptyQuery')) return;
    this.channel.writer.emptyQueryResponse();
  }

  notice(notice: Notice): void {
    if (!this.usable('notice')) return;
    this.channel.writer.noticeResponse(notice);
    this.channel.sendIfLarge();
  }

  parameterStatus(name: string, value: string): void {
    if (!this.usable('parameterStatus')) return;
    this.channel.writer.parameterStatus(name, value);
  }

  flush(): Promise<void> {
    return this.channel.flush();
  }

  copyIn(format: CopyFormat): AsyncIterable<Uint8Array> {
    if (!this.usable('copyIn')) return (async function* () {})();
    this.channel.writer.copyInResponse(format);
    // The client waits for CopyInResponse before it sends data.
    this.channel.send();
    return this.readCopyData();
  }

  copyOutStart(format: CopyFormat): void {
    if (!this.usable('copyOutStart')) return;
    this.channel.writer.copyOutResponse(format);
  }

  copyData(data: Uint8Array): void {
    if (!this.usable('copyData')) return;
    this.channel.writer.copyData(data);
    this.channel.sendIfLarge();
  }

  copyDone(): void {
    if (!this.usable('copyDone')) return;
    this.channel.writer.copyDone();
  }

  private usable(method: string): boolean {
    if (!this.open)
      this.logger.error(`wire: ResultSink.${method} called after its statement finished; dropped`);
    return this.open;
  }
}
