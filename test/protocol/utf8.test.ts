import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { invalidUtf8At } from '../../protocol/utf8.js';

const hex = (s: string): Uint8Array => Uint8Array.from(Buffer.from(s.replace(/\s+/g, ''), 'hex'));
const fatal = new TextDecoder('utf-8', { fatal: true });

/** What the platform's strict decoder thinks of the bytes: the reference the check must agree with. */
function strictlyValid(bytes: Uint8Array): boolean {
  try {
    fatal.decode(bytes);
    return true;
  } catch {
    return false;
  }
}

describe('invalidUtf8At', () => {
  it.each([
    ['ASCII', '4e657074756e65'],
    ['2-byte é', 'c3a9'],
    ['3-byte €', 'e282ac'],
    ['4-byte 🌲', 'f09f8cb2'],
    ['the last code point, U+10FFFF', 'f48fbfbf'],
    ['U+FFFD itself (sent on purpose, it is a character)', 'efbfbd'],
    ['nothing', ''],
  ])('accepts %s', (_what, bytes) => {
    expect(invalidUtf8At(hex(bytes), 0, hex(bytes).length)).toBe(-1);
  });

  it.each([
    ['a 3-byte sequence cut short at the end ("Neptune" + e2 82)', '4e657074756e65 e282', 7],
    ['a 4-byte sequence cut short by ASCII', 'f09f8c 41', 0],
    ['a stray continuation byte', '41 80 41', 1],
    ['an overlong "/" (c0 af)', 'c0af', 0],
    ['an overlong 3-byte form', 'e080af', 0],
    ['a surrogate, U+D800 (ed a0 80)', 'eda080', 0],
    ['above U+10FFFF', 'f4908080', 0],
    ['a lead byte 0xf5', 'f5808080', 0],
    ['0xff', 'ff', 0],
  ])('refuses %s and says where', (_what, bytes, at) => {
    expect(invalidUtf8At(hex(bytes), 0, hex(bytes).length)).toBe(at);
  });

  it('reads only its range: a sequence cut short by the end of the range is refused', () => {
    const bytes = hex('41 e282ac 41');
    expect(invalidUtf8At(bytes, 0, 5)).toBe(-1);
    expect(invalidUtf8At(bytes, 0, 3)).toBe(1);
    expect(invalidUtf8At(bytes, 2, 5)).toBe(2);
  });

  it('agrees with TextDecoder in fatal mode on any bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 40 }), (bytes) => {
        expect(invalidUtf8At(bytes, 0, bytes.length) === -1).toBe(strictlyValid(bytes));
      }),
      { numRuns: 10_000 },
    );
  });

  it('agrees with TextDecoder in fatal mode on text with one byte changed', () => {
    const textWithOneByteChanged = fc
      .tuple(fc.string({ unit: 'binary', minLength: 1, maxLength: 20 }), fc.nat(), fc.integer({ min: 0, max: 255 }))
      .map(([text, at, byte]) => {
        const bytes = new TextEncoder().encode(text);
        bytes[at % bytes.length] = byte;
        return bytes;
      });
    fc.assert(
      fc.property(textWithOneByteChanged, (bytes) => {
        expect(invalidUtf8At(bytes, 0, bytes.length) === -1).toBe(strictlyValid(bytes));
      }),
      { numRuns: 10_000 },
    );
  });
});
