/**
 * The server's open sessions by process id, for what one session does to another:
 * pg_cancel_backend(pid). (A CancelRequest on a new connection goes through the wire
 * layer's cancel keys instead; this registry needs no secret because the caller is an
 * authenticated session and its privileges are checked.)
 */

export interface RegisteredSession {
  readonly user: string;
  /** Cancels the statement the session is running now, if any (57014 in that session). */
  cancel(): void;
}

export class SessionRegistry {
  private readonly sessions = new Map<number, RegisteredSession>();

  add(processId: number, session: RegisteredSession): void {
    this.sessions.set(processId, session);
  }

  remove(processId: number): void {
    this.sessions.delete(processId);
  }

  get(processId: number): RegisteredSession | undefined {
    return this.sessions.get(processId);
  }
}
