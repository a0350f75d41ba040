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

const INTEGERS = new Set(['int2', 'int4', 'int8']);

/**
 * An integer constant cast to another integer type (`bigint_col > 0`): PostgreSQL compares
 * and computes across int2/int4/int8 with cross-type operators, so its expression has no
 * cast to print.
 */
function integerWidening(e: BoundExpr & { kind: 'Cast' }): boolean {
  const arg = e.arg;
  return (
    arg.kind === 'Const' &&
    arg.value !== null &&
    !arg.type.isArray &&
    !e.type.isArray &&
    INTEGERS.has(arg.type.base) &&
    INTEGERS.has(e.type.base)
  );
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
      if (integerWidening(e)) return d(e.arg);
      return `(${d(e.arg)})::${typeDisplayName(e.type, true)}`;
    case 'And':
    case 'Or':
      return inListText(e, names) ?? `(${e.args.map(d).join(` ${e.kind.toUpperCase()} `)})`;
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

/**
 * `x IN (1, 2)` as PostgreSQL prints the ScalarArrayOpExpr it makes of it:
 * `(x = ANY (ARRAY[1, 2]))`, NOT IN as `(x <> ALL (ARRAY[1, 2]))`. Null when `e` is not
 * an IN list (or a rewrite changed its tests).
 */
function inListText(e: BoundExpr & { kind: 'And' | 'Or' }, names: readonly string[]): string | null {
  if (!e.inList) return null;
  const operator = e.kind === 'Or' ? '=' : '<>';
  const tests = e.args.map((a) => (a.kind === 'Call' && a.isOperator && a.args.length === 2 ? a : null));
  if (tests.some((t) => t === null || t.name !== operator)) return null;
  const left = deparse(tests[0]!.args[0], names);
  if (tests.some((t) => deparse(t!.args[0], names) !== left)) return null;
  const items = tests.map((t) => deparse(t!.args[1], names)).join(', ');
  return `(${left} ${operator} ${e.kind === 'Or' ? 'ANY' : 'ALL'} (ARRAY[${items}]))`;
}

/** A sort or group key: PostgreSQL doubles the parentheses around non-column expressions. */
export function deparseKey(e: BoundExpr, names: readonly string[]): string {
  const text = deparse(e, names);
  return e.kind === 'Column' || !text.startsWith('(') ? text : `(${text})`;
}

/** Where an expression sits, for deparsePretty's parentheses. */
type PrettyPlace = 'top' | 'and' | 'or' | 'not' | 'operand' | 'low' | 'high' | 'argument';

const LOW_PRIORITY = new Set(['+', '-']);
const HIGH_PRIORITY = new Set(['*', '/', '%']);

/**
 * The pretty form PostgreSQL's pg_get_indexdef(…, true) and psql's `\d` print: parentheses
 * only where precedence needs them — `n = 1 AND (a OR b)`, `(n + 1) > 2`, `n * 2 + 1`,
 * `email::text`. Anything else is printed as deparse prints it.
 */
export function deparsePretty(e: BoundExpr, names: readonly string[], place: PrettyPlace = 'top'): string {
  const p = (x: BoundExpr, at: PrettyPlace) => deparsePretty(x, names, at);
  const wrap = (text: string, bare: boolean) => (bare ? text : `(${text})`);
  const boolPlace = place === 'top' || place === 'and' || place === 'or' || place === 'not';
  switch (e.kind) {
    case 'Call': {
      if (!e.isOperator || e.args.length !== 2) return deparse(e, names);
      const low = LOW_PRIORITY.has(e.name);
      const high = HIGH_PRIORITY.has(e.name);
      // An arithmetic operand binds as tightly as its priority; a comparison's operands are
      // parenthesized unless they are simple.
      const left = low ? 'low' : high ? 'high' : 'operand';
      const text = `${p(e.args[0], left)} ${e.name} ${p(e.args[1], 'operand')}`;
      return wrap(text, boolPlace || place === 'argument' || (high && place === 'low'));
    }
    case 'And':
    case 'Or': {
      const inList = inListText(e, names);
      if (inList) return place === 'top' ? inList.slice(1, -1) : inList;
      if (e.kind === 'Or') return wrap(e.args.map((a) => p(a, 'or')).join(' OR '), place === 'top');
      return wrap(e.args.map((a) => p(a, 'and')).join(' AND '), place === 'top' || place === 'or');
    }
    case 'Not':
      return wrap(`NOT ${p(e.arg, 'not')}`, boolPlace);
    case 'IsNull':
      return wrap(`${p(e.arg, 'operand')} IS ${e.not ? 'NOT ' : ''}NULL`, boolPlace);
    case 'BoolTest':
      return wrap(`${p(e.arg, 'operand')} IS ${e.test.toUpperCase()}`, boolPlace);
    case 'Cast': {
      const arg = e.arg;
      if (integerWidening(e)) return deparse(arg, names);
      // A number printed bare (`0::numeric`): PostgreSQL folds the cast into the constant and
      // parenthesizes it only in the plain form (`(0)::numeric`).
      const bareNumber = arg.kind === 'Const' && /^[0-9]/.test(deparse(arg, names));
      const simple =
        bareNumber ||
        arg.kind === 'Column' ||
        arg.kind === 'Cast' ||
        (arg.kind === 'Call' && !arg.isOperator);
      return `${simple ? p(arg, 'argument') : `(${p(arg, 'operand')})`}::${typeDisplayName(e.type, true)}`;
    }
    case 'QuantifiedArray':
      return wrap(
        `${p(e.arg, 'operand')} ${e.operator} ${e.quantifier.toUpperCase()} (${deparse(e.array, names)})`,
        place === 'top',
      );
    default:
      return deparse(e, names);
  }
}
