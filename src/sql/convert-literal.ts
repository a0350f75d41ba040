/**
 * Literals: A_Const values and type names (the `type 'literal'` / `::type` targets).
 */
import type * as pg from '@pgsql/types';
import { SqlError, SqlState } from '../errors/sql-error.ts';
import type { ConstValue, TypeNameAst } from './ast.ts';
import { as, type ConvertContext, strings, unsupported } from './pg-node.ts';

export function convertTypeName(tn: pg.TypeName, ctx: ConvertContext): TypeNameAst {
  const loc = ctx.loc(tn.location);
  if (tn.setof) throw unsupported('SETOF type references are not supported', loc);
  if (tn.pct_type) throw unsupported('%TYPE type references are not supported', loc);
  const names = strings(tn.names);
  const mods: number[] = [];
  // Interval typmods encode a field mask and precision, not the numbers as written.
  if (names[names.length - 1] !== 'interval') {
    for (const m of tn.typmods ?? []) {
      const c = as(m, 'A_Const');
      if (c?.ival !== undefined) mods.push(c.ival.ival ?? 0);
      else if (c?.sval !== undefined) {
        // PostgreSQL hands string typmods to the type's typmod_in, which reads integers.
        const text = c.sval.sval ?? '';
        if (!/^\s*[-+]?\d+\s*$/.test(text)) {
          throw new SqlError(
            SqlState.InvalidTextRepresentation,
            `invalid input syntax for type integer: "${text}"`,
            {
              position: loc + 1,
            },
          );
        }
        mods.push(Number(text));
      }
    }
  }
  return { names, mods, isArray: (tn.arrayBounds?.length ?? 0) > 0, loc };
}

/** Integer literals PostgreSQL's lexer left as text (too big for int4, or hex/octal/binary/underscored). */
const INTEGER_TEXT = /^(-?)(0[xX][0-9a-fA-F_]+|0[oO][0-7_]+|0[bB][01_]+|[0-9][0-9_]*)$/;

export function constValue(c: pg.A_Const): ConstValue {
  if (c.isnull) return { type: 'null' };
  if (c.ival !== undefined) return { type: 'integer', value: String(c.ival.ival ?? 0) };
  if (c.fval !== undefined) {
    const text = c.fval.fval ?? '0';
    const m = INTEGER_TEXT.exec(text);
    if (m !== null) return { type: 'integer', value: m[1] + BigInt(m[2].replaceAll('_', '')).toString() };
    return { type: 'float', value: text.replaceAll('_', '') };
  }
  if (c.boolval !== undefined) return { type: 'bool', value: c.boolval.boolval ?? false };
  if (c.bsval !== undefined) return { type: 'bitstring', value: c.bsval.bsval ?? '' };
  return { type: 'string', value: c.sval?.sval ?? '' };
}
