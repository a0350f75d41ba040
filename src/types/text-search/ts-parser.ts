/**
 * PostgreSQL's default text-search parser (the parser named "default", which to_tsvector and
 * to_tsquery use) as a pure tokenizer: parseDocument(text) returns the tokens that
 * `ts_parse('default', text)` returns, in order, with the same types and texts, blanks included.
 *
 * The parser is an ordered-choice automaton with backtracking. Every state holds a list of arms,
 * tried in order against the current character; the first arm that matches decides what happens:
 * consume the character and move to another state, try a speculative branch ("push": remember
 * where we are so a failing branch can come back and try the next arm), give up on a branch
 * ("pop"), commit to a branch (forget the pushed alternative), or emit a token. Longer
 * constructs (hosts, URLs, e-mail addresses, versions, hyphenated words) are found by such
 * speculative branches from the word and number states, which is why a token's type can depend
 * on characters far beyond where it started (`example.com2` is a file, `example.com` a host).
 *
 * Hyphenated words and URLs are reported twice: first as a whole (asciihword, url, ...), then
 * the parser rewinds to the whole token's start and reports its parts (hword_asciipart, blank
 * for the hyphen, ...; host then url_path).
 *
 * Character classes follow a database whose LC_CTYPE is C with UTF-8 encoding (what the
 * reference server uses): PostgreSQL then counts every character above U+007F as a letter, so
 * accented words, CJK text, emoji, typographic quotes and dashes and even U+00A0 are all `word`
 * characters (`“quoted”` is one word), and only ASCII whitespace, digits and punctuation
 * separate tokens. Under another LC_CTYPE PostgreSQL asks the C library instead (iswalpha,
 * iswspace), so there emoji and non-ASCII punctuation and spaces would be blanks, and combining
 * marks would continue words; that is not modelled.
 *
 * Input is taken as code points, as PostgreSQL reads valid UTF-8; a lone UTF-16 surrogate
 * (which no PostgreSQL text value can hold) counts as a letter. Some inputs take time
 * quadratic in their length, as in PostgreSQL: a speculative branch may run to the end of the
 * text before failing, and is then retried from the next character (`'/~'.repeat(n)`).
 */

/**
 * The token types, as `SELECT alias FROM ts_token_type('default')` lists them: a type's tokid
 * (what ts_parse reports) is its index here plus one.
 */
export const TOKEN_TYPES = [
  'asciiword',
  'word',
  'numword',
  'email',
  'url',
  'host',
  'sfloat',
  'version',
  'hword_numpart',
  'hword_part',
  'hword_asciipart',
  'blank',
  'tag',
  'protocol',
  'numhword',
  'asciihword',
  'hword',
  'url_path',
  'file',
  'float',
  'int',
  'uint',
  'entity',
] as const;

export type TokenType = (typeof TOKEN_TYPES)[number];

export interface Token {
  readonly type: TokenType;
  readonly text: string;
}

// ---------------------------------------------------------------------------------------------
// Character classes. `c` is a code point, or END (-1) past the last character, where every class
// test is false so that only the end-of-text and catch-all arms can match.

const END = -1;

const isAsciiLetter = (c: number): boolean => (c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a);
/** Under LC_CTYPE C, PostgreSQL treats every non-ASCII character as alphabetic. */
const isLetter = (c: number): boolean => isAsciiLetter(c) || c > 0x7f;
const isDigit = (c: number): boolean => c >= 0x30 && c <= 0x39;
const isAlnum = (c: number): boolean => isLetter(c) || isDigit(c);
const isHexDigit = (c: number): boolean => isDigit(c) || (c >= 0x61 && c <= 0x66) || (c >= 0x41 && c <= 0x46);
/** C isspace: space, \t, \n, \v, \f, \r. */
const isSpace = (c: number): boolean => c === 0x20 || (c >= 0x09 && c <= 0x0d);

/** Characters allowed in a URL path: printable ASCII except those RFC 3986 excludes. */
function isUrlChar(c: number): boolean {
  if (c <= 0x20 || c >= 0x7f) return false;
  switch (c) {
    case 0x22: // "
    case 0x3c: // <
    case 0x3e: // >
    case 0x5c: // \
    case 0x5e: // ^
    case 0x60: // `
    case 0x7b: // {
    case 0x7c: // |
    case 0x7d: // }
      return false;
    default:
      return true;
  }
}

// ---------------------------------------------------------------------------------------------
// The automaton's description.

type StateName =
  | 'start'
  | 'blank'
  | 'asciiWord'
  | 'word'
  | 'numWord'
  | 'uint'
  | 'signStart'
  | 'int'
  | 'udecimalStart'
  | 'udecimal'
  | 'decimalStart'
  | 'decimal'
  | 'signedVersion'
  | 'signedVersionSplit'
  | 'versionStart'
  | 'version'
  | 'exponentStart'
  | 'exponentSign'
  | 'exponent'
  | 'entityStart'
  | 'entityName'
  | 'entityNumStart'
  | 'entityHexStart'
  | 'entityDec'
  | 'entityHex'
  | 'entityEnd'
  | 'tagStart'
  | 'xmlDecl'
  | 'tagCloseStart'
  | 'tagName'
  | 'tagSelfClose'
  | 'tagBody'
  | 'tagSingleQuoted'
  | 'tagDoubleQuoted'
  | 'tagEscaped'
  | 'tagEnd'
  | 'markupDecl'
  | 'commentOpen'
  | 'comment'
  | 'commentDash'
  | 'commentDashDash'
  | 'commentEnd'
  | 'tildeStart'
  | 'dotStart'
  | 'pathDot'
  | 'pathDotDot'
  | 'fileStart'
  | 'file'
  | 'fileDot'
  | 'urlPathStart'
  | 'urlPathResume'
  | 'urlPath'
  | 'urlAfterHost'
  | 'protocolSlash'
  | 'protocolSlashSlash'
  | 'protocolEnd'
  | 'hostLabelStart'
  | 'hostLabelSecond'
  | 'hostDomain'
  | 'portStart'
  | 'port'
  | 'hostAfterJoin'
  | 'hostInner'
  | 'emailAt'
  | 'hyphenAsciiNext'
  | 'hyphenAscii'
  | 'hyphenWordNext'
  | 'hyphenWord'
  | 'hyphenNumNext'
  | 'hyphenNum'
  | 'hyphenDigits'
  | 'parts'
  | 'partsHyphen'
  | 'partWord'
  | 'partAscii'
  | 'partNum'
  | 'partDigits';

/** Arm effects, combined as bits. With none of STAY, POP or EMIT the character is consumed. */
const PUSH = 1; // try a branch; if it pops, come back here and go on with the next arm
const POP = 2; // the branch failed: return to where it was pushed
const EMIT = 4; // a token ends before the current character
const COMMIT = 8; // forget the alternative pushed most recently (the branch is taken for good)
const COMMIT_ALL = 16; // forget every pushed alternative
const JOIN = 32; // fold the current branch's progress into the one it was pushed from
const STAY = 64; // look at the same character again in the new state

/** An arm's test: a code point to equal, a predicate, or null for "anything". */
type Test = number | ((p: Machine, c: number) => boolean) | null;
type Hook = (p: Machine) => void;

interface Arm {
  readonly test: Test;
  readonly flags: number;
  readonly to: StateName | null;
  readonly emit: TokenType | null;
  readonly hook: Hook | null;
}

const ch = (s: string): number => s.codePointAt(0)!;

function arm(
  test: Test | string,
  flags: number,
  to: StateName | null = null,
  emit: TokenType | null = null,
  hook: Hook | null = null,
): Arm {
  return { test: typeof test === 'string' ? ch(test) : test, flags, to, emit, hook };
}

// Tests that need the machine's position or flags.
const atEnd: Test = (_p, c) => c === END;
const asciiLetter: Test = (_p, c) => isAsciiLetter(c);
const letter: Test = (_p, c) => isLetter(c);
const digit: Test = (_p, c) => isDigit(c);
const alnum: Test = (_p, c) => isAlnum(c);
const notAlnum: Test = (_p, c) => !isAlnum(c);
const hexDigit: Test = (_p, c) => isHexDigit(c);
const space: Test = (_p, c) => isSpace(c);
const urlChar: Test = (_p, c) => isUrlChar(c);
/** Inside <script> and <style> elements everything up to the next tag is blank. */
const ignoring: Test = (p) => p.ignore;
/**
 * True once, when the machine was asked to stop after a host: while re-reading a URL (so that
 * its host and path come out as separate tokens) and when checking an e-mail's domain.
 */
const hostWanted: Test = (p) => {
  if (!p.wantHost) return false;
  p.wantHost = false;
  return true;
};
/** The rest of the input starts with a host name: consume it (the domain of an e-mail). */
const hostFollows: Test = (p) => p.absorb(p.subToken('start', true), 'host');
/** The rest of the input starts with a URL path: consume it. */
const urlPathFollows: Test = (p) => p.absorb(p.subToken('urlPathStart', false), 'url_path');

/** A whole hyphenated word was emitted: go back to its start to emit its parts. */
const rewindForParts: Hook = (p) => p.rewind();
/** A whole URL was emitted: go back to its start to emit its host and path. */
const rewindForHostAndPath: Hook = (p) => {
  p.wantHost = true;
  p.rewind();
};
/**
 * A signed decimal turned out to be followed by more dotted digits: a version has no sign, so
 * start over to emit the sign as a blank and read the version without it.
 */
const rewindSignedVersion: Hook = (p) => {
  p.rewind();
  p.top.len = 0;
};
/** A tag name ended: <script> and <style> start ignoring text, their end tags stop it. */
const checkIgnoredElement: Hook = (p) => {
  const length = p.top.pos - p.tokenStart;
  if (length < '<style'.length || length > '</script'.length) return;
  const name = p.tokenSoFar().toLowerCase();
  if (name === '</script' || name === '</style') p.ignore = false;
  else if (name === '<script' || name === '<style') p.ignore = true;
};

const STATES: Record<StateName, readonly Arm[]> = {
  start: [
    arm(atEnd, 0),
    arm('<', PUSH, 'tagStart'),
    arm(ignoring, 0, 'blank'),
    arm(asciiLetter, 0, 'asciiWord'),
    arm(letter, 0, 'word'),
    arm(digit, 0, 'uint'),
    arm('-', PUSH, 'signStart'),
    arm('+', PUSH, 'signStart'),
    arm('&', PUSH, 'entityStart'),
    arm('~', PUSH, 'tildeStart'),
    arm('/', PUSH, 'fileStart'),
    arm('.', PUSH, 'dotStart'),
    arm(null, 0, 'blank'),
  ],
  // A run of separators ends before anything that may start a token.
  blank: [
    arm(atEnd, EMIT, 'start', 'blank'),
    arm('<', EMIT, 'start', 'blank'),
    arm(ignoring, 0),
    arm('-', EMIT, 'start', 'blank'),
    arm('+', EMIT, 'start', 'blank'),
    arm('&', EMIT, 'start', 'blank'),
    arm('/', EMIT, 'start', 'blank'),
    arm(notAlnum, 0, 'blank'),
    arm(null, EMIT, 'start', 'blank'),
  ],
  asciiWord: [
    arm(atEnd, EMIT, 'start', 'asciiword'),
    arm(asciiLetter, 0),
    arm('.', PUSH, 'hostLabelStart'),
    arm('.', PUSH, 'fileDot'),
    arm('-', PUSH, 'hostAfterJoin'),
    arm('-', PUSH, 'hyphenAsciiNext'),
    arm('_', PUSH, 'hostAfterJoin'),
    arm('@', PUSH, 'emailAt'),
    arm(':', PUSH, 'protocolSlash'),
    arm('/', PUSH, 'fileStart'),
    arm(digit, PUSH, 'hostInner'),
    arm(digit, 0, 'numWord'),
    arm(letter, 0, 'word'),
    arm(null, EMIT, 'start', 'asciiword'),
  ],
  word: [
    arm(atEnd, EMIT, 'start', 'word'),
    arm(letter, 0),
    arm(digit, 0, 'numWord'),
    arm('-', PUSH, 'hyphenWordNext'),
    arm(null, EMIT, 'start', 'word'),
  ],
  numWord: [
    arm(atEnd, EMIT, 'start', 'numword'),
    arm(alnum, 0),
    arm('@', PUSH, 'emailAt'),
    arm('/', PUSH, 'fileStart'),
    arm('.', PUSH, 'fileDot'),
    arm('-', PUSH, 'hyphenNumNext'),
    arm(null, EMIT, 'start', 'numword'),
  ],
  // Digits may still become a host (`123.example.com`, tried before a decimal, so that
  // `2.1.ee` is a host), a float, an sfloat, a numword or a file.
  uint: [
    arm(atEnd, EMIT, 'start', 'uint'),
    arm(digit, 0),
    arm('.', PUSH, 'hostLabelStart'),
    arm('.', PUSH, 'udecimalStart'),
    arm('e', PUSH, 'exponentStart'),
    arm('E', PUSH, 'exponentStart'),
    arm('-', PUSH, 'hostAfterJoin'),
    arm('_', PUSH, 'hostAfterJoin'),
    arm('@', PUSH, 'emailAt'),
    arm(asciiLetter, PUSH, 'hostInner'),
    arm(letter, 0, 'numWord'),
    arm('/', PUSH, 'fileStart'),
    arm(null, EMIT, 'start', 'uint'),
  ],
  // A sign only starts a number when a digit follows; signed numbers never become hosts or words.
  signStart: [arm(digit, COMMIT, 'int'), arm(null, POP)],
  int: [
    arm(atEnd, EMIT, 'start', 'int'),
    arm(digit, 0),
    arm('.', PUSH, 'decimalStart'),
    arm('e', PUSH, 'exponentStart'),
    arm('E', PUSH, 'exponentStart'),
    arm(null, EMIT, 'start', 'int'),
  ],
  udecimalStart: [arm(digit, COMMIT, 'udecimal'), arm(null, POP)],
  udecimal: [
    arm(atEnd, EMIT, 'start', 'float'),
    arm(digit, 0),
    arm('.', PUSH, 'versionStart'),
    arm('e', PUSH, 'exponentStart'),
    arm('E', PUSH, 'exponentStart'),
    arm(null, EMIT, 'start', 'float'),
  ],
  decimalStart: [arm(digit, COMMIT, 'decimal'), arm(null, POP)],
  decimal: [
    arm(atEnd, EMIT, 'start', 'float'),
    arm(digit, 0),
    arm('.', PUSH, 'signedVersion'),
    arm('e', PUSH, 'exponentStart'),
    arm('E', PUSH, 'exponentStart'),
    arm(null, EMIT, 'start', 'float'),
  ],
  signedVersion: [arm(digit, STAY, 'signedVersionSplit', null, rewindSignedVersion), arm(null, POP)],
  // Re-read from the sign: emit it alone as a blank, then go on with the unsigned number.
  signedVersionSplit: [arm(digit, EMIT | COMMIT_ALL, 'uint', 'blank'), arm(null, 0)],
  versionStart: [arm(digit, COMMIT, 'version'), arm(null, POP)],
  version: [
    arm(atEnd, EMIT, 'start', 'version'),
    arm(digit, 0),
    arm('.', PUSH, 'versionStart'),
    arm(null, EMIT, 'start', 'version'),
  ],
  exponentStart: [
    arm(digit, COMMIT, 'exponent'),
    arm('+', 0, 'exponentSign'),
    arm('-', 0, 'exponentSign'),
    arm(null, POP),
  ],
  exponentSign: [arm(digit, COMMIT, 'exponent'), arm(null, POP)],
  exponent: [arm(atEnd, EMIT, 'start', 'sfloat'), arm(digit, 0), arm(null, EMIT, 'start', 'sfloat')],

  // `&name;`, `&#123;` and `&#x1F;`; anything else leaves the '&' a blank.
  entityStart: [
    arm('#', 0, 'entityNumStart'),
    arm(asciiLetter, 0, 'entityName'),
    arm(':', 0, 'entityName'),
    arm('_', 0, 'entityName'),
    arm(null, POP),
  ],
  entityName: [
    arm(alnum, 0),
    arm(':', 0),
    arm('_', 0),
    arm('.', 0),
    arm('-', 0),
    arm(';', 0, 'entityEnd'),
    arm(null, POP),
  ],
  entityNumStart: [
    arm('x', 0, 'entityHexStart'),
    arm('X', 0, 'entityHexStart'),
    arm(digit, 0, 'entityDec'),
    arm(null, POP),
  ],
  entityHexStart: [arm(hexDigit, 0, 'entityHex'), arm(null, POP)],
  entityDec: [arm(digit, 0), arm(';', 0, 'entityEnd'), arm(null, POP)],
  entityHex: [arm(hexDigit, 0), arm(';', 0, 'entityEnd'), arm(null, POP)],
  entityEnd: [arm(null, EMIT | COMMIT, 'start', 'entity')],

  // Markup: `<name ...>`, `</name>`, `<?x...>`, `<!D...>` and `<!-- ... -->`. Attribute
  // values may hold anything when quoted, with backslash escapes.
  tagStart: [
    arm(atEnd, POP),
    arm('/', PUSH, 'tagCloseStart'),
    arm('?', PUSH, 'xmlDecl'),
    arm('!', PUSH, 'markupDecl'),
    arm(asciiLetter, 0, 'tagName'),
    arm(':', 0, 'tagName'),
    arm('_', 0, 'tagName'),
    arm(null, POP),
  ],
  // Only a lower-case x: `<?xml ...?>` is a tag, `<?XML` is not.
  xmlDecl: [arm(atEnd, POP), arm('x', 0, 'tagBody'), arm(null, POP)],
  tagCloseStart: [arm(atEnd, POP), arm(asciiLetter, 0, 'tagName'), arm(null, POP)],
  tagName: [
    arm(atEnd, POP),
    arm('/', 0, 'tagSelfClose'),
    arm('>', 0, 'tagEnd', null, checkIgnoredElement),
    arm(space, 0, 'tagBody', null, checkIgnoredElement),
    arm(alnum, 0),
    arm(':', 0),
    arm('-', 0),
    arm('_', 0),
    arm('.', 0),
    arm(null, POP),
  ],
  tagSelfClose: [arm('>', 0, 'tagEnd'), arm(null, POP)],
  tagBody: [
    arm(atEnd, POP),
    arm('>', 0, 'tagEnd', null, checkIgnoredElement),
    arm("'", 0, 'tagSingleQuoted'),
    arm('"', 0, 'tagDoubleQuoted'),
    arm(asciiLetter, 0),
    arm(digit, 0),
    arm('=', 0),
    arm('-', 0),
    arm('_', 0),
    arm('#', 0),
    arm('/', 0),
    arm(':', 0),
    arm('.', 0),
    arm('&', 0),
    arm('?', 0),
    arm('%', 0),
    arm('~', 0),
    arm(space, 0),
    arm(null, POP),
  ],
  tagSingleQuoted: [arm(atEnd, POP), arm('\\', PUSH, 'tagEscaped'), arm("'", 0, 'tagBody'), arm(null, 0)],
  tagDoubleQuoted: [arm(atEnd, POP), arm('\\', PUSH, 'tagEscaped'), arm('"', 0, 'tagBody'), arm(null, 0)],
  // The escaped character joins the quoted value; the quoted state then resumes after its
  // backslash arm, so right after an escape a backslash is plain (`'\\\'` closes the quote)
  // and the end of the text is not recognised: it stops the parse, dropping the unfinished
  // tag and everything after it (`hi <a b='\x` gives only `hi` and a blank), as in PostgreSQL.
  tagEscaped: [arm(atEnd, POP), arm(null, JOIN)],
  tagEnd: [arm(null, EMIT | COMMIT_ALL, 'start', 'tag')],
  markupDecl: [
    arm(atEnd, POP),
    arm('-', 0, 'commentOpen'),
    arm('D', 0, 'tagBody'),
    arm('d', 0, 'tagBody'),
    arm(null, POP),
  ],
  commentOpen: [arm('-', 0, 'comment'), arm(null, POP)],
  comment: [arm(atEnd, POP), arm('-', 0, 'commentDash'), arm(null, 0)],
  commentDash: [arm(atEnd, POP), arm('-', 0, 'commentDashDash'), arm(null, 0, 'comment')],
  commentDashDash: [arm(atEnd, POP), arm('-', 0), arm('>', 0, 'commentEnd'), arm(null, 0, 'comment')],
  commentEnd: [arm(null, EMIT | COMMIT_ALL, 'start', 'tag')],

  // Paths: `~user`, `~/x`, `./x`, `../x`, `..`, `/x/y.z`, `a/b`; a final '/' or '.' is not part.
  tildeStart: [
    arm(atEnd, POP),
    arm('/', 0, 'fileStart'),
    arm(asciiLetter, 0, 'file'),
    arm(digit, 0, 'file'),
    arm('_', 0, 'file'),
    arm(null, POP),
  ],
  dotStart: [arm('.', 0, 'pathDotDot'), arm('/', 0, 'fileStart'), arm(null, POP)],
  pathDot: [
    arm(atEnd, POP),
    arm('.', 0, 'pathDotDot'),
    arm('/', 0, 'fileStart'),
    arm(asciiLetter, 0, 'file'),
    arm(digit, 0, 'file'),
    arm('_', 0, 'file'),
    arm(null, POP),
  ],
  // `..` is a path by itself when the text or a space follows.
  pathDotDot: [
    arm(atEnd, EMIT, 'start', 'file'),
    arm('/', PUSH, 'fileStart'),
    arm('/', EMIT, 'start', 'file'),
    arm(space, EMIT, 'start', 'file'),
    arm(null, POP),
  ],
  fileStart: [
    arm(atEnd, POP),
    arm(asciiLetter, 0, 'file'),
    arm(digit, 0, 'file'),
    arm('.', 0, 'pathDot'),
    arm('_', 0, 'file'),
    arm('~', 0, 'tildeStart'),
    arm(null, POP),
  ],
  file: [
    arm(atEnd, EMIT, 'start', 'file'),
    arm(asciiLetter, 0),
    arm(digit, 0),
    arm('.', PUSH, 'fileDot'),
    arm('_', 0),
    arm('-', 0),
    arm('/', PUSH, 'fileStart'),
    arm(null, EMIT, 'start', 'file'),
  ],
  fileDot: [
    arm(asciiLetter, COMMIT, 'file'),
    arm(digit, COMMIT, 'file'),
    arm('_', COMMIT, 'file'),
    arm(null, POP),
  ],

  // A URL is a host, a '/' and at least one URL character; checked with a separate machine
  // started here, after the '/'.
  urlPathStart: [arm(atEnd, POP), arm(urlChar, 0, 'urlPath'), arm(null, POP)],
  // After a URL's host was emitted on the re-read: the path starts with the '/'.
  urlPathResume: [arm(null, 0, 'urlPath')],
  urlPath: [arm(atEnd, EMIT, 'start', 'url_path'), arm(urlChar, 0), arm(null, EMIT, 'start', 'url_path')],
  urlAfterHost: [
    arm(urlPathFollows, EMIT | COMMIT_ALL, 'start', 'url', rewindForHostAndPath),
    arm(null, POP),
  ],

  // `letters://` is a protocol token on its own, whatever follows.
  protocolSlash: [arm('/', 0, 'protocolSlashSlash'), arm(null, POP)],
  protocolSlashSlash: [arm('/', COMMIT, 'protocolEnd'), arm(null, POP)],
  protocolEnd: [arm(null, EMIT, 'start', 'protocol')],

  // After a '.' in a possible host name: the next label.
  hostLabelStart: [arm(asciiLetter, 0, 'hostLabelSecond'), arm(digit, 0, 'hostInner'), arm(null, POP)],
  // One letter into a label: a host's last label needs at least two letters.
  hostLabelSecond: [
    arm(asciiLetter, 0, 'hostDomain'),
    arm(digit, PUSH, 'hostInner'),
    arm('-', PUSH, 'hostAfterJoin'),
    arm('_', PUSH, 'hostAfterJoin'),
    arm('.', PUSH, 'hostLabelStart'),
    arm('@', PUSH, 'emailAt'),
    arm(null, POP),
  ],
  // In a label of letters only: the host may end here.
  hostDomain: [
    arm(atEnd, EMIT, 'start', 'host'),
    arm(asciiLetter, 0),
    arm(digit, 0, 'hostInner'),
    arm(':', PUSH, 'portStart'),
    arm('-', PUSH, 'hostAfterJoin'),
    arm('_', PUSH, 'hostAfterJoin'),
    arm('.', PUSH, 'hostLabelStart'),
    arm('@', PUSH, 'emailAt'),
    arm(hostWanted, EMIT | COMMIT_ALL, 'urlPathResume', 'host'),
    arm('/', PUSH, 'urlAfterHost'),
    arm(null, EMIT | COMMIT_ALL, 'start', 'host'),
  ],
  portStart: [arm(digit, 0, 'port'), arm(null, POP)],
  port: [
    arm(atEnd, EMIT, 'start', 'host'),
    arm(digit, 0),
    arm(hostWanted, EMIT | COMMIT_ALL, 'urlPathResume', 'host'),
    arm('/', PUSH, 'urlAfterHost'),
    arm(null, EMIT | COMMIT_ALL, 'start', 'host'),
  ],
  // After a '-' or '_' inside a possible host name.
  hostAfterJoin: [arm(digit, 0, 'hostInner'), arm(asciiLetter, 0, 'hostInner'), arm(null, POP)],
  // Inside a label that cannot end the host (it has digits, or the host needs a dot yet).
  hostInner: [
    arm(digit, 0),
    arm(asciiLetter, 0),
    arm('@', PUSH, 'emailAt'),
    arm('.', PUSH, 'hostLabelStart'),
    arm('-', PUSH, 'hostAfterJoin'),
    arm('_', PUSH, 'hostAfterJoin'),
    arm(null, POP),
  ],
  emailAt: [arm(hostWanted, POP), arm(hostFollows, EMIT | COMMIT_ALL, 'start', 'email'), arm(null, POP)],

  // Hyphenated words: the whole compound first.
  hyphenAsciiNext: [
    arm(asciiLetter, 0, 'hyphenAscii'),
    arm(letter, 0, 'hyphenWord'),
    arm(digit, 0, 'hyphenDigits'),
    arm(null, POP),
  ],
  hyphenAscii: [
    arm(atEnd, EMIT | COMMIT_ALL, 'parts', 'asciihword', rewindForParts),
    arm(asciiLetter, 0),
    arm(letter, 0, 'hyphenWord'),
    arm(digit, 0, 'hyphenNum'),
    arm('-', PUSH, 'hyphenAsciiNext'),
    arm(null, EMIT | COMMIT_ALL, 'parts', 'asciihword', rewindForParts),
  ],
  hyphenWordNext: [arm(letter, 0, 'hyphenWord'), arm(digit, 0, 'hyphenDigits'), arm(null, POP)],
  hyphenWord: [
    arm(atEnd, EMIT | COMMIT_ALL, 'parts', 'hword', rewindForParts),
    arm(letter, 0),
    arm(digit, 0, 'hyphenNum'),
    arm('-', PUSH, 'hyphenWordNext'),
    arm(null, EMIT | COMMIT_ALL, 'parts', 'hword', rewindForParts),
  ],
  hyphenNumNext: [arm(letter, 0, 'hyphenNum'), arm(digit, 0, 'hyphenDigits'), arm(null, POP)],
  hyphenNum: [
    arm(atEnd, EMIT | COMMIT_ALL, 'parts', 'numhword', rewindForParts),
    arm(alnum, 0),
    arm('-', PUSH, 'hyphenNumNext'),
    arm(null, EMIT | COMMIT_ALL, 'parts', 'numhword', rewindForParts),
  ],
  // A part of digits only joins the compound if letters follow in it.
  hyphenDigits: [arm(digit, 0), arm(letter, 0, 'hyphenNum'), arm(null, POP)],

  // ... then its parts, and the hyphens between them as blanks.
  parts: [
    arm(atEnd, 0, 'start'),
    arm(asciiLetter, 0, 'partAscii'),
    arm(letter, 0, 'partWord'),
    arm(digit, PUSH, 'partDigits'),
    arm('-', PUSH, 'partsHyphen'),
    arm(null, STAY, 'start'),
  ],
  partsHyphen: [arm(alnum, EMIT | COMMIT, 'parts', 'blank'), arm(null, POP)],
  partWord: [
    arm(atEnd, EMIT, 'start', 'hword_part'),
    arm(letter, 0),
    arm(digit, 0, 'partNum'),
    arm(null, EMIT, 'parts', 'hword_part'),
  ],
  partAscii: [
    arm(atEnd, EMIT, 'start', 'hword_asciipart'),
    arm(asciiLetter, 0),
    arm(letter, 0, 'partWord'),
    arm(digit, 0, 'partNum'),
    arm(null, EMIT, 'parts', 'hword_asciipart'),
  ],
  partNum: [
    arm(atEnd, EMIT, 'start', 'hword_numpart'),
    arm(alnum, 0),
    arm(null, EMIT, 'parts', 'hword_numpart'),
  ],
  // A part of digits only never belongs to the compound (see hyphenDigits), but reading parts
  // runs on past its end over '-' and alphanumerics: `foo-bar-123` gives the compound
  // `foo-bar`, its parts, a blank '-' and then `123` read from the start state as a uint.
  partDigits: [arm(atEnd, POP), arm(digit, 0), arm(letter, 0, 'partNum'), arm(null, POP)],
};

// ---------------------------------------------------------------------------------------------
// The machine that runs the automaton.

/** One level of speculation: where a branch stands, and where to go on after it pops. */
interface Frame {
  state: StateName;
  /** Index of the current character. */
  pos: number;
  /** Characters consumed since the current token started. */
  len: number;
  /** The arm this frame pushed from, to resume after when the branch pops; -1 when none. */
  resumeAfter: number;
  below: Frame | null;
}

class Machine {
  top: Frame;
  ignore = false;
  wantHost = false;
  /** Where the token being read starts. */
  tokenStart = 0;
  tokenType: TokenType = 'blank';
  tokenLength = 0;

  constructor(
    private readonly chars: readonly number[],
    start: number,
    state: StateName,
  ) {
    this.top = { state, pos: start, len: 0, resumeAfter: -1, below: null };
  }

  /** Reads the next token into tokenType/tokenStart/tokenLength; false when there is none. */
  next(): boolean {
    const chars = this.chars;
    const n = chars.length;
    if (this.top.pos >= n) return false;
    this.tokenStart = this.top.pos;
    this.top.resumeAfter = -1;
    let emitted = false;
    for (;;) {
      const cur = this.top;
      const c = cur.pos < n ? chars[cur.pos] : END;
      const arms = STATES[cur.state];
      let i = cur.resumeAfter + 1;
      cur.resumeAfter = -1;
      for (; ; i++) {
        const t = arms[i].test;
        if (t === null || (typeof t === 'number' ? t === c : t(this, c))) break;
      }
      const a = arms[i];
      if (a.hook) a.hook(this);
      if (a.flags & EMIT) {
        this.tokenType = a.emit!;
        this.tokenLength = cur.len;
        cur.len = 0;
        emitted = true;
      }
      if (a.flags & POP) {
        this.top = cur.below!;
      } else if (a.flags & PUSH) {
        cur.resumeAfter = i;
        this.top = { state: cur.state, pos: cur.pos, len: cur.len, resumeAfter: -1, below: cur };
      } else if (a.flags & COMMIT) {
        cur.below = cur.below!.below;
      } else if (a.flags & COMMIT_ALL) {
        cur.below = null;
      } else if (a.flags & JOIN) {
        // The branch's progress becomes its parent's, which keeps its own resume point.
        const parent = cur.below!;
        parent.pos = cur.pos;
        parent.len = cur.len;
        this.top = parent;
      }
      if (a.to !== null) this.top.state = a.to;
      // Running out of text anywhere but in an emitting arm ends the whole parse.
      if (emitted || (this.top.pos >= n && !(a.flags & STAY))) break;
      if (a.flags & (STAY | POP)) continue;
      if (this.top.pos < n) {
        this.top.pos++;
        this.top.len++;
      }
    }
    return emitted;
  }

  /** Back to the current token's start, to read it again in parts. */
  rewind(): void {
    this.top.pos = this.tokenStart;
  }

  /** The current token's text so far. */
  tokenSoFar(): string {
    return String.fromCodePoint(...this.chars.slice(this.tokenStart, this.top.pos));
  }

  /** The first token a fresh machine reads from here, starting in `state`. */
  subToken(state: StateName, wantHost: boolean): { type: TokenType; length: number } | null {
    const sub = new Machine(this.chars, this.top.pos, 'start');
    sub.wantHost = wantHost;
    if (state !== 'start') {
      // A start frame underneath, so that a failing first state falls back to it.
      sub.top = { state, pos: this.top.pos, len: 0, resumeAfter: -1, below: sub.top };
    }
    return sub.next() ? { type: sub.tokenType, length: sub.tokenLength } : null;
  }

  /** Consumes a sub-token when it has the wanted type. */
  absorb(sub: { type: TokenType; length: number } | null, want: TokenType): boolean {
    if (sub === null || sub.type !== want) return false;
    this.top.pos += sub.length;
    this.top.len += sub.length;
    return true;
  }
}

/** The tokens `ts_parse('default', text)` returns, blanks included, in order. */
export function parseDocument(text: string): Token[] {
  const chars: number[] = [];
  const offsets: number[] = [];
  for (let i = 0; i < text.length; ) {
    const c = text.codePointAt(i)!;
    chars.push(c);
    offsets.push(i);
    i += c > 0xffff ? 2 : 1;
  }
  offsets.push(text.length);
  const m = new Machine(chars, 0, 'start');
  const tokens: Token[] = [];
  while (m.next()) {
    const from = offsets[m.tokenStart];
    const to = offsets[m.tokenStart + m.tokenLength];
    tokens.push({ type: m.tokenType, text: text.slice(from, to) });
  }
  return tokens;
}
