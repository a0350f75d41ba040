/**
 * The engine side of the wire server: decides authentication (trust on loopback for
 * roles without a password, SCRAM-SHA-256 for roles with one, password required off
 * loopback) and opens sessions against the shared catalog.
 */
import type { Catalog } from '../catalog/catalog.ts';
import { SqlError, SqlState } from '../errors/sql-error.ts';
import { parseScramVerifier } from '../wire/index.ts';
import type { AuthPlan, Backend, Session, StartupInfo } from '../wire/session.ts';
import { type EngineServices, EngineSession } from './session.ts';
import { SessionRegistry } from './session-registry.ts';

function isLoopback(address: string): boolean {
  return (
    address === '127.0.0.1' ||
    address === '::1' ||
    address === '::ffff:127.0.0.1' ||
    address.startsWith('127.')
  );
}

export class EngineBackend implements Backend {
  private catalog: Catalog;
  private services: EngineServices;

  constructor(services: EngineServices) {
    // Every session of this server registers here, so pg_cancel_backend can reach it.
    this.services = services.sessions ? services : { ...services, sessions: new SessionRegistry() };
    this.catalog = services.catalog;
  }

  /**
   * A read replica's server becomes the write leader's (warm promotion: the copy its
   * sessions read is now the leader's database, `services.catalog`): new sessions are the
   * leader's, and open ones go on as the leader's, as PostgreSQL's do when a standby is
   * promoted — a transaction begun on the replica stays read only.
   */
  promote(services: EngineServices): void {
    if (services.catalog !== this.catalog) throw new Error('a promoted replica keeps its catalog');
    this.services = { ...services, sessions: this.services.sessions };
    for (const session of this.services.sessions!.all()) session.promote(this.services);
  }

  /**
   * A read replica's new copy of the database (after DDL, a TRUNCATE or a checkpoint on the
   * leader, `services.catalog`): new sessions read it, open ones move to it at their next
   * transaction (EngineSession.moveTo) instead of ending.
   */
  moveTo(services: EngineServices): void {
    this.services = { ...services, sessions: this.services.sessions };
    this.catalog = services.catalog;
    for (const session of this.services.sessions!.all()) session.moveTo(this.services);
  }

  /** Whether a session may still read rows of `catalog`'s copy. */
  readsCopy(catalog: Catalog): boolean {
    for (const session of this.services.sessions!.all()) if (session.reads(catalog)) return true;
    return false;
  }

  async authPlan(info: StartupInfo): Promise<AuthPlan> {
    const role = this.catalog.roles.get(info.user);
    if (!role) {
      return {
        method: 'reject',
        error: new SqlError(
          SqlState.InvalidAuthorizationSpecification,
          `role "${info.user}" does not exist`,
          { severity: 'FATAL' },
        ),
      };
    }
    // A standby's write-forwarding link: the standby authenticated the client itself.
    if (info.vouchedUser === info.user) return { method: 'trust' };
    if (role.password) {
      const verifier = parseScramVerifier(role.password);
      if (verifier) return { method: 'scram-sha-256', verifier };
    }
    if (isLoopback(info.remoteAddress)) return { method: 'trust' };
    return {
      method: 'reject',
      error: new SqlError(
        SqlState.InvalidAuthorizationSpecification,
        `no pg_hba.conf entry for host "${info.remoteAddress}", user "${info.user}", database "${info.database}"`,
        { severity: 'FATAL' },
      ),
    };
  }

  async openSession(
    info: StartupInfo,
  ): Promise<{ session: Session; parameterStatus: Record<string, string> }> {
    const session = new EngineSession(
      this.services,
      info.user,
      info.database,
      info.processId,
      info.parameters,
      this.services.writeLeader?.forSession(info) ?? null,
    );
    const parameterStatus = session.settings.reported();
    const role = this.catalog.roles.get(info.user);
    parameterStatus.is_superuser = role?.superuser ? 'on' : 'off';
    parameterStatus.in_hot_standby = session.settings.get('in_hot_standby');
    return { session, parameterStatus };
  }
}
