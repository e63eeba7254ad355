/**
 * A `ws` WebSocket that counts the frames and bytes the Cairn SDK sends and receives, for the
 * player benchmark: pass `CountingWebSocket` as the SDK's `WebSocket` option. Received frames are
 * classified by their `type` without decoding them (the server writes `type` as the first key of
 * every message: `{type: 'reply', ...}`), so counting costs next to nothing.
 */
import WebSocket from 'ws';

export interface WireCounts {
  requests: number;
  requestBytes: number;
  replies: number;
  replyBytes: number;
  updates: number;
  updateBytes: number;
  other: number;
  otherBytes: number;
}

const zero = (): WireCounts => ({ requests: 0, requestBytes: 0, replies: 0, replyBytes: 0, updates: 0, updateBytes: 0, other: 0, otherBytes: 0 });

/** Counts while `counting` is true (the steady phase). */
export const wire = { counting: false, counts: zero(), reset() { this.counts = zero(); } };

// 0x84.. fixmap, then a4 'type', then a fixstr holding the type name; its first letter decides.
const TYPE_KEY = [0xa4, 0x74, 0x79, 0x70, 0x65];
const R = 0x72; // 'r'eply
const U = 0x75; // 'u'pdate

function classify(bytes: Uint8Array): void {
  const c = wire.counts;
  const n = bytes.byteLength;
  let first = -1;
  if (n > 7 && (bytes[0]! & 0xf0) === 0x80 && TYPE_KEY.every((b, i) => bytes[i + 1] === b)) first = bytes[7]!;
  if (first === R) {
    c.replies += 1;
    c.replyBytes += n;
  } else if (first === U) {
    c.updates += 1;
    c.updateBytes += n;
  } else {
    c.other += 1;
    c.otherBytes += n;
  }
}

function lengthOf(data: unknown): number {
  if (data instanceof ArrayBuffer) return data.byteLength;
  if (ArrayBuffer.isView(data)) return data.byteLength;
  if (Array.isArray(data)) return data.reduce((sum: number, part: ArrayBufferView) => sum + part.byteLength, 0);
  return 0;
}

export class CountingWebSocket extends WebSocket {
  constructor(url: string) {
    // The server refuses permessage-deflate anyway; not offering it saves the negotiation.
    super(url, { perMessageDeflate: false });
    this.on('message', (data: unknown) => {
      if (!wire.counting) return;
      if (data instanceof ArrayBuffer) classify(new Uint8Array(data));
      else if (ArrayBuffer.isView(data)) classify(new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
      else {
        wire.counts.other += 1;
        wire.counts.otherBytes += lengthOf(data);
      }
    });
  }

  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- forwards every overload of ws's send
  override send(data: any, options?: any, cb?: any): void {
    if (wire.counting) {
      wire.counts.requests += 1;
      wire.counts.requestBytes += lengthOf(data);
    }
    super.send(data, options, cb);
  }
}
