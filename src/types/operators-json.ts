/**
 * json/jsonb operators: -> and ->> by key or index (negative indexes count from the end),
 * #> and #>> by path, jsonb containment @> <@, key existence ? ?| ?&, jsonb || jsonb and
 * jsonb - key. json results keep the input's original text; jsonb results are normalized.
 */
import type { ArrayValue } from './array.ts';
import { compareJson } from './compare.ts';
import { type Json, JsonObject, jsonbToText, jsonToText, normalizeJsonb, parseJson } from './json.ts';
import { registerOperator } from './registry.ts';
import { arrayOf, T, type Value } from './type.ts';

function field(j: Json, key: string | number): Json | undefined {
  if (typeof key === 'number') {
    if (!Array.isArray(j)) return undefined;
    const i = key < 0 ? j.length + key : key;
    return j[i];
  }
  return j instanceof JsonObject ? j.get(key) : undefined;
}

function path(j: Json, keys: ArrayValue): Json | undefined {
  let cur: Json | undefined = j;
  for (const k of keys.elements) {
    if (cur === undefined || k === null) return undefined;
    const s = k as string;
    cur = Array.isArray(cur) ? (/^-?\d+$/.test(s) ? field(cur, Number(s)) : undefined) : field(cur, s);
  }
  return cur;
}

/** ->> and #>> give text: strings unquoted, JSON null as SQL NULL. */
function asText(v: Json | undefined, json: boolean): Value {
  if (v === undefined || v === null) return null;
  if (typeof v === 'string') return v;
  return json ? jsonToText(v) : jsonbToText(v);
}

for (const [type, json] of [
  ['json', true],
  ['jsonb', false],
] as const) {
  const out = (v: Json | undefined): Value =>
    v === undefined ? null : json ? jsonToText(v) : jsonbToText(v);
  const t = T[type];
  for (const keyType of ['text', 'int4'] as const) {
    const key = (k: Value) => (keyType === 'int4' ? (k as number) : (k as string));
    registerOperator({
      name: '->',
      left: type,
      right: keyType,
      result: t,
      fn: (a, k) => out(field(parseJson(a as string), key(k))),
    });
    registerOperator({
      name: '->>',
      left: type,
      right: keyType,
      result: T.text,
      fn: (a, k) => asText(field(parseJson(a as string), key(k)), json),
    });
  }
  registerOperator({
    name: '#>',
    left: type,
    right: arrayOf(T.text),
    result: t,
    fn: (a, p) => out(path(parseJson(a as string), p as ArrayValue)),
  });
  registerOperator({
    name: '#>>',
    left: type,
    right: arrayOf(T.text),
    result: T.text,
    fn: (a, p) => asText(path(parseJson(a as string), p as ArrayValue), json),
  });
}

/** jsonb containment (JsonbDeepContains): objects by key, arrays as multisets of elements. */
export function jsonContains(a: Json, b: Json): boolean {
  if (a instanceof JsonObject) {
    if (!(b instanceof JsonObject)) return false;
    return b.entries.every(([k, v]) => {
      const x = a.get(k);
      return x !== undefined && jsonContains(x, v);
    });
  }
  if (Array.isArray(a)) {
    if (Array.isArray(b)) return b.every((y) => a.some((x) => jsonContains(x, y)));
    // A top-level array contains a bare scalar equal to one of its elements.
    return (
      !(b instanceof JsonObject) &&
      a.some((x) => !Array.isArray(x) && !(x instanceof JsonObject) && compareJson(x, b) === 0)
    );
  }
  if (b instanceof JsonObject || Array.isArray(b)) return false;
  return compareJson(a, b) === 0;
}

const jb = (v: Value) => parseJson(v as string);
registerOperator({
  name: '@>',
  left: 'jsonb',
  right: 'jsonb',
  result: T.bool,
  fn: (a, b) => jsonContains(jb(a), jb(b)),
});
registerOperator({
  name: '<@',
  left: 'jsonb',
  right: 'jsonb',
  result: T.bool,
  fn: (a, b) => jsonContains(jb(b), jb(a)),
});

function hasKey(j: Json, k: string): boolean {
  if (j instanceof JsonObject) return j.get(k) !== undefined;
  if (Array.isArray(j)) return j.some((x) => x === k);
  return j === k;
}
registerOperator({
  name: '?',
  left: 'jsonb',
  right: 'text',
  result: T.bool,
  fn: (a, k) => hasKey(jb(a), k as string),
});
registerOperator({
  name: '?|',
  left: 'jsonb',
  right: arrayOf(T.text),
  result: T.bool,
  fn: (a, ks) => (ks as ArrayValue).elements.some((k) => k !== null && hasKey(jb(a), k as string)),
});
registerOperator({
  name: '?&',
  left: 'jsonb',
  right: arrayOf(T.text),
  result: T.bool,
  fn: (a, ks) => (ks as ArrayValue).elements.every((k) => k === null || hasKey(jb(a), k as string)),
});

/** jsonb || jsonb: objects merge (right wins), otherwise array concatenation. */
registerOperator({
  name: '||',
  left: 'jsonb',
  right: 'jsonb',
  result: T.jsonb,
  fn: (a, b) => {
    const x = jb(a);
    const y = jb(b);
    if (x instanceof JsonObject && y instanceof JsonObject) {
      return jsonbToText(normalizeJsonb(new JsonObject([...x.entries, ...y.entries])));
    }
    const arr = (v: Json): Json[] => (Array.isArray(v) ? v : [v]);
    return jsonbToText([...arr(x), ...arr(y)]);
  },
});

registerOperator({
  name: '-',
  left: 'jsonb',
  right: 'text',
  result: T.jsonb,
  fn: (a, k) => {
    const x = jb(a);
    if (x instanceof JsonObject) return jsonbToText(new JsonObject(x.entries.filter(([key]) => key !== k)));
    if (Array.isArray(x)) return jsonbToText(x.filter((e) => e !== k));
    return a;
  },
});

registerOperator({
  name: '-',
  left: 'jsonb',
  right: 'int4',
  result: T.jsonb,
  fn: (a, i) => {
    const x = jb(a);
    if (!Array.isArray(x)) return a;
    const n = i as number;
    const idx = n < 0 ? x.length + n : n;
    return jsonbToText(x.filter((_e, k) => k !== idx));
  },
});
