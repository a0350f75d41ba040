/**
 * PostgreSQL's full-text search in SQL: the tsvector, tsquery and regconfig types, the
 * functions that make and rank them (to_tsvector, to_tsquery and its plain/phrase/websearch
 * forms, ts_rank, ts_rank_cd, setweight, strip, length, numnode, querytree, …) and the
 * operators @@, ||, &&, !! and <->.
 */
import { SqlError, SqlState } from '../../errors/sql-error.ts';
import { ArrayValue } from '../array.ts';
import { ByteReader, uint32Bytes } from '../binary.ts';
import { def } from '../define.ts';
import { registerOperator, registerType } from '../registry.ts';
import type { EvalContext } from '../registry-types.ts';
import { arrayOf, sqlType, T, type Value } from '../type.ts';
import {
  CONFIGS,
  configByName,
  configByOid,
  phraseToTsQuery,
  plainToTsQuery,
  type TextSearchConfig,
  toTsQuery,
  toTsVector,
  websearchToTsQuery,
} from './ts-config.ts';
import { matches } from './ts-match.ts';
import { DEFAULT_WEIGHTS, rankWeights, tsRank, tsRankCd } from './ts-rank.ts';
import {
  formatTsQuery,
  nodeCount,
  parseTsQuery,
  type QueryNode,
  TsQuery,
  tsQueryRecv,
  tsQuerySend,
} from './tsquery.ts';
import {
  buildTsVector,
  concatTsVectors,
  formatTsVector,
  parseTsVector,
  setWeight,
  stripPositions,
  type TsVector,
  tsVectorRecv,
  tsVectorSend,
} from './tsvector.ts';

const TSVECTOR = sqlType('tsvector');
const TSQUERY = sqlType('tsquery');
const REGCONFIG = sqlType('regconfig');

registerType({
  name: 'tsvector',
  oid: 3614,
  arrayOid: 3643,
  length: -1,
  category: 'U',
  preferred: false,
  textIn: (t) => parseTsVector(t),
  textOut: (v) => formatTsVector(v as TsVector),
  binaryIn: (b) => tsVectorRecv(b),
  binaryOut: (v) => tsVectorSend(v as TsVector),
  formatType: () => 'tsvector',
});

registerType({
  name: 'tsquery',
  oid: 3615,
  arrayOid: 3645,
  length: -1,
  category: 'U',
  preferred: false,
  textIn: (t, _typmod, ctx) =>
    parseTsQuery(
      t,
      (raw) => ({ kind: 'lexeme', word: raw.word, weights: raw.weights, prefix: raw.prefix }),
      () => ctx.notice?.('NOTICE', `text-search query doesn't contain lexemes: "${t}"`),
    ),
  textOut: (v) => formatTsQuery(v as TsQuery),
  binaryIn: (b) => tsQueryRecv(b),
  binaryOut: (v) => tsQuerySend(v as TsQuery),
  formatType: () => 'tsquery',
});

registerType({
  name: 'regconfig',
  oid: 3734,
  arrayOid: 3735,
  length: 4,
  category: 'N',
  preferred: false,
  textIn: (t) => configByName(t).oid,
  // regconfigout: an OID without a configuration prints as the number.
  textOut: (v) => CONFIGS.find((c) => c.oid === v)?.name ?? String(v),
  binaryIn: (b) => {
    const r = new ByteReader(b);
    const v = r.uint32();
    r.end();
    return v;
  },
  binaryOut: (v) => uint32Bytes(v as number),
  formatType: () => 'regconfig',
});

/** The session's default_text_search_config. */
function defaultConfig(ctx: EvalContext): TextSearchConfig {
  return configByName(ctx.textSearchConfig ?? 'pg_catalog.english');
}

const notices = (ctx: EvalContext) => ({
  vector: (message: string, detail: string) => ctx.notice?.('NOTICE', message, detail),
  query: (message: string) => ctx.notice?.('NOTICE', message),
});

// Making tsvectors and tsqueries.
def('to_tsvector', ['text'], TSVECTOR, ([s], ctx) =>
  toTsVector(defaultConfig(ctx), s as string, notices(ctx).vector),
);
def('to_tsvector', ['regconfig', 'text'], TSVECTOR, ([c, s], ctx) =>
  toTsVector(configByOid(c as number), s as string, notices(ctx).vector),
);
const queryMakers = [
  ['to_tsquery', toTsQuery],
  ['plainto_tsquery', plainToTsQuery],
  ['phraseto_tsquery', phraseToTsQuery],
  ['websearch_to_tsquery', websearchToTsQuery],
] as const;
for (const [name, make] of queryMakers) {
  def(name, ['text'], TSQUERY, ([s], ctx) => make(defaultConfig(ctx), s as string, notices(ctx).query));
  def(name, ['regconfig', 'text'], TSQUERY, ([c, s], ctx) =>
    make(configByOid(c as number), s as string, notices(ctx).query),
  );
}
def('get_current_ts_config', [], REGCONFIG, (_args, ctx) => defaultConfig(ctx).oid);
def('array_to_tsvector', [arrayOf(T.text)], TSVECTOR, ([a]) => {
  const words = (a as ArrayValue).elements;
  if (words.some((w) => w === null)) {
    throw new SqlError(SqlState.NullValueNotAllowed, 'lexeme array may not contain nulls');
  }
  if (words.some((w) => w === '')) {
    throw new SqlError(SqlState.ZeroLengthCharacterString, 'lexeme array may not contain empty strings');
  }
  return buildTsVector(words.map((w) => ({ word: w as string, positions: [] })));
});

// Looking into them.
def('length', [TSVECTOR], T.int4, ([v]) => (v as TsVector).lexemes.length);
def('strip', [TSVECTOR], TSVECTOR, ([v]) => stripPositions(v as TsVector));
def('tsvector_to_array', [TSVECTOR], arrayOf(T.text), ([v]) =>
  ArrayValue.of((v as TsVector).lexemes.map((l) => l.word)),
);
def('setweight', [TSVECTOR, 'char'], TSVECTOR, ([v, w]) => setWeight(v as TsVector, w as string));
def('setweight', [TSVECTOR, 'char', arrayOf(T.text)], TSVECTOR, ([v, w, only]) => {
  const words = (only as ArrayValue).elements;
  if (words.some((x) => x === null)) {
    throw new SqlError(SqlState.NullValueNotAllowed, 'lexeme array may not contain nulls');
  }
  return setWeight(v as TsVector, w as string, new Set(words as string[]));
});
def('numnode', [TSQUERY], T.int4, ([q]) => nodeCount(q as TsQuery));
def('querytree', [TSQUERY], T.text, ([q]) => {
  const tree = withoutNegations(q as TsQuery);
  return tree ? formatTsQuery(tree) : 'T';
});

/**
 * querytree: the part of the query an index can look up — NOT branches removed; 'T' when
 * nothing but negations is left (they match every document).
 */
function withoutNegations(q: TsQuery): TsQuery | null {
  const strip = (n: QueryNode): QueryNode | null => {
    switch (n.kind) {
      case 'lexeme':
        return n;
      case 'not':
        return null;
      case 'and':
      case 'phrase': {
        const l = strip(n.left);
        const r = strip(n.right);
        if (l && r) return { ...n, left: l, right: r };
        return l ?? r;
      }
      case 'or': {
        const l = strip(n.left);
        const r = strip(n.right);
        return l && r ? { ...n, left: l, right: r } : null;
      }
    }
  };
  const root = q.root ? strip(q.root) : null;
  return root ? new TsQuery(root) : null;
}

// Ranking.
const FLOAT4_ARRAY = arrayOf(T.float4);
for (const [name, rank] of [
  ['ts_rank', tsRank],
  ['ts_rank_cd', tsRankCd],
] as const) {
  def(name, [TSVECTOR, TSQUERY], T.float4, ([v, q]) => rank(v as TsVector, q as TsQuery));
  def(name, [TSVECTOR, TSQUERY, 'int4'], T.float4, ([v, q, m]) =>
    rank(v as TsVector, q as TsQuery, DEFAULT_WEIGHTS, m as number),
  );
  def(name, [FLOAT4_ARRAY, TSVECTOR, TSQUERY], T.float4, ([w, v, q]) =>
    rank(v as TsVector, q as TsQuery, weightsOf(w as ArrayValue)),
  );
  def(name, [FLOAT4_ARRAY, TSVECTOR, TSQUERY, 'int4'], T.float4, ([w, v, q, m]) =>
    rank(v as TsVector, q as TsQuery, weightsOf(w as ArrayValue), m as number),
  );
}

function weightsOf(a: ArrayValue): number[] {
  return rankWeights(a.elements as (number | null)[], a.dims.length);
}

// Operators.
const match = (v: Value, q: Value) => matches(v as TsVector, q as TsQuery);
registerOperator({ name: '@@', left: TSVECTOR, right: TSQUERY, result: T.bool, fn: match });
registerOperator({ name: '@@', left: TSQUERY, right: TSVECTOR, result: T.bool, fn: (q, v) => match(v, q) });
registerOperator({
  name: '@@',
  left: T.text,
  right: TSQUERY,
  result: T.bool,
  fn: (s, q, ctx) => match(toTsVector(defaultConfig(ctx), s as string), q),
});
registerOperator({
  name: '@@',
  left: T.text,
  right: T.text,
  result: T.bool,
  fn: (s, t, ctx) =>
    match(toTsVector(defaultConfig(ctx), s as string), plainToTsQuery(defaultConfig(ctx), t as string)),
});
registerOperator({
  name: '||',
  left: TSVECTOR,
  right: TSVECTOR,
  result: TSVECTOR,
  fn: (a, b) => concatTsVectors(a as TsVector, b as TsVector),
});
/** Two queries joined by an operator (&&, ||, <->, tsquery_phrase): an empty side gives the other. */
function joinQueries(a: Value, b: Value, join: (left: QueryNode, right: QueryNode) => QueryNode): TsQuery {
  const l = (a as TsQuery).root;
  const r = (b as TsQuery).root;
  if (!l) return b as TsQuery;
  if (!r) return a as TsQuery;
  return new TsQuery(join(l, r));
}
registerOperator({
  name: '&&',
  left: TSQUERY,
  right: TSQUERY,
  result: TSQUERY,
  fn: (a, b) => joinQueries(a, b, (left, right) => ({ kind: 'and', left, right })),
});
registerOperator({
  name: '||',
  left: TSQUERY,
  right: TSQUERY,
  result: TSQUERY,
  fn: (a, b) => joinQueries(a, b, (left, right) => ({ kind: 'or', left, right })),
});
registerOperator({
  name: '!!',
  left: null,
  right: TSQUERY,
  result: TSQUERY,
  fn: (_l, q) => {
    const root = (q as TsQuery).root;
    return root ? new TsQuery({ kind: 'not', arg: root }) : q;
  },
});
registerOperator({
  name: '<->',
  left: TSQUERY,
  right: TSQUERY,
  result: TSQUERY,
  fn: (a, b) => joinQueries(a, b, (left, right) => ({ kind: 'phrase', distance: 1, left, right })),
});
def('tsquery_phrase', [TSQUERY, TSQUERY, 'int4'], TSQUERY, ([a, b, d]) =>
  joinQueries(a, b, (left, right) => ({ kind: 'phrase', distance: d as number, left, right })),
);
