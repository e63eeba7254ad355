import { Packr } from 'msgpackr';
import { describe, expect, it } from 'vitest';
import { encodeMessage, ErrorCode, parseClientMessage, type ParseResult } from '../../protocol/index.js';
import { bytesOf, clientFrames } from './frames.js';

/** A valid message of each type (from the recorded frames), to break one field at a time. */
const valid = Object.fromEntries(clientFrames.map((f) => [(f.value as { type: string }).type, f.value as Record<string, unknown>]));
const base = (type: string): Record<string, unknown> => structuredClone(valid[type]!);
const parse = (value: unknown): ParseResult => parseClientMessage(encodeMessage(value));

function expectError(result: ParseResult, code: string, message: string | RegExp, id?: number): void {
  expect(result.ok).toBe(false);
  if (result.ok) return;
  expect(result.error.code).toBe(code);
  expect(result.error.retriable).toBe(false);
  expect(result.error.message).toMatch(message);
  expect(result.id).toBe(id);
}

const badRequest = (value: unknown, message: string | RegExp): void =>
  expectError(parse(value), ErrorCode.badRequest, message, (value as { id?: number }).id);
const accepted = (value: unknown): void => expect(parse(value)).toEqual({ ok: true, message: value });

describe('frames that are not one msgpack value: malformed-frame, no id', () => {
  const ping = '82 a474797065 a470696e67 a26964 01';
  it.each([
    ['an empty frame', ''],
    ['a truncated map', '82 a474797065'],
    ['a truncated string', '82 a474797065 a470696e'],
    ['trailing bytes', `${ping} 00`],
    ['two values', `${ping} ${ping}`],
    ['the never-used byte 0xc1', 'c1'],
    ['0xc1 inside a map', '82 a474797065 a470696e67 a26964 c1'],
    ['a timestamp extension', 'd6ff00000001'],
    ["msgpackr's record extension", 'd47200'],
    ['an ext 8 value', 'c7010500'],
    ['an integer map key', '81 01 02'],
    ['a map key that is a map', '81 80 02'],
    ['an array count larger than the frame', 'ddffffffff 01'],
    ['a string length larger than the frame', 'dbffffffff 61'],
    ['a binary length larger than the frame', 'c6ffffffff 61'],
    ['nesting deeper than 32', `${'91'.repeat(33)}01`],
  ])('%s', (_name, hex) => {
    expectError(parseClientMessage(bytesOf(hex)), ErrorCode.malformedFrame, /^not one msgpack value: /);
  });

  it('a record-encoded frame from a msgpackr with records on', () => {
    const bytes = new Packr({ useRecords: true }).pack({ type: 'ping', id: 1 });
    expectError(parseClientMessage(bytes), ErrorCode.malformedFrame, /extension/);
  });

  it('nesting up to 32 deep is still decoded (and then refused as not a map)', () => {
    expectError(parseClientMessage(bytesOf(`${'91'.repeat(32)}01`)), ErrorCode.unknownMessage, 'got an array');
  });
});

/**
 * `message` encoded, with the bytes of `placeholder` (ASCII, in some string of it) replaced by
 * `bytes` of the same length: a frame a client in another language might send.
 */
function withBytes(message: Record<string, unknown>, placeholder: string, bytes: string): Uint8Array {
  const frame = encodeMessage(message);
  const at = Buffer.from(frame).indexOf(placeholder);
  const replacement = bytesOf(bytes);
  expect(at).toBeGreaterThanOrEqual(0);
  expect(replacement.length).toBe(placeholder.length);
  frame.set(replacement, at);
  return frame;
}

describe('strings that are not well-formed UTF-8: malformed-frame, not repaired, in reply to the id', () => {
  const submit = (text: string) => ({ type: 'submit', id: 7, hunt: 'old-town', commandId: 'ada-1', clue: 'fountain', guess: { kind: 'answer', text } });
  it.each([
    ['a guess cut short ("Neptune" + e2 82)', submit('NeptuneXY'), 'XY', 'e282', 7],
    ['a guess with a stray continuation byte', submit('Nep_tune'), '_', '80', 7],
    ['a guess with an overlong "/"', submit('Nep__tune'), '__', 'c0af', 7],
    ['a guess with a surrogate (CESU-8)', submit('Nep___tune'), '___', 'eda080', 7],
    ['a display name with "é" cut short (c3, then "A")', { type: 'join', id: 8, hunt: 'old-town', commandId: 'ada-join', displayName: 'ZoXY' }, 'XY', 'c341', 8],
    ['a map key', { type: 'ping', id: 9, XYZ: 1 }, 'XYZ', 'e282ff', 9],
    ['a frame without an id', { type: 'ping', XYZ: 1 }, 'XYZ', 'e282ff', undefined],
  ])('%s', (_what, message, placeholder, bytes, id) => {
    expectError(parseClientMessage(withBytes(message, placeholder, bytes)), ErrorCode.malformedFrame, /not valid UTF-8 \(byte \d+ of the frame\)/, id);
  });

  it('a frame with bad UTF-8 and something else wrong after it is refused for that, without an id: it is never decoded', () => {
    const frame = withBytes({ type: 'ping', id: 9, n: 'XY', e: 'ZZZ' }, 'XY', 'e282');
    // 'ZZZ' (fixstr a3 5a 5a 5a) becomes a fixext 2 (d5 01 00 00), an extension type.
    const at = Buffer.from(frame).indexOf('ZZZ') - 1;
    frame.set(bytesOf('d5010000'), at);
    expectError(parseClientMessage(frame), ErrorCode.malformedFrame, /extension types are not used/);
  });

  it('the same frames with well-formed UTF-8 are read as sent', () => {
    expect(parseClientMessage(withBytes(submit('NeptuneXYZ'), 'XYZ', 'e282ac'))).toMatchObject({ ok: true, message: { guess: { text: 'Neptune€' } } });
    expect(parseClientMessage(withBytes(submit('Nep____tune'), '____', 'f09f8cb2'))).toMatchObject({ ok: true, message: { guess: { text: 'Nep🌲tune' } } });
  });
});

describe('values that are not a message: unknown-message', () => {
  it.each([
    ['nil', null, 'got nil'],
    ['an integer', 1, 'got an integer'],
    ['a float', 1.5, 'got a float'],
    ['a string', 'ping', 'got a string'],
    ['a boolean', true, 'got a boolean'],
    ['an array', [{ type: 'ping', id: 1 }], 'got an array'],
    ['binary', new Uint8Array([1, 2]), 'got binary'],
  ])('%s, without an id', (_name, value, message) => {
    expectError(parse(value), ErrorCode.unknownMessage, `a message must be a map, ${message}`);
  });

  it('a map without a type', () => {
    expectError(parse({ id: 5 }), ErrorCode.unknownMessage, 'a message needs a string type', 5);
  });

  it('a type that is not a string', () => {
    expectError(parse({ type: 1, id: 2 }), ErrorCode.unknownMessage, 'a message needs a string type', 2);
  });

  it.each(['pong', 'admin.spawnx', 'ADMIN.START', '__proto__', 'toString', 'constructor', ''])('unknown type %j, with the id', (type) => {
    expectError(parse({ type, id: 3 }), ErrorCode.unknownMessage, `unknown message type ${JSON.stringify(type)}`, 3);
  });

  it.each([-1, 1.5, 2 ** 32, '3', null])('gives no id back when the id %j is not valid', (id) => {
    expectError(parse({ type: 'pong', id }), ErrorCode.unknownMessage, /unknown message type/);
  });
});

describe('messages that break their schema: bad-request naming the field', () => {
  it('names nested paths: guess.latitude: must be at most 90', () => {
    const msg = { ...base('submit'), guess: { kind: 'location', latitude: 90.5, longitude: 0 } };
    badRequest(msg, /^guess\.latitude: must be at most 90$/);
  });

  describe('id', () => {
    it.each([
      ['a string', '1', 'id: must be a number, got a string'],
      ['negative', -1, 'id: must be at least 0'],
      ['above 2^32-1', 2 ** 32, 'id: must be at most 4294967295'],
      ['fractional', 1.5, 'id: must be an integer, got a float'],
      ['nil', null, 'id: must be a number, got nil'],
    ])('%s, with no id given back', (_name, id, message) => {
      expectError(parse({ type: 'ping', id }), ErrorCode.badRequest, message);
    });

    it('missing', () => expectError(parse({ type: 'ping' }), ErrorCode.badRequest, 'id: is required'));
    it('a uint64 beyond the range names one bound only', () => {
      expectError(parseClientMessage(bytesOf('82 a474797065 a470696e67 a26964 cfffffffffffffffff')), ErrorCode.badRequest, /^id: must be at most 4294967295$/);
    });
    it('an integral float64 is an integer', () => {
      expect(parseClientMessage(bytesOf('82 a474797065 a470696e67 a26964 cb3ff0000000000000'))).toEqual({ ok: true, message: { type: 'ping', id: 1 } });
    });
    it.each([0, 2 ** 32 - 1])('accepts %d', (id) => accepted({ type: 'ping', id }));
  });

  it('unknown fields, top-level and nested', () => {
    badRequest({ type: 'ping', id: 1, extra: true }, 'extra: unknown field');
    badRequest({ ...base('submit'), guess: { kind: 'answer', text: 'x', extra: 1 } }, 'guess.extra: unknown field');
    badRequest({ ...base('admin.edit-clue'), hints: [{ text: 'x', penalty: 0, colour: 'red' }] }, 'hints[0].colour: unknown field');
    badRequest({ ...base('resume'), commandId: 'c-1' }, 'commandId: unknown field');
  });

  it.each([
    ['join', 'hunt'], ['join', 'commandId'], ['submit', 'clue'], ['submit', 'guess'], ['hint', 'hint'],
    ['resume', 'after'], ['admin.spawn', 'definition'], ['admin.kick', 'reason'], ['admin.kick', 'player'],
    ['admin.announce', 'message'], ['admin.release-hint', 'clue'], ['admin.watch', 'hunt'], ['admin.edit-clue', 'clue'],
  ])('%s without %s', (type, field) => {
    const msg = base(type);
    delete msg[field];
    badRequest(msg, `${field}: is required`);
  });

  it('optional fields may be left out, but not sent as nil', () => {
    accepted({ type: 'join', id: 1, hunt: 'h', commandId: 'c' });
    accepted({ type: 'admin.edit-clue', id: 1, hunt: 'h', commandId: 'c', clue: 'a' });
    badRequest({ ...base('join'), team: null }, 'team: must be a string, got nil');
  });

  it('wrong types', () => {
    badRequest({ ...base('join'), hunt: 7 }, 'hunt: must be a string, got an integer');
    badRequest({ ...base('submit'), guess: 'Neptune' }, 'guess: must be a map, got a string');
    badRequest({ ...base('submit'), guess: { kind: 'location', latitude: '48', longitude: 2 } }, 'guess.latitude: must be a number, got a string');
    badRequest({ ...base('admin.edit-clue'), hints: { text: 'x' } }, 'hints: must be an array, got a map');
    badRequest({ ...base('admin.spawn'), definition: new Uint8Array([1]) }, 'definition: must be a string, got binary');
  });

  it.each([
    ['hunt', ['old-town', 'A', '0.9:x@y_z-w', 'a'.repeat(128)], ['', '-old', '.x', 'a'.repeat(129), 'old town', 'ö']],
    ['commandId', ['c', 'a'.repeat(64), 'A.b:c-d_e'], ['', 'a'.repeat(65), 'a/b', 'a@b', 'a b']],
  ])('%s: accepted and refused', (field, good, bad) => {
    for (const value of good) accepted({ ...base('leave'), [field]: value });
    for (const value of bad) badRequest({ ...base('leave'), [field]: value }, new RegExp(`^${field}: must (match|not be empty)`));
  });

  it('player ids follow the entity id rule', () => {
    accepted({ ...base('admin.kick'), player: 'ada@example.org' });
    badRequest({ ...base('admin.kick'), player: '@ada' }, /^player: must match/);
    badRequest({ ...base('admin.kick'), player: 'a'.repeat(129) }, /^player: must match/);
  });

  it('clue ids: lower case, digits, _ and -', () => {
    for (const clue of ['fountain', '0', 'a_b-c', 'a'.repeat(64)]) accepted({ ...base('hint'), clue });
    for (const clue of ['Fountain', '-x', '_x', 'a'.repeat(65), 'a.b', '']) badRequest({ ...base('hint'), clue }, /^clue: must match/);
  });

  it('hint numbers: integers 0..99', () => {
    for (const hint of [0, 99]) accepted({ ...base('hint'), hint });
    badRequest({ ...base('hint'), hint: -1 }, 'hint: must be at least 0');
    badRequest({ ...base('admin.release-hint'), hint: 100 }, 'hint: must be at most 99');
    badRequest({ ...base('hint'), hint: 0.5 }, 'hint: must be an integer');
  });

  it.each([
    ['join', 'team', 40],
    ['join', 'displayName', 40],
    ['admin.announce', 'message', 500],
    ['admin.kick', 'reason', 200],
    ['admin.edit-clue', 'title', 120],
    ['admin.edit-clue', 'text', 4000],
  ])('%s %s: 1..%d characters', (type, field, max) => {
    accepted({ ...base(type), [field]: 'x' });
    accepted({ ...base(type), [field]: 'x'.repeat(max) });
    badRequest({ ...base(type), [field]: '' }, `${field}: must not be empty`);
    badRequest({ ...base(type), [field]: 'x'.repeat(max + 1) }, `${field}: must be at most ${max} characters`);
  });

  it('counts lengths in UTF-16 code units', () => {
    accepted({ ...base('join'), displayName: '🦉'.repeat(20) });
    badRequest({ ...base('join'), displayName: '🦉'.repeat(20) + 'x' }, 'displayName: must be at most 40 characters');
  });

  it('guesses: kind, text and code 1..500', () => {
    for (const guess of [{ kind: 'answer', text: 'x'.repeat(500) }, { kind: 'code', code: 'x' }]) accepted({ ...base('submit'), guess });
    badRequest({ ...base('submit'), guess: { kind: 'answer', text: 'x'.repeat(501) } }, 'guess.text: must be at most 500 characters');
    badRequest({ ...base('submit'), guess: { kind: 'code', code: '' } }, 'guess.code: must not be empty');
    badRequest({ ...base('submit'), guess: { kind: 'photo' } }, 'guess.kind: must be one of "answer", "location", "code"');
    badRequest({ ...base('submit'), guess: { text: 'x' } }, 'guess.kind: is required');
    badRequest({ ...base('submit'), guess: { kind: 'answer', code: 'x' } }, /guess\.text: is required; guess\.code: unknown field/);
  });

  it('locations: finite, latitude -90..90, longitude -180..180', () => {
    const at = (latitude: unknown, longitude: unknown) => ({ ...base('submit'), guess: { kind: 'location', latitude, longitude } });
    for (const [lat, lon] of [[90, 180], [-90, -180], [0, 0], [12.5, -0.25]]) accepted(at(lat, lon));
    badRequest(at(-90.0001, 0), 'guess.latitude: must be at least -90');
    badRequest(at(0, 180.5), 'guess.longitude: must be at most 180');
    badRequest(at(0, -181), 'guess.longitude: must be at least -180');
    badRequest(at(Number.NaN, 0), 'guess.latitude: must be a number, got NaN');
    badRequest(at(0, Number.POSITIVE_INFINITY), 'guess.longitude: must be a number, got Infinity');
    badRequest({ ...base('submit'), guess: { kind: 'location', latitude: 1 } }, 'guess.longitude: is required');
  });

  it('resume after: an integer >= 0', () => {
    accepted({ ...base('resume'), after: 0 });
    accepted({ ...base('resume'), after: 1767225600000 });
    badRequest({ ...base('resume'), after: -1 }, 'after: must be at least 0');
    badRequest({ ...base('resume'), after: 2.5 }, 'after: must be an integer');
  });

  it('edited hints: at most 10, text 1..1000, penalty 0..100000, autoReleaseAfterSeconds >= 1', () => {
    const hint = { text: 'x', penalty: 0 };
    const edit = (hints: unknown) => ({ ...base('admin.edit-clue'), hints });
    accepted(edit([]));
    accepted(edit(Array.from({ length: 10 }, () => ({ text: 'x'.repeat(1000), penalty: 100_000, autoReleaseAfterSeconds: 1 }))));
    badRequest(edit(Array.from({ length: 11 }, () => hint)), 'hints: must have at most 10 items');
    badRequest(edit([{ ...hint, text: 'x'.repeat(1001) }]), 'hints[0].text: must be at most 1000 characters');
    badRequest(edit([hint, { ...hint, text: '' }]), 'hints[1].text: must not be empty');
    badRequest(edit([{ ...hint, penalty: -1 }]), 'hints[0].penalty: must be at least 0');
    badRequest(edit([{ ...hint, penalty: 100_001 }]), 'hints[0].penalty: must be at most 100000');
    badRequest(edit([{ ...hint, penalty: 1.5 }]), 'hints[0].penalty: must be an integer');
    badRequest(edit([{ ...hint, autoReleaseAfterSeconds: 0 }]), 'hints[0].autoReleaseAfterSeconds: must be at least 1');
    badRequest(edit([{ text: 'x' }]), 'hints[0].penalty: is required');
  });

  it('definitions: up to 256 KiB of UTF-8', () => {
    accepted({ ...base('admin.spawn'), definition: 'x'.repeat(256 * 1024) });
    accepted({ ...base('admin.spawn'), definition: 'é'.repeat(128 * 1024) });
    badRequest({ ...base('admin.spawn'), definition: 'x'.repeat(256 * 1024 + 1) }, 'definition: must be at most 262144 bytes of UTF-8');
    badRequest({ ...base('admin.spawn'), definition: 'é'.repeat(128 * 1024) + 'x' }, 'definition: must be at most 262144 bytes');
  });

  it('lists at most five problems', () => {
    const msg = { type: 'ping', id: 1, a: 1, b: 2, c: 3, d: 4, e: 5, f: 6, g: 7 };
    badRequest(msg, /^a: unknown field; b: .*; e: unknown field \(and 2 more\)$/);
  });

  it('keeps over-long field names short in the message', () => {
    const result = parse({ type: 'ping', id: 1, ['k'.repeat(10_000)]: 1 });
    expect(result.ok ? '' : result.error.message.length).toBeLessThan(100);
  });
});
