/**
 * Key order of the metadata store. etcd orders keys by their bytes, and UTF-8 byte order is
 * code point order; JavaScript's `<` compares UTF-16 code units, which differs for characters
 * above U+FFFF (surrogate pairs) against U+E000–U+FFFF. The embedded store uses this
 * comparator so that both stores list keys in the same order.
 */
export function compareKeys(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x !== y) return codePointRank(x) - codePointRank(y);
  }
  return a.length - b.length;
}

/** Moves surrogates (which encode code points ≥ U+10000) above every other code unit. */
function codePointRank(unit: number): number {
  if (unit >= 0xe000) return unit - 0x800;
  if (unit >= 0xd800) return unit + 0x2000;
  return unit;
}
