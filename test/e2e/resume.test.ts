import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { UpdateMessage } from '../../protocol/server-messages.js';
import type { ClueView, LeaderboardSlice } from '../../protocol/views.js';
import { FOUR_CLUES, fourClueHunt } from './hunts.js';
import { increasing } from './expect-frames.js';
import { connectClient, waitUntil, type TestClient } from './sdk-client.js';
import { disposeServer, freePort, startServerProcess, type ServerProcess } from './server-process.js';

/**
 * Reconnecting and resuming against real server processes: exact replay of what was missed, the
 * resync fallback, and the SDK finding its way back after a graceful restart by itself.
 */

const clients: TestClient[] = [];
const servers: ServerProcess[] = [];
const FAST_GUESSES = { CAIRN_GUESSES_PER_SECOND: '1000', CAIRN_GUESS_BURST: '1000' };

async function client(server: ServerProcess, subject: string, role: 'player' | 'designer' = 'player', options: Parameters<typeof connectClient>[3] = {}) {
  const c = await connectClient(server.wsUrl, subject, role, options);
  clients.push(c);
  return c;
}

const hasUpdate = (c: TestClient, hunt: string, update: number) => c.updates.some((u) => u.hunt === hunt && u.update === update);

/** What a client knows after applying `updates` in order: each clue's last state, its points, the leaders, announcements. */
function fold(updates: readonly UpdateMessage[]) {
  const clues: Record<string, ClueView> = {};
  let points: number | undefined;
  let leaderboard: LeaderboardSlice | undefined;
  const announcements: string[] = [];
  for (const u of updates) {
    for (const change of u.changes) {
      if (change.kind === 'clue') clues[change.clue.id] = change.clue;
      if (change.kind === 'score') points = change.points;
      if (change.kind === 'leaderboard') leaderboard = change.leaderboard;
      if (change.kind === 'announcement') announcements.push(change.message);
    }
  }
  return { clues, points, leaderboard, announcements };
}

/** An update reduced to what must be the same whether seen live or replayed later: its number, its kinds and which clues. */
const shape = (u: UpdateMessage) => ({
  update: u.update,
  changes: u.changes.map((c) => (c.kind === 'clue' ? `clue:${c.clue.id}` : c.kind === 'announcement' ? `announcement:${c.message}` : c.kind)),
});

afterAll(async () => {
  await Promise.allSettled(clients.map((c) => c.close()));
  await Promise.allSettled(servers.map((s) => disposeServer(s)));
});

describe('resume on a server with default limits', () => {
  let server: ServerProcess;
  beforeAll(async () => {
    server = await startServerProcess({ env: FAST_GUESSES });
    servers.push(server);
  });

  it('a player who reconnects receives exactly the missed updates that concern them, as their teammate saw them live, then resumed complete=true', async () => {
    const hunt = 'res-team';
    const designer = await client(server, 'res-dee', 'designer');
    await designer.client.spawn(hunt, fourClueHunt({ teams: { maxTeamSize: 2 } }));
    await designer.client.start(hunt);
    const [away, mate, bear] = await Promise.all([client(server, 'fox-1'), client(server, 'fox-2'), client(server, 'bear-1')]);
    await away.client.join(hunt, { team: 'Foxes' });
    await mate.client.join(hunt, { team: 'Foxes' });
    await bear.client.join(hunt, { team: 'Bears' });
    const early = await away.client.submit(hunt, 'c1', { kind: 'answer', text: 'sandstone' });
    await waitUntil(() => hasUpdate(mate, hunt, early.update), 'the teammate to see the first guess');
    const lastSeen = away.client.lastUpdate(hunt)!;
    expect(lastSeen).toBe(early.update);
    await away.close();

    // While fox-1 is away: some of this concerns the Foxes, some does not.
    const missed: number[] = [];
    missed.push((await mate.client.submit(hunt, 'c1', { kind: 'answer', text: 'granite' })).update); // team solves c1, unlocks c2
    missed.push((await bear.client.submit(hunt, 'c1', { kind: 'answer', text: 'marble' })).update); // leaderboard only
    const bear2 = await client(server, 'bear-2');
    missed.push((await bear2.client.join(hunt, { team: 'Bears' })).view.updateSeq); // staff only: nothing for Foxes
    missed.push((await designer.client.announce(hunt, 'Soup in the square at noon')).update);
    missed.push((await designer.client.editClue(hunt, 'c4', { text: 'What hangs by the red door?' })).update); // locked for Foxes
    missed.push((await designer.client.editClue(hunt, 'c1', { text: 'What is the old stone bridge built of?' })).update);
    missed.push((await mate.client.submit(hunt, 'c2', FOUR_CLUES.wrongLocation)).update);
    missed.push((await bear.client.submit(hunt, 'c1', { kind: 'answer', text: 'granite' })).update);
    expect(increasing(missed)).toBe(true);
    await mate.client.ping();
    const live = mate.updatesOf(hunt, lastSeen);
    // Sanity: the teammate's live stream skipped what did not concern the team.
    expect(live.map((u) => u.update)).toEqual(missed.filter((_, i) => i !== 2 && i !== 4));

    // fox-1 comes back on a new connection with the same token.
    const back = await client(server, 'fox-1');
    expect(back.client.welcome!.hunts).toEqual([{ hunt, competitorId: 't:foxes', team: 'Foxes' }]);
    const result = await back.client.resume(hunt, lastSeen);
    const { summary } = await designer.client.status(hunt);
    expect(result).toEqual({ resync: false, replayed: live.length, updateSeq: summary.updateSeq });
    expect(back.resumed).toEqual([{ hunt, complete: true, replayed: live.length, updateSeq: summary.updateSeq }]);

    const replayed = back.updatesOf(hunt);
    expect(replayed.map(shape)).toEqual(live.map(shape));
    // Replayed content is the hunt as it is now, so intermediate frames may differ from the live ones;
    // what each client ends up knowing must not.
    const seenLive = fold(live);
    const seenReplayed = fold(replayed);
    expect(seenReplayed.clues).toEqual(seenLive.clues);
    expect(seenReplayed.points).toBe(seenLive.points);
    expect(seenReplayed.leaderboard).toEqual(seenLive.leaderboard);
    expect(seenReplayed.announcements).toEqual(['Soup in the square at noon']);
    expect(seenReplayed.clues.c1).toMatchObject({ status: 'solved', text: 'What is the old stone bridge built of?', wrongGuesses: 1 });
    expect(seenReplayed.clues.c2).toMatchObject({ status: 'open', wrongGuesses: 1 });
    expect(seenReplayed.clues.c4).toBeUndefined();

    // The resumed connection is live again, and the update reached it before its reply.
    const after = await mate.client.submit(hunt, 'c2', FOUR_CLUES.here);
    await waitUntil(() => hasUpdate(back, hunt, after.update), 'the resumed player to get the next live update');
    expect(back.updatesOf(hunt, result.updateSeq).map(shape)).toEqual(mate.updatesOf(hunt, result.updateSeq).map(shape));
    expect(increasing(back.updatesOf(hunt).map((u) => u.update))).toBe(true);
  });

  it('a second connection of the same player, resuming from its join, gets the same history the first connection received live', async () => {
    const hunt = 'res-twice';
    const designer = await client(server, 'res-dee-2', 'designer');
    await designer.client.spawn(hunt, fourClueHunt());
    await designer.client.start(hunt);
    const first = await client(server, 'twice');
    const joinedAt = (await first.client.join(hunt)).view.updateSeq;
    await first.client.submit(hunt, 'c1', { kind: 'answer', text: 'granite' });
    await designer.client.announce(hunt, 'Halfway!');
    await first.client.submit(hunt, 'c2', FOUR_CLUES.wrongLocation);
    await first.client.ping();

    const second = await client(server, 'twice');
    const result = await second.client.resume(hunt, joinedAt);
    expect(result.resync).toBe(false);
    expect(second.updatesOf(hunt).map(shape)).toEqual(first.updatesOf(hunt).map(shape));
    expect(fold(second.updatesOf(hunt))).toEqual(fold(first.updatesOf(hunt)));

    // Both connections are now subscribed: a new update reaches both.
    const { update } = await designer.client.announce(hunt, 'Both of you');
    await waitUntil(() => hasUpdate(first, hunt, update) && hasUpdate(second, hunt, update), 'both connections to get the announcement');
  });
});

describe('resume on a server with CAIRN_MAX_RESUME_UPDATES=3', () => {
  let server: ServerProcess;
  beforeAll(async () => {
    server = await startServerProcess({ env: { ...FAST_GUESSES, CAIRN_MAX_RESUME_UPDATES: '3' } });
    servers.push(server);
  });

  it('three missed updates are replayed; four are answered with a resync carrying the whole view (resumed complete=false)', async () => {
    const hunt = 'res-small';
    const designer = await client(server, 'small-dee', 'designer');
    await designer.client.spawn(hunt, fourClueHunt());
    await designer.client.start(hunt);
    const first = await client(server, 'pia');
    await first.client.join(hunt);
    await first.client.submit(hunt, 'c1', { kind: 'answer', text: 'granite' });
    const seenFirst = first.client.lastUpdate(hunt)!;
    await first.close();

    for (const n of [1, 2, 3]) await designer.client.announce(hunt, `news ${n}`);
    const second = await client(server, 'pia');
    const replay = await second.client.resume(hunt, seenFirst);
    expect(replay).toMatchObject({ resync: false, replayed: 3, updateSeq: seenFirst + 3 });
    expect(second.resumed).toEqual([{ hunt, complete: true, replayed: 3, updateSeq: seenFirst + 3 }]);
    expect(fold(second.updatesOf(hunt)).announcements).toEqual(['news 1', 'news 2', 'news 3']);
    const seenSecond = second.client.lastUpdate(hunt)!;
    await second.close();

    for (const n of [4, 5, 6, 7]) await designer.client.announce(hunt, `news ${n}`);
    await designer.client.editClue(hunt, 'c2', { title: 'The tall tower' });
    const third = await client(server, 'pia');
    const resync = await third.client.resume(hunt, seenSecond);
    const { summary } = await designer.client.status(hunt);
    expect(resync).toMatchObject({ resync: true, replayed: 0, updateSeq: summary.updateSeq });
    expect(third.updatesOf(hunt)).toEqual([]);
    expect(third.resumed).toHaveLength(1);
    expect(third.resumed[0]).toMatchObject({ hunt, complete: false, replayed: 0, updateSeq: summary.updateSeq });
    const view = third.resumed[0]!.view!;
    expect(view.updateSeq).toBe(summary.updateSeq);
    expect(view.you).toMatchObject({ playerId: 'pia', competitorId: 'p:pia', points: 120 });
    expect(view.clues.map((c) => [c.id, c.status, c.title])).toEqual([
      ['c1', 'solved', 'The stone'],
      ['c2', 'open', 'The tall tower'],
    ]);
    expect(third.client.lastUpdate(hunt)).toBe(summary.updateSeq);

    // Subscribed again: the next update arrives live.
    const { update } = await designer.client.announce(hunt, 'news 8');
    await waitUntil(() => hasUpdate(third, hunt, update), 'the resynced player to get the next update');

    // A client claiming to be ahead of the hunt is resynced too.
    const fourth = await client(server, 'pia');
    expect(await fourth.client.resume(hunt, summary.updateSeq + 1000)).toMatchObject({ resync: true, updateSeq: update });
  });
});

describe('graceful restart', () => {
  it('after SIGTERM (close 1012) and a restart on the same data dir and port, the SDK reconnects and resumes by itself', { timeout: 60_000 }, async () => {
    const port = String(await freePort());
    const env = { ...FAST_GUESSES, CAIRN_PORT: port };
    const first = await startServerProcess({ env });
    servers.push(first);
    const hunt = 'res-restart';
    const reconnect = { initialDelayMs: 50, maxDelayMs: 300 };
    const designer = await client(first, 'restart-dee', 'designer', { reconnect });
    await designer.client.spawn(hunt, fourClueHunt());
    await designer.client.start(hunt);
    await designer.client.watch(hunt);
    const rex = await client(first, 'rex', 'player', { reconnect });
    await rex.client.join(hunt);
    await rex.client.submit(hunt, 'c1', { kind: 'answer', text: 'granite' });
    const seenBefore = rex.client.lastUpdate(hunt)!;

    expect(await first.stop('SIGTERM')).toBe(0);
    await waitUntil(() => rex.disconnects.length > 0, 'the player to notice the restart');
    expect(rex.disconnects[0]).toMatchObject({ code: 1012, willReconnect: true });
    expect(designer.disconnects[0]).toMatchObject({ code: 1012, willReconnect: true });

    const second = await startServerProcess({ dataDir: first.dataDir, env });
    servers.push(second);
    expect(second.wsUrl).toBe(first.wsUrl);
    await waitUntil(() => rex.resumed.length > 0 && designer.resumed.length > 0, 'both clients to resume by themselves', 20_000);
    expect(rex.resumed[0]).toMatchObject({ hunt, complete: true, updateSeq: seenBefore });
    expect(designer.resumed[0]).toMatchObject({ hunt, complete: false, summary: { status: 'running', players: 1 } });
    expect(rex.client.state).toBe('ready');

    // Both carry on over their new connections, without being told to.
    const { update } = await designer.client.announce(hunt, 'We are back');
    await waitUntil(() => hasUpdate(rex, hunt, update) && hasUpdate(designer, hunt, update), 'the announcement after the restart');
    const next = await rex.client.submit(hunt, 'c2', FOUR_CLUES.here);
    expect(next).toMatchObject({ correct: true, duplicate: false });
    const announcements = rex.updatesOf(hunt).flatMap((u) => u.changes).filter((c) => c.kind === 'announcement');
    expect(announcements).toEqual([{ kind: 'announcement', message: 'We are back', at: expect.any(Number) }]);
    expect(increasing(rex.updatesOf(hunt).map((u) => u.update))).toBe(true);
    const { summary } = await designer.client.status(hunt);
    expect(summary.leaderboard[0]).toMatchObject({ competitorId: 'p:rex', solved: 2, points: 290 });
  });
});
