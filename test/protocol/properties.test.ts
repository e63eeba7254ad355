import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CLIENT_MESSAGE_TYPES, encodeMessage, parseClientMessage, type ClientMessage, type ParseResult } from '../../protocol/index.js';
import { CLUE_ID, COMMAND_ID, ENTITY_ID } from '../../protocol/schemas.js';

// Valid messages. Text avoids lone surrogates, which UTF-8 (hence msgpack) cannot carry.
const text = (max: number) =>
  fc.oneof(
    fc.string({ unit: 'grapheme', minLength: 1, maxLength: Math.min(max, 30) }).filter((s) => s.length <= max),
    fc.constant('x'.repeat(max)),
  );
// -0 travels as the integer 0.
const between = (min: number, max: number) => fc.double({ min, max, noNaN: true }).map((n) => n + 0);
const id = fc.integer({ min: 0, max: 2 ** 32 - 1 });
const entityId = fc.stringMatching(ENTITY_ID);
const clue = fc.stringMatching(CLUE_ID);
const command = { id, hunt: entityId, commandId: fc.stringMatching(COMMAND_ID) };
const hintNumber = fc.integer({ min: 0, max: 99 });
const guess = fc.oneof(
  fc.record({ kind: fc.constant('answer' as const), text: text(500) }),
  fc.record({ kind: fc.constant('location' as const), latitude: between(-90, 90), longitude: between(-180, 180) }),
  fc.record({ kind: fc.constant('code' as const), code: text(500) }),
);
const hintInput = fc.record(
  { text: text(1000), penalty: fc.integer({ min: 0, max: 100_000 }), autoReleaseAfterSeconds: fc.integer({ min: 1, max: 2 ** 40 }) },
  { requiredKeys: ['text', 'penalty'] },
);
const lifecycle = fc.constantFrom('admin.start' as const, 'admin.pause' as const, 'admin.resume' as const, 'admin.end' as const);

const message: fc.Arbitrary<ClientMessage> = fc.oneof(
  fc.record({ type: fc.constant('ping' as const), id }),
  fc.record({ type: fc.constant('join' as const), ...command, team: text(40), displayName: text(40) }, { requiredKeys: ['type', 'id', 'hunt', 'commandId'] }),
  fc.record({ type: fc.constant('submit' as const), ...command, clue, guess }),
  fc.record({ type: fc.constant('hint' as const), ...command, clue, hint: hintNumber }),
  fc.record({ type: fc.constant('leave' as const), ...command }),
  fc.record({ type: fc.constant('resume' as const), id, hunt: entityId, after: fc.maxSafeNat() }),
  fc.record({ type: fc.constant('admin.spawn' as const), ...command, definition: fc.string({ unit: 'grapheme', maxLength: 200 }) }),
  fc.record({ type: lifecycle, ...command }),
  fc.record(
    { type: fc.constant('admin.edit-clue' as const), ...command, clue, title: text(120), text: text(4000), hints: fc.array(hintInput, { maxLength: 10 }) },
    { requiredKeys: ['type', 'id', 'hunt', 'commandId', 'clue'] },
  ),
  fc.record({ type: fc.constant('admin.release-hint' as const), ...command, clue, hint: hintNumber }),
  fc.record({ type: fc.constant('admin.announce' as const), ...command, message: text(500) }),
  fc.record({ type: fc.constant('admin.kick' as const), ...command, player: entityId, reason: text(200) }),
  fc.record({ type: fc.constantFrom('admin.status' as const, 'admin.watch' as const), id, hunt: entityId }),
);

/** Holds for every result: a failure is non-retriable and carries a message. */
function wellFormed(result: ParseResult): void {
  if (result.ok) return;
  expect(result.error.retriable).toBe(false);
  expect(result.error.message.length).toBeGreaterThan(0);
}

const FIELDS = ['id', 'hunt', 'commandId', 'clue', 'guess', 'hint', 'after', 'team', 'displayName', 'definition',
  'title', 'text', 'hints', 'message', 'player', 'reason', 'kind', 'latitude', 'longitude', 'code', 'penalty'];

/** Maps that look like messages, so that random values reach the schemas and not only the decoder. */
const messageLike = fc.tuple(
  fc.constantFrom(...CLIENT_MESSAGE_TYPES),
  fc.dictionary(fc.constantFrom(...FIELDS), fc.oneof(fc.jsonValue(), fc.integer(), fc.double(), fc.string())),
).map(([type, fields]) => ({ ...fields, type }));

describe('parseClientMessage never throws', () => {
  it('on random bytes', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => wellFormed(parseClientMessage(bytes))), { numRuns: 10_000 });
  });

  it('on random msgpack values', () => {
    fc.assert(fc.property(fc.jsonValue(), (value) => wellFormed(parseClientMessage(encodeMessage(value)))), { numRuns: 2_000 });
  });

  it('on random message-like maps, echoing only valid ids', () => {
    fc.assert(
      fc.property(messageLike, (value) => {
        const result = parseClientMessage(encodeMessage(value));
        wellFormed(result);
        // Compared with ===, so an id sent as -0 (msgpack can carry it) counts as the 0 echoed back.
        if (!result.ok && result.id !== undefined) expect(result.id === (value as { id?: unknown }).id).toBe(true);
      }),
      { numRuns: 3_000 },
    );
  });

  it('on valid frames with bytes flipped or cut', () => {
    fc.assert(
      fc.property(message, fc.nat(), fc.integer({ min: 0, max: 255 }), (msg, at, byte) => {
        const bytes = encodeMessage(msg).slice();
        bytes[at % bytes.length] = byte;
        wellFormed(parseClientMessage(bytes));
        wellFormed(parseClientMessage(bytes.subarray(0, at % bytes.length)));
      }),
      { numRuns: 2_000 },
    );
  });
});

describe('round trip', () => {
  it('every valid message survives encode and parse unchanged', () => {
    fc.assert(
      fc.property(message, (msg) => {
        expect(parseClientMessage(encodeMessage(msg))).toEqual({ ok: true, message: msg });
      }),
      { numRuns: 3_000 },
    );
  });
});
