/**
 * CREATE/ALTER/DROP ROLE|USER. Passwords are stored only as SCRAM-SHA-256 verifiers, in
 * PostgreSQL's text form, never as plain text.
 */
import type { Catalog } from '../catalog/catalog.ts';
import { SqlError, SqlState } from '../errors/sql-error.ts';
import type { RoleStmt } from '../sql/ast-utility.ts';
import { formatScramVerifier, makeScramVerifier } from '../wire/index.ts';

function verifierFor(password: string | null | undefined): string | null {
  if (password === null || password === undefined) return null;
  if (password.startsWith('SCRAM-SHA-256$')) return password;
  return formatScramVerifier(makeScramVerifier(password));
}

export function createRole(stmt: RoleStmt, catalog: Catalog): string {
  const name = stmt.names[0];
  catalog.createRole(name, {
    superuser: stmt.superuser ?? false,
    login: stmt.login ?? false,
    password: verifierFor(stmt.password),
  });
  return 'CREATE ROLE';
}

export function alterRole(stmt: RoleStmt, catalog: Catalog): string {
  const role = catalog.roles.get(stmt.names[0]);
  if (!role) throw new SqlError(SqlState.UndefinedObject, `role "${stmt.names[0]}" does not exist`);
  if (stmt.password !== undefined) role.password = verifierFor(stmt.password);
  if (stmt.superuser !== undefined) role.superuser = stmt.superuser;
  if (stmt.login !== undefined) role.login = stmt.login;
  return 'ALTER ROLE';
}

export function dropRoles(stmt: RoleStmt, catalog: Catalog, notice: (m: string) => void): string {
  for (const name of stmt.names) {
    if (!catalog.roles.has(name)) {
      if (stmt.ifExists) {
        notice(`role "${name}" does not exist, skipping`);
        continue;
      }
      throw new SqlError(SqlState.UndefinedObject, `role "${name}" does not exist`);
    }
    catalog.roles.delete(name);
  }
  return 'DROP ROLE';
}
