/**
 * The server's open sessions by process id, for what one session does to another:
 * pg_cancel_backend(pid). (A CancelRequest on a new connection goes through the wire
 * layer's cancel keys instead; this registry needs no secret because the caller is an
 * authenticated session and its privileges are checked.)
 */
import type { Catalog } from '../catalog/catalog.ts';
import type { EngineServices } from './session.ts';

export interface RegisteredSession {
  readonly user: string;
  /** Cancels the statement the session is running now, if any (57014 in that session). */
  cancel(): void;
  /** Its read replica became the write leader's database: go on as a session of `services`. */
  promote(services: EngineServices): void;
  /** Its read replica has a new copy of the database: move to `services` (at the next transaction). */
  moveTo(services: EngineServices): void;
  /** Whether it may still read rows of `catalog`'s copy (it has not moved on from it). */
  reads(catalog: Catalog): boolean;
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

  all(): IterableIterator<RegisteredSession> {
    return this.sessions.values();
  }
}
