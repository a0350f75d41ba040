/**
 * Top-level statement dispatch: one table from libpg-query's statement tag to its
 * converter. Statements missing from the table are rejected with 0A000, naming the
 * command the way PostgreSQL's command tags do ("CREATE FUNCTION is not supported").
 */
import type * as pg from '@pgsql/types';
import type { Statement } from './ast-utility.ts';
import { cursorConverters } from './convert-cursor.ts';
import { ddlConverters } from './convert-ddl.ts';
import { convertDelete, convertInsert, convertUpdate } from './convert-dml.ts';
import { preparedStatementConverters } from './convert-prepare.ts';
import { convertSelect } from './convert-select.ts';
import { utilityConverters } from './convert-utility.ts';
import {
  type ConvertContext,
  type NodeTag,
  objectTypeWords,
  type StatementConverters,
  unsupported,
  unwrap,
} from './pg-node.ts';

const statementConverters: StatementConverters = {
  SelectStmt: convertSelect,
  InsertStmt: convertInsert,
  UpdateStmt: convertUpdate,
  DeleteStmt: convertDelete,
  ...ddlConverters,
  ...utilityConverters,
  ...cursorConverters,
  ...preparedStatementConverters,
};

export function convertStatement(node: pg.Node, ctx: ConvertContext): Statement {
  const { tag, body } = unwrap(node);
  const convert = tag === undefined ? undefined : statementConverters[tag];
  if (tag === undefined || convert === undefined) {
    throw unsupported(`${commandName(tag, body)} is not supported`, ctx.stmtLoc);
  }
  return (convert as (b: unknown, c: ConvertContext, loc: number) => Statement)(body, ctx, ctx.stmtLoc);
}

/** Command names for statement kinds whose tag does not spell them. */
const COMMAND_NAMES: { [K in NodeTag]?: string } = {
  CreateTrigStmt: 'CREATE TRIGGER',
  CreateSeqStmt: 'CREATE SEQUENCE',
  AlterSeqStmt: 'ALTER SEQUENCE',
  CompositeTypeStmt: 'CREATE TYPE',
  CreateEnumStmt: 'CREATE TYPE',
  CreateRangeStmt: 'CREATE TYPE',
  AlterEnumStmt: 'ALTER TYPE',
  DeclareCursorStmt: 'DECLARE CURSOR',
  ClosePortalStmt: 'CLOSE CURSOR',
  RuleStmt: 'CREATE RULE',
  RefreshMatViewStmt: 'REFRESH MATERIALIZED VIEW',
  CreateTableSpaceStmt: 'CREATE TABLESPACE',
  DropTableSpaceStmt: 'DROP TABLESPACE',
  CreateFdwStmt: 'CREATE FOREIGN DATA WRAPPER',
  CreateForeignServerStmt: 'CREATE SERVER',
  CreateStatsStmt: 'CREATE STATISTICS',
  CreatePLangStmt: 'CREATE LANGUAGE',
  CreateEventTrigStmt: 'CREATE EVENT TRIGGER',
  CreateOpClassStmt: 'CREATE OPERATOR CLASS',
  CreateOpFamilyStmt: 'CREATE OPERATOR FAMILY',
  CreateAmStmt: 'CREATE ACCESS METHOD',
  AlterDatabaseSetStmt: 'ALTER DATABASE',
  AlterRoleSetStmt: 'ALTER ROLE',
  AlterDefaultPrivilegesStmt: 'ALTER DEFAULT PRIVILEGES',
  SecLabelStmt: 'SECURITY LABEL',
  LoadStmt: 'LOAD',
  DoStmt: 'DO',
  CallStmt: 'CALL',
  MergeStmt: 'MERGE',
};

function commandName(tag: NodeTag | undefined, body: unknown): string {
  if (tag === undefined) return 'this statement';
  switch (tag) {
    case 'CreateFunctionStmt':
      return (body as pg.CreateFunctionStmt).is_procedure ? 'CREATE PROCEDURE' : 'CREATE FUNCTION';
    case 'FetchStmt':
      return (body as pg.FetchStmt).ismove ? 'MOVE' : 'FETCH';
    case 'DefineStmt':
      return `CREATE ${objectTypeWords((body as pg.DefineStmt).kind)}`;
    case 'AlterObjectSchemaStmt':
      return `ALTER ${objectTypeWords((body as pg.AlterObjectSchemaStmt).objectType)} … SET SCHEMA`;
    case 'AlterOwnerStmt':
      return `ALTER ${objectTypeWords((body as pg.AlterOwnerStmt).objectType)} … OWNER TO`;
    default:
      return (
        COMMAND_NAMES[tag] ??
        tag
          .replace(/Stmt$/, '')
          .replace(/([a-z])([A-Z])/g, '$1 $2')
          .toUpperCase()
      );
  }
}
