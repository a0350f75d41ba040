/**
 * PostgreSQL's `english_stem` text-search dictionary: the Snowball English (Porter2) stemmer
 * behind the english.stop stop-word list, as `ts_lexize('english_stem', word)` answers.
 *
 * The stemmer follows the published Porter2 algorithm step by step. It works on code points
 * (a non-ASCII letter is one non-vowel, as in Snowball's UTF-8 build), and the marker 'Y'
 * (a consonantal y) is never a vowel.
 */

/** english.stop: words the dictionary reports as stop words (`ts_lexize` returns `{}`). */
export const ENGLISH_STOP_WORDS: ReadonlySet<string> = new Set(
  [
    'i me my myself we our ours ourselves you your yours yourself yourselves he him his himself she',
    'her hers herself it its itself they them their theirs themselves what which who whom this that',
    'these those am is are was were be been being have has had having do does did doing a an the and',
    'but if or because as until while of at by for with about against between into through during',
    'before after above below to from up down in out on off over under again further then once here',
    'there when where why how all any both each few more most other some such no nor not only own',
    'same so than too very s t can will just don should now',
  ].flatMap((line) => line.split(' ')),
);

/** Whole words with a fixed stem, checked before anything else (irregular forms and -ly words). */
const EXCEPTION1 = new Map<string, string>([
  ['skis', 'ski'],
  ['skies', 'sky'],
  ['dying', 'die'],
  ['lying', 'lie'],
  ['tying', 'tie'],
  ['idly', 'idl'],
  ['gently', 'gentl'],
  ['ugly', 'ugli'],
  ['early', 'earli'],
  ['only', 'onli'],
  ['singly', 'singl'],
  // Invariant: these look like plurals or -y words but are not.
  ['sky', 'sky'],
  ['news', 'news'],
  ['howe', 'howe'],
  ['atlas', 'atlas'],
  ['cosmos', 'cosmos'],
  ['bias', 'bias'],
  ['andes', 'andes'],
]);

/** Words (after step 1a) left alone by the later steps, which would otherwise mangle them. */
const EXCEPTION2 = new Set([
  'inning',
  'outing',
  'canning',
  'herring',
  'earring',
  'proceed',
  'exceed',
  'succeed',
]);

/** Prefixes whose R1 starts right after them, so e.g. "general" and "generous" stem alike. */
const R1_PREFIXES = ['gener', 'commun', 'arsen'];

type Rule = readonly [suffix: string, replacement: string];

/** Sorted longest first: each step acts on the longest listed suffix only, never a shorter fallback. */
const longestFirst = (rules: Rule[]): readonly Rule[] => rules.sort((a, b) => b[0].length - a[0].length);

const STEP2: readonly Rule[] = longestFirst([
  ['tional', 'tion'],
  ['enci', 'ence'],
  ['anci', 'ance'],
  ['abli', 'able'],
  ['entli', 'ent'],
  ['izer', 'ize'],
  ['ization', 'ize'],
  ['ational', 'ate'],
  ['ation', 'ate'],
  ['ator', 'ate'],
  ['alism', 'al'],
  ['aliti', 'al'],
  ['alli', 'al'],
  ['fulness', 'ful'],
  ['ousli', 'ous'],
  ['ousness', 'ous'],
  ['iveness', 'ive'],
  ['iviti', 'ive'],
  ['biliti', 'ble'],
  ['bli', 'ble'],
  ['ogi', 'og'], // only after an l
  ['fulli', 'ful'],
  ['lessli', 'less'],
  ['li', ''], // only after a valid li-ending
]);

const STEP3: readonly Rule[] = longestFirst([
  ['tional', 'tion'],
  ['ational', 'ate'],
  ['alize', 'al'],
  ['icate', 'ic'],
  ['iciti', 'ic'],
  ['ical', 'ic'],
  ['ful', ''],
  ['ness', ''],
  ['ative', ''], // only in R2
]);

const STEP4 = [
  'ement',
  'ance',
  'ence',
  'able',
  'ible',
  'ment',
  'ant',
  'ent',
  'ism',
  'ate',
  'iti',
  'ous',
  'ive',
  'ize',
  'ion', // only after s or t
  'al',
  'er',
  'ic',
] as const;

const STEP1B = ['eedly', 'ingly', 'edly', 'eed', 'ing', 'ed'] as const;

/** Letters that may precede a deletable -li. */
const VALID_LI = 'cdeghkmnrt';
const DOUBLES = ['bb', 'dd', 'ff', 'gg', 'mm', 'nn', 'pp', 'rr', 'tt'];

// Lowercase y is a vowel; the marker 'Y' and every other character (digits, apostrophes,
// non-ASCII letters) is not.
const isVowel = (c: string | undefined) =>
  c === 'a' || c === 'e' || c === 'i' || c === 'o' || c === 'u' || c === 'y';

/** The word as code points, so a non-BMP character counts once as in Snowball's UTF-8 build. */
type Word = string[];

function endsWith(w: Word, suffix: string): boolean {
  const start = w.length - suffix.length;
  if (start < 0) return false;
  for (let i = 0; i < suffix.length; i++) if (w[start + i] !== suffix[i]) return false;
  return true;
}

function startsWith(w: Word, prefix: string): boolean {
  for (let i = 0; i < prefix.length; i++) if (w[i] !== prefix[i]) return false;
  return true;
}

function replaceSuffix(w: Word, length: number, replacement: string): void {
  w.splice(w.length - length, length, ...replacement);
}

/** The longest of `suffixes` that the word ends with. */
function longestSuffix<T extends string>(w: Word, suffixes: readonly T[]): T | undefined {
  return suffixes.find((s) => endsWith(w, s));
}

/** Whether w[0..end) contains a vowel. */
function hasVowelBefore(w: Word, end: number): boolean {
  for (let i = 0; i < end; i++) if (isVowel(w[i])) return true;
  return false;
}

/**
 * Whether w[0..end) ends in a short syllable: non-vowel, vowel, non-vowel other than w, x or Y;
 * or, for a two-letter start, a vowel then a non-vowel.
 */
function endsInShortSyllable(w: Word, end: number): boolean {
  if (end < 2 || isVowel(w[end - 1]) || !isVowel(w[end - 2])) return false;
  if (end === 2) return true;
  const last = w[end - 1];
  return !isVowel(w[end - 3]) && last !== 'w' && last !== 'x' && last !== 'Y';
}

/** The position after the first non-vowel that follows a vowel, at or after `from`. */
function regionStart(w: Word, from: number): number {
  let i = from;
  while (i < w.length && !isVowel(w[i])) i++;
  while (i < w.length && isVowel(w[i])) i++;
  return Math.min(i + 1, w.length);
}

/** Marks consonantal y's as 'Y': an initial y and a y after a vowel. Reports whether any was. */
function markConsonantY(w: Word): boolean {
  let found = false;
  for (let i = 0; i < w.length; i++) {
    if (w[i] === 'y' && (i === 0 || isVowel(w[i - 1]))) {
      w[i] = 'Y';
      found = true;
    }
  }
  return found;
}

function step1a(w: Word): void {
  const apostrophe = longestSuffix(w, ["'s'", "'s", "'"]);
  if (apostrophe) replaceSuffix(w, apostrophe.length, '');
  const suffix = longestSuffix(w, ['sses', 'ied', 'ies', 'us', 'ss', 's']);
  if (suffix === 'sses') replaceSuffix(w, 4, 'ss');
  else if (suffix === 'ied' || suffix === 'ies') {
    // "cries" → "cri" but "ties" → "tie": keep the e after a single letter.
    replaceSuffix(w, 3, w.length > 4 ? 'i' : 'ie');
  } else if (suffix === 's' && hasVowelBefore(w, w.length - 2)) {
    // A vowel right before the s does not count: "gas" and "this" keep theirs.
    replaceSuffix(w, 1, '');
  }
}

function step1b(w: Word, p1: number): void {
  const suffix = longestSuffix(w, STEP1B);
  if (!suffix) return;
  const start = w.length - suffix.length;
  if (suffix === 'eed' || suffix === 'eedly') {
    if (start >= p1) replaceSuffix(w, suffix.length, 'ee');
    return;
  }
  if (!hasVowelBefore(w, start)) return;
  replaceSuffix(w, suffix.length, '');
  // Restore what the suffix took away: "hoping" → "hope", "hopping" → "hop".
  if (endsWith(w, 'at') || endsWith(w, 'bl') || endsWith(w, 'iz')) w.push('e');
  else if (DOUBLES.some((d) => endsWith(w, d))) w.pop();
  else if (w.length === p1 && endsInShortSyllable(w, w.length)) w.push('e');
}

function step1c(w: Word): void {
  const n = w.length;
  if (n >= 3 && (w[n - 1] === 'y' || w[n - 1] === 'Y') && !isVowel(w[n - 2])) w[n - 1] = 'i';
}

function step2(w: Word, p1: number): void {
  const rule = STEP2.find(([s]) => endsWith(w, s));
  if (!rule) return;
  const [suffix, replacement] = rule;
  const start = w.length - suffix.length;
  if (start < p1) return;
  if (suffix === 'ogi' && w[start - 1] !== 'l') return;
  if (suffix === 'li' && !VALID_LI.includes(w[start - 1] ?? '-')) return;
  replaceSuffix(w, suffix.length, replacement);
}

function step3(w: Word, p1: number, p2: number): void {
  const rule = STEP3.find(([s]) => endsWith(w, s));
  if (!rule) return;
  const [suffix, replacement] = rule;
  const start = w.length - suffix.length;
  if (start < p1 || (suffix === 'ative' && start < p2)) return;
  replaceSuffix(w, suffix.length, replacement);
}

function step4(w: Word, p2: number): void {
  const suffix = longestSuffix(w, STEP4);
  if (!suffix) return;
  const start = w.length - suffix.length;
  if (start < p2) return;
  if (suffix === 'ion' && w[start - 1] !== 's' && w[start - 1] !== 't') return;
  replaceSuffix(w, suffix.length, '');
}

function step5(w: Word, p1: number, p2: number): void {
  const start = w.length - 1;
  if (w[start] === 'e') {
    if (start >= p2 || (start >= p1 && !endsInShortSyllable(w, start))) w.pop();
  } else if (w[start] === 'l') {
    if (start >= p2 && w[start - 1] === 'l') w.pop();
  }
}

function stem(word: string): string {
  const fixed = EXCEPTION1.get(word);
  if (fixed !== undefined) return fixed;
  const w: Word = Array.from(word);
  // One- and two-character words are too short to carry a suffix; "ab'" (three) is stemmed.
  if (w.length < 3) return word;

  // A leading apostrophe is a quote mark, not part of the word.
  if (w[0] === "'") w.shift();
  const yFound = markConsonantY(w);

  const p1 = R1_PREFIXES.find((p) => startsWith(w, p))?.length ?? regionStart(w, 0);
  const p2 = regionStart(w, p1);

  step1a(w);
  if (!EXCEPTION2.has(w.join(''))) {
    step1b(w, p1);
    step1c(w);
    step2(w, p1);
    step3(w, p1, p2);
    step4(w, p2);
    step5(w, p1, p2);
  }
  // Snowball restores y only when the prelude marked one, and then every 'Y' (only a caller
  // that skipped lowercasing could have passed one in).
  const out = w.join('');
  return yFound ? out.replaceAll('Y', 'y') : out;
}

// PostgreSQL hands the stemmer nothing longer than this many bytes: such a token is no word.
const MAX_STEM_BYTES = 1000;

/** The english_stem lexeme for a lowercase word that is not a stop word. */
export function englishStem(word: string): string {
  // A UTF-16 code unit is at most three UTF-8 bytes, so short strings need no byte count.
  if (word.length * 3 > MAX_STEM_BYTES && Buffer.byteLength(word, 'utf8') > MAX_STEM_BYTES) return word;
  // PostgreSQL keeps the word as it was when stemming leaves nothing (e.g. "''s").
  return stem(word) || word;
}

/**
 * `ts_lexize('english_stem', word)`: null for a stop word (or the empty string), else the one
 * lexeme. Only ASCII letters are lowercased, as in a database whose LC_CTYPE is C.
 */
export function englishLexize(word: string): string | null {
  const lower = word.replace(/[A-Z]+/g, (s) => s.toLowerCase());
  if (lower === '' || ENGLISH_STOP_WORDS.has(lower)) return null;
  return englishStem(lower);
}
