/**
 * Name resolution scopes. A scope lists the columns a FROM clause makes visible, in row
 * order; scopes chain to the enclosing query's scope for correlated references.
 */
import { SqlError, SqlState } from '../errors/sql-error.ts';
import { type SqlType, T, type Value } from '../types/type.ts';

export interface ScopeColumn {
  /** Table alias (or table name) that qualifies it; null for unnamed subquery outputs. */
  readonly qualifier: string | null;
  readonly name: string;
  readonly type: SqlType;
  /** Position in the row. */
  readonly index: number;
  readonly tableOid: number;
  readonly attnum: number;
  /** Not expanded by `*` (row ids, USING-merged duplicates, system columns). */
  readonly hidden: boolean;
  /**
   * A system column's value, the same for every row of its FROM item (tableoid: the OID of
   * the relation the row comes from); such a column has no row position.
   */
  readonly systemValue?: Value;
}

/** `tableoid` of a FROM item reading relation `oid`, as PostgreSQL gives every table and catalog. */
export function tableoidColumn(qualifier: string | null, oid: number): ScopeColumn {
  return {
    qualifier,
    name: 'tableoid',
    type: T.oid,
    index: -1,
    tableOid: 0,
    attnum: 0,
    hidden: true,
    systemValue: oid,
  };
}

export class Scope {
  constructor(
    readonly columns: readonly ScopeColumn[],
    readonly parent: Scope | null = null,
  ) {}

  /** The qualifiers (FROM-item names) present in this scope. */
  hasQualifier(name: string): boolean {
    return this.columns.some((c) => c.qualifier === name);
  }

  /**
   * Finds a column by name (and optional qualifier) in this scope only.
   * Throws 42702 when ambiguous; returns undefined when absent.
   */
  lookupLocal(name: string, qualifier: string | null, loc: number): ScopeColumn | undefined {
    let found: ScopeColumn | undefined;
    for (const c of this.columns) {
      if (c.name !== name) continue;
      if (qualifier !== null && c.qualifier !== qualifier) continue;
      // Columns merged away by JOIN … USING are reachable only through their qualifier.
      if (qualifier === null && c.hidden && c.systemValue === undefined) continue;
      if (found) {
        throw new SqlError(SqlState.AmbiguousColumn, `column reference "${name}" is ambiguous`, {
          position: loc + 1,
        });
      }
      found = c;
    }
    return found;
  }

  /** Looks a column up here, then in enclosing scopes; `levels` says how many scopes up. */
  lookup(
    name: string,
    qualifier: string | null,
    loc: number,
  ): { column: ScopeColumn; levels: number } | undefined {
    let scope: Scope | null = this;
    let levels = 0;
    while (scope) {
      const column = scope.lookupLocal(name, qualifier, loc);
      if (column) return { column, levels };
      scope = scope.parent;
      levels++;
    }
    return undefined;
  }

  /** Whether any scope in the chain has this qualifier (for "missing FROM-clause entry" errors). */
  anyHasQualifier(name: string): boolean {
    for (let s: Scope | null = this; s; s = s.parent) if (s.hasQualifier(name)) return true;
    return false;
  }
}
