/**
 * tsquery: a tree of lexemes (with weight restrictions and prefix marks) joined by ! (NOT),
 * <-> / <N> (FOLLOWED BY), & (AND) and | (OR), in that order of precedence. Text form as
 * tsquery_in/tsquery_out (`( 'fat' | 'rat' ) & !'cat'`), binary form as tsquery_send/recv
 * (prefix order), and the stop-word removal to_tsquery applies (clean_stopwords).
 */
import { SqlError, SqlState } from '../../errors/sql-error.ts';
import { ByteReader, ByteWriter, utf8Decode, utf8Encode } from '../binary.ts';
import { MAX_LEXEME_BYTES, quoteLexeme } from './tsvector.ts';

/** Largest <N> distance. */
export const MAX_DISTANCE = 16384;

export type QueryNode =
  | {
      readonly kind: 'lexeme';
      readonly word: string;
      /** Weights allowed (bit 3 = A … bit 0 = D); 0 = any. */
      readonly weights: number;
      readonly prefix: boolean;
    }
  | { readonly kind: 'not'; readonly arg: QueryNode }
  | { readonly kind: 'and' | 'or'; readonly left: QueryNode; readonly right: QueryNode }
  | {
      readonly kind: 'phrase';
      readonly distance: number;
      readonly left: QueryNode;
      readonly right: QueryNode;
    };

export class TsQuery {
  /** null: the empty query (it matches nothing). */
  constructor(readonly root: QueryNode | null) {}

  toString(): string {
    return this.root ? formatNode(this.root) : '';
  }
}

const PRIORITY = { or: 1, and: 2, phrase: 3, not: 4, lexeme: 5 } as const;

function operandText(node: QueryNode & { kind: 'lexeme' }): string {
  let s = quoteLexeme(node.word);
  if (node.prefix || node.weights) {
    s += ':';
    if (node.prefix) s += '*';
    for (let bit = 3; bit >= 0; bit--) if (node.weights & (1 << bit)) s += 'DCBA'[bit];
  }
  return s;
}

function operatorText(node: QueryNode): string {
  switch (node.kind) {
    case 'and':
      return '&';
    case 'or':
      return '|';
    case 'phrase':
      return node.distance === 1 ? '<->' : `<${node.distance}>`;
    default:
      return '';
  }
}

/** tsquery_out: a child is parenthesized when it binds looser, or is a phrase right of a phrase. */
function formatNode(node: QueryNode): string {
  switch (node.kind) {
    case 'lexeme':
      return operandText(node);
    case 'not':
      return node.arg.kind === 'lexeme' || node.arg.kind === 'not'
        ? `!${formatNode(node.arg)}`
        : `!( ${formatNode(node.arg)} )`;
    default: {
      const p = PRIORITY[node.kind];
      const left = PRIORITY[node.left.kind] < p ? `( ${formatNode(node.left)} )` : formatNode(node.left);
      const rp = PRIORITY[node.right.kind];
      const right =
        rp < p || (node.kind === 'phrase' && node.right.kind === 'phrase')
          ? `( ${formatNode(node.right)} )`
          : formatNode(node.right);
      return `${left} ${operatorText(node)} ${right}`;
    }
  }
}

export function formatTsQuery(q: TsQuery): string {
  return q.toString();
}

/** An operand as the query text wrote it, before a configuration normalizes it. */
export interface RawOperand {
  readonly word: string;
  readonly weights: number;
  readonly prefix: boolean;
}

/**
 * Parses tsquery syntax. Each operand goes through `operand`, which returns the subtree it
 * stands for, or null when it has no lexemes (a stop word); those are then removed as
 * clean_stopwords does. `operand` = the operand as it is gives tsquery_in.
 */
export function parseTsQuery(
  text: string,
  operand: (raw: RawOperand) => QueryNode | null,
  onlyStopWords?: () => void,
): TsQuery {
  if (text.trim() === '') {
    onlyStopWords?.();
    return new TsQuery(null);
  }
  const p = new QueryParser(text, operand);
  const tree = p.parseOr();
  p.skipSpace();
  if (p.at < text.length) throw p.syntaxError();
  const cleaned = removeStopWords(tree);
  if (!cleaned.node) onlyStopWords?.();
  return new TsQuery(cleaned.node);
}

/** An operand that normalized to nothing, until removeStopWords takes it out. */
interface Gap {
  readonly kind: 'gap';
}
const GAP: Gap = { kind: 'gap' };

type ParseNode =
  | Gap
  | (QueryNode & { kind: 'lexeme' })
  | { kind: 'not'; arg: ParseNode }
  | { kind: 'and' | 'or'; left: ParseNode; right: ParseNode }
  | { kind: 'phrase'; distance: number; left: ParseNode; right: ParseNode }
  | { kind: 'ready'; node: QueryNode };

const isSpace = (c: string | undefined) =>
  c === ' ' || c === '\t' || c === '\n' || c === '\r' || c === '\f' || c === '\v';

class QueryParser {
  at = 0;

  constructor(
    private readonly text: string,
    private readonly operand: (raw: RawOperand) => QueryNode | null,
  ) {}

  syntaxError(): SqlError {
    return new SqlError(SqlState.SyntaxError, `syntax error in tsquery: "${this.text}"`);
  }

  /** An operand expected but the text ended (PostgreSQL tells this apart). */
  private missingOperand(): SqlError {
    return new SqlError(SqlState.SyntaxError, `no operand in tsquery: "${this.text}"`);
  }

  skipSpace(): void {
    while (isSpace(this.text[this.at])) this.at++;
  }

  parseOr(): ParseNode {
    let left = this.parseAnd();
    for (;;) {
      this.skipSpace();
      if (this.text[this.at] !== '|') return left;
      this.at++;
      left = { kind: 'or', left, right: this.parseAnd() };
    }
  }

  parseAnd(): ParseNode {
    let left = this.parsePhrase();
    for (;;) {
      this.skipSpace();
      if (this.text[this.at] !== '&') return left;
      this.at++;
      left = { kind: 'and', left, right: this.parsePhrase() };
    }
  }

  parsePhrase(): ParseNode {
    let left = this.parseNot();
    for (;;) {
      this.skipSpace();
      const distance = this.phraseOperator();
      if (distance === undefined) return left;
      left = { kind: 'phrase', distance, left, right: this.parseNot() };
    }
  }

  /** `<->` (1) or `<N>`, consumed; undefined when the text does not continue with one. */
  private phraseOperator(): number | undefined {
    const t = this.text;
    if (t[this.at] !== '<') return undefined;
    if (t[this.at + 1] === '-' && t[this.at + 2] === '>') {
      this.at += 3;
      return 1;
    }
    let i = this.at + 1;
    while (t[i] >= '0' && t[i] <= '9') i++;
    if (i === this.at + 1 || t[i] !== '>') throw this.syntaxError();
    const distance = Number(t.slice(this.at + 1, i));
    if (distance > MAX_DISTANCE) {
      throw new SqlError(
        SqlState.InvalidParameterValue,
        `distance in phrase operator must be an integer value between zero and ${MAX_DISTANCE} inclusive`,
      );
    }
    this.at = i + 1;
    return distance;
  }

  parseNot(): ParseNode {
    this.skipSpace();
    const c = this.text[this.at];
    if (c === '!') {
      this.at++;
      return { kind: 'not', arg: this.parseNot() };
    }
    if (c === '(') {
      this.at++;
      const inner = this.parseOr();
      this.skipSpace();
      if (this.text[this.at] !== ')') throw this.syntaxError();
      this.at++;
      return inner;
    }
    return this.parseOperand();
  }

  private parseOperand(): ParseNode {
    const t = this.text;
    if (this.at >= t.length) throw this.missingOperand();
    let word = '';
    if (t[this.at] === "'") {
      this.at++;
      for (;;) {
        if (this.at >= t.length) throw this.syntaxError();
        const c = t[this.at];
        if (c === '\\' && this.at + 1 < t.length) {
          word += t[this.at + 1];
          this.at += 2;
        } else if (c === "'") {
          if (t[this.at + 1] === "'") {
            word += "'";
            this.at += 2;
          } else {
            this.at++;
            break;
          }
        } else {
          word += c;
          this.at++;
        }
      }
    } else {
      while (this.at < t.length) {
        const c = t[this.at];
        if (isSpace(c) || '&|!()<:'.includes(c)) break;
        if (c === '\\' && this.at + 1 < t.length) {
          word += t[this.at + 1];
          this.at += 2;
          continue;
        }
        word += c;
        this.at++;
      }
      if (word === '') throw this.syntaxError();
    }
    let weights = 0;
    let prefix = false;
    if (t[this.at] === ':') {
      this.at++;
      for (;;) {
        const c = t[this.at]?.toLowerCase();
        if (c === '*') prefix = true;
        else if (c === 'a') weights |= 8;
        else if (c === 'b') weights |= 4;
        else if (c === 'c') weights |= 2;
        else if (c === 'd') weights |= 1;
        else break;
        this.at++;
      }
    }
    if (utf8Encode(word).length > MAX_LEXEME_BYTES) {
      throw new SqlError(SqlState.ProgramLimitExceeded, 'word is too long in tsquery');
    }
    if (word === '') return GAP;
    const node = this.operand({ word, weights, prefix });
    return node ? { kind: 'ready', node } : GAP;
  }
}

/**
 * clean_stopwords: operands without lexemes leave the tree; an operator with one side left
 * becomes that side, and a FOLLOWED BY that loses an operand passes its distance on, so
 * 'fat <-> the <-> rat' means 'fat' <2> 'rat'. `before`/`after`: positions the removed
 * operands took at the left/right edge of the subtree.
 */
function removeStopWords(node: ParseNode): { node: QueryNode | null; before: number; after: number } {
  switch (node.kind) {
    case 'gap':
      return { node: null, before: 0, after: 0 };
    case 'lexeme':
      return { node, before: 0, after: 0 };
    case 'ready':
      return { node: node.node, before: 0, after: 0 };
    case 'not': {
      const arg = removeStopWords(node.arg);
      return { node: arg.node ? { kind: 'not', arg: arg.node } : null, before: 0, after: 0 };
    }
    case 'and':
    case 'or': {
      const l = removeStopWords(node.left);
      const r = removeStopWords(node.right);
      if (l.node && r.node)
        return { node: { kind: node.kind, left: l.node, right: r.node }, before: 0, after: 0 };
      return l.node ? l : r;
    }
    case 'phrase': {
      const l = removeStopWords(node.left);
      const r = removeStopWords(node.right);
      if (l.node && r.node) {
        return {
          node: { kind: 'phrase', distance: node.distance + l.after + r.before, left: l.node, right: r.node },
          before: l.before,
          after: r.after,
        };
      }
      if (r.node)
        return { node: r.node, before: l.before + l.after + node.distance + r.before, after: r.after };
      if (l.node)
        return { node: l.node, before: l.before, after: l.after + node.distance + r.before + r.after };
      return { node: null, before: 0, after: l.before + l.after + node.distance + r.before + r.after };
    }
  }
}

/** Operands joined by one operator, left-deep (as PostgreSQL builds a FOLLOWED BY chain). */
export function joinNodes(nodes: readonly QueryNode[], kind: 'and' | 'or'): QueryNode | null {
  let out: QueryNode | null = null;
  for (const n of nodes) out = out ? { kind, left: out, right: n } : n;
  return out;
}

// tsquery_send item codes.
const QI_VAL = 1;
const QI_OPR = 2;
const OP_CODE = { not: 1, and: 2, or: 3, phrase: 4 } as const;

/** tsquery_send: item count, then the items in prefix order. */
export function tsQuerySend(q: TsQuery): Uint8Array {
  const items: QueryNode[] = [];
  const walk = (n: QueryNode) => {
    items.push(n);
    if (n.kind === 'not') walk(n.arg);
    // Prefix order with the right operand first, as PostgreSQL's polish notation stores it.
    else if (n.kind !== 'lexeme') {
      walk(n.right);
      walk(n.left);
    }
  };
  if (q.root) walk(q.root);
  const w = new ByteWriter();
  w.uint32(items.length);
  for (const n of items) {
    if (n.kind === 'lexeme') {
      w.int8(QI_VAL);
      w.int8(n.weights);
      w.int8(n.prefix ? 1 : 0);
      w.bytes(utf8Encode(n.word));
      w.int8(0);
    } else {
      w.int8(QI_OPR);
      w.int8(OP_CODE[n.kind]);
      if (n.kind === 'phrase') w.uint16(n.distance);
    }
  }
  return w.finish();
}

export function tsQueryRecv(bytes: Uint8Array): TsQuery {
  const r = new ByteReader(bytes);
  const count = r.uint32();
  const bad = () => new SqlError(SqlState.InvalidBinaryRepresentation, 'malformed tsquery');
  const read = (): QueryNode => {
    const type = r.int8();
    if (type === QI_VAL) {
      const weights = r.int8();
      const prefix = r.int8() !== 0;
      const start = r.pos;
      while (r.remaining > 0 && bytes[r.pos] !== 0) r.pos++;
      const word = utf8Decode(bytes.subarray(start, r.pos));
      r.int8();
      return { kind: 'lexeme', word, weights, prefix };
    }
    if (type !== QI_OPR) throw bad();
    const op = r.int8();
    if (op === OP_CODE.not) return { kind: 'not', arg: read() };
    const distance = op === OP_CODE.phrase ? r.uint16() : 0;
    const right = read();
    const left = read();
    if (op === OP_CODE.and) return { kind: 'and', left, right };
    if (op === OP_CODE.or) return { kind: 'or', left, right };
    if (op === OP_CODE.phrase) return { kind: 'phrase', distance, left, right };
    throw bad();
  };
  const root = count > 0 ? read() : null;
  r.end();
  return new TsQuery(root);
}

/** numnode: operands and operators in the tree. */
export function nodeCount(q: TsQuery): number {
  const count = (n: QueryNode): number =>
    n.kind === 'lexeme' ? 1 : n.kind === 'not' ? 1 + count(n.arg) : 1 + count(n.left) + count(n.right);
  return q.root ? count(q.root) : 0;
}
