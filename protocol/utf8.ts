/**
 * Where `bytes[start..end)` stop being well-formed UTF-8, or -1 when they are well-formed.
 *
 * Well-formed as RFC 3629 and `new TextDecoder('utf-8', { fatal: true })` see it: no sequence cut
 * short, no stray continuation byte, no overlong form, no surrogate (U+D800..U+DFFF), nothing above
 * U+10FFFF. Decoders (msgpackr's among them) replace such bytes with U+FFFD or worse, which would
 * let a client put text into the game that it never typed; the frame check refuses them instead.
 *
 * Plain JavaScript so that the SDK still runs in browsers, and allocation-free so that it can run
 * on every string of every frame: ASCII costs one comparison a byte.
 */
export function invalidUtf8At(bytes: Uint8Array, start: number, end: number): number {
  let i = start;
  while (i < end) {
    const lead = bytes[i]!;
    if (lead < 0x80) {
      i += 1;
      continue;
    }
    // The allowed range of the second byte depends on the lead byte (Unicode 15, table 3-7):
    // it is what excludes overlong forms, surrogates and code points above U+10FFFF.
    let size: number;
    let low = 0x80;
    let high = 0xbf;
    if (lead >= 0xc2 && lead <= 0xdf) size = 2;
    else if (lead >= 0xe0 && lead <= 0xef) {
      size = 3;
      if (lead === 0xe0) low = 0xa0;
      else if (lead === 0xed) high = 0x9f;
    } else if (lead >= 0xf0 && lead <= 0xf4) {
      size = 4;
      if (lead === 0xf0) low = 0x90;
      else if (lead === 0xf4) high = 0x8f;
    } else return i;
    if (i + size > end) return i;
    const second = bytes[i + 1]!;
    if (second < low || second > high) return i;
    for (let k = 2; k < size; k += 1) {
      if ((bytes[i + k]! & 0xc0) !== 0x80) return i;
    }
    i += size;
  }
  return -1;
}
