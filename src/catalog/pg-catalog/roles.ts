/**
 * Cluster-wide relations: pg_database, the roles (pg_authid and its views pg_roles and
 * pg_user, plus PostgreSQL 15's predefined pg_database_owner, which owns `public`) and
 * pg_auth_members (Quiver has no role membership yet).
 */
import type { Role } from '../catalog-types.ts';
import { DATABASE_OWNER_ROLE_OID, relation, type SystemContext, type SystemRow } from './relation.ts';

const UTF8_ENCODING = 6;

interface RoleFacts {
  readonly oid: number;
  readonly name: string;
  readonly superuser: boolean;
  readonly login: boolean;
  readonly password: string | null;
}

/** Catalog roles and the predefined roles PostgreSQL 15 shows. */
export function allRoles(ctx: SystemContext): RoleFacts[] {
  const roles: RoleFacts[] = [...ctx.catalog.roles.values()].map((r: Role) => ({
    oid: r.oid,
    name: r.name,
    superuser: r.superuser,
    login: r.login,
    password: r.password,
  }));
  roles.push({
    oid: DATABASE_OWNER_ROLE_OID,
    name: 'pg_database_owner',
    superuser: false,
    login: false,
    password: null,
  });
  return roles;
}

export function roleName(ctx: SystemContext, oid: number): string | undefined {
  return allRoles(ctx).find((r) => r.oid === oid)?.name;
}

const roleColumns = (r: RoleFacts, password: string | null): SystemRow => ({
  oid: r.oid,
  rolname: r.name,
  rolsuper: r.superuser,
  rolcanlogin: r.login,
  rolpassword: password,
});

const roleDefaults: SystemRow = {
  rolinherit: true,
  rolcreaterole: false,
  rolcreatedb: false,
  rolreplication: false,
  rolbypassrls: false,
  rolconnlimit: -1,
};

export const roleRelations = [
  relation(
    'pg_database',
    1262,
    'oid oid, datname name, datdba oid, encoding int4, datlocprovider char, datistemplate bool, ' +
      'datallowconn bool, datconnlimit int4, datfrozenxid xid, datminmxid xid, dattablespace oid, ' +
      'datcollate text, datctype text, daticulocale text, datcollversion text, datacl aclitem[]',
    (ctx) =>
      [...ctx.catalog.databases.values()].map((d) => ({
        oid: d.oid,
        datname: d.name,
        datdba: ctx.catalog.roles.get(d.owner)?.oid ?? 10,
      })),
    {
      encoding: UTF8_ENCODING,
      datlocprovider: 'c',
      datistemplate: false,
      datallowconn: true,
      datconnlimit: -1,
      datfrozenxid: 0,
      datminmxid: 0,
      dattablespace: 1663,
      datcollate: 'C',
      datctype: 'C',
    },
  ),
  relation(
    'pg_authid',
    1260,
    'oid oid, rolname name, rolsuper bool, rolinherit bool, rolcreaterole bool, rolcreatedb bool, ' +
      'rolcanlogin bool, rolreplication bool, rolbypassrls bool, rolconnlimit int4, rolpassword text, ' +
      'rolvaliduntil timestamptz',
    (ctx) => allRoles(ctx).map((r) => roleColumns(r, r.password)),
    roleDefaults,
  ),
  relation(
    'pg_roles',
    12000,
    'rolname name, rolsuper bool, rolinherit bool, rolcreaterole bool, rolcreatedb bool, ' +
      'rolcanlogin bool, rolreplication bool, rolconnlimit int4, rolpassword text, ' +
      'rolvaliduntil timestamptz, rolbypassrls bool, rolconfig text[], oid oid',
    (ctx) => allRoles(ctx).map((r) => roleColumns(r, '********')),
    roleDefaults,
    'v',
  ),
  relation(
    'pg_user',
    12014,
    'usename name, usesysid oid, usecreatedb bool, usesuper bool, userepl bool, usebypassrls bool, ' +
      'passwd text, valuntil timestamptz, useconfig text[]',
    (ctx) =>
      allRoles(ctx)
        .filter((r) => r.login)
        .map((r) => ({ usename: r.name, usesysid: r.oid, usesuper: r.superuser, passwd: '********' })),
    { usecreatedb: false, userepl: false, usebypassrls: false },
    'v',
  ),
  relation('pg_auth_members', 1261, 'roleid oid, member oid, grantor oid, admin_option bool', () => []),
];
