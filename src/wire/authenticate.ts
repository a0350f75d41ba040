/**
 * Runs the authentication exchange an AuthPlan asks for (protocol section "Start-up" and
 * "SASL Authentication"). Returns when the client is authenticated; the caller then sends
 * AuthenticationOk. Every failure is FATAL, as in PostgreSQL.
 */
import { randomBytes } from 'node:crypto';
import { SqlError, SqlState } from '../errors/sql-error.ts';
import { decodePasswordMessage, decodeSaslInitialResponse } from './frontend-messages.ts';
import { FrontendCode, MAX_AUTH_MESSAGE_BYTES } from './protocol.ts';
import { ScramExchange } from './scram-exchange.ts';
import type { AuthPlan } from './session.ts';
import type { SocketChannel, WireLogger } from './socket-channel.ts';
import { asFatal, ConnectionClosed, protocolViolation } from './wire-errors.ts';

export const SCRAM_MECHANISM = 'SCRAM-SHA-256';

export function passwordFailed(user: string): SqlError {
  return new SqlError(SqlState.InvalidPassword, `password authentication failed for user "${user}"`, {
    severity: 'FATAL',
  });
}

export async function authenticate(
  channel: SocketChannel,
  plan: AuthPlan,
  user: string,
  deadline: number,
  logger: WireLogger,
): Promise<void> {
  /** Reads the client's next 'p' message. A client that hangs up (psql asking for a password) is not an error. */
  const readResponse = async (): Promise<Buffer> => {
    const frame = await channel.readMessage({ maxBytes: MAX_AUTH_MESSAGE_BYTES, deadline });
    if (frame === 'eof') throw new ConnectionClosed();
    if (frame === 'timeout') {
      throw new SqlError(SqlState.QueryCanceled, 'canceling authentication due to timeout', {
        severity: 'FATAL',
      });
    }
    if (frame.type !== FrontendCode.Password) {
      throw protocolViolation(`expected password response, got message type ${frame.type}`);
    }
    return frame.body;
  };
  /** Runs an engine-supplied check; a throwing check is a failed login, and logged. */
  const check = (run: () => boolean): void => {
    let ok = false;
    try {
      ok = run() === true;
    } catch (error) {
      logger.error(`wire: password check for user "${user}" threw`, error);
    }
    if (!ok) throw passwordFailed(user);
  };

  switch (plan.method) {
    case 'trust':
      return;
    case 'reject':
      throw asFatal(plan.error);
    case 'password': {
      channel.writer.authenticationCleartextPassword();
      const password = decodePasswordMessage(await readResponse());
      // PostgreSQL refuses an empty password outright.
      if (password === '') throw passwordFailed(user);
      check(() => plan.check(password));
      return;
    }
    case 'md5': {
      const salt = randomBytes(4);
      channel.writer.authenticationMD5Password(salt);
      const response = decodePasswordMessage(await readResponse());
      if (response === '') throw passwordFailed(user);
      check(() => plan.check(response, Uint8Array.from(salt)));
      return;
    }
    case 'scram-sha-256': {
      channel.writer.authenticationSASL([SCRAM_MECHANISM]);
      const initial = decodeSaslInitialResponse(await readResponse());
      if (initial.mechanism !== SCRAM_MECHANISM) {
        throw protocolViolation('client selected an invalid SASL authentication mechanism');
      }
      if (initial.data === null) {
        throw new SqlError(SqlState.ProtocolViolation, 'malformed SCRAM message', {
          severity: 'FATAL',
          detail: 'The message is empty.',
        });
      }
      const exchange = new ScramExchange(plan.verifier);
      channel.writer.authenticationSASLContinue(exchange.clientFirst(initial.data.toString('utf8')));
      const serverFinal = exchange.clientFinal((await readResponse()).toString('utf8'));
      if (serverFinal === null) throw passwordFailed(user);
      channel.writer.authenticationSASLFinal(serverFinal);
      return;
    }
    default: {
      // Fail closed: an unknown method must never mean "let them in".
      const method = (plan as { method?: unknown }).method;
      logger.error(`wire: unknown authentication method ${String(method)} for user "${user}"`);
      throw new SqlError(
        SqlState.InvalidAuthorizationSpecification,
        `authentication failed for user "${user}"`,
        {
          severity: 'FATAL',
        },
      );
    }
  }
}
