/**
 * COPY's fast decoders agree with the types' own functions: on every field a decoder reads it
 * returns what the input (text) or receive (binary) function returns, and it leaves alone
 * (undefined) every field it cannot read exactly so, errors included.
 */
import { describe, expect, it } from 'vitest';
import '../types/index.ts';
import { castValue } from '../types/coerce.ts';
import { Float32Appender } from '../types/float32-appender.ts';
import { ctx } from '../types/test-helpers.ts';
import { type SqlType, sqlType, T, type Value } from '../types/type.ts';
import { binaryIn, binaryOut } from '../types/value-io.ts';
import { binaryDecoder, textDecoder } from './copy-decoders.ts';

/** What COPY's main path makes of a text field, or the error's SQLSTATE. */
function slowText(type: SqlType, text: string): Value | string {
  try {
    return castValue(text, T.unknown, type, ctx, false);
  } catch (err) {
    return `error ${(err as { code?: string }).code}`;
  }
}

function slowBinary(type: SqlType, bytes: Uint8Array): Value | string {
  try {
    return binaryIn(type, bytes);
  } catch (err) {
    return `error ${(err as { code?: string }).code}`;
  }
}

/** A deterministic pseudo-random integer below n. */
function random(seed: number): (n: number) => number {
  let s = seed;
  return (n) => {
    s = (s * 1103515245 + 12345) & 0x7fffffff;
    // The low bits of this generator repeat with short periods.
    return (s >>> 12) % n;
  };
}

function timestampTexts(count: number): string[] {
  const rnd = random(11);
  const pad = (v: number, w: number) => String(v).padStart(w, '0');
  const texts = [
    '2026-01-05 10:00:00+00',
    '2026-01-05T10:00:00.5-08',
    '2024-02-29 23:59:59.999999+05:30',
    '2023-02-29 10:00:00+00',
    '1999-12-31 24:00:00+00',
    '2026-01-05 10:00:00',
    '2026-01-05',
    '2026-01-05 10:00:00.1234567+00',
    '2026-01-05 10:00:00 BC',
    ' 2026-01-05 10:00:00+00',
    '2026-01-05 10:00:00+00 ',
    'infinity',
    'now',
    'épée',
    '2026-13-01 00:00:00+00',
  ];
  for (let i = 0; i < count; i++) {
    let s = `${pad(rnd(3000), 4)}-${pad(rnd(14), 2)}-${pad(rnd(33), 2)}`;
    if (rnd(4)) s += `${rnd(2) ? ' ' : 'T'}${pad(rnd(26), 2)}:${pad(rnd(61), 2)}:${pad(rnd(62), 2)}`;
    if (rnd(2)) s += `.${String(rnd(1e7)).slice(0, 1 + rnd(7))}`;
    if (rnd(3)) s += ['+00', '-08', '+05:30', '+14', '-03:30', 'Z', '+1'][rnd(7)];
    texts.push(s);
  }
  return texts;
}

describe('text decoders', () => {
  const types = [T.timestamptz, T.timestamp, sqlType('timestamptz', 2), sqlType('timestamp', 0), T.date];
  for (const type of types) {
    it(`${type.base}(${type.typmod}) reads ISO text as its input function does`, () => {
      const decode = textDecoder(type, new Float32Appender())!;
      let decoded = 0;
      for (const text of timestampTexts(3000)) {
        const bytes = Buffer.from(text);
        const fast = decode(bytes, 0, bytes.length);
        if (fast === undefined) continue;
        decoded++;
        expect([text, fast]).toEqual([text, slowText(type, text)]);
      }
      expect(decoded).toBeGreaterThan(500);
    });
  }
});

describe('binary decoders', () => {
  const micros = [0, 1, -1, 2 ** 40 + 7, -(2 ** 40) - 7, 2 ** 53 - 1, -(2 ** 53) + 1, Infinity, -Infinity];
  const cases: [SqlType, Value[]][] = [
    [T.timestamptz, micros],
    [T.timestamp, micros],
    [sqlType('timestamp', 3), [1_234_567, -1_234_567, 999_999]],
    [T.date, [0, 9000, -800_000, Infinity, -Infinity]],
    [T.float8, [0, -0, 1.5, -1e300, Number.NaN, Infinity]],
    [T.float4, [0, 1.5, -3.25, Number.NaN, -Infinity]],
  ];
  for (const [type, values] of cases) {
    it(`${type.base}(${type.typmod}) reads what binaryOut writes as binaryIn does`, () => {
      const decode = binaryDecoder(type, new Float32Appender())!;
      for (const v of values) {
        const bytes = Buffer.from(binaryOut(type, v));
        expect(decode(bytes, 0, bytes.length)).toEqual(slowBinary(type, bytes));
      }
      // Beyond 2^53 both round the int64 to the nearest double.
      if (type.base.startsWith('timestamp') && type.typmod < 0) {
        const big = Buffer.from([0x40, 0, 0, 0, 0, 0, 0x0f, 0xff]);
        expect(decode(big, 0, 8)).toBe(slowBinary(type, big));
      }
      // A wrong length is left to the receive function (and its error).
      const short = Buffer.from([1, 2, 3]);
      expect(decode(short, 0, 3)).toBeUndefined();
    });
  }
});
