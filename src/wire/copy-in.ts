/**
 * The client's side of COPY FROM STDIN (protocol section "COPY Operations"): CopyData
 * payloads until CopyDone; CopyFail aborts with 57014; Flush and Sync are ignored, as in
 * PostgreSQL; anything else is a protocol error.
 */
import { SqlError, SqlState } from '../errors/sql-error.ts';
import { BodyReader } from './frontend-messages.ts';
import { FrontendCode } from './protocol.ts';
import type { SocketChannel } from './socket-channel.ts';
import { protocolViolation } from './wire-errors.ts';

export async function* readCopyIn(channel: SocketChannel): AsyncGenerator<Uint8Array> {
  for (;;) {
    const frame = await channel.readMessage();
    if (frame === 'eof' || frame === 'timeout') {
      throw protocolViolation('unexpected EOF on client connection with an open transaction');
    }
    switch (frame.type) {
      case FrontendCode.CopyData:
        yield frame.body;
        break;
      case FrontendCode.CopyDone:
        new BodyReader(frame.body).end();
        return;
      case FrontendCode.CopyFail: {
        const reason = new BodyReader(frame.body).cstringBytes().toString('utf8');
        throw new SqlError(SqlState.QueryCanceled, `COPY from stdin failed: ${reason}`);
      }
      case FrontendCode.Flush:
      case FrontendCode.Sync:
        break;
      default: {
        const hex = frame.type.toString(16).padStart(2, '0').toUpperCase();
        throw protocolViolation(`unexpected message type 0x${hex} during COPY from stdin`, 'ERROR');
      }
    }
  }
}
