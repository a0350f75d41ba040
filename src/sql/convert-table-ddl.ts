/**
 * CREATE TABLE [AS], ALTER TABLE, ALTER TABLE … RENAME: column definitions and constraints.
 */
import type * as pg from '@pgsql/types';
import type { QualifiedName } from './ast.ts';
import type {
  AlterTableAction,
  AlterTableStmt,
  ColumnDef,
  CreateTableStmt,
  ReferentialAction,
  ReindexStmt,
  RenameIndexStmt,
  TableConstraint,
} from './ast-utility.ts';
import { convertExpr } from './convert-expr.ts';
import { convertTypeName } from './convert-literal.ts';
import { convertRangeVar, convertSelectNode } from './convert-select.ts';
import {
  as,
  type ConvertContext,
  defElems,
  defElemValue,
  objectTypeWords,
  type StatementConverters,
  strings,
  unsupported,
  unwrap,
} from './pg-node.ts';

function convertCreate(s: pg.CreateStmt, ctx: ConvertContext, loc: number): CreateTableStmt {
  const rel = s.relation!;
  if ((s.inhRelations?.length ?? 0) > 0) throw unsupported('table inheritance is not supported', loc);
  if (s.partspec !== undefined || s.partbound !== undefined) {
    throw unsupported('partitioned tables are not supported', loc);
  }
  if (s.ofTypename !== undefined)
    throw unsupported('typed tables (CREATE TABLE … OF type) are not supported', loc);
  if (s.accessMethod !== undefined) throw unsupported('table access methods are not supported', loc);
  if (s.oncommit === 'ONCOMMIT_DROP' || s.oncommit === 'ONCOMMIT_DELETE_ROWS') {
    throw unsupported('ON COMMIT DROP / DELETE ROWS is not supported', loc);
  }
  const columns: ColumnDef[] = [];
  const constraints: TableConstraint[] = [];
  const likes: { table: QualifiedName; at: number; includingDefaults: boolean }[] = [];
  for (const elt of s.tableElts ?? []) {
    const { tag, body } = unwrap(elt);
    if (tag === 'ColumnDef') columns.push(convertColumnDef(body as pg.ColumnDef, ctx, constraints));
    else if (tag === 'Constraint') constraints.push(convertTableConstraint(body as pg.Constraint, ctx, []));
    else if (tag === 'TableLikeClause') {
      const like = body as pg.TableLikeClause;
      // CREATE_TABLE_LIKE_DEFAULTS is bit 3 of the INCLUDING options (parsenodes.h).
      const includingDefaults = ((like.options ?? 0) & (1 << 3)) !== 0;
      likes.push({ table: convertRangeVar(like.relation!, ctx), at: columns.length, includingDefaults });
    } else throw unsupported(`CREATE TABLE element ${tag} is not supported`, loc);
  }
  return {
    kind: 'CreateTable',
    name: convertRangeVar(rel, ctx),
    ifNotExists: s.if_not_exists ?? false,
    columns,
    constraints,
    // UNLOGGED ('u') is accepted as an ordinary table.
    temporary: rel.relpersistence === 't',
    asQuery: null,
    options: convertOptions(s.options),
    ...(likes.length > 0 ? { likes } : {}),
  };
}

/** WITH (shards = 4, …) storage options as text. */
function convertOptions(list: pg.Node[] | undefined): Record<string, string> {
  const options: Record<string, string> = {};
  for (const d of defElems(list)) options[d.defname ?? ''] = defElemValue(d) ?? 'true';
  return options;
}

function convertCreateTableAs(s: pg.CreateTableAsStmt, ctx: ConvertContext, loc: number): CreateTableStmt {
  if (s.objtype !== 'OBJECT_TABLE')
    throw unsupported(`CREATE ${objectTypeWords(s.objtype)} is not supported`, loc);
  const into = s.into!;
  if ((into.colNames?.length ?? 0) > 0)
    throw unsupported('column names in CREATE TABLE … AS are not supported', loc);
  if (into.skipData) throw unsupported('CREATE TABLE … AS … WITH NO DATA is not supported', loc);
  return {
    kind: 'CreateTable',
    name: convertRangeVar(into.rel!, ctx),
    ifNotExists: s.if_not_exists ?? false,
    columns: [],
    constraints: [],
    temporary: into.rel?.relpersistence === 't',
    asQuery: convertSelectNode(s.query!, ctx, loc),
    options: convertOptions(into.options),
  };
}

/**
 * A column definition. Column CHECK and REFERENCES constraints are table constraints in
 * PostgreSQL too; they are appended to `tableConstraints` with this column as their key.
 */
export function convertColumnDef(
  c: pg.ColumnDef,
  ctx: ConvertContext,
  tableConstraints: TableConstraint[],
): ColumnDef {
  const name = c.colname ?? '';
  let notNull = false;
  let primaryKey = false;
  let unique = false;
  let dflt: ColumnDef['default'] = null;
  let identity: ColumnDef['identity'] = null;
  const sequenceOptions: Record<string, number> = {};
  for (const n of c.constraints ?? []) {
    const k = as(n, 'Constraint')!;
    switch (k.contype) {
      case 'CONSTR_NOTNULL':
        notNull = true;
        break;
      case 'CONSTR_NULL':
        notNull = false;
        break;
      case 'CONSTR_DEFAULT':
        dflt = convertExpr(k.raw_expr!, ctx);
        break;
      // A named one (`a int CONSTRAINT a_uniq UNIQUE`) keeps its name as a table constraint.
      case 'CONSTR_PRIMARY':
        if (k.conname) tableConstraints.push(convertTableConstraint(k, ctx, [name]));
        else primaryKey = true;
        break;
      case 'CONSTR_UNIQUE':
        if (k.conname) tableConstraints.push(convertTableConstraint(k, ctx, [name]));
        else unique = true;
        break;
      case 'CONSTR_IDENTITY':
        identity = k.generated_when === 'a' ? 'always' : 'by default';
        for (const o of k.options ?? []) {
          const d = (o as { DefElem?: { defname?: string; arg?: { Integer?: { ival?: number } } } }).DefElem;
          if (d?.defname && d.arg?.Integer) sequenceOptions[d.defname] = d.arg.Integer.ival ?? 0;
        }
        break;
      case 'CONSTR_CHECK':
      case 'CONSTR_FOREIGN':
        tableConstraints.push(convertTableConstraint(k, ctx, [name]));
        break;
      // They follow the constraint they qualify (only a foreign key's are kept).
      case 'CONSTR_ATTR_DEFERRABLE':
      case 'CONSTR_ATTR_NOT_DEFERRABLE':
      case 'CONSTR_ATTR_DEFERRED':
      case 'CONSTR_ATTR_IMMEDIATE': {
        const fk = tableConstraints[tableConstraints.length - 1]?.foreignKey;
        if (!fk) break;
        if (k.contype === 'CONSTR_ATTR_DEFERRABLE') fk.deferrable = true;
        else if (k.contype === 'CONSTR_ATTR_NOT_DEFERRABLE') fk.deferrable = false;
        else fk.initiallyDeferred = k.contype === 'CONSTR_ATTR_DEFERRED';
        if (fk.initiallyDeferred) fk.deferrable = true;
        break;
      }
      case 'CONSTR_GENERATED':
        throw unsupported('generated columns are not supported', ctx.loc(k.location));
      default:
        throw unsupported(`constraint type ${k.contype} is not supported`, ctx.loc(k.location));
    }
  }
  return {
    name,
    type: convertTypeName(c.typeName!, ctx),
    notNull,
    primaryKey,
    unique,
    default: dflt,
    identity,
    sequenceOptions,
    loc: ctx.loc(c.location),
  };
}

/** A table-level constraint; `columns` supplies the key of a column-level CHECK/REFERENCES. */
export function convertTableConstraint(
  k: pg.Constraint,
  ctx: ConvertContext,
  columns: string[],
): TableConstraint {
  const loc = ctx.loc(k.location);
  const base = { name: k.conname ?? null, loc };
  switch (k.contype) {
    case 'CONSTR_PRIMARY':
    case 'CONSTR_UNIQUE':
      return {
        type: k.contype === 'CONSTR_PRIMARY' ? 'primary key' : 'unique',
        ...base,
        columns: k.keys === undefined ? columns : strings(k.keys),
        include: strings(k.including),
        check: null,
      };
    case 'CONSTR_CHECK':
      return {
        type: 'check',
        ...base,
        columns,
        check: convertExpr(k.raw_expr!, ctx),
        notValid: k.skip_validation ?? false,
        noInherit: k.is_no_inherit ?? false,
      };
    case 'CONSTR_FOREIGN':
      if (k.fk_matchtype === 'p') throw unsupported('MATCH PARTIAL not yet implemented', loc);
      if ((k.fk_del_set_cols?.length ?? 0) > 0) {
        throw unsupported('ON DELETE SET NULL/SET DEFAULT with a column list is not supported', loc);
      }
      return {
        type: 'foreign key',
        ...base,
        columns: k.fk_attrs === undefined ? columns : strings(k.fk_attrs),
        check: null,
        references: { table: convertRangeVar(k.pktable!, ctx), columns: strings(k.pk_attrs) },
        foreignKey: {
          onUpdate: (k.fk_upd_action ?? 'a') as ReferentialAction,
          onDelete: (k.fk_del_action ?? 'a') as ReferentialAction,
          matchFull: k.fk_matchtype === 'f',
          deferrable: (k.deferrable ?? false) || (k.initdeferred ?? false),
          initiallyDeferred: k.initdeferred ?? false,
        },
        notValid: k.skip_validation ?? false,
      };
    case 'CONSTR_EXCLUSION':
      throw unsupported('exclusion constraints are not supported', loc);
    default:
      throw unsupported(`constraint type ${k.contype} is not supported here`, loc);
  }
}

function convertAlterTable(s: pg.AlterTableStmt, ctx: ConvertContext, loc: number): AlterTableStmt {
  if (s.objtype !== 'OBJECT_TABLE')
    throw unsupported(`ALTER ${objectTypeWords(s.objtype)} is not supported`, loc);
  const actions: AlterTableAction[] = [];
  for (const n of s.cmds ?? []) actions.push(...convertAlterCmd(as(n, 'AlterTableCmd')!, ctx, loc));
  return {
    kind: 'AlterTable',
    table: convertRangeVar(s.relation!, ctx),
    ifExists: s.missing_ok ?? false,
    actions,
  };
}

function convertAlterCmd(c: pg.AlterTableCmd, ctx: ConvertContext, loc: number): AlterTableAction[] {
  const name = c.name ?? '';
  switch (c.subtype) {
    case 'AT_AddColumn': {
      const extra: TableConstraint[] = [];
      const column = convertColumnDef(as(c.def, 'ColumnDef')!, ctx, extra);
      const adds = extra.map((constraint) => ({ type: 'add constraint' as const, constraint }));
      return [{ type: 'add column', column, ifNotExists: c.missing_ok ?? false }, ...adds];
    }
    case 'AT_DropColumn':
      return [
        {
          type: 'drop column',
          name,
          ifExists: c.missing_ok ?? false,
          cascade: c.behavior === 'DROP_CASCADE',
        },
      ];
    case 'AT_SetNotNull':
      return [{ type: 'alter column set not null', name }];
    case 'AT_DropNotNull':
      return [{ type: 'alter column drop not null', name }];
    case 'AT_ColumnDefault':
      return [
        {
          type: 'alter column set default',
          name,
          default: c.def === undefined ? null : convertExpr(c.def, ctx),
        },
      ];
    case 'AT_AlterColumnType': {
      const def = as(c.def, 'ColumnDef')!;
      const using = def.raw_default === undefined ? null : convertExpr(def.raw_default, ctx);
      return [{ type: 'alter column type', name, newType: convertTypeName(def.typeName!, ctx), using }];
    }
    case 'AT_AddConstraint':
      return [
        { type: 'add constraint', constraint: convertTableConstraint(as(c.def, 'Constraint')!, ctx, []) },
      ];
    case 'AT_DropConstraint':
      return [
        {
          type: 'drop constraint',
          name,
          ifExists: c.missing_ok ?? false,
          cascade: c.behavior === 'DROP_CASCADE',
        },
      ];
    case 'AT_ValidateConstraint':
      return [{ type: 'validate constraint', name }];
    case 'AT_EnableTrigAll':
    case 'AT_DisableTrigAll':
      return [{ type: 'triggers', enable: c.subtype === 'AT_EnableTrigAll', which: 'all' }];
    case 'AT_EnableTrigUser':
    case 'AT_DisableTrigUser':
      return [{ type: 'triggers', enable: c.subtype === 'AT_EnableTrigUser', which: 'user' }];
    case 'AT_EnableTrig':
    case 'AT_EnableAlwaysTrig':
    case 'AT_EnableReplicaTrig':
    case 'AT_DisableTrig':
      return [{ type: 'triggers', enable: c.subtype !== 'AT_DisableTrig', which: name }];
    default: {
      const words = (c.subtype ?? 'unknown')
        .replace(/^AT_/, '')
        .replace(/([a-z])([A-Z])/g, '$1 $2')
        .toUpperCase();
      throw unsupported(`ALTER TABLE … ${words} is not supported`, loc);
    }
  }
}

function convertRename(s: pg.RenameStmt, ctx: ConvertContext, loc: number): AlterTableStmt | RenameIndexStmt {
  const ifExists = s.missing_ok ?? false;
  const newName = s.newname ?? '';
  if (s.renameType === 'OBJECT_COLUMN' && s.relationType === 'OBJECT_TABLE') {
    const action = { type: 'rename column' as const, name: s.subname ?? '', newName };
    return { kind: 'AlterTable', table: convertRangeVar(s.relation!, ctx), ifExists, actions: [action] };
  }
  if (s.renameType === 'OBJECT_TABLE') {
    const action = { type: 'rename table' as const, newName };
    return { kind: 'AlterTable', table: convertRangeVar(s.relation!, ctx), ifExists, actions: [action] };
  }
  if (s.renameType === 'OBJECT_TABCONSTRAINT') {
    const action = { type: 'rename constraint' as const, name: s.subname ?? '', newName };
    return { kind: 'AlterTable', table: convertRangeVar(s.relation!, ctx), ifExists, actions: [action] };
  }
  if (s.renameType === 'OBJECT_INDEX')
    return { kind: 'RenameIndex', name: convertRangeVar(s.relation!, ctx), newName, ifExists };
  const target = s.renameType === 'OBJECT_COLUMN' ? s.relationType : s.renameType;
  throw unsupported(`ALTER ${objectTypeWords(target)} … RENAME is not supported`, loc);
}

const REINDEX_TARGETS = {
  REINDEX_OBJECT_INDEX: 'index',
  REINDEX_OBJECT_TABLE: 'table',
  REINDEX_OBJECT_SCHEMA: 'schema',
  REINDEX_OBJECT_DATABASE: 'database',
  REINDEX_OBJECT_SYSTEM: 'system',
} as const;

function convertReindex(s: pg.ReindexStmt, ctx: ConvertContext): ReindexStmt {
  const options = (s.params ?? []).map((n) => as(n, 'DefElem')?.defname ?? '');
  return {
    kind: 'Reindex',
    target: REINDEX_TARGETS[s.kind ?? 'REINDEX_OBJECT_INDEX'],
    relation: s.relation ? convertRangeVar(s.relation, ctx) : null,
    objectName: s.name ?? null,
    concurrently: options.includes('concurrently'),
  };
}

export const tableDdlConverters: StatementConverters = {
  CreateStmt: convertCreate,
  CreateTableAsStmt: convertCreateTableAs,
  AlterTableStmt: convertAlterTable,
  RenameStmt: convertRename,
  ReindexStmt: convertReindex,
  // CLUSTER reorders a table's storage by an index; Quiver's row order is its own: nothing to do.
  ClusterStmt: () => ({ kind: 'NoOp', tag: 'CLUSTER' }),
};
