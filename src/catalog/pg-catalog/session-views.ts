/** pg_prepared_statements and pg_settings: views over the session's own state. */
import { ArrayValue } from '../../types/array.ts';
import { relation } from './relation.ts';

export const sessionViews = [
  relation(
    'pg_prepared_statements',
    12095,
    'name text, statement text, prepare_time timestamptz, parameter_types regtype[], from_sql bool, ' +
      'generic_plans int8, custom_plans int8',
    (ctx) =>
      ctx.preparedStatements().map((p) => ({
        name: p.name,
        statement: p.statement,
        prepare_time: p.prepareTime,
        parameter_types: ArrayValue.of([...p.parameterTypes]),
        from_sql: p.fromSql,
        // Quiver plans a statement once and again only after DDL or a settings change; it
        // keeps no count of PostgreSQL's generic and custom plans.
        generic_plans: 0n,
        custom_plans: 0n,
      })),
    {},
    'v',
  ),
  relation(
    'pg_settings',
    12104,
    'name text, setting text, unit text, category text, short_desc text, extra_desc text, context text, ' +
      'vartype text, source text, min_val text, max_val text, enumvals text[], boot_val text, reset_val text, ' +
      'sourcefile text, sourceline int4, pending_restart bool',
    (ctx) =>
      ctx.settings().map((s) => ({
        name: s.name,
        setting: s.setting,
        unit: s.unit,
        category: s.category,
        short_desc: s.doc,
        context: s.context,
        vartype: s.vartype,
        source: s.source,
        min_val: s.min,
        max_val: s.max,
        enumvals: s.enumvals ? ArrayValue.of([...s.enumvals]) : null,
        boot_val: s.boot,
        // RESET goes back to the default (startup options are not kept apart).
        reset_val: s.boot,
      })),
    { extra_desc: null, sourcefile: null, sourceline: null, pending_restart: false },
    'v',
  ),
];
