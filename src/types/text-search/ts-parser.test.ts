/**
 * Tests for the default text-search parser (ts-parser.ts). Every expected token list was
 * generated from a PostgreSQL 15.18 server (database encoding UTF8, LC_CTYPE C) with
 *
 *   SELECT t.tokid, a.alias, t.token FROM ts_parse('default', $1) t
 *     JOIN ts_token_type('default') a USING (tokid)
 *
 * and is embedded here, so the tests need no server.
 */
import { describe, expect, it } from 'vitest';
import { parseDocument, TOKEN_TYPES, type Token } from './ts-parser.ts';

/** A row of the query above: tokid, alias, token. */
type Row = readonly [number, string, string];

const rows = (tokens: Token[]): Row[] =>
  tokens.map((t): Row => [TOKEN_TYPES.indexOf(t.type) + 1, t.type, t.text]);

/** `SELECT tokid, alias FROM ts_token_type('default')` */
// biome-ignore format: generated from the reference server, kept compact
const SERVER_TOKEN_TYPES: readonly (readonly [number, string])[] = [[1, 'asciiword'], [2, 'word'], [3, 'numword'], [4, 'email'], [5, 'url'], [6, 'host'], [7, 'sfloat'], [8, 'version'], [9, 'hword_numpart'], [10, 'hword_part'], [11, 'hword_asciipart'], [12, 'blank'], [13, 'tag'], [14, 'protocol'], [15, 'numhword'], [16, 'asciihword'], [17, 'hword'], [18, 'url_path'], [19, 'file'], [20, 'float'], [21, 'int'], [22, 'uint'], [23, 'entity']];

// biome-ignore format: generated from the reference server, kept compact
const CASES: Record<string, readonly (readonly [string, readonly Row[]])[]> = {
  'prose': [
    [
      'The quick brown fox jumps over the lazy dog.',
      [
        [1, 'asciiword', 'The'], [12, 'blank', ' '], [1, 'asciiword', 'quick'], [12, 'blank', ' '],
        [1, 'asciiword', 'brown'], [12, 'blank', ' '], [1, 'asciiword', 'fox'], [12, 'blank', ' '],
        [1, 'asciiword', 'jumps'], [12, 'blank', ' '], [1, 'asciiword', 'over'], [12, 'blank', ' '],
        [1, 'asciiword', 'the'], [12, 'blank', ' '], [1, 'asciiword', 'lazy'], [12, 'blank', ' '],
        [1, 'asciiword', 'dog'], [12, 'blank', '.'],
      ],
    ],
    [
      'It was the best of times, it was the worst of times.',
      [
        [1, 'asciiword', 'It'], [12, 'blank', ' '], [1, 'asciiword', 'was'], [12, 'blank', ' '],
        [1, 'asciiword', 'the'], [12, 'blank', ' '], [1, 'asciiword', 'best'], [12, 'blank', ' '],
        [1, 'asciiword', 'of'], [12, 'blank', ' '], [1, 'asciiword', 'times'], [12, 'blank', ', '],
        [1, 'asciiword', 'it'], [12, 'blank', ' '], [1, 'asciiword', 'was'], [12, 'blank', ' '],
        [1, 'asciiword', 'the'], [12, 'blank', ' '], [1, 'asciiword', 'worst'], [12, 'blank', ' '],
        [1, 'asciiword', 'of'], [12, 'blank', ' '], [1, 'asciiword', 'times'], [12, 'blank', '.'],
      ],
    ],
    [
      'The fox\'s den wasn\'t far; don\'t worry, it\'s fine.',
      [
        [1, 'asciiword', 'The'], [12, 'blank', ' '], [1, 'asciiword', 'fox'], [12, 'blank', '\''],
        [1, 'asciiword', 's'], [12, 'blank', ' '], [1, 'asciiword', 'den'], [12, 'blank', ' '],
        [1, 'asciiword', 'wasn'], [12, 'blank', '\''], [1, 'asciiword', 't'], [12, 'blank', ' '],
        [1, 'asciiword', 'far'], [12, 'blank', '; '], [1, 'asciiword', 'don'], [12, 'blank', '\''],
        [1, 'asciiword', 't'], [12, 'blank', ' '], [1, 'asciiword', 'worry'], [12, 'blank', ', '],
        [1, 'asciiword', 'it'], [12, 'blank', '\''], [1, 'asciiword', 's'], [12, 'blank', ' '],
        [1, 'asciiword', 'fine'], [12, 'blank', '.'],
      ],
    ],
    [
      'Call me Ishmael. Some years ago - never mind how long precisely - having little or no money in my purse...',
      [
        [1, 'asciiword', 'Call'], [12, 'blank', ' '], [1, 'asciiword', 'me'], [12, 'blank', ' '],
        [1, 'asciiword', 'Ishmael'], [12, 'blank', '. '], [1, 'asciiword', 'Some'], [12, 'blank', ' '],
        [1, 'asciiword', 'years'], [12, 'blank', ' '], [1, 'asciiword', 'ago'], [12, 'blank', ' '],
        [12, 'blank', '- '], [1, 'asciiword', 'never'], [12, 'blank', ' '], [1, 'asciiword', 'mind'],
        [12, 'blank', ' '], [1, 'asciiword', 'how'], [12, 'blank', ' '], [1, 'asciiword', 'long'],
        [12, 'blank', ' '], [1, 'asciiword', 'precisely'], [12, 'blank', ' '], [12, 'blank', '- '],
        [1, 'asciiword', 'having'], [12, 'blank', ' '], [1, 'asciiword', 'little'], [12, 'blank', ' '],
        [1, 'asciiword', 'or'], [12, 'blank', ' '], [1, 'asciiword', 'no'], [12, 'blank', ' '],
        [1, 'asciiword', 'money'], [12, 'blank', ' '], [1, 'asciiword', 'in'], [12, 'blank', ' '],
        [1, 'asciiword', 'my'], [12, 'blank', ' '], [1, 'asciiword', 'purse'], [12, 'blank', '...'],
      ],
    ],
    [
      'She said: "Hello, world!" and left (quietly).',
      [
        [1, 'asciiword', 'She'], [12, 'blank', ' '], [1, 'asciiword', 'said'], [12, 'blank', ': "'],
        [1, 'asciiword', 'Hello'], [12, 'blank', ', '], [1, 'asciiword', 'world'], [12, 'blank', '!" '],
        [1, 'asciiword', 'and'], [12, 'blank', ' '], [1, 'asciiword', 'left'], [12, 'blank', ' ('],
        [1, 'asciiword', 'quietly'], [12, 'blank', ').'],
      ],
    ],
    [
      'Well-known, state-of-the-art, up-to-date: a twenty-first-century self-driving car.',
      [
        [16, 'asciihword', 'Well-known'], [11, 'hword_asciipart', 'Well'], [12, 'blank', '-'],
        [11, 'hword_asciipart', 'known'], [12, 'blank', ', '], [16, 'asciihword', 'state-of-the-art'],
        [11, 'hword_asciipart', 'state'], [12, 'blank', '-'], [11, 'hword_asciipart', 'of'],
        [12, 'blank', '-'], [11, 'hword_asciipart', 'the'], [12, 'blank', '-'],
        [11, 'hword_asciipart', 'art'], [12, 'blank', ', '], [16, 'asciihword', 'up-to-date'],
        [11, 'hword_asciipart', 'up'], [12, 'blank', '-'], [11, 'hword_asciipart', 'to'],
        [12, 'blank', '-'], [11, 'hword_asciipart', 'date'], [12, 'blank', ': '], [1, 'asciiword', 'a'],
        [12, 'blank', ' '], [16, 'asciihword', 'twenty-first-century'], [11, 'hword_asciipart', 'twenty'],
        [12, 'blank', '-'], [11, 'hword_asciipart', 'first'], [12, 'blank', '-'],
        [11, 'hword_asciipart', 'century'], [12, 'blank', ' '], [16, 'asciihword', 'self-driving'],
        [11, 'hword_asciipart', 'self'], [12, 'blank', '-'], [11, 'hword_asciipart', 'driving'],
        [12, 'blank', ' '], [1, 'asciiword', 'car'], [12, 'blank', '.'],
      ],
    ],
    [
      'PostgreSQL supports full-text search; see the documentation for details!',
      [
        [1, 'asciiword', 'PostgreSQL'], [12, 'blank', ' '], [1, 'asciiword', 'supports'],
        [12, 'blank', ' '], [16, 'asciihword', 'full-text'], [11, 'hword_asciipart', 'full'],
        [12, 'blank', '-'], [11, 'hword_asciipart', 'text'], [12, 'blank', ' '], [1, 'asciiword', 'search'],
        [12, 'blank', '; '], [1, 'asciiword', 'see'], [12, 'blank', ' '], [1, 'asciiword', 'the'],
        [12, 'blank', ' '], [1, 'asciiword', 'documentation'], [12, 'blank', ' '], [1, 'asciiword', 'for'],
        [12, 'blank', ' '], [1, 'asciiword', 'details'], [12, 'blank', '!'],
      ],
    ],
    [
      'A sentence with   multiple   spaces\tand\ttabs\nand newlines.',
      [
        [1, 'asciiword', 'A'], [12, 'blank', ' '], [1, 'asciiword', 'sentence'], [12, 'blank', ' '],
        [1, 'asciiword', 'with'], [12, 'blank', '   '], [1, 'asciiword', 'multiple'], [12, 'blank', '   '],
        [1, 'asciiword', 'spaces'], [12, 'blank', '\t'], [1, 'asciiword', 'and'], [12, 'blank', '\t'],
        [1, 'asciiword', 'tabs'], [12, 'blank', '\n'], [1, 'asciiword', 'and'], [12, 'blank', ' '],
        [1, 'asciiword', 'newlines'], [12, 'blank', '.'],
      ],
    ],
    [
      'Hello?! What... is this — an em dash — or not?',
      [
        [1, 'asciiword', 'Hello'], [12, 'blank', '?! '], [1, 'asciiword', 'What'], [12, 'blank', '... '],
        [1, 'asciiword', 'is'], [12, 'blank', ' '], [1, 'asciiword', 'this'], [12, 'blank', ' '],
        [2, 'word', '—'], [12, 'blank', ' '], [1, 'asciiword', 'an'], [12, 'blank', ' '],
        [1, 'asciiword', 'em'], [12, 'blank', ' '], [1, 'asciiword', 'dash'], [12, 'blank', ' '],
        [2, 'word', '—'], [12, 'blank', ' '], [1, 'asciiword', 'or'], [12, 'blank', ' '],
        [1, 'asciiword', 'not'], [12, 'blank', '?'],
      ],
    ],
    [
      'Questions: who, what, where, when, why & how?',
      [
        [1, 'asciiword', 'Questions'], [12, 'blank', ': '], [1, 'asciiword', 'who'], [12, 'blank', ', '],
        [1, 'asciiword', 'what'], [12, 'blank', ', '], [1, 'asciiword', 'where'], [12, 'blank', ', '],
        [1, 'asciiword', 'when'], [12, 'blank', ', '], [1, 'asciiword', 'why'], [12, 'blank', ' '],
        [12, 'blank', '& '], [1, 'asciiword', 'how'], [12, 'blank', '?'],
      ],
    ],
    [
      'Semicolons; colons: commas, periods. Exclamation! Question?',
      [
        [1, 'asciiword', 'Semicolons'], [12, 'blank', '; '], [1, 'asciiword', 'colons'],
        [12, 'blank', ': '], [1, 'asciiword', 'commas'], [12, 'blank', ', '], [1, 'asciiword', 'periods'],
        [12, 'blank', '. '], [1, 'asciiword', 'Exclamation'], [12, 'blank', '! '],
        [1, 'asciiword', 'Question'], [12, 'blank', '?'],
      ],
    ],
    [
      '  leading and trailing spaces  ',
      [
        [12, 'blank', '  '], [1, 'asciiword', 'leading'], [12, 'blank', ' '], [1, 'asciiword', 'and'],
        [12, 'blank', ' '], [1, 'asciiword', 'trailing'], [12, 'blank', ' '], [1, 'asciiword', 'spaces'],
        [12, 'blank', '  '],
      ],
    ],
    [
      'UPPER CASE and MiXeD cAsE Words Stay As Written',
      [
        [1, 'asciiword', 'UPPER'], [12, 'blank', ' '], [1, 'asciiword', 'CASE'], [12, 'blank', ' '],
        [1, 'asciiword', 'and'], [12, 'blank', ' '], [1, 'asciiword', 'MiXeD'], [12, 'blank', ' '],
        [1, 'asciiword', 'cAsE'], [12, 'blank', ' '], [1, 'asciiword', 'Words'], [12, 'blank', ' '],
        [1, 'asciiword', 'Stay'], [12, 'blank', ' '], [1, 'asciiword', 'As'], [12, 'blank', ' '],
        [1, 'asciiword', 'Written'],
      ],
    ],
    [
      'O\'Reilly\'s books aren\'t cheap, y\'all.',
      [
        [1, 'asciiword', 'O'], [12, 'blank', '\''], [1, 'asciiword', 'Reilly'], [12, 'blank', '\''],
        [1, 'asciiword', 's'], [12, 'blank', ' '], [1, 'asciiword', 'books'], [12, 'blank', ' '],
        [1, 'asciiword', 'aren'], [12, 'blank', '\''], [1, 'asciiword', 't'], [12, 'blank', ' '],
        [1, 'asciiword', 'cheap'], [12, 'blank', ', '], [1, 'asciiword', 'y'], [12, 'blank', '\''],
        [1, 'asciiword', 'all'], [12, 'blank', '.'],
      ],
    ],
    [
      'Rock \'n\' roll, the 90s, the 1990s and the \'90s.',
      [
        [1, 'asciiword', 'Rock'], [12, 'blank', ' \''], [1, 'asciiword', 'n'], [12, 'blank', '\' '],
        [1, 'asciiword', 'roll'], [12, 'blank', ', '], [1, 'asciiword', 'the'], [12, 'blank', ' '],
        [3, 'numword', '90s'], [12, 'blank', ', '], [1, 'asciiword', 'the'], [12, 'blank', ' '],
        [3, 'numword', '1990s'], [12, 'blank', ' '], [1, 'asciiword', 'and'], [12, 'blank', ' '],
        [1, 'asciiword', 'the'], [12, 'blank', ' \''], [3, 'numword', '90s'], [12, 'blank', '.'],
      ],
    ],
    [
      'ALL_CAPS_WITH_UNDERSCORES and snake_case_names and __dunder__',
      [
        [1, 'asciiword', 'ALL'], [12, 'blank', '_'], [1, 'asciiword', 'CAPS'], [12, 'blank', '_'],
        [1, 'asciiword', 'WITH'], [12, 'blank', '_'], [1, 'asciiword', 'UNDERSCORES'], [12, 'blank', ' '],
        [1, 'asciiword', 'and'], [12, 'blank', ' '], [1, 'asciiword', 'snake'], [12, 'blank', '_'],
        [1, 'asciiword', 'case'], [12, 'blank', '_'], [1, 'asciiword', 'names'], [12, 'blank', ' '],
        [1, 'asciiword', 'and'], [12, 'blank', ' __'], [1, 'asciiword', 'dunder'], [12, 'blank', '__'],
      ],
    ],
    [
      'camelCase PascalCase kebab-case SCREAMING-KEBAB',
      [
        [1, 'asciiword', 'camelCase'], [12, 'blank', ' '], [1, 'asciiword', 'PascalCase'],
        [12, 'blank', ' '], [16, 'asciihword', 'kebab-case'], [11, 'hword_asciipart', 'kebab'],
        [12, 'blank', '-'], [11, 'hword_asciipart', 'case'], [12, 'blank', ' '],
        [16, 'asciihword', 'SCREAMING-KEBAB'], [11, 'hword_asciipart', 'SCREAMING'], [12, 'blank', '-'],
        [11, 'hword_asciipart', 'KEBAB'],
      ],
    ],
    [
      'e.g. i.e. etc. vs. Mr. Dr. St. a.m. p.m.',
      [
        [19, 'file', 'e.g'], [12, 'blank', '. '], [19, 'file', 'i.e'], [12, 'blank', '. '],
        [1, 'asciiword', 'etc'], [12, 'blank', '. '], [1, 'asciiword', 'vs'], [12, 'blank', '. '],
        [1, 'asciiword', 'Mr'], [12, 'blank', '. '], [1, 'asciiword', 'Dr'], [12, 'blank', '. '],
        [1, 'asciiword', 'St'], [12, 'blank', '. '], [19, 'file', 'a.m'], [12, 'blank', '. '],
        [19, 'file', 'p.m'], [12, 'blank', '.'],
      ],
    ],
    [
      'Line one.\r\nLine two.\r\nLine three.',
      [
        [1, 'asciiword', 'Line'], [12, 'blank', ' '], [1, 'asciiword', 'one'], [12, 'blank', '.\r\n'],
        [1, 'asciiword', 'Line'], [12, 'blank', ' '], [1, 'asciiword', 'two'], [12, 'blank', '.\r\n'],
        [1, 'asciiword', 'Line'], [12, 'blank', ' '], [1, 'asciiword', 'three'], [12, 'blank', '.'],
      ],
    ],
    [
      'Tabs\there\x0bvertical\x0cformfeed',
      [
        [1, 'asciiword', 'Tabs'], [12, 'blank', '\t'], [1, 'asciiword', 'here'], [12, 'blank', '\x0b'],
        [1, 'asciiword', 'vertical'], [12, 'blank', '\x0c'], [1, 'asciiword', 'formfeed'],
      ],
    ],
  ],
  'technical': [
    [
      'Visit https://www.postgresql.org/docs/15/textsearch-parsers.html for more.',
      [
        [1, 'asciiword', 'Visit'], [12, 'blank', ' '], [14, 'protocol', 'https://'],
        [5, 'url', 'www.postgresql.org/docs/15/textsearch-parsers.html'], [6, 'host', 'www.postgresql.org'],
        [18, 'url_path', '/docs/15/textsearch-parsers.html'], [12, 'blank', ' '], [1, 'asciiword', 'for'],
        [12, 'blank', ' '], [1, 'asciiword', 'more'], [12, 'blank', '.'],
      ],
    ],
    [
      'http://x.com/a?b=1',
      [
        [14, 'protocol', 'http://'], [5, 'url', 'x.com/a?b=1'], [6, 'host', 'x.com'],
        [18, 'url_path', '/a?b=1'],
      ],
    ],
    [
      'http://example.com:8080/path/to/page.html?query=string&x=1#fragment',
      [
        [14, 'protocol', 'http://'],
        [5, 'url', 'example.com:8080/path/to/page.html?query=string&x=1#fragment'],
        [6, 'host', 'example.com:8080'], [18, 'url_path', '/path/to/page.html?query=string&x=1#fragment'],
      ],
    ],
    [
      'ftp://ftp.example.org/pub/file.tar.gz',
      [
        [14, 'protocol', 'ftp://'], [5, 'url', 'ftp.example.org/pub/file.tar.gz'],
        [6, 'host', 'ftp.example.org'], [18, 'url_path', '/pub/file.tar.gz'],
      ],
    ],
    [
      'Go to www.example.com/index.html or example.com now.',
      [
        [1, 'asciiword', 'Go'], [12, 'blank', ' '], [1, 'asciiword', 'to'], [12, 'blank', ' '],
        [5, 'url', 'www.example.com/index.html'], [6, 'host', 'www.example.com'],
        [18, 'url_path', '/index.html'], [12, 'blank', ' '], [1, 'asciiword', 'or'], [12, 'blank', ' '],
        [6, 'host', 'example.com'], [12, 'blank', ' '], [1, 'asciiword', 'now'], [12, 'blank', '.'],
      ],
    ],
    [
      'HTTPS://EXAMPLE.COM/UPPER',
      [
        [14, 'protocol', 'HTTPS://'], [5, 'url', 'EXAMPLE.COM/UPPER'], [6, 'host', 'EXAMPLE.COM'],
        [18, 'url_path', '/UPPER'],
      ],
    ],
    [
      'mailto:someone@example.com',
      [
        [1, 'asciiword', 'mailto'], [12, 'blank', ':'], [4, 'email', 'someone@example.com'],
      ],
    ],
    [
      'Contact john.doe@example.com or jane_doe-99@mail.example.co.uk today.',
      [
        [1, 'asciiword', 'Contact'], [12, 'blank', ' '], [4, 'email', 'john.doe@example.com'],
        [12, 'blank', ' '], [1, 'asciiword', 'or'], [12, 'blank', ' '],
        [4, 'email', 'jane_doe-99@mail.example.co.uk'], [12, 'blank', ' '], [1, 'asciiword', 'today'],
        [12, 'blank', '.'],
      ],
    ],
    [
      'user@localhost is not an email but user@host.local is',
      [
        [1, 'asciiword', 'user'], [12, 'blank', '@'], [1, 'asciiword', 'localhost'], [12, 'blank', ' '],
        [1, 'asciiword', 'is'], [12, 'blank', ' '], [1, 'asciiword', 'not'], [12, 'blank', ' '],
        [1, 'asciiword', 'an'], [12, 'blank', ' '], [1, 'asciiword', 'email'], [12, 'blank', ' '],
        [1, 'asciiword', 'but'], [12, 'blank', ' '], [4, 'email', 'user@host.local'], [12, 'blank', ' '],
        [1, 'asciiword', 'is'],
      ],
    ],
    [
      'Email me at foo@bar.com, or foo+tag@bar.com.',
      [
        [1, 'asciiword', 'Email'], [12, 'blank', ' '], [1, 'asciiword', 'me'], [12, 'blank', ' '],
        [1, 'asciiword', 'at'], [12, 'blank', ' '], [4, 'email', 'foo@bar.com'], [12, 'blank', ', '],
        [1, 'asciiword', 'or'], [12, 'blank', ' '], [1, 'asciiword', 'foo'], [12, 'blank', '+'],
        [4, 'email', 'tag@bar.com'], [12, 'blank', '.'],
      ],
    ],
    [
      'example.com',
      [
        [6, 'host', 'example.com'],
      ],
    ],
    [
      'sub.domain.example.org:443',
      [
        [6, 'host', 'sub.domain.example.org:443'],
      ],
    ],
    [
      'localhost:5432',
      [
        [1, 'asciiword', 'localhost'], [12, 'blank', ':'], [22, 'uint', '5432'],
      ],
    ],
    [
      '127.0.0.1:5432 and 192.168.1.1',
      [
        [8, 'version', '127.0.0.1'], [12, 'blank', ':'], [22, 'uint', '5432'], [12, 'blank', ' '],
        [1, 'asciiword', 'and'], [12, 'blank', ' '], [8, 'version', '192.168.1.1'],
      ],
    ],
    [
      '/usr/local/bin',
      [
        [19, 'file', '/usr/local/bin'],
      ],
    ],
    [
      '/etc/postgresql/15/main/postgresql.conf',
      [
        [19, 'file', '/etc/postgresql/15/main/postgresql.conf'],
      ],
    ],
    [
      'a/b.txt',
      [
        [19, 'file', 'a/b.txt'],
      ],
    ],
    [
      './configure && make && sudo make install',
      [
        [19, 'file', './configure'], [12, 'blank', ' '], [12, 'blank', '&'], [12, 'blank', '& '],
        [1, 'asciiword', 'make'], [12, 'blank', ' '], [12, 'blank', '&'], [12, 'blank', '& '],
        [1, 'asciiword', 'sudo'], [12, 'blank', ' '], [1, 'asciiword', 'make'], [12, 'blank', ' '],
        [1, 'asciiword', 'install'],
      ],
    ],
    [
      '../relative/path/file.c and ~/home/file.sh and ~user/x',
      [
        [19, 'file', '../relative/path/file.c'], [12, 'blank', ' '], [1, 'asciiword', 'and'],
        [12, 'blank', ' ~'], [19, 'file', '/home/file.sh'], [12, 'blank', ' '], [1, 'asciiword', 'and'],
        [12, 'blank', ' ~'], [19, 'file', 'user/x'],
      ],
    ],
    [
      'C:\\Windows\\System32\\drivers',
      [
        [1, 'asciiword', 'C'], [12, 'blank', ':\\'], [1, 'asciiword', 'Windows'], [12, 'blank', '\\'],
        [3, 'numword', 'System32'], [12, 'blank', '\\'], [1, 'asciiword', 'drivers'],
      ],
    ],
    [
      'Released version 1.2.3 (was 1.2.2); next is 2.0.0-beta.1.',
      [
        [1, 'asciiword', 'Released'], [12, 'blank', ' '], [1, 'asciiword', 'version'], [12, 'blank', ' '],
        [8, 'version', '1.2.3'], [12, 'blank', ' ('], [1, 'asciiword', 'was'], [12, 'blank', ' '],
        [8, 'version', '1.2.2'], [12, 'blank', '); '], [1, 'asciiword', 'next'], [12, 'blank', ' '],
        [1, 'asciiword', 'is'], [12, 'blank', ' '], [8, 'version', '2.0.0'], [12, 'blank', '-'],
        [19, 'file', 'beta.1'], [12, 'blank', '.'],
      ],
    ],
    [
      'node v20.11.1, npm 10.2.4, TypeScript 5.4',
      [
        [1, 'asciiword', 'node'], [12, 'blank', ' '], [19, 'file', 'v20.11.1'], [12, 'blank', ', '],
        [1, 'asciiword', 'npm'], [12, 'blank', ' '], [8, 'version', '10.2.4'], [12, 'blank', ', '],
        [1, 'asciiword', 'TypeScript'], [12, 'blank', ' '], [20, 'float', '5.4'],
      ],
    ],
    [
      'PostgreSQL 15.18 on x86_64-pc-linux-gnu',
      [
        [1, 'asciiword', 'PostgreSQL'], [12, 'blank', ' '], [20, 'float', '15.18'], [12, 'blank', ' '],
        [1, 'asciiword', 'on'], [12, 'blank', ' '], [3, 'numword', 'x86'], [12, 'blank', '_'],
        [22, 'uint', '64'], [12, 'blank', '-'], [16, 'asciihword', 'pc-linux-gnu'],
        [11, 'hword_asciipart', 'pc'], [12, 'blank', '-'], [11, 'hword_asciipart', 'linux'],
        [12, 'blank', '-'], [11, 'hword_asciipart', 'gnu'],
      ],
    ],
    [
      'pi is 3.14159 and e is 2.71828; -273.15 degrees; +1.5 and -2',
      [
        [1, 'asciiword', 'pi'], [12, 'blank', ' '], [1, 'asciiword', 'is'], [12, 'blank', ' '],
        [20, 'float', '3.14159'], [12, 'blank', ' '], [1, 'asciiword', 'and'], [12, 'blank', ' '],
        [1, 'asciiword', 'e'], [12, 'blank', ' '], [1, 'asciiword', 'is'], [12, 'blank', ' '],
        [20, 'float', '2.71828'], [12, 'blank', '; '], [20, 'float', '-273.15'], [12, 'blank', ' '],
        [1, 'asciiword', 'degrees'], [12, 'blank', '; '], [20, 'float', '+1.5'], [12, 'blank', ' '],
        [1, 'asciiword', 'and'], [12, 'blank', ' '], [21, 'int', '-2'],
      ],
    ],
    [
      'Avogadro: 6.022e23, Planck: 6.626E-34, tiny: 1e-10, big: 1e+100',
      [
        [1, 'asciiword', 'Avogadro'], [12, 'blank', ': '], [7, 'sfloat', '6.022e23'], [12, 'blank', ', '],
        [1, 'asciiword', 'Planck'], [12, 'blank', ': '], [7, 'sfloat', '6.626E-34'], [12, 'blank', ', '],
        [1, 'asciiword', 'tiny'], [12, 'blank', ': '], [7, 'sfloat', '1e-10'], [12, 'blank', ', '],
        [1, 'asciiword', 'big'], [12, 'blank', ': '], [7, 'sfloat', '1e+100'],
      ],
    ],
    [
      '1e10',
      [
        [7, 'sfloat', '1e10'],
      ],
    ],
    [
      '3.14',
      [
        [20, 'float', '3.14'],
      ],
    ],
    [
      '42 -42 +42 0 007 1,000,000',
      [
        [22, 'uint', '42'], [12, 'blank', ' '], [21, 'int', '-42'], [12, 'blank', ' '], [21, 'int', '+42'],
        [12, 'blank', ' '], [22, 'uint', '0'], [12, 'blank', ' '], [22, 'uint', '007'], [12, 'blank', ' '],
        [22, 'uint', '1'], [12, 'blank', ','], [22, 'uint', '000'], [12, 'blank', ','], [22, 'uint', '000'],
      ],
    ],
    [
      '$19.99 (20% off) = $15.99',
      [
        [12, 'blank', '$'], [20, 'float', '19.99'], [12, 'blank', ' ('], [22, 'uint', '20'],
        [12, 'blank', '% '], [1, 'asciiword', 'off'], [12, 'blank', ') = $'], [20, 'float', '15.99'],
      ],
    ],
    [
      '2023-10-05T14:30:00Z',
      [
        [22, 'uint', '2023'], [21, 'int', '-10'], [21, 'int', '-05'], [3, 'numword', 'T14'],
        [12, 'blank', ':'], [22, 'uint', '30'], [12, 'blank', ':'], [3, 'numword', '00Z'],
      ],
    ],
    [
      '12:30:45 on 10/05/2023',
      [
        [22, 'uint', '12'], [12, 'blank', ':'], [22, 'uint', '30'], [12, 'blank', ':'], [22, 'uint', '45'],
        [12, 'blank', ' '], [1, 'asciiword', 'on'], [12, 'blank', ' '], [19, 'file', '10/05/2023'],
      ],
    ],
    [
      'ISBN 978-3-16-148410-0',
      [
        [1, 'asciiword', 'ISBN'], [12, 'blank', ' '], [22, 'uint', '978'], [21, 'int', '-3'],
        [21, 'int', '-16'], [21, 'int', '-148410'], [21, 'int', '-0'],
      ],
    ],
    [
      'phone +1-555-123-4567',
      [
        [1, 'asciiword', 'phone'], [12, 'blank', ' '], [21, 'int', '+1'], [21, 'int', '-555'],
        [21, 'int', '-123'], [21, 'int', '-4567'],
      ],
    ],
    [
      'SELECT * FROM users WHERE id = 42 AND name = \'bob\';',
      [
        [1, 'asciiword', 'SELECT'], [12, 'blank', ' * '], [1, 'asciiword', 'FROM'], [12, 'blank', ' '],
        [1, 'asciiword', 'users'], [12, 'blank', ' '], [1, 'asciiword', 'WHERE'], [12, 'blank', ' '],
        [1, 'asciiword', 'id'], [12, 'blank', ' = '], [22, 'uint', '42'], [12, 'blank', ' '],
        [1, 'asciiword', 'AND'], [12, 'blank', ' '], [1, 'asciiword', 'name'], [12, 'blank', ' = \''],
        [1, 'asciiword', 'bob'], [12, 'blank', '\';'],
      ],
    ],
    [
      'if (x <= 10 && y >= 20) { return x + y; }',
      [
        [1, 'asciiword', 'if'], [12, 'blank', ' ('], [1, 'asciiword', 'x'], [12, 'blank', ' '],
        [12, 'blank', '<= '], [22, 'uint', '10'], [12, 'blank', ' '], [12, 'blank', '&'],
        [12, 'blank', '& '], [1, 'asciiword', 'y'], [12, 'blank', ' >= '], [22, 'uint', '20'],
        [12, 'blank', ') { '], [1, 'asciiword', 'return'], [12, 'blank', ' '], [1, 'asciiword', 'x'],
        [12, 'blank', ' '], [12, 'blank', '+ '], [1, 'asciiword', 'y'], [12, 'blank', '; }'],
      ],
    ],
    [
      'const url = "https://api.example.com/v1/users?id=7";',
      [
        [1, 'asciiword', 'const'], [12, 'blank', ' '], [1, 'asciiword', 'url'], [12, 'blank', ' = "'],
        [14, 'protocol', 'https://'], [5, 'url', 'api.example.com/v1/users?id=7'],
        [6, 'host', 'api.example.com'], [18, 'url_path', '/v1/users?id=7'], [12, 'blank', '";'],
      ],
    ],
    [
      'npm install @types/node@20 --save-dev',
      [
        [1, 'asciiword', 'npm'], [12, 'blank', ' '], [1, 'asciiword', 'install'], [12, 'blank', ' @'],
        [19, 'file', 'types/node'], [12, 'blank', '@'], [22, 'uint', '20'], [12, 'blank', ' '],
        [12, 'blank', '-'], [12, 'blank', '-'], [16, 'asciihword', 'save-dev'],
        [11, 'hword_asciipart', 'save'], [12, 'blank', '-'], [11, 'hword_asciipart', 'dev'],
      ],
    ],
    [
      'git clone git@github.com:user/repo.git',
      [
        [1, 'asciiword', 'git'], [12, 'blank', ' '], [1, 'asciiword', 'clone'], [12, 'blank', ' '],
        [4, 'email', 'git@github.com'], [12, 'blank', ':'], [19, 'file', 'user/repo.git'],
      ],
    ],
    [
      'sha256: 9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08',
      [
        [3, 'numword', 'sha256'], [12, 'blank', ': '],
        [3, 'numword', '9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08'],
      ],
    ],
    [
      'UUID 123e4567-e89b-12d3-a456-426614174000',
      [
        [1, 'asciiword', 'UUID'], [12, 'blank', ' '], [7, 'sfloat', '123e4567'], [12, 'blank', '-'],
        [15, 'numhword', 'e89b-12d3-a456'], [9, 'hword_numpart', 'e89b'], [12, 'blank', '-'],
        [9, 'hword_numpart', '12d3'], [12, 'blank', '-'], [9, 'hword_numpart', 'a456'], [12, 'blank', '-'],
        [22, 'uint', '426614174000'],
      ],
    ],
    [
      'key=value; key2="quoted value"; path=/tmp/x',
      [
        [1, 'asciiword', 'key'], [12, 'blank', '='], [1, 'asciiword', 'value'], [12, 'blank', '; '],
        [3, 'numword', 'key2'], [12, 'blank', '="'], [1, 'asciiword', 'quoted'], [12, 'blank', ' '],
        [1, 'asciiword', 'value'], [12, 'blank', '"; '], [1, 'asciiword', 'path'], [12, 'blank', '='],
        [19, 'file', '/tmp/x'],
      ],
    ],
    [
      'print("hello, world")  # comment',
      [
        [1, 'asciiword', 'print'], [12, 'blank', '("'], [1, 'asciiword', 'hello'], [12, 'blank', ', '],
        [1, 'asciiword', 'world'], [12, 'blank', '")  # '], [1, 'asciiword', 'comment'],
      ],
    ],
    [
      'x.com/é',
      [
        [6, 'host', 'x.com'], [12, 'blank', '/'], [2, 'word', 'é'],
      ],
    ],
    [
      'file.c main.rs index.js README.md',
      [
        [19, 'file', 'file.c'], [12, 'blank', ' '], [6, 'host', 'main.rs'], [12, 'blank', ' '],
        [6, 'host', 'index.js'], [12, 'blank', ' '], [6, 'host', 'README.md'],
      ],
    ],
    [
      'python3.11 libc.so.6 libpq.so.5.15',
      [
        [19, 'file', 'python3.11'], [12, 'blank', ' '], [6, 'host', 'libc.so'], [12, 'blank', '.'],
        [22, 'uint', '6'], [12, 'blank', ' '], [6, 'host', 'libpq.so'], [12, 'blank', '.'],
        [20, 'float', '5.15'],
      ],
    ],
    [
      'obj.method().chain().end()',
      [
        [6, 'host', 'obj.method'], [12, 'blank', '().'], [1, 'asciiword', 'chain'], [12, 'blank', '().'],
        [1, 'asciiword', 'end'], [12, 'blank', '()'],
      ],
    ],
    [
      'http:// x',
      [
        [14, 'protocol', 'http://'], [12, 'blank', ' '], [1, 'asciiword', 'x'],
      ],
    ],
    [
      'www.example.com/path',
      [
        [5, 'url', 'www.example.com/path'], [6, 'host', 'www.example.com'], [18, 'url_path', '/path'],
      ],
    ],
    [
      '1.2.3.4/x',
      [
        [8, 'version', '1.2.3.4'], [19, 'file', '/x'],
      ],
    ],
    [
      '0x1F 0b1010 0o17 1_000_000',
      [
        [3, 'numword', '0x1F'], [12, 'blank', ' '], [3, 'numword', '0b1010'], [12, 'blank', ' '],
        [3, 'numword', '0o17'], [12, 'blank', ' '], [22, 'uint', '1'], [12, 'blank', '_'],
        [22, 'uint', '000'], [12, 'blank', '_'], [22, 'uint', '000'],
      ],
    ],
  ],
  'hyphenated': [
    [
      'foo-bar',
      [
        [16, 'asciihword', 'foo-bar'], [11, 'hword_asciipart', 'foo'], [12, 'blank', '-'],
        [11, 'hword_asciipart', 'bar'],
      ],
    ],
    [
      'foo-bar-baz',
      [
        [16, 'asciihword', 'foo-bar-baz'], [11, 'hword_asciipart', 'foo'], [12, 'blank', '-'],
        [11, 'hword_asciipart', 'bar'], [12, 'blank', '-'], [11, 'hword_asciipart', 'baz'],
      ],
    ],
    [
      'well-being self-esteem mother-in-law',
      [
        [16, 'asciihword', 'well-being'], [11, 'hword_asciipart', 'well'], [12, 'blank', '-'],
        [11, 'hword_asciipart', 'being'], [12, 'blank', ' '], [16, 'asciihword', 'self-esteem'],
        [11, 'hword_asciipart', 'self'], [12, 'blank', '-'], [11, 'hword_asciipart', 'esteem'],
        [12, 'blank', ' '], [16, 'asciihword', 'mother-in-law'], [11, 'hword_asciipart', 'mother'],
        [12, 'blank', '-'], [11, 'hword_asciipart', 'in'], [12, 'blank', '-'],
        [11, 'hword_asciipart', 'law'],
      ],
    ],
    [
      'abc-123',
      [
        [1, 'asciiword', 'abc'], [21, 'int', '-123'],
      ],
    ],
    [
      'abc-123x',
      [
        [15, 'numhword', 'abc-123x'], [11, 'hword_asciipart', 'abc'], [12, 'blank', '-'],
        [9, 'hword_numpart', '123x'],
      ],
    ],
    [
      'x-1 1-x 12-34',
      [
        [1, 'asciiword', 'x'], [21, 'int', '-1'], [12, 'blank', ' '], [22, 'uint', '1'], [12, 'blank', '-'],
        [1, 'asciiword', 'x'], [12, 'blank', ' '], [22, 'uint', '12'], [21, 'int', '-34'],
      ],
    ],
    [
      'foo-bar-123',
      [
        [16, 'asciihword', 'foo-bar'], [11, 'hword_asciipart', 'foo'], [12, 'blank', '-'],
        [11, 'hword_asciipart', 'bar'], [12, 'blank', '-'], [22, 'uint', '123'],
      ],
    ],
    [
      'abc-123x-456',
      [
        [15, 'numhword', 'abc-123x'], [11, 'hword_asciipart', 'abc'], [12, 'blank', '-'],
        [9, 'hword_numpart', '123x'], [12, 'blank', '-'], [22, 'uint', '456'],
      ],
    ],
    [
      'café-au-lait',
      [
        [17, 'hword', 'café-au-lait'], [10, 'hword_part', 'café'], [12, 'blank', '-'],
        [11, 'hword_asciipart', 'au'], [12, 'blank', '-'], [11, 'hword_asciipart', 'lait'],
      ],
    ],
    [
      'naïve-ish über-cool',
      [
        [17, 'hword', 'naïve-ish'], [10, 'hword_part', 'naïve'], [12, 'blank', '-'],
        [11, 'hword_asciipart', 'ish'], [12, 'blank', ' '], [17, 'hword', 'über-cool'],
        [10, 'hword_part', 'über'], [12, 'blank', '-'], [11, 'hword_asciipart', 'cool'],
      ],
    ],
    [
      'COVID-19 and B-52 and F-16s',
      [
        [1, 'asciiword', 'COVID'], [21, 'int', '-19'], [12, 'blank', ' '], [1, 'asciiword', 'and'],
        [12, 'blank', ' '], [1, 'asciiword', 'B'], [21, 'int', '-52'], [12, 'blank', ' '],
        [1, 'asciiword', 'and'], [12, 'blank', ' '], [15, 'numhword', 'F-16s'],
        [11, 'hword_asciipart', 'F'], [12, 'blank', '-'], [9, 'hword_numpart', '16s'],
      ],
    ],
    [
      'pre-2020 post-war anti-1984',
      [
        [1, 'asciiword', 'pre'], [21, 'int', '-2020'], [12, 'blank', ' '], [16, 'asciihword', 'post-war'],
        [11, 'hword_asciipart', 'post'], [12, 'blank', '-'], [11, 'hword_asciipart', 'war'],
        [12, 'blank', ' '], [1, 'asciiword', 'anti'], [21, 'int', '-1984'],
      ],
    ],
    [
      'a--b',
      [
        [1, 'asciiword', 'a'], [12, 'blank', '-'], [12, 'blank', '-'], [1, 'asciiword', 'b'],
      ],
    ],
    [
      'trailing- -leading -both-',
      [
        [1, 'asciiword', 'trailing'], [12, 'blank', '- '], [12, 'blank', '-'], [1, 'asciiword', 'leading'],
        [12, 'blank', ' '], [12, 'blank', '-'], [1, 'asciiword', 'both'], [12, 'blank', '-'],
      ],
    ],
    [
      'x-é-1-y',
      [
        [17, 'hword', 'x-é'], [11, 'hword_asciipart', 'x'], [12, 'blank', '-'], [10, 'hword_part', 'é'],
        [12, 'blank', '-'], [22, 'uint', '1'], [12, 'blank', '-'], [1, 'asciiword', 'y'],
      ],
    ],
    [
      '中文-English',
      [
        [17, 'hword', '中文-English'], [10, 'hword_part', '中文'], [12, 'blank', '-'],
        [11, 'hword_asciipart', 'English'],
      ],
    ],
    [
      'e-mail re-enter co-op',
      [
        [16, 'asciihword', 'e-mail'], [11, 'hword_asciipart', 'e'], [12, 'blank', '-'],
        [11, 'hword_asciipart', 'mail'], [12, 'blank', ' '], [16, 'asciihword', 're-enter'],
        [11, 'hword_asciipart', 're'], [12, 'blank', '-'], [11, 'hword_asciipart', 'enter'],
        [12, 'blank', ' '], [16, 'asciihword', 'co-op'], [11, 'hword_asciipart', 'co'], [12, 'blank', '-'],
        [11, 'hword_asciipart', 'op'],
      ],
    ],
  ],
  'non-ascii': [
    [
      'café naïve Größe',
      [
        [2, 'word', 'café'], [12, 'blank', ' '], [2, 'word', 'naïve'], [12, 'blank', ' '],
        [2, 'word', 'Größe'],
      ],
    ],
    [
      'Ça va? Très bien, merci!',
      [
        [2, 'word', 'Ça'], [12, 'blank', ' '], [1, 'asciiword', 'va'], [12, 'blank', '? '],
        [2, 'word', 'Très'], [12, 'blank', ' '], [1, 'asciiword', 'bien'], [12, 'blank', ', '],
        [1, 'asciiword', 'merci'], [12, 'blank', '!'],
      ],
    ],
    [
      'Straße, Maß, Fußgängerübergänge',
      [
        [2, 'word', 'Straße'], [12, 'blank', ', '], [2, 'word', 'Maß'], [12, 'blank', ', '],
        [2, 'word', 'Fußgängerübergänge'],
      ],
    ],
    [
      'El niño comió piñata en España.',
      [
        [1, 'asciiword', 'El'], [12, 'blank', ' '], [2, 'word', 'niño'], [12, 'blank', ' '],
        [2, 'word', 'comió'], [12, 'blank', ' '], [2, 'word', 'piñata'], [12, 'blank', ' '],
        [1, 'asciiword', 'en'], [12, 'blank', ' '], [2, 'word', 'España'], [12, 'blank', '.'],
      ],
    ],
    [
      'Съешь же ещё этих мягких французских булок, да выпей чаю.',
      [
        [2, 'word', 'Съешь'], [12, 'blank', ' '], [2, 'word', 'же'], [12, 'blank', ' '], [2, 'word', 'ещё'],
        [12, 'blank', ' '], [2, 'word', 'этих'], [12, 'blank', ' '], [2, 'word', 'мягких'],
        [12, 'blank', ' '], [2, 'word', 'французских'], [12, 'blank', ' '], [2, 'word', 'булок'],
        [12, 'blank', ', '], [2, 'word', 'да'], [12, 'blank', ' '], [2, 'word', 'выпей'],
        [12, 'blank', ' '], [2, 'word', 'чаю'], [12, 'blank', '.'],
      ],
    ],
    [
      'Ελληνικά γράμματα: αβγδ',
      [
        [2, 'word', 'Ελληνικά'], [12, 'blank', ' '], [2, 'word', 'γράμματα'], [12, 'blank', ': '],
        [2, 'word', 'αβγδ'],
      ],
    ],
    [
      'مرحبا بالعالم',
      [
        [2, 'word', 'مرحبا'], [12, 'blank', ' '], [2, 'word', 'بالعالم'],
      ],
    ],
    [
      'שלום עולם',
      [
        [2, 'word', 'שלום'], [12, 'blank', ' '], [2, 'word', 'עולם'],
      ],
    ],
    [
      'नमस\u094dत\u0947 द\u0941निया',
      [
        [2, 'word', 'नमस\u094dत\u0947'], [12, 'blank', ' '], [2, 'word', 'द\u0941निया'],
      ],
    ],
    [
      'ภาษาไทย',
      [
        [2, 'word', 'ภาษาไทย'],
      ],
    ],
    [
      '中文文本处理',
      [
        [2, 'word', '中文文本处理'],
      ],
    ],
    [
      '日本語のテキスト、ひらがなとカタカナ。',
      [
        [2, 'word', '日本語のテキスト、ひらがなとカタカナ。'],
      ],
    ],
    [
      '한국어 텍스트',
      [
        [2, 'word', '한국어'], [12, 'blank', ' '], [2, 'word', '텍스트'],
      ],
    ],
    [
      '東京2020オリンピック',
      [
        [3, 'numword', '東京2020オリンピック'],
      ],
    ],
    [
      'Zürich1 und 2München',
      [
        [3, 'numword', 'Zürich1'], [12, 'blank', ' '], [1, 'asciiword', 'und'], [12, 'blank', ' '],
        [3, 'numword', '2München'],
      ],
    ],
    [
      'résumé, coöperate, naïveté',
      [
        [2, 'word', 'résumé'], [12, 'blank', ', '], [2, 'word', 'coöperate'], [12, 'blank', ', '],
        [2, 'word', 'naïveté'],
      ],
    ],
    [
      'e\u0301 combining acute',
      [
        [2, 'word', 'e\u0301'], [12, 'blank', ' '], [1, 'asciiword', 'combining'], [12, 'blank', ' '],
        [1, 'asciiword', 'acute'],
      ],
    ],
    [
      'nbsp\u00a0separated',
      [
        [2, 'word', 'nbsp\u00a0separated'],
      ],
    ],
    [
      'ideographic\u3000space',
      [
        [2, 'word', 'ideographic\u3000space'],
      ],
    ],
    [
      'fullwidth ＡＢＣ１２３',
      [
        [1, 'asciiword', 'fullwidth'], [12, 'blank', ' '], [2, 'word', 'ＡＢＣ１２３'],
      ],
    ],
    [
      'ﬁ ligature and ǅ titlecase',
      [
        [2, 'word', 'ﬁ'], [12, 'blank', ' '], [1, 'asciiword', 'ligature'], [12, 'blank', ' '],
        [1, 'asciiword', 'and'], [12, 'blank', ' '], [2, 'word', 'ǅ'], [12, 'blank', ' '],
        [1, 'asciiword', 'titlecase'],
      ],
    ],
    [
      'İstanbul ıi',
      [
        [2, 'word', 'İstanbul'], [12, 'blank', ' '], [2, 'word', 'ıi'],
      ],
    ],
  ],
  'emoji': [
    [
      'I ❤\ufe0f PostgreSQL 🐘',
      [
        [1, 'asciiword', 'I'], [12, 'blank', ' '], [2, 'word', '❤\ufe0f'], [12, 'blank', ' '],
        [1, 'asciiword', 'PostgreSQL'], [12, 'blank', ' '], [2, 'word', '🐘'],
      ],
    ],
    [
      '😀😃😄 happy faces',
      [
        [2, 'word', '😀😃😄'], [12, 'blank', ' '], [1, 'asciiword', 'happy'], [12, 'blank', ' '],
        [1, 'asciiword', 'faces'],
      ],
    ],
    [
      'family: 👨\u200d👩\u200d👧\u200d👦 and flags 🇺🇸🇫🇷',
      [
        [1, 'asciiword', 'family'], [12, 'blank', ': '], [2, 'word', '👨\u200d👩\u200d👧\u200d👦'],
        [12, 'blank', ' '], [1, 'asciiword', 'and'], [12, 'blank', ' '], [1, 'asciiword', 'flags'],
        [12, 'blank', ' '], [2, 'word', '🇺🇸🇫🇷'],
      ],
    ],
    [
      'thumbs 👍🏽 up',
      [
        [1, 'asciiword', 'thumbs'], [12, 'blank', ' '], [2, 'word', '👍🏽'], [12, 'blank', ' '],
        [1, 'asciiword', 'up'],
      ],
    ],
    [
      'emoji-word 🚀launch and rocket🚀',
      [
        [16, 'asciihword', 'emoji-word'], [11, 'hword_asciipart', 'emoji'], [12, 'blank', '-'],
        [11, 'hword_asciipart', 'word'], [12, 'blank', ' '], [2, 'word', '🚀launch'], [12, 'blank', ' '],
        [1, 'asciiword', 'and'], [12, 'blank', ' '], [2, 'word', 'rocket🚀'],
      ],
    ],
  ],
  'quotes': [
    [
      '"double quoted"',
      [
        [12, 'blank', '"'], [1, 'asciiword', 'double'], [12, 'blank', ' '], [1, 'asciiword', 'quoted'],
        [12, 'blank', '"'],
      ],
    ],
    [
      '\'single quoted\'',
      [
        [12, 'blank', '\''], [1, 'asciiword', 'single'], [12, 'blank', ' '], [1, 'asciiword', 'quoted'],
        [12, 'blank', '\''],
      ],
    ],
    [
      '“curly double” and ‘curly single’',
      [
        [2, 'word', '“curly'], [12, 'blank', ' '], [2, 'word', 'double”'], [12, 'blank', ' '],
        [1, 'asciiword', 'and'], [12, 'blank', ' '], [2, 'word', '‘curly'], [12, 'blank', ' '],
        [2, 'word', 'single’'],
      ],
    ],
    [
      '«guillemets» and „German“',
      [
        [2, 'word', '«guillemets»'], [12, 'blank', ' '], [1, 'asciiword', 'and'], [12, 'blank', ' '],
        [2, 'word', '„German“'],
      ],
    ],
    [
      '`backticks` and ``double``',
      [
        [12, 'blank', '`'], [1, 'asciiword', 'backticks'], [12, 'blank', '` '], [1, 'asciiword', 'and'],
        [12, 'blank', ' ``'], [1, 'asciiword', 'double'], [12, 'blank', '``'],
      ],
    ],
    [
      'He said "it\'s \'nested\' quotes"',
      [
        [1, 'asciiword', 'He'], [12, 'blank', ' '], [1, 'asciiword', 'said'], [12, 'blank', ' "'],
        [1, 'asciiword', 'it'], [12, 'blank', '\''], [1, 'asciiword', 's'], [12, 'blank', ' \''],
        [1, 'asciiword', 'nested'], [12, 'blank', '\' '], [1, 'asciiword', 'quotes'], [12, 'blank', '"'],
      ],
    ],
  ],
  'html': [
    [
      '<b>',
      [
        [13, 'tag', '<b>'],
      ],
    ],
    [
      '<b>bold</b> and <i>italic</i>',
      [
        [13, 'tag', '<b>'], [1, 'asciiword', 'bold'], [13, 'tag', '</b>'], [12, 'blank', ' '],
        [1, 'asciiword', 'and'], [12, 'blank', ' '], [13, 'tag', '<i>'], [1, 'asciiword', 'italic'],
        [13, 'tag', '</i>'],
      ],
    ],
    [
      '<p class="intro">Hello <a href="https://example.com/x">link</a></p>',
      [
        [13, 'tag', '<p class="intro">'], [1, 'asciiword', 'Hello'], [12, 'blank', ' '],
        [13, 'tag', '<a href="https://example.com/x">'], [1, 'asciiword', 'link'], [13, 'tag', '</a>'],
        [13, 'tag', '</p>'],
      ],
    ],
    [
      '<br/> <br /> <hr>',
      [
        [13, 'tag', '<br/>'], [12, 'blank', ' '], [13, 'tag', '<br />'], [12, 'blank', ' '],
        [13, 'tag', '<hr>'],
      ],
    ],
    [
      '<img src=\'a.png\' alt="An image">',
      [
        [13, 'tag', '<img src=\'a.png\' alt="An image">'],
      ],
    ],
    [
      '<!DOCTYPE html><html><head><title>T</title></head></html>',
      [
        [13, 'tag', '<!DOCTYPE html>'], [13, 'tag', '<html>'], [13, 'tag', '<head>'],
        [13, 'tag', '<title>'], [1, 'asciiword', 'T'], [13, 'tag', '</title>'], [13, 'tag', '</head>'],
        [13, 'tag', '</html>'],
      ],
    ],
    [
      '<!-- a comment -- with dashes -->text',
      [
        [13, 'tag', '<!-- a comment -- with dashes -->'], [1, 'asciiword', 'text'],
      ],
    ],
    [
      '<?xml version="1.0" encoding="UTF-8"?><root/>',
      [
        [13, 'tag', '<?xml version="1.0" encoding="UTF-8"?>'], [13, 'tag', '<root/>'],
      ],
    ],
    [
      '<script>var x = 1 < 2;</script>after',
      [
        [13, 'tag', '<script>'], [12, 'blank', 'var x = 1 '], [12, 'blank', '< 2;'],
        [13, 'tag', '</script>'], [1, 'asciiword', 'after'],
      ],
    ],
    [
      '<style type="text/css">body { color: red; }</style>visible',
      [
        [13, 'tag', '<style type="text/css">'], [12, 'blank', 'body { color: red; }'],
        [13, 'tag', '</style>'], [1, 'asciiword', 'visible'],
      ],
    ],
    [
      '<SCRIPT>ignored text</SCRIPT> shown',
      [
        [13, 'tag', '<SCRIPT>'], [12, 'blank', 'ignored text'], [13, 'tag', '</SCRIPT>'],
        [12, 'blank', ' '], [1, 'asciiword', 'shown'],
      ],
    ],
    [
      '&amp; &lt; &gt; &quot; &nbsp; &#169; &#x00A9;',
      [
        [23, 'entity', '&amp;'], [12, 'blank', ' '], [23, 'entity', '&lt;'], [12, 'blank', ' '],
        [23, 'entity', '&gt;'], [12, 'blank', ' '], [23, 'entity', '&quot;'], [12, 'blank', ' '],
        [23, 'entity', '&nbsp;'], [12, 'blank', ' '], [23, 'entity', '&#169;'], [12, 'blank', ' '],
        [23, 'entity', '&#x00A9;'],
      ],
    ],
    [
      'AT&T and R&D; Q&A',
      [
        [1, 'asciiword', 'AT'], [12, 'blank', '&'], [1, 'asciiword', 'T'], [12, 'blank', ' '],
        [1, 'asciiword', 'and'], [12, 'blank', ' '], [1, 'asciiword', 'R'], [23, 'entity', '&D;'],
        [12, 'blank', ' '], [1, 'asciiword', 'Q'], [12, 'blank', '&'], [1, 'asciiword', 'A'],
      ],
    ],
    [
      '&unknown; &; &#; &#x;',
      [
        [23, 'entity', '&unknown;'], [12, 'blank', ' '], [12, 'blank', '&; '], [12, 'blank', '&#; '],
        [12, 'blank', '&#'], [1, 'asciiword', 'x'], [12, 'blank', ';'],
      ],
    ],
    [
      '<div data-x="1" id=\'y\'>content</div>',
      [
        [13, 'tag', '<div data-x="1" id=\'y\'>'], [1, 'asciiword', 'content'], [13, 'tag', '</div>'],
      ],
    ],
    [
      '<a href="x">y</a>',
      [
        [13, 'tag', '<a href="x">'], [1, 'asciiword', 'y'], [13, 'tag', '</a>'],
      ],
    ],
    [
      'a < b > c',
      [
        [1, 'asciiword', 'a'], [12, 'blank', ' '], [12, 'blank', '< '], [1, 'asciiword', 'b'],
        [12, 'blank', ' > '], [1, 'asciiword', 'c'],
      ],
    ],
    [
      '<not a tag',
      [
        [12, 'blank', '<'], [1, 'asciiword', 'not'], [12, 'blank', ' '], [1, 'asciiword', 'a'],
        [12, 'blank', ' '], [1, 'asciiword', 'tag'],
      ],
    ],
    [
      '<1>',
      [
        [12, 'blank', '<'], [22, 'uint', '1'], [12, 'blank', '>'],
      ],
    ],
    [
      '<a title="x\\"y">z</a>',
      [
        [13, 'tag', '<a title="x\\"y">'], [1, 'asciiword', 'z'], [13, 'tag', '</a>'],
      ],
    ],
    [
      '<ns:tag attr="v">x</ns:tag>',
      [
        [13, 'tag', '<ns:tag attr="v">'], [1, 'asciiword', 'x'], [13, 'tag', '</ns:tag>'],
      ],
    ],
    [
      '<?php echo 1; ?>',
      [
        [12, 'blank', '<?'], [1, 'asciiword', 'php'], [12, 'blank', ' '], [1, 'asciiword', 'echo'],
        [12, 'blank', ' '], [22, 'uint', '1'], [12, 'blank', '; ?>'],
      ],
    ],
  ],
  'punctuation-and-blanks': [
    [
      '',
      [

      ],
    ],
    [
      ' ',
      [
        [12, 'blank', ' '],
      ],
    ],
    [
      '   ',
      [
        [12, 'blank', '   '],
      ],
    ],
    [
      '\t\n',
      [
        [12, 'blank', '\t\n'],
      ],
    ],
    [
      '...',
      [
        [12, 'blank', '...'],
      ],
    ],
    [
      '!!!???',
      [
        [12, 'blank', '!!!???'],
      ],
    ],
    [
      '-',
      [
        [12, 'blank', '-'],
      ],
    ],
    [
      '+',
      [
        [12, 'blank', '+'],
      ],
    ],
    [
      '--',
      [
        [12, 'blank', '-'], [12, 'blank', '-'],
      ],
    ],
    [
      '- - -',
      [
        [12, 'blank', '- '], [12, 'blank', '- '], [12, 'blank', '-'],
      ],
    ],
    [
      '+-+-',
      [
        [12, 'blank', '+'], [12, 'blank', '-'], [12, 'blank', '+'], [12, 'blank', '-'],
      ],
    ],
    [
      '@#$%^&*()',
      [
        [12, 'blank', '@#$%^'], [12, 'blank', '&*()'],
      ],
    ],
    [
      '[brackets] {braces} (parens)',
      [
        [12, 'blank', '['], [1, 'asciiword', 'brackets'], [12, 'blank', '] {'], [1, 'asciiword', 'braces'],
        [12, 'blank', '} ('], [1, 'asciiword', 'parens'], [12, 'blank', ')'],
      ],
    ],
    [
      '~',
      [
        [12, 'blank', '~'],
      ],
    ],
    [
      '/',
      [
        [12, 'blank', '/'],
      ],
    ],
    [
      '//',
      [
        [12, 'blank', '/'], [12, 'blank', '/'],
      ],
    ],
    [
      '.',
      [
        [12, 'blank', '.'],
      ],
    ],
    [
      '..',
      [
        [19, 'file', '..'],
      ],
    ],
    [
      '_',
      [
        [12, 'blank', '_'],
      ],
    ],
    [
      '___init___',
      [
        [12, 'blank', '___'], [1, 'asciiword', 'init'], [12, 'blank', '___'],
      ],
    ],
    [
      'a_b',
      [
        [1, 'asciiword', 'a'], [12, 'blank', '_'], [1, 'asciiword', 'b'],
      ],
    ],
    [
      '\\backslash\\',
      [
        [12, 'blank', '\\'], [1, 'asciiword', 'backslash'], [12, 'blank', '\\'],
      ],
    ],
    [
      '|pipe|',
      [
        [12, 'blank', '|'], [1, 'asciiword', 'pipe'], [12, 'blank', '|'],
      ],
    ],
    [
      '50%',
      [
        [22, 'uint', '50'], [12, 'blank', '%'],
      ],
    ],
    [
      '#hashtag @mention',
      [
        [12, 'blank', '#'], [1, 'asciiword', 'hashtag'], [12, 'blank', ' @'], [1, 'asciiword', 'mention'],
      ],
    ],
  ],
  'quirks': [
    [
      'hi <a b=\'\\x',
      [
        [1, 'asciiword', 'hi'], [12, 'blank', ' '],
      ],
    ],
    [
      'hi <a b="\\x',
      [
        [1, 'asciiword', 'hi'], [12, 'blank', ' '],
      ],
    ],
    [
      'hi <a b=\'\\xy',
      [
        [1, 'asciiword', 'hi'], [12, 'blank', ' '], [12, 'blank', '<'], [1, 'asciiword', 'a'],
        [12, 'blank', ' '], [1, 'asciiword', 'b'], [12, 'blank', '=\'\\'], [1, 'asciiword', 'xy'],
      ],
    ],
    [
      '<a b=\'\\\\\\\'>c',
      [
        [13, 'tag', '<a b=\'\\\\\\\'>'], [1, 'asciiword', 'c'],
      ],
    ],
    [
      '<?XML version="1.0"?>',
      [
        [12, 'blank', '<?'], [1, 'asciiword', 'XML'], [12, 'blank', ' '], [1, 'asciiword', 'version'],
        [12, 'blank', '="'], [20, 'float', '1.0'], [12, 'blank', '"?>'],
      ],
    ],
    [
      '<a é>',
      [
        [12, 'blank', '<'], [1, 'asciiword', 'a'], [12, 'blank', ' '], [2, 'word', 'é'], [12, 'blank', '>'],
      ],
    ],
    [
      '<aé>',
      [
        [13, 'tag', '<aé>'],
      ],
    ],
    [
      '<_>',
      [
        [13, 'tag', '<_>'],
      ],
    ],
    [
      '</_>',
      [
        [12, 'blank', '<'], [19, 'file', '/_'], [12, 'blank', '>'],
      ],
    ],
    [
      '<!doctype x>',
      [
        [13, 'tag', '<!doctype x>'],
      ],
    ],
    [
      '<!--->',
      [
        [12, 'blank', '<!'], [12, 'blank', '-'], [12, 'blank', '-'], [12, 'blank', '->'],
      ],
    ],
    [
      '~x ~1 ~_',
      [
        [19, 'file', '~x'], [12, 'blank', ' ~'], [22, 'uint', '1'], [12, 'blank', ' ~_'],
      ],
    ],
    [
      '/~/',
      [
        [12, 'blank', '/~'], [12, 'blank', '/'],
      ],
    ],
    [
      '.. 1',
      [
        [19, 'file', '..'], [12, 'blank', ' '], [22, 'uint', '1'],
      ],
    ],
    [
      '..x',
      [
        [12, 'blank', '..'], [1, 'asciiword', 'x'],
      ],
    ],
    [
      'a.b2.com',
      [
        [6, 'host', 'a.b2.com'],
      ],
    ],
    [
      '1.ee',
      [
        [6, 'host', '1.ee'],
      ],
    ],
    [
      '-2.1.ee',
      [
        [20, 'float', '-2.1'], [12, 'blank', '.'], [1, 'asciiword', 'ee'],
      ],
    ],
    [
      'x.com:8:9',
      [
        [6, 'host', 'x.com:8'], [12, 'blank', ':'], [22, 'uint', '9'],
      ],
    ],
    [
      'a@b.com:80',
      [
        [4, 'email', 'a@b.com:80'],
      ],
    ],
    [
      'A.BC.D',
      [
        [6, 'host', 'A.BC'], [12, 'blank', '.'], [1, 'asciiword', 'D'],
      ],
    ],
  ],
  'edge': [
    [
      'a',
      [
        [1, 'asciiword', 'a'],
      ],
    ],
    [
      'A',
      [
        [1, 'asciiword', 'A'],
      ],
    ],
    [
      '1',
      [
        [22, 'uint', '1'],
      ],
    ],
    [
      'é',
      [
        [2, 'word', 'é'],
      ],
    ],
    [
      'example.com2',
      [
        [19, 'file', 'example.com2'],
      ],
    ],
    [
      'foo.txt',
      [
        [6, 'host', 'foo.txt'],
      ],
    ],
    [
      'file.c',
      [
        [19, 'file', 'file.c'],
      ],
    ],
    [
      '123.com',
      [
        [6, 'host', '123.com'],
      ],
    ],
    [
      'abc123.com',
      [
        [6, 'host', 'abc123.com'],
      ],
    ],
    [
      'a.b.c',
      [
        [19, 'file', 'a.b.c'],
      ],
    ],
    [
      'A.BC.D',
      [
        [6, 'host', 'A.BC'], [12, 'blank', '.'], [1, 'asciiword', 'D'],
      ],
    ],
    [
      '-1.2.3',
      [
        [12, 'blank', '-'], [8, 'version', '1.2.3'],
      ],
    ],
    [
      '1.2.3e5',
      [
        [8, 'version', '1.2.3'], [3, 'numword', 'e5'],
      ],
    ],
    [
      '2.1.ee',
      [
        [6, 'host', '2.1.ee'],
      ],
    ],
    [
      '2.1e3.ee',
      [
        [6, 'host', '2.1e3.ee'],
      ],
    ],
    [
      '1e',
      [
        [3, 'numword', '1e'],
      ],
    ],
    [
      '1e+',
      [
        [3, 'numword', '1e'], [12, 'blank', '+'],
      ],
    ],
    [
      '.5',
      [
        [12, 'blank', '.'], [22, 'uint', '5'],
      ],
    ],
    [
      '-.5',
      [
        [12, 'blank', '-.'], [22, 'uint', '5'],
      ],
    ],
    [
      'x.com:8x',
      [
        [6, 'host', 'x.com:8'], [1, 'asciiword', 'x'],
      ],
    ],
    [
      'x.com:/p',
      [
        [6, 'host', 'x.com'], [12, 'blank', ':'], [19, 'file', '/p'],
      ],
    ],
    [
      'abc123://x.com',
      [
        [3, 'numword', 'abc123'], [12, 'blank', ':'], [12, 'blank', '/'], [19, 'file', '/x.com'],
      ],
    ],
    [
      'a@b@c.com',
      [
        [1, 'asciiword', 'a'], [12, 'blank', '@'], [4, 'email', 'b@c.com'],
      ],
    ],
    [
      'a@b.com/x',
      [
        [4, 'email', 'a@b.com'], [19, 'file', '/x'],
      ],
    ],
    [
      '/usr/bin/',
      [
        [19, 'file', '/usr/bin'], [12, 'blank', '/'],
      ],
    ],
    [
      '/a.b/',
      [
        [19, 'file', '/a.b'], [12, 'blank', '/'],
      ],
    ],
    [
      '.. x',
      [
        [19, 'file', '..'], [12, 'blank', ' '], [1, 'asciiword', 'x'],
      ],
    ],
    [
      '~/',
      [
        [12, 'blank', '~'], [12, 'blank', '/'],
      ],
    ],
    [
      'foo_bar',
      [
        [1, 'asciiword', 'foo'], [12, 'blank', '_'], [1, 'asciiword', 'bar'],
      ],
    ],
    [
      'foo_bar.com',
      [
        [6, 'host', 'foo_bar.com'],
      ],
    ],
    [
      '_x.com',
      [
        [12, 'blank', '_'], [6, 'host', 'x.com'],
      ],
    ],
  ],
};

const concatRows = (...parts: Row[][]): Row[] => parts.flat();

function repeatRows(unit: Row[], times: number): Row[] {
  const out: Row[] = [];
  for (let i = 0; i < times; i++) out.push(...unit);
  return out;
}

/**
 * Long inputs, built here rather than embedded; their server output was checked to be exactly
 * the rows given (a unit repeated).
 */
// biome-ignore format: kept one case per line
const LONG_CASES: readonly (readonly [string, () => string, () => Row[]])[] = [
  ['100,000 ASCII letters are one word', () => 'a'.repeat(100_000), () => concatRows([[1, 'asciiword', 'a'.repeat(100_000)]])],
  ['50,000 non-ASCII letters are one word', () => 'é'.repeat(50_000), () => concatRows([[2, 'word', 'é'.repeat(50_000)]])],
  ['a thousand words', () => 'word '.repeat(1000), () => concatRows(repeatRows([[1, 'asciiword', 'word'], [12, 'blank', ' ']], 1000))],
  ['hundreds of hyphenated words', () => 'foo-bar '.repeat(300), () => concatRows(repeatRows([[16, 'asciihword', 'foo-bar'], [11, 'hword_asciipart', 'foo'], [12, 'blank', '-'], [11, 'hword_asciipart', 'bar'], [12, 'blank', ' ']], 300))],
  ['a compound of 2,001 parts', () => 'ab-'.repeat(2000) + 'ab', () => concatRows([[16, 'asciihword', 'ab-'.repeat(2000) + 'ab']], repeatRows([[11, 'hword_asciipart', 'ab'], [12, 'blank', '-']], 2000), [[11, 'hword_asciipart', 'ab']])],
  ['a URL with a 10,000-character path', () => 'http://x.com/' + 'p'.repeat(10_000), () => concatRows([[14, 'protocol', 'http://'], [5, 'url', 'x.com/' + 'p'.repeat(10_000)], [6, 'host', 'x.com'], [18, 'url_path', '/' + 'p'.repeat(10_000)]])],
  ['a long mixed paragraph repeated', () => 'The quick fox-trot at http://lazy.dog/x?y costs 3.14. '.repeat(200), () => concatRows(repeatRows([[1, 'asciiword', 'The'], [12, 'blank', ' '], [1, 'asciiword', 'quick'], [12, 'blank', ' '], [16, 'asciihword', 'fox-trot'], [11, 'hword_asciipart', 'fox'], [12, 'blank', '-'], [11, 'hword_asciipart', 'trot'], [12, 'blank', ' '], [1, 'asciiword', 'at'], [12, 'blank', ' '], [14, 'protocol', 'http://'], [5, 'url', 'lazy.dog/x?y'], [6, 'host', 'lazy.dog'], [18, 'url_path', '/x?y'], [12, 'blank', ' '], [1, 'asciiword', 'costs'], [12, 'blank', ' '], [20, 'float', '3.14'], [12, 'blank', '. ']], 200))],
  ['a path that fails only at its end is retried from each character', () => '/~'.repeat(500), () => concatRows(repeatRows([[12, 'blank', '/~']], 500))],
];

describe('default text-search parser (ts_parse)', () => {
  it('has the token types of ts_token_type, in tokid order', () => {
    expect(TOKEN_TYPES.map((alias, i) => [i + 1, alias])).toEqual(SERVER_TOKEN_TYPES);
  });

  for (const [group, cases] of Object.entries(CASES)) {
    describe(group, () => {
      for (const [input, expected] of cases) {
        it(JSON.stringify(input.length > 60 ? `${input.slice(0, 60)}…` : input), () => {
          expect(rows(parseDocument(input))).toEqual(expected);
        });
      }
    });
  }

  describe('long inputs', () => {
    for (const [label, input, expected] of LONG_CASES) {
      it(label, () => {
        expect(rows(parseDocument(input()))).toEqual(expected());
      });
    }
  });
});
