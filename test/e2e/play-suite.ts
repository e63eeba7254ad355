import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { UpdateMessage } from '../../protocol/server-messages.js';
import type { PlayerView } from '../../protocol/views.js';
import { CairnRequestError } from '../../src/client/index.js';
import { changesOf, clueChange, increasing, indexOfReplyWithUpdate, indexOfUpdate, kindsOf, updateFrames } from './expect-frames.js';
import { FOUR_CLUES, fourClueHunt } from './hunts.js';
import { connectClient, waitUntil, type TestClient } from './sdk-client.js';
import { disposeServer, startServerProcess } from './server-process.js';

/** Where the suite's clients connect: one server, or the nodes of a cluster. */
export interface Deployment {
  /** The WebSocket URL the `n`th client of the suite connects to. */
  urlFor(n: number): string;
  dispose(): Promise<void>;
}

/** Guess rate limits high enough for scripted play; the hunt rules still apply. */
export const PLAY_SUITE_ENV = { CAIRN_GUESSES_PER_SECOND: '1000', CAIRN_GUESS_BURST: '1000' } as const;

/** One server process, configured by `env` on top of the suite's settings. */
export function singleServer(env: () => Record<string, string>): () => Promise<Deployment> {
  return async () => {
    const server = await startServerProcess({ env: { ...PLAY_SUITE_ENV, ...env() } });
    return { urlFor: () => server.wsUrl, dispose: () => disposeServer(server) };
  };
}


/**
 * Playing over real sockets against real server processes: pushes, their order and content,
 * teams, capacity, live edits, announcements, hints and staff watching. One suite, run against
 * each journal and against a cluster: `deploy` starts what the clients connect to.
 */
export function describePlaySuite(title: string, deploy: () => Promise<Deployment>): void {
  describe(title, () => {
    let deployment: Deployment | undefined;
    const clients: TestClient[] = [];
    let connected = 0;

    async function client(subject: string, role: 'player' | 'designer' = 'player', name?: string): Promise<TestClient> {
      const c = await connectClient(deployment!.urlFor(connected++), subject, role, name ? { name } : {});
      clients.push(c);
      return c;
    }

    /** How a request ended: its result, or its error code. */
    async function outcome(promise: Promise<unknown>): Promise<{ ok: true; result: unknown } | { ok: false; code: string }> {
      try {
        return { ok: true, result: await promise };
      } catch (error) {
        if (error instanceof CairnRequestError) return { ok: false, code: error.code };
        throw error;
      }
    }

    /** Rejection code of a request that must fail. */
    async function codeOf(promise: Promise<unknown>): Promise<string> {
      try {
        await promise;
      } catch (error) {
        if (error instanceof CairnRequestError) return error.code;
        throw error;
      }
      throw new Error('the request succeeded but should have failed');
    }

    const updateOf = (c: TestClient, hunt: string, update: number): UpdateMessage | undefined =>
      c.updates.find((u) => u.hunt === hunt && u.update === update);

    const waitForUpdate = (c: TestClient, hunt: string, update: number) =>
      waitUntil(() => updateOf(c, hunt, update), `${c.subject} to receive update ${update} of ${hunt}`);

    beforeAll(async () => {
      deployment = await deploy();
    });

    afterAll(async () => {
      await Promise.allSettled(clients.map((c) => c.close()));
      await deployment?.dispose();
    });

    describe('a solo hunt with three players', () => {
      const hunt = 'play-solo';
      let designer: TestClient;
      let ann: TestClient;
      let bob: TestClient;
      let cat: TestClient;
      const views = new Map<string, PlayerView>();

      beforeAll(async () => {
        designer = await client('dee', 'designer');
        await designer.client.spawn(hunt, fourClueHunt());
        await designer.client.start(hunt);
        [ann, bob, cat] = await Promise.all([client('ann', 'player', 'Ann'), client('bob', 'player', 'Bob'), client('cat', 'player', 'Cat')]);
        for (const p of [ann, bob, cat]) views.set(p.subject, (await p.client.join(hunt)).view);
      });

      it('each player receives the pushes that concern them in increasing update order, and the reply to a command after its update', async () => {
        const players = [ann, bob, cat];
        const play = async (who: TestClient, clue: string, guess: Parameters<TestClient['client']['submit']>[2]) => {
          const result = await who.client.submit(hunt, clue, guess);
          // Scoring changes the leaderboard, which everyone is sent.
          await Promise.all(players.map((p) => waitForUpdate(p, hunt, result.update)));
          return result;
        };

        const a1 = await play(ann, 'c1', { kind: 'answer', text: FOUR_CLUES.answers.c1 });
        expect(a1).toMatchObject({ correct: true, points: 100, bonus: 20, attemptsLeft: null, duplicate: false });
        const b1 = await play(bob, 'c1', { kind: 'answer', text: 'basalt' });
        expect(b1).toMatchObject({ correct: false, points: -5, bonus: 0, attemptsLeft: 9, duplicate: false });
        const c1 = await play(cat, 'c1', { kind: 'answer', text: '  GRANIT! ' });
        expect(c1).toMatchObject({ correct: true, points: 100, bonus: 20 });
        const a2 = await play(ann, 'c2', FOUR_CLUES.here);
        expect(a2).toMatchObject({ correct: true, points: 150, bonus: 20 });
        const a3 = await play(ann, 'c3', { kind: 'code', code: 'owl 77' });
        expect(a3).toMatchObject({ correct: true, points: 120, bonus: 20 });
        const b2 = await play(bob, 'c1', { kind: 'answer', text: 'Granite' });
        expect(b2).toMatchObject({ correct: true, points: 100, bonus: 20 });

        // Increasing, and all after the view each player joined with.
        for (const p of players) {
          const numbers = p.updatesOf(hunt).map((u) => u.update);
          expect(increasing(numbers), `${p.subject}: ${numbers.join(',')}`).toBe(true);
          expect(numbers[0]).toBeGreaterThan(views.get(p.subject)!.updateSeq);
          // The recorded frames (not only the SDK's events) rise too: nothing was sent twice.
          expect(increasing(updateFrames(p.frames, hunt).map((u) => u.update))).toBe(true);
        }

        // Ann's solve of c1: Ann sees c1 solved, c2 unlocked, her score; the others only the leaders.
        const annA1 = updateOf(ann, hunt, a1.update)!;
        expect(clueChange(annA1, 'c1')).toMatchObject({ status: 'solved', wrongGuesses: 0 });
        expect(clueChange(annA1, 'c2')).toMatchObject({ status: 'open', solveWith: 'location', points: 150, wrongGuesses: 0 });
        expect(changesOf(annA1, 'score')).toEqual([{ kind: 'score', points: 120, rank: 1 }]);
        expect(changesOf(annA1, 'leaderboard')[0]!.leaderboard.top[0]).toMatchObject({ competitorId: 'p:ann', points: 120, solved: 1 });
        for (const other of [bob, cat]) {
          const u = updateOf(other, hunt, a1.update)!;
          expect(kindsOf(u)).toEqual(['leaderboard']);
          expect(changesOf(u, 'leaderboard')[0]!.leaderboard.top[0]).toMatchObject({ competitorId: 'p:ann', points: 120 });
        }

        // Bob's wrong guess: Bob sees his clue's counters and his score; the others the leaders.
        const bobB1 = updateOf(bob, hunt, b1.update)!;
        expect(kindsOf(bobB1)).toEqual(['clue', 'leaderboard', 'score']);
        expect(clueChange(bobB1, 'c1')).toMatchObject({ status: 'open', wrongGuesses: 1, attemptsLeft: 9 });
        expect(changesOf(bobB1, 'score')[0]).toMatchObject({ points: -5 });
        for (const other of [ann, cat]) expect(kindsOf(updateOf(other, hunt, b1.update))).toEqual(['leaderboard']);

        // Ann's code on c3 (the third clue) unlocks c4 for her alone.
        expect(clueChange(updateOf(ann, hunt, a3.update), 'c4')).toMatchObject({ status: 'open', solveWith: 'answer' });
        expect(clueChange(updateOf(bob, hunt, a3.update), 'c4')).toBeUndefined();

        // Everyone ends with the same leaderboard, which admin.status agrees with.
        const expected = [
          { competitorId: 'p:ann', points: 430, solved: 3 },
          { competitorId: 'p:cat', points: 120, solved: 1 },
          { competitorId: 'p:bob', points: 115, solved: 1 },
        ];
        for (const p of players) {
          const last = changesOf(updateOf(p, hunt, b2.update), 'leaderboard')[0]!.leaderboard;
          expect(last.total).toBe(3);
          expect(last.top).toMatchObject(expected.map((e, i) => ({ ...e, rank: i + 1 })));
        }
        const { summary } = await designer.client.status(hunt);
        expect(summary.leaderboard).toMatchObject(expected);

        // On the acting player's socket, each command's update frame came before its reply.
        for (const [who, result] of [[ann, a1], [bob, b1], [cat, c1], [ann, a2], [ann, a3], [bob, b2]] as const) {
          const updateAt = indexOfUpdate(who.frames, hunt, result.update);
          const replyAt = indexOfReplyWithUpdate(who.frames, result.update);
          expect(updateAt, `${who.subject}: update ${result.update}`).toBeGreaterThanOrEqual(0);
          expect(replyAt, `${who.subject}: reply of update ${result.update}`).toBeGreaterThan(updateAt);
        }
      });

      it("a designer's live clue edit reaches the players who have that clue unlocked, and nobody else", async () => {
        // Ann has c1..c4 unlocked; Bob and Cat have c1 and c2.
        const onlyAnn = await designer.client.editClue(hunt, 'c3', { title: 'The brass plaque', text: 'Type the code on the brass plaque by the door.' });
        await waitForUpdate(ann, hunt, onlyAnn.update);
        expect(clueChange(updateOf(ann, hunt, onlyAnn.update), 'c3')).toMatchObject({
          title: 'The brass plaque',
          text: 'Type the code on the brass plaque by the door.',
          status: 'solved',
          points: 120,
        });
        for (const p of [bob, cat]) {
          await p.client.ping(); // every frame sent to it before now has arrived
          expect(updateOf(p, hunt, onlyAnn.update), p.subject).toBeUndefined();
          expect(JSON.stringify(p.frames.map((f) => f.message))).not.toContain('brass plaque');
        }

        const everyone = await designer.client.editClue(hunt, 'c2', { text: 'Stand below the big clock, facing the river.' });
        for (const p of [ann, bob, cat]) {
          const u = await waitForUpdate(p, hunt, everyone.update);
          expect(kindsOf(u)).toEqual(['clue']);
          expect(clueChange(u, 'c2')).toMatchObject({ text: 'Stand below the big clock, facing the river.', title: 'The tower' });
        }
        expect(clueChange(updateOf(ann, hunt, everyone.update), 'c2')!.status).toBe('solved');
        expect(clueChange(updateOf(bob, hunt, everyone.update), 'c2')!.status).toBe('open');
      });

      it('an announcement reaches every player and the staff watching the hunt', async () => {
        await designer.client.watch(hunt);
        const { update } = await designer.client.announce(hunt, 'Tea at the bakery at 4 pm');
        for (const p of [ann, bob, cat, designer]) {
          const u = await waitForUpdate(p, hunt, update);
          expect(u.changes).toEqual([{ kind: 'announcement', message: 'Tea at the bakery at 4 pm', at: expect.any(Number) }]);
        }
        // The designer watches: the update came before the reply on its socket too.
        expect(indexOfReplyWithUpdate(designer.frames, update)).toBeGreaterThan(indexOfUpdate(designer.frames, hunt, update));
      });
    });

    describe('a team hunt', () => {
      it('the first correct answer of a team member solves the clue for both, and the other member then gets clue-already-solved', async () => {
        const hunt = 'play-team';
        const designer = await client('dee-team', 'designer');
        await designer.client.spawn(hunt, fourClueHunt({ teams: { maxTeamSize: 2 } }));
        await designer.client.start(hunt);
        const [tia, tom] = await Promise.all([client('tia'), client('tom')]);
        const tiaView = (await tia.client.join(hunt, { team: 'Owls' })).view;
        const tomView = (await tom.client.join(hunt, { team: 'OWLS ' })).view;
        expect(tiaView.you).toMatchObject({ competitorId: 't:owls', team: 'Owls' });
        expect(tomView.you).toMatchObject({ competitorId: 't:owls', team: 'Owls' });
        expect(await codeOf(client('tod').then((tod) => tod.client.join(hunt, { team: 'owls' })))).toBe('team-full');

        const solved = await tia.client.submit(hunt, 'c1', { kind: 'answer', text: 'granite' });
        expect(solved).toMatchObject({ correct: true, points: 100 });
        const forTom = await waitForUpdate(tom, hunt, solved.update);
        expect(clueChange(forTom, 'c1')).toMatchObject({ status: 'solved' });
        expect(clueChange(forTom, 'c2')).toMatchObject({ status: 'open' });
        expect(changesOf(forTom, 'score')).toEqual([{ kind: 'score', points: 120, rank: 1 }]);

        expect(await codeOf(tom.client.submit(hunt, 'c1', { kind: 'answer', text: 'granite' }))).toBe('clue-already-solved');
        expect(await codeOf(tom.client.hint(hunt, 'c1', 0))).toBe('clue-already-solved');

        // Either member moves the team on: Tom solves c2 and Tia sees it.
        const next = await tom.client.submit(hunt, 'c2', FOUR_CLUES.here);
        const forTia = await waitForUpdate(tia, hunt, next.update);
        expect(clueChange(forTia, 'c2')).toMatchObject({ status: 'solved' });
        expect(clueChange(forTia, 'c3')).toMatchObject({ status: 'open' });
        const { summary } = await designer.client.status(hunt);
        expect(summary.leaderboard).toMatchObject([{ competitorId: 't:owls', kind: 'team', name: 'Owls', points: 290, solved: 2 }]);
        expect(summary.players).toBe(2);
      });
    });

    describe('capacity', () => {
      it('12 players joining at once on separate connections a hunt of 5 places: exactly 5 get in, 7 get hunt-full', async () => {
        const hunt = 'play-full';
        const designer = await client('dee-full', 'designer');
        await designer.client.spawn(hunt, fourClueHunt({ maxPlayers: 5 }));
        await designer.client.start(hunt);
        const players = await Promise.all(Array.from({ length: 12 }, (_, i) => client(`crowd-${i}`)));
        const outcomes = await Promise.allSettled(players.map((p) => p.client.join(hunt)));
        const joined = outcomes.filter((o) => o.status === 'fulfilled');
        const refused = outcomes.flatMap((o) => (o.status === 'rejected' ? [o.reason as unknown] : []));
        expect(joined).toHaveLength(5);
        expect(refused).toHaveLength(7);
        for (const error of refused) {
          expect(error).toBeInstanceOf(CairnRequestError);
          expect((error as CairnRequestError).code).toBe('hunt-full');
        }
        const { summary } = await designer.client.status(hunt);
        expect(summary.players).toBe(5);
        expect(summary.maxPlayers).toBe(5);
        expect(summary.leaderboard).toHaveLength(5);
      });
    });

    describe('hints', () => {
      it('a hint request returns the text and costs its penalty once; a repeat is a duplicate and the same hint again is hint-already-revealed', async () => {
        const hunt = 'play-hint';
        const designer = await client('dee-hint', 'designer');
        await designer.client.spawn(hunt, fourClueHunt());
        await designer.client.start(hunt);
        const hal = await client('hal');
        await hal.client.join(hunt);

        const first = await hal.client.request({ type: 'hint', hunt, clue: 'c1', hint: 1, commandId: 'hal-hint-c1-1' });
        expect(first).toMatchObject({ clue: 'c1', hint: 1, text: 'Quarried in Cornwall.', penalty: 25, duplicate: false });
        const pushed = updateOf(hal, hunt, first.update)!;
        expect(pushed).toBeDefined();
        expect(clueChange(pushed, 'c1')!.hints).toEqual([
          { index: 0, penalty: 10, revealed: false },
          { index: 1, penalty: 25, revealed: true, text: 'Quarried in Cornwall.' },
        ]);
        expect(changesOf(pushed, 'score')).toEqual([{ kind: 'score', points: -25, rank: 1 }]);

        const repeat = await hal.client.request({ type: 'hint', hunt, clue: 'c1', hint: 1, commandId: 'hal-hint-c1-1' });
        expect(repeat).toEqual({ ...first, duplicate: true });
        expect(await codeOf(hal.client.request({ type: 'hint', hunt, clue: 'c1', hint: 1, commandId: 'hal-hint-c1-again' }))).toBe('hint-already-revealed');
        expect(await codeOf(hal.client.hint(hunt, 'c1', 2))).toBe('unknown-hint');
        expect(await codeOf(hal.client.hint(hunt, 'c2', 0))).toBe('clue-locked');

        await hal.client.ping();
        expect(hal.updatesOf(hunt, first.update)).toEqual([]); // the repeat and the refusals pushed nothing
        const { summary } = await designer.client.status(hunt);
        expect(summary.leaderboard[0]).toMatchObject({ competitorId: 'p:hal', points: -25 });
        expect(summary.updateSeq).toBe(first.update);
      });
    });

    describe('staff watching', () => {
      it('admin.watch gives staff the hunt-status, players and leaderboard changes, and never a player\'s clues or score', async () => {
        const hunt = 'play-watch';
        const designer = await client('dee-watch', 'designer');
        await designer.client.spawn(hunt, fourClueHunt());
        const { summary } = await designer.client.watch(hunt);
        expect(summary).toMatchObject({ status: 'draft', players: 0, leaderboard: [] });

        const started = await designer.client.start(hunt);
        expect((await waitForUpdate(designer, hunt, started.update)).changes).toEqual([{ kind: 'hunt-status', status: 'running', at: expect.any(Number) }]);
        const [wes, wyn] = await Promise.all([client('wes'), client('wyn')]);
        // A joiner among the leaders is on the board at once, before scoring.
        const wesJoined = (await wes.client.join(hunt)).view.updateSeq;
        const afterWes = await waitForUpdate(designer, hunt, wesJoined);
        expect(kindsOf(afterWes)).toEqual(['leaderboard', 'players']);
        expect(changesOf(afterWes, 'players')).toEqual([{ kind: 'players', active: 1 }]);
        const wynJoined = (await wyn.client.join(hunt)).view.updateSeq;
        const afterWyn = await waitForUpdate(designer, hunt, wynJoined);
        expect(changesOf(afterWyn, 'players')).toEqual([{ kind: 'players', active: 2 }]);
        expect(changesOf(afterWyn, 'leaderboard')[0]!.leaderboard.top.map((e) => e.competitorId).sort()).toEqual(['p:wes', 'p:wyn']);

        const wrong = await wes.client.submit(hunt, 'c1', { kind: 'answer', text: 'chalk' });
        const right = await wyn.client.submit(hunt, 'c1', { kind: 'answer', text: 'granite' });
        const left = await wes.client.leave(hunt);
        expect(kindsOf(await waitForUpdate(designer, hunt, wrong.update))).toEqual(['leaderboard']);
        const afterRight = await waitForUpdate(designer, hunt, right.update);
        expect(kindsOf(afterRight)).toEqual(['leaderboard']);
        expect(changesOf(afterRight, 'leaderboard')[0]!.leaderboard.top).toMatchObject([
          { competitorId: 'p:wyn', points: 120, solved: 1 },
          { competitorId: 'p:wes', points: -5, solved: 0 },
        ]);
        expect((await waitForUpdate(designer, hunt, left.update)).changes).toEqual([{ kind: 'players', active: 1 }]);

        const staffKinds = new Set(designer.updatesOf(hunt).flatMap((u) => u.changes.map((c) => c.kind)));
        expect([...staffKinds].sort()).toEqual(['hunt-status', 'leaderboard', 'players']);
      });
    });

    describe('kicking', () => {
      it('a kicked player cannot rejoin, not even by repeating the commandId of their first join, and is sent nothing more', async () => {
        const hunt = 'play-kick';
        const designer = await client('dee-kick', 'designer');
        await designer.client.spawn(hunt, fourClueHunt({ teams: { maxTeamSize: 2 } }));
        await designer.client.start(hunt);
        const [kim, kai] = await Promise.all([client('kim'), client('kai')]);
        await kim.client.join(hunt, { team: 'Cats' });
        await kai.client.request({ type: 'join', hunt, team: 'Cats', commandId: 'kai-join-play-kick' });

        const kicked = await designer.client.kick(hunt, 'kai', 'sharing answers');
        const last = await waitForUpdate(kai, hunt, kicked.update);
        expect(changesOf(last, 'kicked')).toEqual([{ kind: 'kicked', reason: 'sharing answers' }]);

        expect(await codeOf(kai.client.join(hunt, { team: 'Cats' }))).toBe('player-banned');
        expect(await codeOf(kai.client.resume(hunt, 0))).toBe('player-banned');
        // The same request as the first join, as a client retrying after a lost reply would send it.
        const replayed = await outcome(kai.client.request({ type: 'join', hunt, team: 'Cats', commandId: 'kai-join-play-kick' }));
        expect.soft(replayed, 'a join repeated by a kicked player').toEqual({ ok: false, code: 'player-banned' });

        // The team plays on; the removed player must see none of it (here: c2, unlocked after the kick).
        const framesBefore = kai.frames.length;
        const solved = await kim.client.submit(hunt, 'c1', { kind: 'answer', text: 'granite' });
        await waitForUpdate(kim, hunt, solved.update);
        await kai.client.ping();
        const later = kai.frames.slice(framesBefore).filter((f) => f.message.type === 'update');
        expect(later.map((f) => f.message), 'updates sent to the kicked player').toEqual([]);
      });
    });
  });
}
