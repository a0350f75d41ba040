/**
 * Checks the hand-written scanners against the grammars in grammar/: on every corpus
 * input, a scanner syntax error (22P02) must be a grammar rejection and a scanner success
 * a grammar match. Inputs the scanner rejects for other reasons (dimensions, NaN, range)
 * say nothing about syntax and are skipped.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import peggy from 'peggy';
import { describe, expect, it } from 'vitest';
import { SqlError } from '../errors/sql-error.ts';
import { parseBitString } from './bit.ts';
import { parseHalfvec } from './halfvec.ts';
import { parseSparsevec } from './sparsevec.ts';
import { parseVector } from './vector.ts';

function grammar(name: string): peggy.Parser {
  const path = fileURLToPath(new URL(`../../grammar/${name}.peggy`, import.meta.url));
  return peggy.generate(readFileSync(path, 'utf8'));
}

function accepts(p: peggy.Parser, text: string): boolean {
  try {
    p.parse(text);
    return true;
  } catch {
    return false;
  }
}

/** 'ok', 'syntax' (22P02) or 'other' (a non-syntax rejection). */
function scan(f: () => unknown): 'ok' | 'syntax' | 'other' {
  try {
    f();
    return 'ok';
  } catch (e) {
    if (e instanceof SqlError && e.code === '22P02') return 'syntax';
    if (e instanceof SqlError) return 'other';
    throw e;
  }
}

const floats = [
  '1',
  '-1',
  '+1',
  '1.',
  '.5',
  '-.5e+2',
  '1e5',
  '1E-5',
  '0x1F',
  '0x1.8p3',
  '0X.8P-1',
  'inf',
  '-Infinity',
  'nan',
  'NaN(x_1)',
  '1e',
  '1e+',
  '0x',
  '0xg',
  '.',
  '-',
  '+',
  'e5',
  '1.2.3',
  '--1',
  'infinit',
  'nan(',
  '1_0',
  '١',
];
const spaces = ['', ' ', '\t', '\n', '\v', '\f', '\r', '\u00a0'];

function denseCorpus(): string[] {
  const out = [
    '',
    '[',
    ']',
    '[]',
    '[ ]',
    '[,]',
    '[1,]',
    '[,1]',
    '[1,,2]',
    '[1 2]',
    '1,2',
    '[1]x',
    '[1] ',
    '[[1]]',
  ];
  for (const f of floats) for (const s of spaces) out.push(`${s}[${s}${f}${s},${s}2${s}]${s}`);
  for (const f of floats) out.push(`[${f}]`, `[2,${f}`, `[${f}]]`);
  return out;
}

function sparseCorpus(): string[] {
  const out = [
    '',
    '{',
    '{}',
    '{}/',
    '{}/1',
    '{ }/1',
    '{}/1a',
    '{:}/1',
    '{,}/1',
    '{1,}/1',
    '{:1}/1',
    '{1:}/1',
    '{1a:1}/1',
    '{1:1a}/1',
    '{1:1,}/1',
    '{}/ 3 ',
    '{}/+3',
    '{}/-3',
    '{} 3',
    '{1:1}/3/',
    '{+1:1}/2',
    '{1 :1}/2',
  ];
  for (const f of floats)
    for (const s of spaces) out.push(`${s}{${s}1${s}:${s}${f}${s},2:1${s}}${s}/${s}3${s}`);
  return out;
}

describe('grammar/vector.peggy agrees with the vector and halfvec scanners', () => {
  const p = grammar('vector');
  for (const [name, parse] of [
    ['vector', parseVector],
    ['halfvec', parseHalfvec],
  ] as const) {
    it(name, () => {
      for (const text of denseCorpus()) {
        const r = scan(() => parse(text));
        if (r !== 'other') expect([text, accepts(p, text)]).toEqual([text, r === 'ok']);
      }
    });
  }
});

describe('grammar/sparsevec.peggy agrees with the sparsevec scanner', () => {
  const p = grammar('sparsevec');
  it('sparsevec', () => {
    for (const text of sparseCorpus()) {
      const r = scan(() => parseSparsevec(text));
      if (r !== 'other') expect([text, accepts(p, text)]).toEqual([text, r === 'ok']);
    }
  });
});

describe('grammar/bit.peggy agrees with the bit scanner', () => {
  const p = grammar('bit');
  it('bit', () => {
    for (const text of [
      '',
      '0',
      '1',
      '101',
      'b',
      'B01',
      'x',
      'xF0',
      'X0a',
      '102',
      'b2',
      'xG',
      ' 1',
      '1 ',
      'bx1',
      'é',
    ]) {
      const r = scan(() => parseBitString(text, 'varbit'));
      expect([text, accepts(p, text)]).toEqual([text, r === 'ok']);
    }
  });
});
