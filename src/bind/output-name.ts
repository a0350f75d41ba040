/**
 * PostgreSQL's default name for an unaliased select-list entry (FigureColname): a column's
 * or function's own name, 'case', 'array', 'coalesce', … and otherwise '?column?'. Each
 * candidate has a strength; a cast names the entry after its type only when what it casts
 * has no stronger name (`'{1}'::real[]::vector` → vector, `x::text` → x).
 */
import type { Expr } from '../sql/ast.ts';

type Named = [name: string | null, strength: number];

function figure(e: Expr): Named {
  switch (e.kind) {
    case 'ColumnRef':
    case 'Func':
      return [e.names[e.names.length - 1], 2];
    case 'Subscript':
      return e.fields.length > 0 ? [e.fields[e.fields.length - 1], 2] : figure(e.arg);
    case 'Cast': {
      const inner = figure(e.arg);
      if (inner[1] > 1) return inner;
      return [e.type.names[e.type.names.length - 1], 1];
    }
    case 'Case': {
      // Named after its ELSE result when that has a strong name (`ELSE x::text` → x).
      const otherwise = e.else ? figure(e.else) : ([null, 0] as Named);
      return otherwise[1] > 1 ? otherwise : ['case', 1];
    }
    case 'Array':
      return ['array', 2];
    case 'Coalesce':
      return ['coalesce', 2];
    case 'NullIf':
      return ['nullif', 2];
    case 'MinMax':
      return [e.op, 2];
    case 'Row':
      return ['row', 2];
    case 'SqlValue':
      return [e.name === 'user' ? 'current_user' : e.name, 2];
    case 'SubLink': {
      if (e.linkType === 'exists') return ['exists', 2];
      if (e.linkType === 'array') return ['array', 2];
      if (e.linkType === 'expr') {
        const t = e.query.targets[0];
        if (t) return [t.alias ?? outputName(t.expr), 2];
      }
      return [null, 0];
    }
    default:
      return [null, 0];
  }
}

export function outputName(e: Expr): string {
  return figure(e)[0] ?? '?column?';
}
