import { afterAll, describe, expect, it } from 'vitest';
import type { UpdateMessage } from '../../protocol/server-messages.js';
import type { ClueView, HuntSummary } from '../../protocol/views.js';
import { fourClueHunt, huntFile } from './hunts.js';
import { RawClient, type Outgoing, type Reply } from './raw-client.js';
import { disposeServer, removeDir, startServerProcess, tokenFor, type ServerProcess } from './server-process.js';

/**
 * Crashes and restarts of a real server process on the same data dir: what was acknowledged
 * stays, nothing is applied twice, and a graceful stop is graceful.
 */

const servers: ServerProcess[] = [];
const dataDirs = new Set<string>();
const sockets: RawClient[] = [];
const ENV = { CAIRN_GUESSES_PER_SECOND: '1000', CAIRN_GUESS_BURST: '1000', CAIRN_SNAPSHOT_EVERY: '5' };

async function start(dataDir?: string): Promise<ServerProcess> {
  const server = await startServerProcess({ env: ENV, ...(dataDir ? { dataDir } : {}) });
  servers.push(server);
  dataDirs.add(server.dataDir);
  return server;
}

async function connect(server: ServerProcess, subject: string, role: 'player' | 'designer' = 'player'): Promise<RawClient> {
  const socket = await RawClient.connect(server.wsUrl, await tokenFor(subject, role));
  sockets.push(socket);
  return socket;
}

afterAll(async () => {
  for (const socket of sockets) socket.terminate();
  for (const server of servers) await disposeServer(server, { keepDataDir: true });
  for (const dir of dataDirs) removeDir(dir);
});

const ANSWERS = ['amber', 'birch', 'cedar', 'dune', 'ember', 'fjord'];
const durableHunt = huntFile({
  title: 'Durable',
  order: 'free',
  scoring: { wrongAnswerPenalty: 3 },
  clues: ANSWERS.map((answer, i) => ({ id: `d${i + 1}`, points: 10 * (i + 1), hints: [{ text: `Starts with ${answer[0]}`, penalty: 7 }], answer })),
});

interface Sent {
  readonly player: string;
  readonly message: Outgoing;
  reply?: Reply;
}

/** Each player's moves: on every clue (in a player-specific order) a wrong guess, sometimes a hint, then the answer. */
function script(player: string, offset: number): Sent[] {
  const moves: Sent[] = [];
  for (let k = 0; k < ANSWERS.length; k++) {
    const i = (k + offset) % ANSWERS.length;
    const clue = `d${i + 1}`;
    const base = { hunt: 'dur', clue };
    moves.push({ player, message: { type: 'submit', ...base, commandId: `${player}-${clue}-wrong`, guess: { kind: 'answer', text: 'nope' } } });
    if ((i + offset) % 2 === 0) moves.push({ player, message: { type: 'hint', ...base, commandId: `${player}-${clue}-hint`, hint: 0 } });
    moves.push({ player, message: { type: 'submit', ...base, commandId: `${player}-${clue}-right`, guess: { kind: 'answer', text: ANSWERS[i]! } } });
  }
  return moves;
}

/** Points a successful reply says its command changed. */
function pointsOf(message: Outgoing, result: Record<string, unknown>): number {
  if (message.type === 'submit') return (result.points as number) + (result.bonus as number);
  if (message.type === 'hint') return -(result.penalty as number);
  return 0;
}

function fold(updates: readonly UpdateMessage[]): { clues: Record<string, ClueView['status']>; points: number | undefined } {
  const clues: Record<string, ClueView['status']> = {};
  let points: number | undefined;
  for (const change of updates.flatMap((u) => u.changes)) {
    if (change.kind === 'clue') clues[change.clue.id] = change.clue.status;
    if (change.kind === 'score') points = change.points;
  }
  return { clues, points };
}

describe('SIGKILL mid-play', () => {
  it('keeps every move that got an ok reply, applies none twice (a retry after the restart is a duplicate) and the player views agree', { timeout: 60_000 }, async () => {
    const first = await start();
    const designer = await connect(first, 'dur-dee', 'designer');
    await designer.ok({ type: 'admin.spawn', hunt: 'dur', commandId: 'dur-spawn', definition: durableHunt });
    await designer.ok({ type: 'admin.start', hunt: 'dur', commandId: 'dur-start' });
    const players = ['ada', 'ben', 'cyd', 'dov'];
    const sockets = new Map<string, RawClient>();
    for (const p of players) {
      const socket = await connect(first, p);
      await socket.ok({ type: 'join', hunt: 'dur', commandId: `${p}-join` });
      sockets.set(p, socket);
    }
    const scripts = players.map((p, i) => script(p, i));
    const announcements: Sent[] = Array.from({ length: 20 }, (_, i) => ({
      player: 'dur-dee',
      message: { type: 'admin.announce', hunt: 'dur', commandId: `dur-news-${i}`, message: `news ${i}` },
    }));
    const total = scripts.reduce((n, s) => n + s.length, 0);

    // Everyone plays at once, one request at a time each; the process is killed part way.
    let acked = 0;
    let killed = false;
    const killAfter = Math.floor(total / 2);
    const run = async (socket: RawClient, moves: Sent[]) => {
      for (const move of moves) {
        if (killed) return;
        try {
          move.reply = await socket.request(move.message, 5_000);
        } catch {
          return; // the socket went down with the process
        }
        if (move.reply.ok) acked += 1;
        if (acked >= killAfter && !killed) {
          killed = true;
          first.child.kill('SIGKILL');
        }
      }
    };
    await Promise.all([...players.map((p, i) => run(sockets.get(p)!, scripts[i]!)), run(designer, announcements)]);
    expect(await first.stop()).toBeNull(); // killed by the signal
    expect(killed).toBe(true);
    for (const socket of [designer, ...sockets.values()]) expect((await socket.waitClosed()).code).toBe(1006);

    const second = await start(first.dataDir);
    const designer2 = await connect(second, 'dur-dee', 'designer');
    const stored = new Set<number>([1, 2, 3, 4, 5, 6]); // spawn, start, four joins
    const expectedPoints = new Map(players.map((p) => [`p:${p}`, 0]));
    // Retry every move that was sent before the kill (acknowledged or not), in its original order.
    const retry = async (socket: RawClient, moves: Sent[]) => {
      for (const move of moves) {
        const again = await socket.request(move.message);
        if (move.reply?.ok) {
          // Acknowledged before the kill: still there, and answered as a duplicate with the same outcome.
          expect(again, `${String(move.message.commandId)} after the restart`).toEqual({ ...move.reply, id: again.id, result: { ...move.reply.result, duplicate: true } });
        }
        const outcome = move.reply?.ok ? move.reply : again;
        if (!outcome.ok) continue;
        const update = outcome.result.update as number;
        expect(stored.has(update), `update ${update} claimed twice (by ${String(move.message.commandId)})`).toBe(false);
        stored.add(update);
        if (move.player !== 'dur-dee') expectedPoints.set(`p:${move.player}`, expectedPoints.get(`p:${move.player}`)! + pointsOf(move.message, outcome.result));
      }
    };
    // The moves answered before the kill, and the one that may have been on the wire.
    const inFlightOrDone = (moves: Sent[]) => {
      const firstUnanswered = moves.findIndex((m) => m.reply === undefined);
      return firstUnanswered < 0 ? moves : moves.slice(0, firstUnanswered + 1);
    };
    await Promise.all([
      ...players.map(async (p, i) => retry(await connect(second, p), inFlightOrDone(scripts[i]!))),
      retry(designer2, inFlightOrDone(announcements)),
    ]);

    // Every stored update is accounted for by exactly one command: none lost, none applied twice.
    const summary = (await designer2.ok({ type: 'admin.status', hunt: 'dur' })).summary as HuntSummary;
    expect([...stored].sort((a, b) => a - b)).toEqual(Array.from({ length: summary.updateSeq }, (_, i) => i + 1));
    expect(Object.fromEntries(summary.leaderboard.map((e) => [e.competitorId, e.points]))).toEqual(Object.fromEntries(expectedPoints));
    expect(summary.players).toBe(4);

    // Each player's view after resuming agrees with the summary.
    for (const p of players) {
      const socket = await connect(second, p);
      const welcome = socket.messages[0];
      expect(welcome).toMatchObject({ type: 'welcome', hunts: [{ hunt: 'dur', competitorId: `p:${p}` }] });
      const from = socket.frames.length;
      const resumed = await socket.ok({ type: 'resume', hunt: 'dur', after: 0 });
      expect(resumed).toMatchObject({ resync: false, updateSeq: summary.updateSeq });
      const view = fold(socket.updates);
      expect(view.points, p).toBe(expectedPoints.get(`p:${p}`));
      const solved = summary.leaderboard.find((e) => e.competitorId === `p:${p}`)!.solved;
      expect(Object.values(view.clues).filter((s) => s === 'solved')).toHaveLength(solved);
      expect(socket.frames.length - from).toBe((resumed.replayed as number) + 1);
    }
  });

  it("a join the hunt stored just before the SIGKILL is still listed in the player's welcome after the restart", { timeout: 30_000 }, async () => {
    const first = await start();
    const designer = await connect(first, 'race-dee', 'designer');
    await designer.ok({ type: 'admin.spawn', hunt: 'dur-race', commandId: 'race-spawn', definition: fourClueHunt({ maxPlayers: 1000 }) });
    const players = await Promise.all(Array.from({ length: 30 }, (_, i) => connect(first, `racer-${i}`)));
    // Many joins at once; the process dies as soon as the first of them is acknowledged.
    await new Promise<void>((resolve) => {
      players.forEach((socket, i) =>
        socket.request({ type: 'join', hunt: 'dur-race', commandId: `racer-${i}-join` }).then(
          (reply) => {
            if (reply.ok) first.child.kill('SIGKILL');
            resolve();
          },
          () => resolve(),
        ),
      );
    });
    await first.stop();

    const second = await start(first.dataDir);
    const designer2 = await connect(second, 'race-dee', 'designer');
    const summary = (await designer2.ok({ type: 'admin.status', hunt: 'dur-race' })).summary as HuntSummary;
    const inHunt = summary.leaderboard.map((e) => e.competitorId.replace(/^p:/, ''));
    expect(inHunt.length).toBeGreaterThan(0);
    // Players whose welcome does not list the hunt; a server that re-delivers memberships after
    // recovery gets a few seconds to do so.
    const lackingOf = async (ids: readonly string[]) => {
      const lacking: string[] = [];
      for (const id of ids) {
        const socket = await RawClient.open(second.wsUrl, await tokenFor(id));
        const welcome = await socket.welcome();
        await socket.close();
        if (!welcome.hunts.some((h) => h.hunt === 'dur-race')) lacking.push(id);
      }
      return lacking;
    };
    let lacking = await lackingOf(inHunt);
    const deadline = Date.now() + 2_000;
    while (lacking.length > 0 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 250));
      lacking = await lackingOf(lacking);
    }
    expect(lacking, 'players the hunt counts as joined whose welcome does not list the hunt').toEqual([]);
  });
});

describe('SIGTERM', () => {
  it('answers the requests in flight, closes every socket with 1012 and exits with code 0, keeping what it acknowledged', { timeout: 30_000 }, async () => {
    const first = await start();
    const designer = await connect(first, 'term-dee', 'designer');
    await designer.ok({ type: 'admin.spawn', hunt: 'dur-term', commandId: 'term-spawn', definition: durableHunt.replace('"Durable"', '"Terminated"') });
    await designer.ok({ type: 'admin.start', hunt: 'dur-term', commandId: 'term-start' });
    const player = await connect(first, 'tess');
    await player.ok({ type: 'join', hunt: 'dur-term', commandId: 'tess-join' });

    // A burst of requests, then at once the signal.
    const burst = ANSWERS.map((answer, i) => ({ type: 'submit', hunt: 'dur-term', commandId: `tess-${i}`, clue: `d${i + 1}`, guess: { kind: 'answer', text: answer } }));
    const replies = burst.map((message) => player.request(message).catch(() => undefined));
    const code = first.stop('SIGTERM');
    const [playerClosed, designerClosed] = await Promise.all([player.waitClosed(), designer.waitClosed()]);
    expect(await code).toBe(0);
    expect(playerClosed.code).toBe(1012);
    expect(designerClosed.code).toBe(1012);
    expect(playerClosed.reason).toMatch(/restart/);
    const answered = await Promise.all(replies);
    // Whatever was answered before the close was answered ok (nothing failed for the shutdown).
    for (const reply of answered) if (reply) expect(reply.ok).toBe(true);
    expect(first.output()).toContain('"msg":"stopped"');

    const second = await start(first.dataDir);
    const again = await connect(second, 'tess');
    for (const [i, message] of burst.entries()) {
      const reply = answered[i];
      const retried = await again.request(message);
      if (reply?.ok) expect(retried).toMatchObject({ ok: true, result: { ...reply.result, duplicate: true } });
      else expect(retried).toMatchObject({ ok: true });
    }
    const designer2 = await connect(second, 'term-dee', 'designer');
    const summary = (await designer2.ok({ type: 'admin.status', hunt: 'dur-term' })).summary as HuntSummary;
    expect(summary.leaderboard[0]).toMatchObject({ competitorId: 'p:tess', solved: ANSWERS.length });
  });
});
