import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeMessage } from '../../protocol/codec.js';
import { CLIENT_MESSAGE_TYPES } from '../../protocol/schemas.js';
import type { ReplyMessage } from '../../protocol/server-messages.js';
import { FOUR_CLUES, fourClueHunt } from './hunts.js';
import { Prng } from './prng.js';
import { RawClient, type Outgoing } from './raw-client.js';
import { httpGet } from './sdk-client.js';
import { disposeServer, startServerProcess, tokenFor, type ServerProcess } from './server-process.js';

/**
 * Thousands of random and mutated frames over real sockets, as designers and as players, against
 * a real server process. The server may close a connection for abuse (1008) or a frame too big
 * (1009); the fuzzers then reconnect. Afterwards the process must be alive, healthy and playable.
 *
 * Reproduce a run with E2E_FUZZ_SEED=<seed printed below>.
 */

const SEED = Number(process.env.E2E_FUZZ_SEED ?? 20_261_127);
const FRAMES = 10_000;
const WORKERS = [
  { subject: 'fuzz-dee-1', role: 'designer' },
  { subject: 'fuzz-dee-2', role: 'designer' },
  { subject: 'fuzz-op', role: 'operator' },
  { subject: 'fuzz-p1', role: 'player' },
  { subject: 'fuzz-p2', role: 'player' },
  { subject: 'fuzz-p3', role: 'player' },
] as const;
/** Frames each connection may have unanswered at once. */
const WINDOW = 8;

let server: ServerProcess;

beforeAll(async () => {
  server = await startServerProcess();
  const designer = await RawClient.connect(server.wsUrl, await tokenFor('fuzz-setup', 'designer'));
  await designer.ok({ type: 'admin.spawn', hunt: 'fz', commandId: 'fz-spawn', definition: fourClueHunt() });
  await designer.ok({ type: 'admin.start', hunt: 'fz', commandId: 'fz-start' });
  for (const { subject, role } of WORKERS) {
    if (role !== 'player') continue;
    const player = await RawClient.connect(server.wsUrl, await tokenFor(subject));
    await player.ok({ type: 'join', hunt: 'fz', commandId: `${subject}-join` });
    await player.close();
  }
  await designer.close();
});

afterAll(async () => {
  await disposeServer(server);
});

// --- generators ---------------------------------------------------------------------------

const FIELD_NAMES = ['type', 'id', 'hunt', 'commandId', 'clue', 'guess', 'hint', 'after', 'team', 'displayName', 'definition', 'title', 'text', 'hints', 'message', 'player', 'reason', 'kind', 'latitude', 'longitude', 'code', 'penalty', '__proto__', 'constructor'];

/** Sets an own property, also for keys like `__proto__` that plain assignment would treat specially. */
function setField(target: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}

function randomValue(r: Prng, depth = 0): unknown {
  const kind = r.int(0, depth > 3 ? 7 : 10);
  switch (kind) {
    case 0:
      return null;
    case 1:
      return r.chance(0.5);
    case 2:
      return r.pick([0, -1, 1, 127, 128, 255, 256, 65_535, 65_536, 2 ** 31, 2 ** 32 - 1, 2 ** 32, 2 ** 53 - 1, -(2 ** 31), -(2 ** 53 - 1), r.int(-1000, 1000)]);
    case 3:
      return r.pick([0.5, -0.0, Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, 1e308, -1e-308, r.next() * 400 - 200]);
    case 4:
    case 5:
      return r.string(r.int(0, r.chance(0.05) ? 2000 : 40));
    case 6:
      return r.pick(CLIENT_MESSAGE_TYPES);
    case 7:
      return r.bytes(r.int(0, 32));
    case 8:
      return Array.from({ length: r.int(0, 5) }, () => randomValue(r, depth + 1));
    default: {
      const map: Record<string, unknown> = {};
      for (let i = r.int(0, 6); i > 0; i--) setField(map, r.chance(0.7) ? r.pick(FIELD_NAMES) : r.string(r.int(0, 12)), randomValue(r, depth + 1));
      return map;
    }
  }
}

const commandId = (r: Prng) => `fz-${r.int(0, 2 ** 30).toString(36)}-${r.int(0, 2 ** 30).toString(36)}`;

/** A message that fits the protocol, for the given role (sometimes for the other role, or a hunt that does not exist). */
function validMessage(r: Prng, role: string, id: number): Outgoing {
  const hunt = r.pick(['fz', 'fz', 'fz', 'fz-ghost', `fz-${r.int(0, 9)}`]);
  const clue = r.pick(['c1', 'c2', 'c3', 'c4', 'zz']);
  const guess = r.pick([
    { kind: 'answer', text: r.pick(['granite', 'chalk', r.string(r.int(1, 20))]) },
    { kind: 'location', latitude: r.next() * 180 - 90, longitude: r.next() * 360 - 180 },
    FOUR_CLUES.here,
    { kind: 'code', code: r.pick([FOUR_CLUES.code, 'nope']) },
  ]);
  const player = [
    { type: 'ping' },
    { type: 'join', hunt, commandId: commandId(r), ...(r.chance(0.3) ? { team: 'Owls' } : {}) },
    { type: 'submit', hunt, commandId: commandId(r), clue, guess },
    { type: 'hint', hunt, commandId: commandId(r), clue, hint: r.int(0, 3) },
    { type: 'leave', hunt, commandId: commandId(r) },
    { type: 'resume', hunt, after: r.int(0, 50) },
  ];
  const staff = [
    { type: 'ping' },
    { type: 'admin.status', hunt },
    { type: 'admin.watch', hunt },
    { type: 'admin.announce', hunt, commandId: commandId(r), message: r.string(r.int(1, 60)) },
    { type: 'admin.release-hint', hunt, commandId: commandId(r), clue, hint: r.int(0, 2) },
    { type: 'admin.edit-clue', hunt, commandId: commandId(r), clue, text: r.string(r.int(1, 80)) },
    { type: 'admin.spawn', hunt: `fz-${r.int(0, 9)}`, commandId: commandId(r), definition: r.chance(0.5) ? fourClueHunt() : r.string(r.int(0, 300)) },
    { type: r.pick(['admin.pause', 'admin.resume', 'admin.start']), hunt: `fz-${r.int(0, 9)}`, commandId: commandId(r) },
    { type: 'admin.kick', hunt: `fz-${r.int(0, 9)}`, commandId: commandId(r), player: 'fuzz-p1', reason: 'fuzz' },
  ];
  const own = role === 'player' ? player : staff;
  return { ...r.pick(r.chance(0.9) ? own : [...player, ...staff]), id };
}

/** One frame to send: [bytes or text, what kind of frame it is]. */
function nextFrame(r: Prng, role: string, id: number): [Uint8Array | string, string] {
  const roll = r.next();
  if (roll < 0.0004) return [encodeMessage({ type: 'ping', id, pad: 'x'.repeat(70 * 1024) }), 'oversized'];
  if (roll < 0.03) return [r.string(r.int(0, 50)), 'text'];
  if (roll < 0.17) return [r.bytes(r.int(0, r.chance(0.1) ? 2000 : 64)), 'random bytes'];
  if (roll < 0.32) return [encodeMessage(randomValue(r)), 'random msgpack'];
  if (roll < 0.42) return [encodeMessage(validMessage(r, role, id)), 'valid'];
  if (roll < 0.7) {
    // A valid message with one field replaced, removed or added.
    const message: Record<string, unknown> = validMessage(r, role, id);
    const keys = Object.keys(message);
    const action = r.int(0, 3);
    if (action === 0) setField(message, r.pick(keys), randomValue(r));
    else if (action === 1) delete message[r.pick(keys)];
    else if (action === 2) setField(message, r.chance(0.5) ? r.pick(FIELD_NAMES) : r.string(r.int(1, 10)), randomValue(r));
    else message.type = r.pick(CLIENT_MESSAGE_TYPES);
    return [encodeMessage(message), 'field replaced'];
  }
  // A valid frame with its bytes flipped, cut, grown or shuffled.
  const bytes = [...encodeMessage(validMessage(r, role, id))];
  const action = r.int(0, 4);
  if (action === 0) for (let n = r.int(1, 4); n > 0; n--) bytes[r.int(0, bytes.length - 1)] = r.int(0, 255);
  else if (action === 1) bytes.length = r.int(0, bytes.length - 1);
  else if (action === 2) bytes.splice(r.int(0, bytes.length), 0, ...r.bytes(r.int(1, 8)));
  else if (action === 3) bytes.splice(r.int(0, bytes.length - 1), r.int(1, 8));
  else {
    const at = r.int(0, bytes.length - 1);
    bytes.splice(at, 0, ...bytes.slice(at, at + r.int(1, 16)));
  }
  return [Uint8Array.from(bytes), 'mutated bytes'];
}

// --- the run --------------------------------------------------------------------------------

interface Tally {
  /** Frames answered on connections that are over. */
  answered: number;
  /** Frames answered so far on each connection still open. */
  readonly live: Map<RawClient, () => number>;
  sent: number;
  connections: number;
  closeCodes: Record<number, number>;
  problems: string[];
  kinds: Record<string, number>;
}

/** Frames the server has answered so far, on all connections. */
const answeredSoFar = (tally: Tally) => tally.answered + [...tally.live.values()].reduce((n, count) => n + count(), 0);

async function fuzzWorker(worker: (typeof WORKERS)[number], index: number, tally: Tally): Promise<void> {
  const quota = () => answeredSoFar(tally) < FRAMES;
  const r = new Prng(SEED + index * 7919);
  const token = await tokenFor(worker.subject, worker.role);
  while (quota()) {
    const socket = await RawClient.connect(server.wsUrl, token);
    tally.connections += 1;
    const responses = () => socket.messages.filter((m) => m.type === 'reply' || m.type === 'error').length;
    tally.live.set(socket, responses);
    let sent = 0;
    let id = 0;
    while (quota() && socket.isOpen) {
      await socket.until(() => sent - responses() < WINDOW || socket.closeInfo !== undefined, 15_000);
      if (!socket.isOpen) break;
      if (sent - responses() >= WINDOW) {
        tally.problems.push(`${worker.subject}: no answer to ${WINDOW} frames within 15 s`);
        break;
      }
      const [frame, kind] = nextFrame(r, worker.role, ++id);
      tally.kinds[kind] = (tally.kinds[kind] ?? 0) + 1;
      socket.sendRaw(frame);
      sent += 1;
    }
    // Let what is in flight be answered (or the close arrive), then leave.
    await socket.until(() => responses() >= sent || socket.closeInfo !== undefined, 15_000);
    const closed = socket.closeInfo ?? (await socket.close().then(() => undefined));
    if (closed) tally.closeCodes[closed.code] = (tally.closeCodes[closed.code] ?? 0) + 1;
    tally.sent += sent;
    tally.answered += responses();
    tally.live.delete(socket);
    for (const frame of socket.frames) {
      const m = frame.message;
      if (!frame.binary || !m) tally.problems.push(`${worker.subject}: undecodable frame from the server: ${frame.bytes.toString('hex').slice(0, 80)}`);
      else if (!['welcome', 'reply', 'update', 'error'].includes(m.type)) tally.problems.push(`${worker.subject}: unknown frame type ${m.type}`);
      else if (m.type === 'reply' && !m.ok && (m as Extract<ReplyMessage, { ok: false }>).error.code === 'internal') {
        tally.problems.push(`${worker.subject}: internal error reply: ${JSON.stringify(m)}`);
      }
    }
  }
}

describe('fuzz', () => {
  it(`${FRAMES} random and mutated frames leave the server running, healthy and playable (seed ${SEED})`, { timeout: 120_000 }, async () => {
    console.log(`fuzz seed ${SEED} (replay with E2E_FUZZ_SEED=${SEED})`);
    const tally: Tally = { answered: 0, live: new Map(), sent: 0, connections: 0, closeCodes: {}, problems: [], kinds: {} };
    await Promise.all(WORKERS.map((worker, i) => fuzzWorker(worker, i, tally)));
    console.log(`fuzz: ${tally.sent} frames sent, ${tally.answered} answered, ${tally.connections} connections, closes ${JSON.stringify(tally.closeCodes)}, kinds ${JSON.stringify(tally.kinds)}`);

    expect(tally.problems.slice(0, 20), `seed ${SEED}`).toEqual([]);
    expect(tally.answered, `seed ${SEED}`).toBeGreaterThanOrEqual(FRAMES);
    // The server only ever closed for abuse, an oversized frame, or because we left (1000/1005).
    for (const code of Object.keys(tally.closeCodes).map(Number)) expect([1000, 1005, 1008, 1009], `close code ${code}, seed ${SEED}`).toContain(code);
    expect(tally.closeCodes[1008] ?? 0).toBeGreaterThan(0);

    // Alive, healthy, and playable by a newcomer.
    expect(server.child.exitCode, `seed ${SEED}`).toBeNull();
    expect((await httpGet(`${server.httpUrl}/healthz`)).status).toBe(200);
    expect((await httpGet(`${server.httpUrl}/readyz`)).status).toBe(200);
    const designer = await RawClient.connect(server.wsUrl, await tokenFor('after-fuzz-dee', 'designer'));
    await designer.ok({ type: 'admin.spawn', hunt: 'after-fuzz', commandId: 'af-spawn', definition: fourClueHunt() });
    await designer.ok({ type: 'admin.start', hunt: 'after-fuzz', commandId: 'af-start' });
    const player = await RawClient.connect(server.wsUrl, await tokenFor('after-fuzz-player'));
    await player.ok({ type: 'join', hunt: 'after-fuzz', commandId: 'af-join' });
    expect(await player.ok({ type: 'submit', hunt: 'after-fuzz', commandId: 'af-1', clue: 'c1', guess: { kind: 'answer', text: 'granite' } })).toMatchObject({ correct: true });
    await player.close();
    await designer.close();

    const output = server.output();
    expect(output, `seed ${SEED}`).not.toMatch(/uncaught|unhandled/i);
    expect(output.split('\n').filter((line) => /"level":(50|60)/.test(line)).slice(0, 5), `seed ${SEED}`).toEqual([]);
  });
});
