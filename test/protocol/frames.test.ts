import { describe, expect, it } from 'vitest';
import { CLIENT_MESSAGE_TYPES, decodeFrame, encodeMessage, parseClientMessage } from '../../protocol/index.js';
import { bytesOf, clientFrames, hexOf, otherEncoderFrames, serverFrames } from './frames.js';

describe('recorded client frames', () => {
  it.each([...clientFrames, ...otherEncoderFrames].map((f) => [f.name, f] as const))('%s parses to its message', (_name, frame) => {
    expect(parseClientMessage(bytesOf(frame.hex))).toEqual({ ok: true, message: frame.value });
  });

  it('cover every client message type', () => {
    const covered = new Set(clientFrames.map((f) => (f.value as { type: string }).type));
    expect([...covered].sort()).toEqual([...CLIENT_MESSAGE_TYPES].sort());
  });

  it('are what this encoder writes too', () => {
    for (const frame of clientFrames) expect(hexOf(encodeMessage(frame.value)), frame.name).toBe(hexOf(bytesOf(frame.hex)));
  });
});

describe('recorded server frames', () => {
  it.each(serverFrames.map((f) => [f.name, f] as const))('%s encodes to exactly the recorded bytes', (_name, frame) => {
    expect(hexOf(encodeMessage(frame.value))).toBe(hexOf(bytesOf(frame.hex)));
  });

  it.each(serverFrames.map((f) => [f.name, f] as const))('%s decodes back to its value', (_name, frame) => {
    expect(decodeFrame(bytesOf(frame.hex))).toEqual(frame.value);
  });
});

describe('encodeMessage', () => {
  it('leaves out undefined fields instead of using an extension', () => {
    expect(hexOf(encodeMessage({ a: 1, b: undefined }))).toBe('81a16101');
  });

  it('writes integers beyond 32 bits as int64 and keeps fractions as float64', () => {
    expect(hexOf(encodeMessage(-1767225600000))).toBe('d3fffffe6489255800');
    expect(hexOf(encodeMessage(2 ** 53 - 1))).toBe('d3001fffffffffffff');
    expect(hexOf(encodeMessage(0.5))).toBe('cb3fe0000000000000');
    expect(decodeFrame(encodeMessage({ at: [1767225600000] }))).toEqual({ at: [1767225600000] });
  });

  it('does not copy values that need no widening', () => {
    const value = { a: [1, 'x'], b: { c: true } };
    expect(decodeFrame(encodeMessage(value))).toEqual(value);
  });
});
