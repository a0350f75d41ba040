/**
 * WITH queries: plain ones (evaluated once, shared by their references), data-modifying ones
 * (INSERT/UPDATE/DELETE … RETURNING) and WITH RECURSIVE (anchor UNION [ALL] recursive term).
 */
import { SqlError, SqlState } from '../errors/sql-error.ts';
import type { OutputColumn, PlanNode } from '../plan/plan-nodes.ts';
import type { SelectStmt, WithClause } from '../sql/ast.ts';
import type { BindContext, CteEntry } from './bind-context.ts';
import { bindDelete, bindInsert, bindUpdate } from './bind-dml.ts';
import type { BoundExpr } from './bound-expr.ts';
import { tryCoerce, typeDisplayName } from './coercion.ts';
import type { Scope } from './scope.ts';

type SelectBinder = (stmt: SelectStmt, outer: Scope | null, bc: BindContext) => PlanNode;

/** Binds the WITH clause and pushes its queries into scope; returns whether it pushed. */
export function bindWith(clause: WithClause | null, bc: BindContext, bindSelect: SelectBinder): boolean {
  if (!clause) return false;
  const map = new Map<string, CteEntry>();
  bc.ctes.push(map);
  for (const cte of clause.ctes) {
    if (map.has(cte.name)) {
      throw new SqlError(SqlState.DuplicateAlias, `WITH query name "${cte.name}" specified more than once`, {
        position: cte.loc + 1,
      });
    }
    const rename = (columns: readonly OutputColumn[]) =>
      columns.map((c, i) => ({ ...c, name: cte.columns[i] ?? c.name, tableOid: 0, attnum: 0 }));
    const q = cte.query;
    if (q.kind !== 'Select') {
      const dml =
        q.kind === 'Insert' ? bindInsert(q, bc) : q.kind === 'Update' ? bindUpdate(q, bc) : bindDelete(q, bc);
      const columns = rename(dml.returning?.columns ?? []);
      map.set(cte.name, { plan: { kind: 'ModifyTable', dml, columns }, rows: null, columns });
      continue;
    }
    if (clause.recursive && q.setOp?.op === 'union') {
      map.set(cte.name, bindRecursive(cte.name, q, rename, map, bc, bindSelect));
      continue;
    }
    const plan = bindSelect(q, null, bc);
    map.set(cte.name, { plan, rows: null, columns: rename(plan.columns) });
  }
  return true;
}

function bindRecursive(
  name: string,
  q: SelectStmt,
  rename: (c: readonly OutputColumn[]) => OutputColumn[],
  map: Map<string, CteEntry>,
  bc: BindContext,
  bindSelect: SelectBinder,
): CteEntry {
  const setOp = q.setOp!;
  const anchor = bindSelect(setOp.left, null, bc);
  const columns = rename(anchor.columns);
  const workTable = {};
  map.set(name, { plan: anchor, rows: null, columns, workTable });
  const recursive = bindSelect(setOp.right, null, bc);
  if (recursive.columns.length !== columns.length) {
    throw new SqlError(SqlState.SyntaxError, 'each UNION query must have the same number of columns');
  }
  const exprs = recursive.columns.map((c, i): BoundExpr => {
    const col: BoundExpr = { kind: 'Column', type: c.type, index: i, name: c.name };
    const out = tryCoerce(col, columns[i].type, 'implicit', bc);
    if (!out) {
      throw new SqlError(
        SqlState.DatatypeMismatch,
        `recursive query "${name}" column ${i + 1} has type ${typeDisplayName(columns[i].type)} in non-recursive term but type ${typeDisplayName(c.type)} overall`,
        { hint: 'Cast the output of the non-recursive term to the correct type.' },
      );
    }
    return out;
  });
  const coerced: PlanNode = { kind: 'Project', input: recursive, exprs, columns };
  const plan: PlanNode = {
    kind: 'RecursiveUnion',
    name,
    anchor,
    recursive: coerced,
    all: setOp.all,
    workTable,
    columns,
  };
  return { plan, rows: null, columns };
}
