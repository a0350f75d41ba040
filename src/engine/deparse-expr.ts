/**
 * Renders bound expressions the way PostgreSQL's EXPLAIN deparses them: operators in
 * parentheses `(a <-> b)`, numeric constants bare, other constants as `'text'::type`,
 * casts as `(x)::type`, column names as written.
 */
import type { BoundExpr } from '../bind/bound-expr.ts';
import { BIND_EVAL_CONTEXT, typeDisplayName } from '../bind/coercion.ts';
import { encodeText } from './encode.ts';

const BARE_CONSTANTS = new Set(['int2', 'int4', 'int8', 'numeric', 'float4', 'float8', 'bool', 'oid']);

function constText(e: BoundExpr & { kind: 'Const' }): string {
  if (e.value === null) return 'NULL';
  const text = encodeText(e.type, e.value, BIND_EVAL_CONTEXT);
  if (!e.type.isArray && BARE_CONSTANTS.has(e.type.base)) {
    if (e.type.base === 'bool') return text === 't' ? 'true' : 'false';
    if (e.type.base === 'int4' || e.type.base === 'numeric')
      return text.startsWith('-') ? `'${text}'::${typeDisplayName(e.type)}` : text;
  }
  return `'${text.replaceAll("'", "''")}'::${typeDisplayName(e.type)}`;
}

export function deparse(e: BoundExpr, names: readonly string[]): string {
  const d = (x: BoundExpr) => deparse(x, names);
  switch (e.kind) {
    case 'Column':
      return names[e.index] ?? e.name;
    case 'Outer':
      return e.name;
    case 'Const':
      return constText(e);
    case 'Param':
      return `$${e.index + 1}`;
    case 'Call':
      if (e.isOperator)
        return e.args.length === 2
          ? `(${d(e.args[0])} ${e.name} ${d(e.args[1])})`
          : `(${e.name} ${d(e.args[0])})`;
      return `${e.name}(${e.args.map(d).join(', ')})`;
    case 'SessionCall':
      return `${e.name}(${e.args.map(d).join(', ')})`;
    case 'Cast':
      return `(${d(e.arg)})::${typeDisplayName(e.type, true)}`;
    case 'And':
    case 'Or':
      return `(${e.args.map(d).join(` ${e.kind.toUpperCase()} `)})`;
    case 'Not':
      return `(NOT ${d(e.arg)})`;
    case 'IsNull':
      return `(${d(e.arg)} IS ${e.not ? 'NOT ' : ''}NULL)`;
    case 'BoolTest':
      return `(${d(e.arg)} IS ${e.test.toUpperCase()})`;
    case 'Coalesce':
      return `COALESCE(${e.args.map(d).join(', ')})`;
    case 'MinMax':
      return `${e.op.toUpperCase()}(${e.args.map(d).join(', ')})`;
    case 'Case':
      return `CASE ${e.whens.map((w) => `WHEN ${d(w.when)} THEN ${d(w.then)}`).join(' ')}${e.else ? ` ELSE ${d(e.else)}` : ''} END`;
    case 'ArrayCtor':
      return `ARRAY[${e.elements.map(d).join(', ')}]`;
    case 'QuantifiedArray':
      return `(${d(e.arg)} ${e.operator} ${e.quantifier.toUpperCase()} (${d(e.array)}))`;
    case 'Subquery':
    case 'QuantifiedSubquery':
      return '(SubPlan)';
    case 'AggRef':
      return `agg${e.index}`;
    case 'WindowRef':
      return `window${e.index}`;
  }
}

/** A sort or group key: PostgreSQL doubles the parentheses around non-column expressions. */
export function deparseKey(e: BoundExpr, names: readonly string[]): string {
  const text = deparse(e, names);
  return e.kind === 'Column' || !text.startsWith('(') ? text : `(${text})`;
}
