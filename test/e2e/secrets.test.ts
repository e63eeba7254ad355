import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { huntFile, type ClueSpec } from './hunts.js';
import { RawClient, type Outgoing, type ReceivedFrame } from './raw-client.js';
import { disposeServer, startServerProcess, tokenFor, type ServerProcess } from './server-process.js';

/**
 * A whole game played over raw sockets while every frame each player receives is recorded, then
 * scanned (decoded as JSON, and the raw bytes) for what that player must not see at that moment:
 * answers, codes, solution coordinates, locked clues, unrevealed hints.
 */

const HUNT = 'secrets';
const LAT = 12.3456789;
const LON = -98.7654321;
const ANSWERS = ['Zephyrquill', 'Quillzephyr', 'Moonvellum'];
const CODE = 'QX-7731-ZETA';

const CLUES: ClueSpec[] = [
  {
    id: 's1',
    title: 'TITLE-S1 The windmill',
    text: 'CLUETEXT-S1 What turns on the old mill in the wind?',
    points: 100,
    hints: [
      { text: 'HINTTEXT-S1-0 paid for by bravo', penalty: 4 },
      { text: 'HINTTEXT-S1-1 released to everyone', penalty: 9 },
      { text: 'HINTTEXT-S1-2 never revealed', penalty: 2 },
    ],
    answer: [ANSWERS[0]!, ANSWERS[1]!],
  },
  {
    id: 's2',
    title: 'TITLE-S2 The well',
    text: 'CLUETEXT-S2 Stand at the old well and send your position.',
    points: 150,
    hints: [
      { text: 'HINTTEXT-S2-0 released by its timer in an hour', penalty: 0, autoReleaseAfterSeconds: 3600 },
      { text: 'HINTTEXT-S2-1 paid for by nobody', penalty: 3 },
    ],
    location: { latitude: LAT, longitude: LON, radiusMetres: 40 },
  },
  {
    id: 's3',
    title: 'TITLE-S3 The gate',
    text: 'CLUETEXT-S3 Type the code carved on the gate.',
    points: 120,
    hints: [{ text: 'HINTTEXT-S3-0 never revealed', penalty: 5 }],
    code: CODE,
  },
  {
    id: 's4',
    title: 'TITLE-S4 The lamp',
    text: 'CLUETEXT-S4 What burns in the lamp by the door?',
    points: 80,
    hints: [{ text: 'HINTTEXT-S4-0 replaced before anyone saw it', penalty: 1 }],
    answer: ANSWERS[2]!,
  },
];
const EDITED_S3_TEXT = 'CLUETEXT-S3-EDITED Type the code carved on the brass gate.';
const EDITED_S4_HINTS = [
  { text: 'HINTTEXT-S4-NEW-0 taken by alpha', penalty: 2 },
  { text: 'HINTTEXT-S4-NEW-1 never revealed', penalty: 3 },
];
const RIGHT_SPOT = { kind: 'location', latitude: LAT + 0.00009, longitude: LON }; // 10 m away
const WRONG_SPOT = { kind: 'location', latitude: LAT + 0.0005, longitude: LON }; // 56 m away

/** What each competitor may see: grows as the game goes on (nothing once seen becomes secret again). */
class Visibility {
  private readonly clues = new Map(CLUES.map((c) => [c.id, { title: c.title!, text: c.text!, hints: (c.hints ?? []).map((h) => h.text) }]));
  private readonly unlocked = new Map<string, Set<string>>();
  private readonly taken = new Map<string, Set<string>>();
  private readonly released = new Set<string>();
  private readonly allowed = new Map<string, Set<string>>();
  /** Every clue title, clue text and hint text there ever was: the candidate secrets. */
  readonly texts = new Set<string>(CLUES.flatMap((c) => [c.title!, c.text!, ...(c.hints ?? []).map((h) => h.text)]));

  unlock(competitor: string, clue: string): void {
    this.setOf(this.unlocked, competitor).add(clue);
    this.refresh();
  }

  take(competitor: string, clue: string, hint: number): void {
    this.setOf(this.taken, competitor).add(`${clue}#${hint}`);
    this.refresh();
  }

  release(clue: string, hint: number): void {
    this.released.add(`${clue}#${hint}`);
    this.refresh();
  }

  edit(clue: string, edit: { text?: string; hints?: readonly { text: string }[] }): void {
    const current = this.clues.get(clue)!;
    if (edit.text) current.text = edit.text;
    if (edit.hints) current.hints = edit.hints.map((h) => h.text);
    for (const t of [current.text, ...current.hints]) this.texts.add(t);
    this.refresh();
  }

  /** A copy of what `competitor` may see now. */
  snapshot(competitor: string): ReadonlySet<string> {
    this.refresh();
    return new Set(this.setOf(this.allowed, competitor));
  }

  private refresh(): void {
    for (const [competitor, clues] of this.unlocked) {
      const allowed = this.setOf(this.allowed, competitor);
      for (const id of clues) {
        const clue = this.clues.get(id)!;
        allowed.add(clue.title).add(clue.text);
        clue.hints.forEach((text, i) => {
          if (this.released.has(`${id}#${i}`) || this.setOf(this.taken, competitor).has(`${id}#${i}`)) allowed.add(text);
        });
      }
    }
  }

  private setOf(map: Map<string, Set<string>>, key: string): Set<string> {
    let set = map.get(key);
    if (!set) map.set(key, (set = new Set()));
    return set;
  }
}

/** Byte patterns of a number as msgpack would carry it: float64 and float32, big-endian. */
function floatBytes(value: number): Buffer[] {
  const f64 = Buffer.alloc(8);
  f64.writeDoubleBE(value);
  const f32 = Buffer.alloc(4);
  f32.writeFloatBE(value);
  return [f64, f32];
}

const ALWAYS_SECRET_TEXT = [...ANSWERS, CODE, 'qx 7731 zeta', 'qx7731zeta', String(LAT), String(Math.abs(LON)), '12.34567', '98.76543'];
const ALWAYS_SECRET_BYTES = [...floatBytes(LAT), ...floatBytes(LON)];

let server: ServerProcess;
const sockets: RawClient[] = [];
const players = new Map<RawClient, string>(); // socket → competitor id
const visibility = new Visibility();
/** allowedAt.get(competitor)[phase]: what the competitor may see in frames that arrived during that phase. */
const allowedAt = new Map<string, ReadonlySet<string>[]>();
let phase = 0;
let designer: RawClient;

async function connectPlayer(subject: string): Promise<RawClient> {
  const socket = await RawClient.open(server.wsUrl, await tokenFor(subject, 'player'));
  socket.phase = phase;
  await socket.welcome();
  sockets.push(socket);
  players.set(socket, `p:${subject}`);
  return socket;
}

/**
 * Runs one step of the game: frames that arrive while it runs are labelled with its number, and
 * are judged against what each competitor may see once the step is over (`after` updates that).
 * Afterwards every open socket round-trips a ping, so that all frames the step caused are in.
 */
async function step(name: string, action: () => Promise<void>, after: () => void = () => undefined): Promise<void> {
  phase += 1;
  for (const socket of sockets) socket.phase = phase;
  try {
    await action();
  } catch (error) {
    throw new Error(`step ${phase} (${name}) failed: ${(error as Error).message}`);
  }
  after();
  for (const socket of sockets) if (socket.isOpen) await socket.sync();
  for (const competitor of ['p:alpha', 'p:bravo', 'p:charlie']) {
    const list = allowedAt.get(competitor) ?? [];
    list[phase] = visibility.snapshot(competitor);
    allowedAt.set(competitor, list);
  }
}

const submit = (socket: RawClient, commandId: string, clue: string, guess: Outgoing) =>
  socket.request({ type: 'submit', hunt: HUNT, commandId, clue, guess });
const ok = async (reply: Promise<{ ok: boolean }>) => expect((await reply).ok).toBe(true);
const fails = async (reply: Promise<{ ok: boolean; error?: { code: string } }>, code: string) => expect((await reply).error?.code).toBe(code);

beforeAll(async () => {
  server = await startServerProcess({ env: { CAIRN_GUESSES_PER_SECOND: '1000', CAIRN_GUESS_BURST: '1000' } });
  for (const competitor of ['p:alpha', 'p:bravo', 'p:charlie']) allowedAt.set(competitor, [visibility.snapshot(competitor)]);
  designer = await RawClient.connect(server.wsUrl, await tokenFor('keeper', 'designer'));
  sockets.push(designer);
});

afterAll(async () => {
  for (const socket of sockets) socket.terminate();
  await disposeServer(server);
});

describe('secrets', () => {
  it('no player frame ever carries an answer, a code, the solution coordinates, a clue not unlocked or a hint not revealed for that player', { timeout: 60_000 }, async () => {
    const definition = huntFile({
      title: 'Secrets',
      scoring: { wrongAnswerPenalty: 1 },
      guessing: { minSecondsBetweenGuesses: 0, maxTravelSpeedKmh: 10_000_000 },
      clues: CLUES,
    });
    await designer.ok({ type: 'admin.spawn', hunt: HUNT, commandId: 'sec-spawn', definition });
    await designer.ok({ type: 'admin.watch', hunt: HUNT });
    const alpha = await connectPlayer('alpha');
    let bravo = await connectPlayer('bravo');
    const charlie = await connectPlayer('charlie');

    await step('alpha and bravo join the draft', async () => {
      await ok(alpha.request({ type: 'join', hunt: HUNT, commandId: 'a-join' }));
      await ok(bravo.request({ type: 'join', hunt: HUNT, commandId: 'b-join' }));
    });
    await step('start', () => ok(designer.request({ type: 'admin.start', hunt: HUNT, commandId: 'sec-start' })), () => {
      visibility.unlock('p:alpha', 's1');
      visibility.unlock('p:bravo', 's1');
    });
    await step('charlie joins the running hunt', () => ok(charlie.request({ type: 'join', hunt: HUNT, commandId: 'c-join' })), () => visibility.unlock('p:charlie', 's1'));
    await step('alpha: a wrong answer', () => ok(submit(alpha, 'a-1', 's1', { kind: 'answer', text: 'zephyr' })));
    await step('alpha: the right answer', () => ok(submit(alpha, 'a-2', 's1', { kind: 'answer', text: '  zephyrQUILL! ' })), () => visibility.unlock('p:alpha', 's2'));
    await step('bravo pays for a hint', async () => {
      const reply = await bravo.ok({ type: 'hint', hunt: HUNT, commandId: 'b-hint', clue: 's1', hint: 0 });
      expect(reply.text).toBe('HINTTEXT-S1-0 paid for by bravo');
    }, () => visibility.take('p:bravo', 's1', 0));
    await step('charlie: refused guesses and hints', async () => {
      await fails(submit(charlie, 'c-1', 's1', { kind: 'code', code: CODE }), 'wrong-guess-kind');
      await fails(submit(charlie, 'c-2', 's2', RIGHT_SPOT), 'clue-locked');
      await fails(submit(charlie, 'c-3', 's3', { kind: 'code', code: CODE }), 'clue-locked');
      await fails(charlie.request({ type: 'hint', hunt: HUNT, commandId: 'c-4', clue: 's2', hint: 1 }), 'clue-locked');
      await fails(charlie.request({ type: 'hint', hunt: HUNT, commandId: 'c-5', clue: 's1', hint: 7 }), 'unknown-hint');
      await fails(submit(charlie, 'c-6', 'nope', { kind: 'answer', text: 'x' }), 'unknown-clue');
    });
    await step('alpha: a wrong location', () => ok(submit(alpha, 'a-3', 's2', WRONG_SPOT)));
    await step('alpha: the right location', () => ok(submit(alpha, 'a-4', 's2', RIGHT_SPOT)), () => visibility.unlock('p:alpha', 's3'));
    await step('the designer releases a hint of s1 to everyone', () => ok(designer.request({ type: 'admin.release-hint', hunt: HUNT, commandId: 'sec-release', clue: 's1', hint: 1 })), () =>
      visibility.release('s1', 1),
    );
    await step('the designer edits s3 (only alpha has it)', () => ok(designer.request({ type: 'admin.edit-clue', hunt: HUNT, commandId: 'sec-edit-s3', clue: 's3', text: EDITED_S3_TEXT })), () =>
      visibility.edit('s3', { text: EDITED_S3_TEXT }),
    );
    await step("the designer replaces s4's hints (locked for everyone)", () =>
      ok(designer.request({ type: 'admin.edit-clue', hunt: HUNT, commandId: 'sec-edit-s4', clue: 's4', hints: EDITED_S4_HINTS })), () => visibility.edit('s4', { hints: EDITED_S4_HINTS }),
    );
    const bravoSeen = Math.max(...bravo.updates.map((u) => u.update));
    await step('bravo drops out', () => bravo.close());
    await step('alpha: a wrong code, then the right one', async () => {
      await ok(submit(alpha, 'a-5', 's3', { kind: 'code', code: 'QX-0000' }));
      await ok(submit(alpha, 'a-6', 's3', { kind: 'code', code: 'qx 7731 zeta' }));
    }, () => visibility.unlock('p:alpha', 's4'));
    await step('an announcement', () => ok(designer.request({ type: 'admin.announce', hunt: HUNT, commandId: 'sec-news', message: 'Halfway there' })));
    await step('bravo comes back and resumes', async () => {
      bravo = await connectPlayer('bravo');
      const resumed = await bravo.ok({ type: 'resume', hunt: HUNT, after: bravoSeen });
      expect(resumed).toMatchObject({ resync: false });
      expect(resumed.replayed).toBeGreaterThan(0);
    });
    await step('charlie resumes from the very start on a second connection', async () => {
      const again = await connectPlayer('charlie');
      expect(await again.ok({ type: 'resume', hunt: HUNT, after: 0 })).toMatchObject({ resync: false });
    });
    await step('alpha takes a replaced hint and tries one of a solved clue', async () => {
      const reply = await alpha.ok({ type: 'hint', hunt: HUNT, commandId: 'a-7', clue: 's4', hint: 0 });
      expect(reply.text).toBe('HINTTEXT-S4-NEW-0 taken by alpha');
      await fails(alpha.request({ type: 'hint', hunt: HUNT, commandId: 'a-8', clue: 's2', hint: 1 }), 'clue-already-solved');
    }, () => visibility.take('p:alpha', 's4', 0));
    await step('bravo solves s1 with the other accepted answer', () => ok(submit(bravo, 'b-1', 's1', { kind: 'answer', text: 'quillzephyr' })), () => visibility.unlock('p:bravo', 's2'));
    await step('alpha finishes', () => ok(submit(alpha, 'a-9', 's4', { kind: 'answer', text: 'moonvellum' })));
    await step('the hunt ends', () => ok(designer.request({ type: 'admin.end', hunt: HUNT, commandId: 'sec-end' })));

    // --- the scan ---------------------------------------------------------------------------
    const leaks: string[] = [];
    const seen = new Map<string, Set<string>>(); // competitor → allowed texts found in its frames
    const scanFrame = (who: string, frame: ReceivedFrame, allowed: ReadonlySet<string> | undefined) => {
      const json = JSON.stringify(frame.message ?? null).toLowerCase();
      const latin1 = frame.bytes.toString('latin1');
      const label = `${who} frame ${frame.index} (step ${frame.phase}): ${json.slice(0, 160)}`;
      for (const secret of ALWAYS_SECRET_TEXT) {
        if (json.includes(secret.toLowerCase()) || latin1.includes(secret)) leaks.push(`${label} contains ${secret}`);
      }
      for (const bytes of ALWAYS_SECRET_BYTES) if (frame.bytes.includes(bytes)) leaks.push(`${label} contains the float bytes ${bytes.toString('hex')}`);
      if (!allowed) return;
      for (const text of visibility.texts) {
        const found = json.includes(JSON.stringify(text).slice(1, -1).toLowerCase()) || latin1.includes(Buffer.from(text).toString('latin1'));
        if (!found) continue;
        if (allowed.has(text)) seen.get(who)!.add(text);
        else leaks.push(`${label} contains "${text}"`);
      }
    };
    let framesScanned = 0;
    for (const [socket, competitor] of players) {
      if (!seen.has(competitor)) seen.set(competitor, new Set());
      for (const frame of socket.frames) {
        expect(frame.message, `${competitor} frame ${frame.index} decodes`).toBeDefined();
        scanFrame(competitor, frame, allowedAt.get(competitor)![frame.phase]);
        framesScanned += 1;
      }
    }
    for (const frame of designer.frames) scanFrame('designer', frame, undefined); // staff: never answers, codes or locations
    expect(leaks).toEqual([]);

    // The scan looked at real traffic and found what each player was allowed to see.
    expect(framesScanned).toBeGreaterThan(60);
    expect([...seen.get('p:alpha')!]).toEqual(
      expect.arrayContaining([
        'CLUETEXT-S1 What turns on the old mill in the wind?',
        'HINTTEXT-S1-1 released to everyone',
        'CLUETEXT-S2 Stand at the old well and send your position.',
        EDITED_S3_TEXT,
        'CLUETEXT-S4 What burns in the lamp by the door?',
        'HINTTEXT-S4-NEW-0 taken by alpha',
      ]),
    );
    expect([...seen.get('p:bravo')!]).toEqual(
      expect.arrayContaining(['HINTTEXT-S1-0 paid for by bravo', 'HINTTEXT-S1-1 released to everyone', 'CLUETEXT-S2 Stand at the old well and send your position.']),
    );
    expect([...seen.get('p:charlie')!]).toEqual(expect.arrayContaining(['CLUETEXT-S1 What turns on the old mill in the wind?', 'HINTTEXT-S1-1 released to everyone']));
    expect([...seen.get('p:charlie')!]).not.toContain('HINTTEXT-S1-0 paid for by bravo');
  });
});
