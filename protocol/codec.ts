import { Packr, type Options } from 'msgpackr';
import { invalidUtf8At } from './utf8.js';

/**
 * Frames are plain standard msgpack so that any language's msgpack library can read and write
 * them: objects are maps with string keys, and no extension type is used (msgpackr's records,
 * bundled strings, typed arrays, Dates, Sets... are all off when encoding, and decodeFrame
 * refuses them, since msgpackr would otherwise still decode them).
 */
const options: Options & { skipValues: readonly unknown[] } = {
  useRecords: false,
  mapsAsObjects: true,
  moreTypes: false,
  structuredClone: false,
  bundleStrings: false,
  // Decode 64-bit integers as plain numbers; the protocol's integers are all safe integers.
  int64AsType: 'number',
  // fixmap/map16/map32 by size, as every other encoder does, instead of always map16.
  variableMapSize: true,
  // Leave out `undefined` properties, as JSON does, instead of msgpackr's undefined extension.
  skipValues: [undefined],
  encodeUndefinedAsNil: true,
};
// `skipValues` exists in msgpackr 2.x but is missing from its typings, hence the wider type.
const packr = new Packr(options);

/** Containers nested deeper than this are refused: no protocol message comes close. */
export const MAX_FRAME_DEPTH = 32;

/**
 * Encodes one message as one msgpack value. Integers beyond 32 bits (times in ms since epoch)
 * are written as msgpack int64, not float64, so that typed decoders in other languages read them
 * into integer fields.
 */
export function encodeMessage(value: unknown): Uint8Array {
  return packr.pack(widenIntegers(value));
}

/**
 * Decodes a frame that must hold exactly one standard msgpack value. Throws on anything else:
 * empty or truncated bytes, trailing bytes or a second value, the never-used byte 0xc1, any
 * extension type, a map key that is not a string, a string that is not well-formed UTF-8, or
 * nesting deeper than MAX_FRAME_DEPTH.
 */
export function decodeFrame(bytes: Uint8Array): unknown {
  checkFrame(bytes);
  return packr.unpack(bytes);
}

/**
 * The value with every integer beyond 32 bits as a BigInt (msgpackr writes those as int64).
 * Copies only the objects and arrays on the way to such an integer, and allocates nothing for
 * the rest: most of a frame passes through untouched, and this runs for every frame sent.
 */
function widenIntegers(value: unknown): unknown {
  if (typeof value === 'number') {
    return (value > 0xffffffff || value < -0x80000000) && Number.isSafeInteger(value) ? BigInt(value) : value;
  }
  if (typeof value !== 'object' || value === null || ArrayBuffer.isView(value)) return value;
  if (Array.isArray(value)) {
    let copy: unknown[] | undefined;
    for (let i = 0; i < value.length; i += 1) {
      const item: unknown = value[i];
      const widened = widenIntegers(item);
      if (copy === undefined && !Object.is(widened, item)) copy = value.slice(0, i);
      copy?.push(widened);
    }
    return copy ?? value;
  }
  const prototype: unknown = Object.getPrototypeOf(value);
  if (prototype !== Object.prototype && prototype !== null) return value;
  let copy: Record<string, unknown> | undefined;
  const record = value as Record<string, unknown>;
  for (const key of Object.keys(record)) {
    const item = record[key];
    const widened = widenIntegers(item);
    if (Object.is(widened, item)) continue;
    copy ??= { ...record };
    copy[key] = widened;
  }
  return copy ?? value;
}

class MalformedFrame extends Error {
  override readonly name = 'MalformedFrame';
}

/** A frame well-formed but for a string that is not UTF-8: its other fields can still be read. */
export class InvalidUtf8Frame extends MalformedFrame {}

/**
 * Decodes a frame that decodeFrame refused with InvalidUtf8Frame (well-formed in every other way,
 * checkFrame made sure), bad strings repaired with U+FFFD, only to find out which request it was
 * (its id) so that the refusal can be its reply. Never use what else it holds.
 */
export function decodeDespiteUtf8(bytes: Uint8Array): unknown {
  return packr.unpack(bytes);
}

/** Sizes of the fixed-length formats after their first byte, by first byte. */
const FIXED: Readonly<Record<number, number>> = {
  0xc0: 0, 0xc2: 0, 0xc3: 0, 0xca: 4, 0xcb: 8,
  0xcc: 1, 0xcd: 2, 0xce: 4, 0xcf: 8, 0xd0: 1, 0xd1: 2, 0xd2: 4, 0xd3: 8,
};

/**
 * Walks the frame's msgpack structure without building values (iteratively, so deep nesting
 * cannot overflow the stack) and throws MalformedFrame at the first thing a frame may not hold.
 * msgpackr then decodes a frame known to be one standard value, using none of its extensions.
 */
function checkFrame(bytes: Uint8Array): void {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const end = bytes.byteLength;
  let pos = 0;
  // Items still to read in each open container; a map counts keys and values.
  const open: { left: number; map: boolean }[] = [];
  // The first string that is not UTF-8: refused once the walk has found the rest well-formed, so
  // that an InvalidUtf8Frame is a frame msgpackr may decode safely (only to read its id).
  let badUtf8At = -1;
  const need = (n: number): void => {
    if (pos + n > end) throw new MalformedFrame('truncated msgpack value');
  };
  const uint = (size: number): number => {
    need(size);
    const n = size === 1 ? view.getUint8(pos) : size === 2 ? view.getUint16(pos) : view.getUint32(pos);
    pos += size;
    return n;
  };
  do {
    const parent = open[open.length - 1];
    const isKey = parent !== undefined && parent.map && parent.left % 2 === 0;
    if (parent) parent.left -= 1;
    need(1);
    const b = view.getUint8(pos++);
    let strLength: number | undefined;
    let children = 0;
    let map = false;
    if (b <= 0x7f || b >= 0xe0) strLength = undefined;
    else if (b <= 0x8f) [children, map] = [(b & 0x0f) * 2, true];
    else if (b <= 0x9f) children = b & 0x0f;
    else if (b <= 0xbf) strLength = b & 0x1f;
    else if (b === 0xd9 || b === 0xda || b === 0xdb) strLength = uint(b === 0xd9 ? 1 : b === 0xda ? 2 : 4);
    else if (b === 0xc4 || b === 0xc5 || b === 0xc6) {
      const length = uint(b === 0xc4 ? 1 : b === 0xc5 ? 2 : 4);
      need(length);
      pos += length;
    } else if (b === 0xdc || b === 0xdd) children = uint(b === 0xdc ? 2 : 4);
    else if (b === 0xde || b === 0xdf) [children, map] = [uint(b === 0xde ? 2 : 4) * 2, true];
    else if (FIXED[b] !== undefined) {
      need(FIXED[b]);
      pos += FIXED[b];
    } else if (b === 0xc1) throw new MalformedFrame('byte 0xc1 is never used in msgpack');
    else throw new MalformedFrame('msgpack extension types are not used by this protocol');

    if (strLength !== undefined) {
      need(strLength);
      // msgpackr would decode bad bytes to U+FFFD (or worse) without a word: refuse them here.
      if (badUtf8At === -1) badUtf8At = invalidUtf8At(bytes, pos, pos + strLength);
      pos += strLength;
    } else if (isKey) throw new MalformedFrame('map keys must be strings');

    if (children > 0) {
      // Every item takes at least one byte: a count larger than the bytes left is a lie.
      if (children > end - pos) throw new MalformedFrame('truncated msgpack value');
      if (open.length >= MAX_FRAME_DEPTH) throw new MalformedFrame(`values nested deeper than ${MAX_FRAME_DEPTH}`);
      open.push({ left: children, map });
    }
    while (open.length > 0 && open[open.length - 1]!.left === 0) open.pop();
  } while (open.length > 0);
  if (pos !== end) throw new MalformedFrame('bytes after the msgpack value: a frame holds exactly one value');
  if (badUtf8At !== -1) throw new InvalidUtf8Frame(`a string is not valid UTF-8 (byte ${badUtf8At} of the frame)`);
}
