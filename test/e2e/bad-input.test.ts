import { SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeMessage } from '../../protocol/codec.js';
import type { ClientMessageType } from '../../protocol/client-messages.js';
import { CLIENT_MESSAGE_TYPES, roleOf } from '../../protocol/schemas.js';
import type { ErrorBody, ErrorMessage } from '../../protocol/server-messages.js';
import { FOUR_CLUES, fourClueHunt } from './hunts.js';
import { RawClient, type Outgoing } from './raw-client.js';
import { connectClient, httpGet, sleep } from './sdk-client.js';
import { disposeServer, startServerProcess, TEST_SECRET, tokenFor, type ServerProcess } from './server-process.js';

/**
 * Hostile and broken input over raw WebSockets (no SDK to smooth things over), against a real
 * server process with its default limits. Afterwards the server must serve everyone else as
 * before, and the hunt used must be exactly as it was.
 */

let server: ServerProcess;
const sockets: RawClient[] = [];
const HUNT = 'bad';
let baseline: unknown;

async function open(subject: string, role: 'player' | 'designer' = 'player'): Promise<RawClient> {
  const socket = await RawClient.connect(server.wsUrl, await tokenFor(subject, role));
  sockets.push(socket);
  return socket;
}

async function status(hunt = HUNT): Promise<unknown> {
  const designer = await open('bad-auditor', 'designer');
  const result = await designer.ok({ type: 'admin.status', hunt });
  await designer.close();
  return result.summary;
}

/** Sends raw bytes and returns the error frame they caused (there must be one, with no id to reply to). */
async function errorFrameFor(socket: RawClient, bytes: Uint8Array | string): Promise<ErrorMessage> {
  const from = socket.frames.length;
  socket.sendRaw(bytes);
  return socket.waitFor((m): m is ErrorMessage => m.type === 'error', { from });
}

/** Sends raw bytes that carry request `id` and returns the error reply they got. */
async function errorReplyFor(socket: RawClient, bytes: Uint8Array, id: number): Promise<ErrorBody> {
  const from = socket.frames.length;
  socket.sendRaw(bytes);
  const reply = await socket.waitFor((m) => m.type === 'reply' && m.id === id, { from });
  if (reply.type !== 'reply' || reply.ok) throw new Error(`expected an error reply, got ${JSON.stringify(reply)}`);
  return reply.error;
}

const hex = (s: string) => Uint8Array.from(Buffer.from(s.replace(/\s+/g, ''), 'hex'));

beforeAll(async () => {
  server = await startServerProcess();
  const designer = await open('bad-dee', 'designer');
  await designer.ok({ type: 'admin.spawn', hunt: HUNT, commandId: 'bad-spawn', definition: fourClueHunt() });
  await designer.ok({ type: 'admin.start', hunt: HUNT, commandId: 'bad-start' });
  const pat = await open('pat');
  await pat.ok({ type: 'join', hunt: HUNT, commandId: 'pat-join' });
  await pat.ok({ type: 'submit', hunt: HUNT, commandId: 'pat-1', clue: 'c1', guess: { kind: 'answer', text: 'granite' } });
  baseline = await status();
});

afterAll(async () => {
  for (const socket of sockets) socket.terminate();
  await disposeServer(server);
});

describe('frames that are not one msgpack map', () => {
  it('malformed msgpack is answered with an error frame malformed-frame, and the connection stays usable', async () => {
    const socket = await open('mal');
    const malformed: Record<string, Uint8Array> = {
      'the never-used byte 0xc1': hex('c1'),
      'a truncated map': hex('82 a474797065 a470'),
      'a truncated str32 length': hex('db 0000'),
      'a value followed by trailing bytes': hex('82 a474797065 a470696e67 a26964 01 00'),
      'two values': hex('81 a474797065 a470696e67 81 a474797065 a470696e67'),
      'an extension type (fixext 1)': hex('d4 01 00'),
      'the timestamp extension': hex('d6 ff 00000001'),
      'an empty frame': new Uint8Array(0),
      'a map with an integer key': hex('81 01 02'),
      'an array count larger than the frame': hex('dd ffffffff 01'),
      'arrays nested 40 deep': new Uint8Array([...Array(40).fill(0x91), 0x01]),
    };
    for (const [what, bytes] of Object.entries(malformed)) {
      const frame = await errorFrameFor(socket, bytes);
      expect(frame.error, what).toMatchObject({ code: 'malformed-frame', retriable: false });
      expect(frame.error.message.length, what).toBeGreaterThan(0);
    }
    await socket.sync();
    expect(socket.isOpen).toBe(true);
  });

  it('a text frame is answered with malformed-frame, and the connection stays usable', async () => {
    const socket = await open('texter');
    const frame = await errorFrameFor(socket, JSON.stringify({ type: 'ping', id: 1 }));
    expect(frame.error).toMatchObject({ code: 'malformed-frame', retriable: false });
    await socket.sync();
  });

  it('a frame that is msgpack but not a map with a string type is answered with unknown-message', async () => {
    const socket = await open('nomap');
    for (const value of [[1, 2, 3], 'ping', 42, null, { id: 1, type: 7 }]) {
      const id = typeof value === 'object' && value !== null && !Array.isArray(value) ? value.id : undefined;
      if (id === undefined) {
        expect((await errorFrameFor(socket, encodeMessage(value))).error.code, JSON.stringify(value)).toBe('unknown-message');
      } else {
        expect(await socket.fails(value as Outgoing)).toMatchObject({ code: 'unknown-message', retriable: false });
      }
    }
  });
});

describe('messages that do not fit the protocol', () => {
  it('wrong field types, missing and unknown fields get a bad-request reply naming the field', async () => {
    const player = await open('typo');
    const designer = await open('typo-dee', 'designer');
    const submit = { type: 'submit', hunt: HUNT, commandId: 'typo-1', clue: 'c2', guess: { kind: 'location', latitude: 51.5, longitude: -0.12 } };
    const cases: [RawClient, Outgoing, RegExp][] = [
      [player, { ...submit, hunt: 5 }, /^hunt: must be a string, got an integer/],
      [player, { ...submit, guess: { kind: 'location', latitude: 'north', longitude: -0.12 } }, /guess\.latitude: must be a number, got a string/],
      [player, { ...submit, guess: { kind: 'location', latitude: 91, longitude: -0.12 } }, /guess\.latitude: must be at most 90/],
      [player, { ...submit, guess: { kind: 'answer', text: '' } }, /guess\.text: must not be empty/],
      [player, { ...submit, guess: { kind: 'riddle', text: 'x' } }, /guess\.kind/],
      [player, { ...submit, commandId: 'has spaces' }, /commandId: must match/],
      [player, { ...submit, clue: 'Not A Clue Id' }, /clue: must match/],
      [player, { ...submit, cheat: true }, /cheat: unknown field/],
      [player, { type: 'submit', hunt: HUNT, commandId: 'typo-2', guess: submit.guess }, /clue: is required/],
      [player, { type: 'join', hunt: HUNT, commandId: 'typo-3', team: null }, /team: must be a string, got nil/],
      [player, { type: 'hint', hunt: HUNT, commandId: 'typo-4', clue: 'c2', hint: -1 }, /hint: must be at least 0/],
      [player, { type: 'hint', hunt: HUNT, commandId: 'typo-5', clue: 'c2', hint: 1.5 }, /hint: must be an integer/],
      [player, { type: 'resume', hunt: HUNT, after: 'latest' }, /after: must be .*got a string/],
      [designer, { type: 'admin.announce', hunt: HUNT, commandId: 'typo-6', message: 'x'.repeat(501) }, /message: must be at most 500 characters/],
      [designer, { type: 'admin.edit-clue', hunt: HUNT, commandId: 'typo-7', clue: 'c2', hints: [{ text: '', penalty: 1 }] }, /hints\[0\]\.text: must not be empty/],
      [designer, { type: 'admin.kick', hunt: HUNT, commandId: 'typo-8', player: 'pat' }, /reason: is required/],
    ];
    for (const [socket, message, pattern] of cases) {
      const id = socket.id();
      const reply = await socket.request({ ...message, id });
      expect(reply, JSON.stringify(message)).toMatchObject({ type: 'reply', id, ok: false, error: { code: 'bad-request', retriable: false } });
      expect(reply.ok ? '' : reply.error.message, JSON.stringify(message)).toMatch(pattern);
    }
    // Without a valid id there is nothing to reply to: an error frame instead.
    for (const id of [undefined, -1, 2 ** 32, 'seven', 1.5]) {
      const frame = await errorFrameFor(player, encodeMessage({ type: 'ping', ...(id === undefined ? {} : { id }) }));
      expect(frame.error.code, String(id)).toBe('bad-request');
      expect(frame.error.message, String(id)).toMatch(/^id: /);
    }
  });

  it('an unknown message type gets unknown-message', async () => {
    const socket = await open('unknown');
    expect(await socket.fails({ type: 'teleport', hunt: HUNT })).toMatchObject({ code: 'unknown-message', retriable: false });
    expect(await socket.fails({ type: 'admin.delete-everything', hunt: HUNT })).toMatchObject({ code: 'unknown-message' });
    expect(await socket.fails({ type: '__proto__' })).toMatchObject({ code: 'unknown-message' });
    expect((await errorFrameFor(socket, encodeMessage({ type: 'teleport' }))).error.code).toBe('unknown-message');
  });

  it('a frame larger than 64 KiB closes the connection with 1009; one of exactly 64 KiB is still read', async () => {
    const socket = await open('big');
    // {"type":"ping","id":1,"pad":"x…"} padded to exactly 65536 bytes: answered (pad is an unknown field).
    const overhead = encodeMessage({ type: 'ping', id: 1, pad: 'x'.repeat(1000) }).length - 1000; // with a str16 header
    const pad = 65_536 - overhead;
    const exact = encodeMessage({ type: 'ping', id: 1, pad: 'x'.repeat(pad) });
    expect(exact.length).toBe(65_536);
    socket.sendRaw(exact);
    expect(await socket.waitFor((m) => m.type === 'reply' && m.id === 1)).toMatchObject({ ok: false, error: { code: 'bad-request' } });

    socket.send({ type: 'ping', id: 2, pad: 'x'.repeat(70 * 1024) });
    const closed = await socket.waitClosed();
    expect(closed.code).toBe(1009);
  });

  it('a hunt that does not exist is hunt-not-found, for players and staff alike', async () => {
    const player = await open('lost');
    const designer = await open('lost-dee', 'designer');
    const hunt = 'no-such-hunt';
    for (const [socket, message] of [
      [player, { type: 'join', hunt, commandId: 'lost-1' }],
      [player, { type: 'submit', hunt, commandId: 'lost-2', clue: 'c1', guess: { kind: 'answer', text: 'x' } }],
      [player, { type: 'hint', hunt, commandId: 'lost-3', clue: 'c1', hint: 0 }],
      [player, { type: 'resume', hunt, after: 0 }],
      [designer, { type: 'admin.status', hunt }],
      [designer, { type: 'admin.watch', hunt }],
      [designer, { type: 'admin.start', hunt, commandId: 'lost-4' }],
      [designer, { type: 'admin.announce', hunt, commandId: 'lost-5', message: 'hello?' }],
    ] as const) {
      expect(await socket.fails(message), message.type).toMatchObject({ code: 'hunt-not-found', retriable: false });
    }
  });
});

describe('authentication', () => {
  const claims = { role: 'player' } as const;
  const key = (secret: string) => new TextEncoder().encode(secret);
  const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const now = () => Math.floor(Date.now() / 1000);

  /** Opens a socket with `token` and returns how the server closed it, and whether it said welcome first. */
  async function refused(token: string | undefined, headers?: Record<string, string>) {
    const socket = await RawClient.open(server.wsUrl, token, headers ? { headers } : {});
    sockets.push(socket);
    const closed = await socket.waitClosed();
    return { ...closed, welcomed: socket.messages.some((m) => m.type === 'welcome') };
  }

  it('an expired token, a forged token, a missing token and other bad tokens are closed with 4001 and a reason', async () => {
    const expired = await tokenFor('old-timer', 'player', undefined, -60);
    const forged = await new SignJWT(claims).setProtectedHeader({ alg: 'HS256' }).setSubject('mallory').setExpirationTime(now() + 3600).sign(key('not-the-server-secret-at-all'));
    const hs512 = await new SignJWT(claims).setProtectedHeader({ alg: 'HS512' }).setSubject('mallory').setExpirationTime(now() + 3600).sign(key(TEST_SECRET));
    const unsigned = `${b64({ alg: 'none', typ: 'JWT' })}.${b64({ sub: 'mallory', role: 'designer', exp: now() + 3600 })}.`;
    const noExpiry = await new SignJWT(claims).setProtectedHeader({ alg: 'HS256' }).setSubject('mallory').sign(key(TEST_SECRET));
    const badRole = await new SignJWT({ role: 'admin' }).setProtectedHeader({ alg: 'HS256' }).setSubject('mallory').setExpirationTime(now() + 3600).sign(key(TEST_SECRET));
    const badSubject = await new SignJWT(claims).setProtectedHeader({ alg: 'HS256' }).setSubject('../etc/passwd').setExpirationTime(now() + 3600).sign(key(TEST_SECRET));

    const cases: [string, string | undefined, RegExp][] = [
      ['expired', expired, /expired/],
      ['forged', forged, /invalid token/],
      ['missing', undefined, /missing token/],
      ['garbage', 'not.a.jwt', /invalid token/],
      ['HS512', hs512, /invalid token/],
      ['alg none', unsigned, /invalid token/],
      ['without exp', noExpiry, /invalid token/],
      ['unknown role', badRole, /role/],
      ['bad subject', badSubject, /subject/],
    ];
    const outcomes = await Promise.all(cases.map(([, token]) => refused(token)));
    cases.forEach(([what, , reason], i) => {
      expect(outcomes[i], what).toMatchObject({ code: 4001, welcomed: false });
      expect(outcomes[i]!.reason, what).toMatch(reason);
    });
  });

  it('a bearer header is used when present and wins over the query parameter', async () => {
    const good = await tokenFor('header-user');
    const viaHeader = await RawClient.open(server.wsUrl, 'not.a.jwt', { headers: { authorization: `Bearer ${good}` } });
    sockets.push(viaHeader);
    expect(await viaHeader.welcome()).toMatchObject({ subject: 'header-user', role: 'player' });
    expect(await refused(good, { authorization: 'Bearer not.a.jwt' })).toMatchObject({ code: 4001, welcomed: false });
  });
});

describe('roles', () => {
  /** A valid message of each type: only the role may be wrong. */
  const valid: Record<ClientMessageType, Outgoing> = {
    ping: { type: 'ping' },
    join: { type: 'join', hunt: HUNT, commandId: 'role-join' },
    submit: { type: 'submit', hunt: HUNT, commandId: 'role-submit', clue: 'c1', guess: { kind: 'answer', text: 'granite' } },
    hint: { type: 'hint', hunt: HUNT, commandId: 'role-hint', clue: 'c1', hint: 0 },
    leave: { type: 'leave', hunt: HUNT, commandId: 'role-leave' },
    resume: { type: 'resume', hunt: HUNT, after: 0 },
    'admin.spawn': { type: 'admin.spawn', hunt: 'bad-by-player', commandId: 'role-spawn', definition: fourClueHunt() },
    'admin.start': { type: 'admin.start', hunt: HUNT, commandId: 'role-start' },
    'admin.pause': { type: 'admin.pause', hunt: HUNT, commandId: 'role-pause' },
    'admin.resume': { type: 'admin.resume', hunt: HUNT, commandId: 'role-resume' },
    'admin.end': { type: 'admin.end', hunt: HUNT, commandId: 'role-end' },
    'admin.edit-clue': { type: 'admin.edit-clue', hunt: HUNT, commandId: 'role-edit', clue: 'c1', text: 'Pwned' },
    'admin.release-hint': { type: 'admin.release-hint', hunt: HUNT, commandId: 'role-release', clue: 'c1', hint: 1 },
    'admin.announce': { type: 'admin.announce', hunt: HUNT, commandId: 'role-announce', message: 'free points!' },
    'admin.kick': { type: 'admin.kick', hunt: HUNT, commandId: 'role-kick', player: 'pat', reason: 'because' },
    'admin.status': { type: 'admin.status', hunt: HUNT },
    'admin.watch': { type: 'admin.watch', hunt: HUNT },
    'shards.map': { type: 'shards.map' },
    'shards.pin': { type: 'shards.pin', shard: 0, node: 'node-1' },
    'shards.unpin': { type: 'shards.unpin', shard: 0 },
    'shards.drain': { type: 'shards.drain', node: 'node-1' },
    'shards.undrain': { type: 'shards.undrain', node: 'node-1' },
  };

  it('a player sending every admin.* and shards.* message gets forbidden for each, and staff sending player and operator messages too', async () => {
    expect(Object.keys(valid).sort()).toEqual([...CLIENT_MESSAGE_TYPES].sort());
    const player = await open('pat'); // in the hunt: only the role stands in the way
    const designer = await open('role-dee', 'designer');
    const adminTypes = CLIENT_MESSAGE_TYPES.filter((t) => t.startsWith('admin.') || t.startsWith('shards.'));
    expect(adminTypes).toHaveLength(16);
    for (const type of adminTypes) {
      expect(await player.fails(valid[type]), type).toMatchObject({ code: 'forbidden', retriable: false });
    }
    for (const type of CLIENT_MESSAGE_TYPES.filter((t) => !roleOf(t).includes('designer'))) {
      expect(await designer.fails(valid[type]), type).toMatchObject({ code: 'forbidden', retriable: false });
    }
    // Forbidden requests are not invalid frames: the player is still connected and was sent no update.
    await player.sync();
    expect(player.updates).toEqual([]);
    expect(await designer.fails({ type: 'admin.status', hunt: 'bad-by-player' })).toMatchObject({ code: 'hunt-not-found' });
  });
});

/**
 * `message` encoded, with the bytes of `placeholder` (ASCII, in one of its strings) replaced by
 * `bytes` (hex) of the same length: what a client in another language might send.
 */
function frameWithBytes(message: Outgoing, placeholder: string, bytes: string): Uint8Array {
  const frame = encodeMessage(message);
  const at = Buffer.from(frame).indexOf(placeholder);
  const replacement = hex(bytes);
  if (at < 0 || replacement.length !== placeholder.length) throw new Error(`cannot put ${bytes} in place of ${placeholder}`);
  frame.set(replacement, at);
  return frame;
}

describe('text a person types: guesses follow the same rules as every other text', () => {
  const TEXT_HUNT = 'bad-text';

  beforeAll(async () => {
    const designer = await open('text-dee', 'designer');
    await designer.ok({ type: 'admin.spawn', hunt: TEXT_HUNT, commandId: 'text-spawn', definition: fourClueHunt() });
    await designer.ok({ type: 'admin.start', hunt: TEXT_HUNT, commandId: 'text-start' });
  });

  it('a guess with a control character is refused with invalid-input and changes nothing: no penalty, no attempt used, no update', async () => {
    const tess = await open('tess');
    await tess.ok({ type: 'join', hunt: TEXT_HUNT, commandId: 'tess-join' });
    await tess.sync();
    const updatesBefore = tess.updates.length;
    const right = FOUR_CLUES.answers.c1;
    for (const [n, text] of [`gran\u0000ite`, `${right}\u0007`, `gra\tnite`, `\u001b[31m${right}`].entries()) {
      const error = await tess.fails({ type: 'submit', hunt: TEXT_HUNT, commandId: `tess-ctl-${n}`, clue: 'c1', guess: { kind: 'answer', text } });
      expect(error, JSON.stringify(text)).toMatchObject({ code: 'invalid-input', retriable: false });
      expect(error.message, JSON.stringify(text)).toMatch(/control characters/);
      expect(error).not.toHaveProperty('retryAfterMs');
    }
    await tess.sync();
    expect(tess.updates).toHaveLength(updatesBefore);
    // The refused guesses left no trace: the first wrong guess is still the first of ten.
    const wrong = await tess.ok({ type: 'submit', hunt: TEXT_HUNT, commandId: 'tess-wrong', clue: 'c1', guess: { kind: 'answer', text: 'marble' } });
    expect(wrong).toMatchObject({ correct: false, points: -5, attemptsLeft: 9 });
  });

  it('a guess whose UTF-8 is cut short ("granite" + e2 82) is refused as malformed-frame in its reply, not judged as the right answer', async () => {
    const ursa = await open('ursa');
    await ursa.ok({ type: 'join', hunt: TEXT_HUNT, commandId: 'ursa-join' });
    await ursa.sync();
    const updatesBefore = ursa.updates.length;
    const submit = { type: 'submit', hunt: TEXT_HUNT, commandId: 'ursa-1', clue: 'c1', id: ursa.id(), guess: { kind: 'answer', text: 'graniteXY' } };
    const error = await errorReplyFor(ursa, frameWithBytes(submit, 'XY', 'e282'), submit.id);
    expect(error).toMatchObject({ code: 'malformed-frame', retriable: false });
    expect(error.message).toMatch(/not valid UTF-8/);
    await ursa.sync();
    expect(ursa.updates).toHaveLength(updatesBefore);
    expect(ursa.messages.filter((m) => m.type === 'reply' && m.id === submit.id)).toHaveLength(1);
    // Nothing was stored under that commandId: sent properly, the same command is judged now.
    expect(await ursa.ok({ ...submit, id: ursa.id(), guess: { kind: 'answer', text: FOUR_CLUES.answers.c1 } })).toMatchObject({ correct: true, points: 100, duplicate: false });
  });

  it('a display name whose UTF-8 is broken is refused as malformed-frame: the join did not happen', async () => {
    const vic = await open('vic');
    const join = { type: 'join', hunt: TEXT_HUNT, commandId: 'vic-join', displayName: 'VicXY' };
    for (const bytes of ['c341', 'eda0']) {
      const id = vic.id();
      const error = await errorReplyFor(vic, frameWithBytes({ ...join, id }, 'XY', bytes), id);
      expect(error, bytes).toMatchObject({ code: 'malformed-frame', retriable: false });
    }
    expect(await vic.fails({ type: 'resume', hunt: TEXT_HUNT, after: 0 })).toMatchObject({ code: 'not-joined' });
    const joined = await vic.ok({ ...join, id: vic.id(), displayName: 'Vic' });
    expect(joined.view).toMatchObject({ you: { playerId: 'vic', displayName: 'Vic' } });
  });
});

describe('minimum time between guesses on a clue', () => {
  it('a guess too soon is too-fast, retriable, with retryAfterMs; the same commandId is judged once that has passed', async () => {
    const designer = await open('fast-dee', 'designer');
    const definition = fourClueHunt({ guessing: { minSecondsBetweenGuesses: 1 } });
    await designer.ok({ type: 'admin.spawn', hunt: 'bad-fast', commandId: 'fast-spawn', definition });
    await designer.ok({ type: 'admin.start', hunt: 'bad-fast', commandId: 'fast-start' });
    const walt = await open('walt');
    await walt.ok({ type: 'join', hunt: 'bad-fast', commandId: 'walt-join' });
    const guess = (commandId: string, text: string) => ({ type: 'submit', hunt: 'bad-fast', commandId, clue: 'c1', guess: { kind: 'answer', text } });
    const judgedAt = Date.now();
    await walt.ok(guess('walt-1', 'marble'));
    const error = await walt.fails(guess('walt-2', FOUR_CLUES.answers.c1));
    const askedAt = Date.now();
    expect(error).toMatchObject({ code: 'too-fast', retriable: true });
    // At most the whole second, and no less than what is left of it as seen from here.
    expect(error.retryAfterMs).toBeGreaterThan(0);
    expect(error.retryAfterMs).toBeLessThanOrEqual(1000);
    expect(error.retryAfterMs).toBeGreaterThanOrEqual(1000 - (askedAt - judgedAt) - 50);
    expect(Number.isInteger(error.retryAfterMs)).toBe(true);
    await sleep(error.retryAfterMs! + 20);
    expect(await walt.ok(guess('walt-2', FOUR_CLUES.answers.c1))).toMatchObject({ correct: true, duplicate: false });
  });

  it('the SDK waits out a too-fast by itself and retries the guess with the same commandId', async () => {
    const designer = await open('fast-sdk-dee', 'designer');
    const definition = fourClueHunt({ guessing: { minSecondsBetweenGuesses: 1 } });
    await designer.ok({ type: 'admin.spawn', hunt: 'bad-fast-sdk', commandId: 'fast-sdk-spawn', definition });
    await designer.ok({ type: 'admin.start', hunt: 'bad-fast-sdk', commandId: 'fast-sdk-start' });
    const xena = await connectClient(server.wsUrl, 'xena');
    try {
      await xena.client.join('bad-fast-sdk');
      await xena.client.submit('bad-fast-sdk', 'c1', { kind: 'answer', text: 'marble' });
      const started = Date.now();
      const solved = await xena.client.submit('bad-fast-sdk', 'c1', { kind: 'answer', text: FOUR_CLUES.answers.c1 });
      expect(solved).toMatchObject({ correct: true, duplicate: false });
      expect(Date.now() - started).toBeGreaterThanOrEqual(500);
      // The client saw exactly one refusal on the way, and did not pass it on.
      const refusals = xena.frames.filter((f) => f.message.type === 'reply' && !f.message.ok).map((f) => f.message);
      expect(refusals).toMatchObject([{ error: { code: 'too-fast', retriable: true } }]);
    } finally {
      await xena.close();
    }
  });
});

describe('guess rate limit (defaults: 2 per second, bursts of 5)', () => {
  it('the sixth guess in a burst is rate-limited with retryAfterMs, and the same commandId succeeds after waiting', async () => {
    const designer = await open('rate-dee', 'designer');
    await designer.ok({ type: 'admin.spawn', hunt: 'bad-rate', commandId: 'rate-spawn', definition: fourClueHunt() });
    await designer.ok({ type: 'admin.start', hunt: 'bad-rate', commandId: 'rate-start' });
    const rita = await open('rita');
    await rita.ok({ type: 'join', hunt: 'bad-rate', commandId: 'rita-join' });
    const guess = (n: number) => ({ type: 'submit', hunt: 'bad-rate', commandId: `rita-${n}`, clue: 'c1', guess: { kind: 'answer', text: `guess ${n}` } });
    const replies = await Promise.all([1, 2, 3, 4, 5, 6].map((n) => rita.request(guess(n))));
    expect(replies.slice(0, 5).map((r) => r.ok)).toEqual([true, true, true, true, true]);
    const limited = replies[5]!;
    expect(limited).toMatchObject({ ok: false, error: { code: 'rate-limited', retriable: true } });
    const waitMs = limited.ok ? 0 : limited.error.retryAfterMs!;
    expect(waitMs).toBeGreaterThan(0);
    expect(waitMs).toBeLessThanOrEqual(500);
    await sleep(waitMs + 20);
    expect(await rita.request(guess(6))).toMatchObject({ ok: true, result: { correct: false, duplicate: false } });
  });
});

describe('commandId reuse', () => {
  it('a commandId reused for a different kind of request is refused as a client error: not answered as an internal error, nor as a success', async () => {
    const designer = await open('reuse-dee', 'designer');
    await designer.ok({ type: 'admin.spawn', hunt: 'bad-reuse', commandId: 'reuse-spawn', definition: fourClueHunt() });
    await designer.ok({ type: 'admin.start', hunt: 'bad-reuse', commandId: 'reuse-start' });
    const rex = await open('reuse-rex');
    await rex.ok({ type: 'join', hunt: 'bad-reuse', commandId: 'rex-join' });
    await rex.ok({ type: 'hint', hunt: 'bad-reuse', commandId: 'rex-1', clue: 'c1', hint: 0 });

    // A submit that reuses the hint's commandId.
    const submit = await rex.request({ type: 'submit', hunt: 'bad-reuse', commandId: 'rex-1', clue: 'c1', guess: { kind: 'answer', text: 'granite' } });
    expect.soft(submit.ok, 'submit reusing a hint commandId').toBe(false);
    expect.soft(submit.ok ? undefined : submit.error.code, 'submit reusing a hint commandId').not.toBe('internal');

    // A join that reuses the commandId of the player's leave: the player is not in the hunt afterwards.
    await rex.ok({ type: 'leave', hunt: 'bad-reuse', commandId: 'rex-2' });
    const join = await rex.request({ type: 'join', hunt: 'bad-reuse', commandId: 'rex-2' });
    const { summary } = (await designer.ok({ type: 'admin.status', hunt: 'bad-reuse' })) as { summary: { players: number } };
    expect.soft({ ok: join.ok, players: summary.players }, 'join reusing the leave commandId').toEqual({ ok: false, players: 0 });
  });
});

describe('commands issued too long ago', () => {
  it('an unknown command issued more than 24 h ago is command-expired and changes nothing; a known one still gets its first outcome; one far ahead of the clock is invalid-input', async () => {
    const designer = await open('late-dee', 'designer');
    await designer.ok({ type: 'admin.spawn', hunt: 'bad-late', commandId: 'late-spawn', definition: fourClueHunt() });
    await designer.ok({ type: 'admin.start', hunt: 'bad-late', commandId: 'late-start' });
    const lou = await open('late-lou');
    const { serverTime: now } = await lou.welcome();
    expect(Math.abs(now - Date.now())).toBeLessThan(60_000);
    const hours = (h: number) => h * 3_600_000;
    await lou.ok({ type: 'join', hunt: 'bad-late', commandId: 'lou-join', issuedAt: now });
    const guess = (commandId: string, issuedAt: number) =>
      ({ type: 'submit', hunt: 'bad-late', commandId, issuedAt, clue: 'c1', guess: { kind: 'answer', text: 'marble' } }) as const;

    const first = await lou.ok(guess('lou-1', now - hours(23)));
    expect(first).toMatchObject({ correct: false, points: -5, duplicate: false });
    // Retried with the same issuedAt, now more than a day old: the server knows it, so the first outcome.
    expect(await lou.ok(guess('lou-1', now - hours(25)))).toEqual({ ...first, duplicate: true });

    const expired = await lou.fails(guess('lou-2', now - hours(25)));
    expect(expired).toMatchObject({ code: 'command-expired', retriable: false });
    expect(expired.message).toMatch(/new commandId/);
    const ahead = await lou.fails(guess('lou-3', now + hours(2)));
    expect(ahead).toMatchObject({ code: 'invalid-input', retriable: false });
    expect(ahead.message).toMatch(/clock/);

    // Neither refusal was judged: the next wrong guess is the second of ten.
    const second = await lou.ok(guess('lou-4', now));
    expect(second).toMatchObject({ correct: false, attemptsLeft: (first as { attemptsLeft: number }).attemptsLeft - 1 });
  });
});

describe('abuse', () => {
  it('50 invalid frames within 10 s are answered; the 51st closes the connection with 1008', async () => {
    const socket = await open('spammer');
    for (let i = 0; i < 50; i++) socket.sendRaw(hex('c1'));
    await socket.sync();
    expect(socket.messages.filter((m) => m.type === 'error')).toHaveLength(50);
    expect(socket.isOpen).toBe(true);
    socket.sendRaw(hex('c1'));
    const closed = await socket.waitClosed();
    expect(closed.code).toBe(1008);
    expect(closed.reason.length).toBeGreaterThan(0);
  });
});

describe('afterwards', () => {
  it('the server still serves other sessions, /healthz is 200, and the hunt is exactly as before the bad input', async () => {
    expect(await status()).toEqual(baseline);
    expect((await httpGet(`${server.httpUrl}/healthz`)).status).toBe(200);
    expect(server.child.exitCode).toBeNull();

    const norma = await open('norma');
    const joined = await norma.ok({ type: 'join', hunt: HUNT, commandId: 'norma-join' });
    expect(joined.view).toMatchObject({ status: 'running', you: { playerId: 'norma' } });
    const solved = await norma.ok({ type: 'submit', hunt: HUNT, commandId: 'norma-1', clue: 'c1', guess: { kind: 'answer', text: 'granite' } });
    expect(solved).toMatchObject({ correct: true, points: 100 });
    expect(norma.updates.at(-1)).toMatchObject({ update: solved.update });
    expect(server.output()).not.toMatch(/"level":(50|60)/);
  });
});
