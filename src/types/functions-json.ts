/**
 * JSON functions: to_json/to_jsonb (datum_to_json rules: numbers bare unless NaN/Infinity,
 * timestamps in ISO 8601 with 'T', arrays as JSON arrays), json(b)_build_object/array,
 * json(b)_typeof, jsonb_array_length, and the SRFs jsonb_array_elements(_text) and
 * jsonb_object_keys.
 */
import { SqlError, SqlState } from '../errors/sql-error.ts';
import type { ArrayValue } from './array.ts';
import { formatDate, formatTimestamp, formatTimestamptz } from './datetime.ts';
import { def } from './define.ts';
import {
  type Json,
  JsonObject,
  jsonbIn,
  jsonbToText,
  jsonToText,
  jsonTypeof,
  parseJson,
  quoteJson,
} from './json.ts';
import type { EvalContext } from './registry-types.ts';
import { elementOf, type SqlType, sqlType, T, type Value } from './type.ts';
import { textOut } from './value-io.ts';

/** datum_to_json(): the JSON text for one SQL value of type `t`; `spaced` gives jsonb's ", " array style. */
export function toJsonText(v: Value, t: SqlType, ctx: EvalContext, spaced = false): string {
  if (v === null || v === undefined) return 'null';
  if (t.isArray) {
    const a = v as ArrayValue;
    const elem = elementOf(t);
    let k = 0;
    const sep = spaced ? ', ' : ',';
    const render = (d: number): string => {
      const parts: string[] = [];
      for (let i = 0; i < a.dims[d]; i++)
        parts.push(d + 1 < a.ndim ? render(d + 1) : toJsonText(a.elements[k++], elem, ctx, spaced));
      return `[${parts.join(sep)}]`;
    };
    return a.ndim ? render(0) : '[]';
  }
  switch (t.base) {
    case 'bool':
      return v ? 'true' : 'false';
    case 'int2':
    case 'int4':
    case 'int8':
    case 'float4':
    case 'float8':
    case 'numeric': {
      const s = textOut(t, v, ctx);
      return /^-?\d/.test(s) ? s : quoteJson(s);
    }
    case 'json':
      return v as string;
    case 'jsonb':
      return v as string;
    case 'date':
      return quoteJson(formatDate(v as number));
    case 'timestamp':
      return quoteJson(formatTimestamp(v as number).replace(' ', 'T'));
    case 'timestamptz': {
      // ISO 8601 wants the offset as +HH:MM.
      const s = formatTimestamptz(v as number, ctx.timeZone).replace(' ', 'T');
      return quoteJson(s.replace(/([+-]\d\d)$/, '$1:00'));
    }
    default:
      return quoteJson(textOut(t, v, ctx));
  }
}

const ANYELEMENT = sqlType('anyelement');

def('to_json', [ANYELEMENT], T.json, ([v], ctx, types) => toJsonText(v, types[0], ctx));
def('to_jsonb', [ANYELEMENT], T.jsonb, ([v], ctx, types) => jsonbIn(toJsonText(v, types[0], ctx)));

function objectPairs(
  args: Value[],
  types: readonly SqlType[],
  ctx: EvalContext,
  fn: string,
): [string, string][] {
  if (args.length % 2 !== 0) {
    throw new SqlError(SqlState.InvalidParameterValue, 'argument list must have even number of elements', {
      hint: `The arguments of ${fn}() must consist of alternating keys and values.`,
    });
  }
  const pairs: [string, string][] = [];
  for (let i = 0; i < args.length; i += 2) {
    if (args[i] === null) {
      throw new SqlError(SqlState.NullValueNotAllowed, `argument ${i + 1} cannot be null`, {
        hint: 'Object keys should be text.',
      });
    }
    const key = typeof args[i] === 'string' ? (args[i] as string) : textOut(types[i], args[i], ctx);
    pairs.push([key, toJsonText(args[i + 1], types[i + 1], ctx)]);
  }
  return pairs;
}

// json_build_object keeps PostgreSQL's ' : ' spacing; the jsonb variant normalizes.
def(
  'json_build_object',
  [],
  T.json,
  (args, ctx, types) =>
    `{${objectPairs(args, types, ctx, 'json_build_object')
      .map(([k, v]) => `${quoteJson(k)} : ${v}`)
      .join(', ')}}`,
  { variadic: 'any', strict: false },
);
def(
  'jsonb_build_object',
  [],
  T.jsonb,
  (args, ctx, types) =>
    jsonbIn(
      `{${objectPairs(args, types, ctx, 'jsonb_build_object')
        .map(([k, v]) => `${quoteJson(k)}: ${v}`)
        .join(', ')}}`,
    ),
  { variadic: 'any', strict: false },
);
def(
  'json_build_array',
  [],
  T.json,
  (args, ctx, types) => `[${args.map((v, i) => toJsonText(v, types[i], ctx)).join(', ')}]`,
  {
    variadic: 'any',
    strict: false,
  },
);
def(
  'jsonb_build_array',
  [],
  T.jsonb,
  (args, ctx, types) => jsonbIn(`[${args.map((v, i) => toJsonText(v, types[i], ctx)).join(', ')}]`),
  {
    variadic: 'any',
    strict: false,
  },
);

def('jsonb_typeof', ['jsonb'], T.text, ([j]) => jsonTypeof(parseJson(j as string)));
def('json_typeof', ['json'], T.text, ([j]) => jsonTypeof(parseJson(j as string)));

function arrayOrError(j: Json, what: string): Json[] {
  if (!Array.isArray(j)) {
    const kind = j instanceof JsonObject ? 'an object' : 'a scalar';
    throw new SqlError(SqlState.InvalidParameterValue, `cannot ${what} of ${kind}`);
  }
  return j;
}
def(
  'jsonb_array_length',
  ['jsonb'],
  T.int4,
  ([j]) => arrayOrError(parseJson(j as string), 'get array length').length,
);
def(
  'json_array_length',
  ['json'],
  T.int4,
  ([j]) => arrayOrError(parseJson(j as string), 'get array length').length,
);
def(
  'jsonb_array_elements',
  ['jsonb'],
  T.jsonb,
  ([j]) => arrayOrError(parseJson(j as string), 'extract elements').map(jsonbToText),
  {
    returnsSet: true,
  },
);
def(
  'json_array_elements',
  ['json'],
  T.json,
  ([j]) => arrayOrError(parseJson(j as string), 'extract elements').map(jsonToText),
  {
    returnsSet: true,
  },
);
def(
  'jsonb_array_elements_text',
  ['jsonb'],
  T.text,
  ([j]) =>
    arrayOrError(parseJson(j as string), 'extract elements').map((e) =>
      e === null ? null : typeof e === 'string' ? e : jsonbToText(e),
    ),
  { returnsSet: true },
);
def(
  'jsonb_object_keys',
  ['jsonb'],
  T.text,
  ([j]) => {
    const o = parseJson(j as string);
    if (!(o instanceof JsonObject)) {
      throw new SqlError(
        SqlState.InvalidParameterValue,
        `cannot call jsonb_object_keys on ${Array.isArray(o) ? 'an array' : 'a scalar'}`,
      );
    }
    return o.entries.map(([k]) => k);
  },
  { returnsSet: true },
);
def('jsonb_strip_nulls', ['jsonb'], T.jsonb, ([j]) => {
  const strip = (v: Json): Json =>
    v instanceof JsonObject
      ? new JsonObject(v.entries.filter(([, x]) => x !== null).map(([k, x]) => [k, strip(x)]))
      : Array.isArray(v)
        ? v.map(strip)
        : v;
  return jsonbToText(strip(parseJson(j as string)));
});
def('jsonb_pretty', ['jsonb'], T.text, ([j]) => {
  const pretty = (v: Json, ind: string): string => {
    if (Array.isArray(v))
      return v.length
        ? `[\n${v.map((x) => ind + '    ' + pretty(x, ind + '    ')).join(',\n')}\n${ind}]`
        : '[]';
    if (v instanceof JsonObject) {
      return v.entries.length
        ? `{\n${v.entries.map(([k, x]) => `${ind}    ${quoteJson(k)}: ${pretty(x, ind + '    ')}`).join(',\n')}\n${ind}}`
        : '{}';
    }
    return jsonbToText(v);
  };
  return pretty(parseJson(j as string), '');
});

// The zero-argument forms are separate signatures in PostgreSQL (VARIADIC needs one argument).
def('json_build_object', [], T.json, () => '{}');
def('jsonb_build_object', [], T.jsonb, () => '{}');
def('json_build_array', [], T.json, () => '[]');
def('jsonb_build_array', [], T.jsonb, () => '[]');
