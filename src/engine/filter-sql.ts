/**
 * A kNN query's WHERE filter as SQL text that binds, over the same table, to the same
 * expression again (src/engine/shipped-filter.ts sends it to the nodes holding index
 * shards). Unlike EXPLAIN's deparse (deparse-expr.ts), every constant carries its type,
 * columns are quoted, implicit casts are left for the binder to insert again, and anything
 * that reads more than the row and the statement's parameters — a subquery, an outer row,
 * session state, a volatile function — gives null.
 */
import type { BoundExpr } from '../bind/bound-expr.ts';
import { BIND_EVAL_CONTEXT, typeDisplayName } from '../bind/coercion.ts';
import type { Table } from '../catalog/catalog-types.ts';
import type { SqlType } from '../types/type.ts';
import { encodeText } from './encode.ts';

export function filterSql(e: BoundExpr, table: Table): string | null {
  const parts: string[] = [];
  const ok = write(e, table, parts);
  return ok ? parts.join('') : null;
}

function write(e: BoundExpr, table: Table, out: string[]): boolean {
  const each = (args: readonly BoundExpr[], separator: string) =>
    args.every((arg, i) => {
      if (i > 0) out.push(separator);
      return write(arg, table, out);
    });
  switch (e.kind) {
    case 'Column':
      out.push(quoteIdent(table.columns[e.index].name));
      return true;
    case 'Const':
      out.push(constSql(e.type, e.value));
      return true;
    case 'Param':
      out.push(`$${e.index + 1}`);
      return true;
    case 'Call':
      if (e.volatile) return false;
      if (e.isOperator && e.args.length === 2) {
        out.push('(');
        if (!write(e.args[0], table, out)) return false;
        out.push(` ${e.name} `);
        if (!write(e.args[1], table, out)) return false;
        out.push(')');
        return true;
      }
      if (e.isOperator) {
        out.push(`(${e.name} `);
        if (!write(e.args[0], table, out)) return false;
        out.push(')');
        return true;
      }
      out.push(`${quoteIdent(e.name)}(`);
      if (!each(e.args, ', ')) return false;
      out.push(')');
      return true;
    case 'Cast':
      // An implicit cast is the binder's own doing: binding the argument in place inserts it again.
      if (!e.explicit) return write(e.arg, table, out);
      out.push('CAST(');
      if (!write(e.arg, table, out)) return false;
      out.push(` AS ${typeSql(e.type)})`);
      return true;
    case 'And':
    case 'Or':
      out.push('(');
      if (!each(e.args, ` ${e.kind.toUpperCase()} `)) return false;
      out.push(')');
      return true;
    case 'Not':
      out.push('(NOT ');
      if (!write(e.arg, table, out)) return false;
      out.push(')');
      return true;
    case 'IsNull':
      out.push('(');
      if (!write(e.arg, table, out)) return false;
      out.push(e.not ? ' IS NOT NULL)' : ' IS NULL)');
      return true;
    case 'BoolTest':
      out.push('(');
      if (!write(e.arg, table, out)) return false;
      out.push(` IS ${e.test.toUpperCase()})`);
      return true;
    case 'Case':
      out.push('CASE');
      for (const w of e.whens) {
        out.push(' WHEN ');
        if (!write(w.when, table, out)) return false;
        out.push(' THEN ');
        if (!write(w.then, table, out)) return false;
      }
      if (e.else) {
        out.push(' ELSE ');
        if (!write(e.else, table, out)) return false;
      }
      out.push(' END');
      return true;
    case 'Coalesce':
    case 'MinMax':
      out.push(e.kind === 'Coalesce' ? 'COALESCE(' : `${e.op.toUpperCase()}(`);
      if (!each(e.args, ', ')) return false;
      out.push(')');
      return true;
    case 'ArrayCtor':
      // ARRAY[] needs a type from around it; not worth shipping.
      if (e.elements.length === 0) return false;
      out.push('ARRAY[');
      if (!each(e.elements, ', ')) return false;
      out.push(']');
      return true;
    case 'QuantifiedArray':
      out.push('(');
      if (!write(e.arg, table, out)) return false;
      out.push(` ${e.operator} ${e.quantifier.toUpperCase()} (`);
      if (!write(e.array, table, out)) return false;
      out.push('))');
      return true;
    case 'Outer':
    case 'Subquery':
    case 'QuantifiedSubquery':
    case 'AggRef':
    case 'WindowRef':
    case 'SessionCall':
      return false;
  }
}

/** A constant as a typed literal (an untyped one stays untyped: the binder infers its type again). */
function constSql(type: SqlType, value: unknown): string {
  if (value === null) return type.base === 'unknown' ? 'NULL' : `CAST(NULL AS ${typeSql(type)})`;
  const text = `'${encodeText(type, value as never, BIND_EVAL_CONTEXT).replaceAll("'", "''")}'`;
  return type.base === 'unknown' && !type.isArray ? text : `CAST(${text} AS ${typeSql(type)})`;
}

function typeSql(type: SqlType): string {
  return typeDisplayName(type, true);
}

function quoteIdent(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}
