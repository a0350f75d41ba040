/**
 * Text search configurations: PostgreSQL's built-in `simple` (lowercase every word) and
 * `english` (Snowball English stems and stop words for words, `simple` for numbers, emails,
 * URLs, paths and versions), each over the default parser (ts-parser.ts). From them:
 * to_tsvector, and the normalization to_tsquery, plainto_tsquery, phraseto_tsquery and
 * websearch_to_tsquery apply to their words.
 */
import { SqlError, SqlState } from '../../errors/sql-error.ts';
import { utf8Encode } from '../binary.ts';
import { englishLexize } from './english-stem.ts';
import { parseDocument, type TokenType } from './ts-parser.ts';
import { joinNodes, parseTsQuery, type QueryNode, type RawOperand, TsQuery } from './tsquery.ts';
import { buildTsVector, type Lexeme, MAX_LEXEME_BYTES, MAX_POSITION, type TsVector } from './tsvector.ts';

export interface TextSearchConfig {
  readonly name: 'simple' | 'english';
  /** pg_ts_config OID (simple's is fixed; english's is what initdb gave PostgreSQL 15). */
  readonly oid: number;
}

export const CONFIGS: readonly TextSearchConfig[] = [
  { name: 'simple', oid: 3748 },
  { name: 'english', oid: 13164 },
];

/** A regconfig's name (optionally pg_catalog-qualified, any case as an identifier) → its config. */
export function configByName(name: string): TextSearchConfig {
  let n = name.trim();
  if (n.startsWith('"') && n.endsWith('"') && n.length > 1) n = n.slice(1, -1);
  else n = n.toLowerCase();
  if (n.startsWith('pg_catalog.')) n = n.slice('pg_catalog.'.length);
  const config = CONFIGS.find((c) => c.name === n) ?? CONFIGS.find((c) => String(c.oid) === n);
  if (!config) {
    throw new SqlError(SqlState.UndefinedObject, `text search configuration "${name}" does not exist`);
  }
  return config;
}

export function configByOid(oid: number): TextSearchConfig {
  const config = CONFIGS.find((c) => c.oid === oid);
  if (!config)
    throw new SqlError(SqlState.UndefinedObject, `text search configuration ${oid} does not exist`);
  return config;
}

/** Token types english stems (the rest of the indexed ones go to `simple`). */
const STEMMED: ReadonlySet<TokenType> = new Set<TokenType>([
  'asciihword',
  'asciiword',
  'hword',
  'hword_asciipart',
  'hword_part',
  'word',
]);

/** Token types both configurations map to a dictionary; the others (blank, tag, protocol, entity) are skipped. */
const INDEXED: ReadonlySet<TokenType> = new Set<TokenType>([
  ...STEMMED,
  'email',
  'file',
  'float',
  'host',
  'hword_numpart',
  'int',
  'numhword',
  'numword',
  'sfloat',
  'uint',
  'url',
  'url_path',
  'version',
]);

/** A word of the text with its position; `lexeme` null for a stop word (it still takes its position). */
interface Word {
  readonly position: number;
  readonly lexeme: string | null;
}

/** The text's words as the configuration reads them, numbered from 1. */
function words(
  config: TextSearchConfig,
  text: string,
  notice?: (message: string, detail: string) => void,
): Word[] {
  const out: Word[] = [];
  let position = 0;
  for (const token of parseDocument(text)) {
    if (!INDEXED.has(token.type)) continue;
    if (utf8Encode(token.text).length > MAX_LEXEME_BYTES) {
      notice?.(
        'word is too long to be indexed',
        `Words longer than ${MAX_LEXEME_BYTES} characters are ignored.`,
      );
      continue;
    }
    position++;
    const lower = token.text.toLowerCase();
    const lexeme = config.name === 'english' && STEMMED.has(token.type) ? englishLexize(lower) : lower;
    out.push({ position: Math.min(position, MAX_POSITION), lexeme });
  }
  return out;
}

/** to_tsvector(config, document). */
export function toTsVector(
  config: TextSearchConfig,
  text: string,
  notice?: (message: string, detail: string) => void,
): TsVector {
  const entries: Lexeme[] = [];
  for (const w of words(config, text, notice)) {
    if (w.lexeme !== null) entries.push({ word: w.lexeme, positions: [w.position] });
  }
  return buildTsVector(entries);
}

/**
 * The query for a run of words: words at one position OR-ed, successive positions joined by
 * `join` (& for plainto_tsquery, FOLLOWED BY at their distance otherwise). Stop words drop out
 * but their positions count. null when no word has a lexeme.
 */
function wordsQuery(
  ws: readonly Word[],
  join: 'and' | 'phrase',
  operand: Omit<RawOperand, 'word'>,
): QueryNode | null {
  let out: QueryNode | null = null;
  let lastPosition = 0;
  let i = 0;
  while (i < ws.length) {
    const position = ws[i].position;
    const same: QueryNode[] = [];
    for (; i < ws.length && ws[i].position === position; i++) {
      const lexeme = ws[i].lexeme;
      if (lexeme !== null)
        same.push({ kind: 'lexeme', word: lexeme, weights: operand.weights, prefix: operand.prefix });
    }
    const node = joinNodes(same, 'or');
    if (!node) continue;
    if (!out) out = node;
    else if (join === 'and') out = { kind: 'and', left: out, right: node };
    else out = { kind: 'phrase', distance: position - lastPosition, left: out, right: node };
    lastPosition = position;
  }
  return out;
}

const ONLY_STOP_WORDS = "text-search query contains only stop words or doesn't contain lexemes, ignored";

type Notice = (message: string) => void;

/** to_tsquery(config, query): tsquery syntax, each operand normalized by the configuration. */
export function toTsQuery(config: TextSearchConfig, text: string, notice?: Notice): TsQuery {
  return parseTsQuery(
    text,
    (raw) => wordsQuery(words(config, raw.word), 'phrase', raw),
    () => notice?.(ONLY_STOP_WORDS),
  );
}

const PLAIN = { weights: 0, prefix: false };

/** plainto_tsquery: every word of the text, AND-ed. */
export function plainToTsQuery(config: TextSearchConfig, text: string, notice?: Notice): TsQuery {
  const root = wordsQuery(words(config, text), 'and', PLAIN);
  if (!root) notice?.(ONLY_STOP_WORDS);
  return new TsQuery(root);
}

/** phraseto_tsquery: every word of the text, each FOLLOWED BY the next at its distance. */
export function phraseToTsQuery(config: TextSearchConfig, text: string, notice?: Notice): TsQuery {
  const root = wordsQuery(words(config, text), 'phrase', PLAIN);
  if (!root) notice?.(ONLY_STOP_WORDS);
  return new TsQuery(root);
}

/**
 * websearch_to_tsquery: words AND-ed, "quoted text" a phrase, `or` between terms an OR (it
 * binds loosest: `a b or c` is (a & b) | c), `-` before a term its negation; other
 * punctuation only separates words, except inside a hyphenated compound (a phrase, as in
 * to_tsquery).
 */
export function websearchToTsQuery(config: TextSearchConfig, text: string, notice?: Notice): TsQuery {
  /** A term (null: only stop words), or an `or` that may turn out to be a word. */
  type Term = { readonly node: QueryNode | null } | { readonly or: QueryNode | null };
  const terms: Term[] = [];
  const unquoted = (word: string) =>
    joinNodes(
      word
        .split(/[^\p{L}\p{N}_\-.@/]+/u)
        .map((piece) => wordsQuery(words(config, piece), 'phrase', PLAIN))
        .filter((n): n is QueryNode => n !== null),
      'and',
    );
  let i = 0;
  const n = text.length;
  while (i < n) {
    if (/\s/.test(text[i])) {
      i++;
      continue;
    }
    let negations = 0;
    while (text[i] === '-') {
      negations++;
      i++;
    }
    if (negations > 0 && (i >= n || /\s/.test(text[i]))) continue;
    let node: QueryNode | null;
    if (text[i] === '"') {
      const end = text.indexOf('"', i + 1);
      const inner = text.slice(i + 1, end < 0 ? n : end);
      i = end < 0 ? n : end + 1;
      node = wordsQuery(words(config, inner), 'phrase', PLAIN);
    } else {
      let end = i;
      while (end < n && !/\s/.test(text[end]) && text[end] !== '"') end++;
      const word = text.slice(i, end);
      i = end;
      if (negations === 0 && word.toLowerCase() === 'or') {
        terms.push({ or: unquoted(word) });
        continue;
      }
      node = unquoted(word);
    }
    for (let k = 0; k < negations && node; k++) node = { kind: 'not', arg: node };
    terms.push({ node });
  }
  // An `or` after a term, with a term still to come, is the operator; anywhere else it is a
  // word. Groups of terms between operators are AND-ed, the groups OR-ed.
  const groups: QueryNode[][] = [[]];
  let pendingOr: { or: QueryNode | null } | null = null;
  let afterTerm = false;
  for (const t of terms) {
    if ('or' in t && afterTerm && !pendingOr) {
      pendingOr = t;
      continue;
    }
    if (pendingOr) groups.push([]);
    pendingOr = null;
    const node = 'or' in t ? t.or : t.node;
    if (node) groups[groups.length - 1].push(node);
    afterTerm = true;
  }
  if (pendingOr?.or) groups[groups.length - 1].push(pendingOr.or);
  const root = joinNodes(
    groups.map((g) => joinNodes(g, 'and')).filter((g): g is QueryNode => g !== null),
    'or',
  );
  if (!root) notice?.(ONLY_STOP_WORDS);
  return new TsQuery(root);
}
