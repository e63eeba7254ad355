import { afterAll, describe, expect, it } from 'vitest';
import type { StoredEvent } from '../../src/journal/journal.js';
import { createSqliteJournal } from '../../src/journal/sqlite/sqlite-journal.js';
import { compareWithLedger, connectKept, LOAD_HUNT, UNTHROTTLED_ENV, readAllEvents, sleep, startGuessLoad, type SentGuess } from './guess-load.js';
import { RawClient, type Reply } from './raw-client.js';
import { untilStatus } from './readiness-watch.js';
import { disposeServer, removeDir, startServerProcess, type ServerProcess } from './server-process.js';

/**
 * kill -9 of an embedded Cairn process while its SQLite journal commits under load: after a
 * restart on the same data dir, every command it acknowledged is stored, once. Run with both
 * `synchronous` settings: a process crash loses nothing acknowledged even with NORMAL, which
 * skips only the fsync (the WAL frames are in the OS's page cache before the commit returns).
 * Then the clients' side of it: a command sent again with its command id after the restart gets
 * its first outcome, whether the client saw that outcome or the kill took the reply with it.
 */

const PLAYERS = 24;
const IN_FLIGHT_PER_PLAYER = 4;
const KILL_AFTER_ACKS = 300;
/** Acknowledged guesses sent again after the restart, spread from the oldest to the newest. */
const ACKNOWLEDGED_RESENT = 50;
const servers: ServerProcess[] = [];
const sockets: RawClient[] = [];

async function start(synchronous: 'full' | 'normal', dataDir?: string): Promise<ServerProcess> {
  const server = await startServerProcess({
    env: {
      CAIRN_SQLITE_SYNCHRONOUS: synchronous,
      ...UNTHROTTLED_ENV,
    },
    ...(dataDir ? { dataDir } : {}),
  });
  servers.push(server);
  return server;
}

const connect = (server: ServerProcess, subject: string, role: 'player' | 'designer' = 'player') => connectKept(sockets, server, subject, role);

async function storedEvents(file: string, entityId: string): Promise<StoredEvent[]> {
  const journal = createSqliteJournal({ path: file });
  try {
    return await readAllEvents(journal, entityId);
  } finally {
    await journal.close();
  }
}

/** `count` entries spread evenly over `list`, its first and last included. */
function spread<T>(list: readonly T[], count: number): T[] {
  if (list.length <= count) return [...list];
  return Array.from({ length: count }, (_, i) => list[Math.round((i * (list.length - 1)) / (count - 1))]!);
}

/** What a submit's reply says about the command: its update and whether it was a repeat, or why it failed. */
function outcomeOf(reply: Reply | undefined): { update?: unknown; duplicate?: unknown; error?: string } {
  if (!reply) return { error: 'no reply' };
  return reply.ok ? { duplicate: reply.result.duplicate, update: reply.result.update } : { error: reply.error.code };
}

const updateOf = (event: StoredEvent) => (event.payload as { update?: unknown }).update;

/** The events that answer a command, by its id. */
const byCommandId = (events: readonly StoredEvent[]) => new Map(events.map((event) => [(event.payload as { commandId?: unknown }).commandId, event]));

afterAll(async () => {
  for (const socket of sockets) socket.terminate();
  const dirs = new Set(servers.map((server) => server.dataDir));
  for (const server of servers) await disposeServer(server, { keepDataDir: true });
  for (const dir of dirs) removeDir(dir);
});

describe.each(['full', 'normal'] as const)('kill -9 of the embedded process mid-commit (sqliteSynchronous %s)', (synchronous) => {
  it('keeps every acknowledged command exactly once, and the restarted process serves again on the same data dir', { timeout: 60_000 }, async () => {
    const first = await start(synchronous);
    const designer = await connect(first, `crash-dee-${synchronous}`, 'designer');
    await designer.ok({ type: 'admin.spawn', hunt: 'crash', commandId: 'crash-spawn', definition: LOAD_HUNT });
    await designer.ok({ type: 'admin.start', hunt: 'crash', commandId: 'crash-start' });
    const players = await Promise.all(Array.from({ length: PLAYERS }, (_, i) => connect(first, `crasher-${i}`)));
    await Promise.all(players.map((socket, i) => socket.ok({ type: 'join', hunt: 'crash', commandId: `crasher-${i}-join` })));

    const load = startGuessLoad(players, { hunt: 'crash', inFlightPerSocket: IN_FLIGHT_PER_PLAYER, prefix: `guess-${synchronous}` });
    while (load.acknowledged.length < KILL_AFTER_ACKS) await sleep(5);
    first.child.kill('SIGKILL');
    await load.stop();
    expect(await first.stop()).toBeNull(); // killed by the signal
    console.log(`sqlite ${synchronous}: ${load.acknowledged.length} acknowledged before the kill, ${load.unanswered} in flight lost their answer`);
    expect(load.unanswered, 'commands were in flight when it died').toBeGreaterThan(0);

    const second = await start(synchronous, first.dataDir);
    await untilStatus(`${second.httpUrl}/readyz`, 200, 5000);
    const again = await connect(second, 'crasher-0');
    const after = await again.ok({ type: 'submit', hunt: 'crash', clue: 'riddle', guess: { kind: 'answer', text: 'after' }, commandId: `after-${synchronous}` });
    expect(after).toMatchObject({ correct: false });
    await disposeServer(second, { keepDataDir: true });

    const events = await storedEvents(`${first.dataDir}/cairn.db`, 'hunt:crash');
    const { lost, storedTwice } = compareWithLedger(events, [...load.acknowledged, `after-${synchronous}`]);
    expect(lost, 'acknowledged commands missing after the restart').toEqual([]);
    expect(storedTwice, 'commands stored more than once').toEqual([]);
    expect(events.map((e) => e.seqNr)).toEqual(events.map((_, i) => i + 1));
  });

  it('answers each command sent again after the restart with its first outcome: an acknowledged guess as a duplicate of its update, one the kill left unanswered once, stored or not', { timeout: 60_000 }, async () => {
    const hunt = 'repeats';
    const first = await start(synchronous);
    const designer = await connect(first, `repeat-dee-${synchronous}`, 'designer');
    await designer.ok({ type: 'admin.spawn', hunt, commandId: 'repeat-spawn', definition: LOAD_HUNT });
    await designer.ok({ type: 'admin.start', hunt, commandId: 'repeat-start' });
    const subjects = Array.from({ length: PLAYERS }, (_, i) => `repeater-${i}`);
    const players = await Promise.all(subjects.map((subject) => connect(first, subject)));
    await Promise.all(players.map((socket, i) => socket.ok({ type: 'join', hunt, commandId: `${subjects[i]}-join` })));

    // Wrong guesses only (the load hunt has no attempt limit and no gap between guesses): a
    // repeat applied again would be judged again and stored as a second event, not refused.
    const load = startGuessLoad(players, { hunt, inFlightPerSocket: IN_FLIGHT_PER_PLAYER, prefix: `repeat-${synchronous}` });
    while (load.acknowledged.length < KILL_AFTER_ACKS) await sleep(5);
    first.child.kill('SIGKILL');
    await load.stop();
    expect(await first.stop()).toBeNull();

    const acknowledged = load.sent.filter((guess) => guess.reply?.ok);
    // No reply, or an error reply (a storage failure: the rules never refuse these guesses): the client cannot tell whether it was stored.
    const unsettled = load.sent.filter((guess) => !guess.reply?.ok);
    expect(unsettled.length, 'commands were in flight when it died').toBeGreaterThan(0);
    // What the kill left in the journal: a guess committed but not yet answered is in it. How many
    // there are depends on where the kill lands (with FULL's fsync often some, with NORMAL mostly none).
    const file = `${first.dataDir}/cairn.db`;
    const atKill = byCommandId(await storedEvents(file, `hunt:${hunt}`));
    expect(acknowledged.filter((guess) => !atKill.has(guess.commandId)).map((g) => g.commandId), 'acknowledged but not stored').toEqual([]);

    const second = await start(synchronous, first.dataDir);
    await untilStatus(`${second.httpUrl}/readyz`, 200, 5000);
    const sample = spread(acknowledged, ACKNOWLEDGED_RESENT);
    const resent = [...unsettled, ...sample];
    const answers = new Map<SentGuess, Reply>();
    await Promise.all(
      players.map(async (before, i) => {
        const mine = resent.filter((guess) => guess.socket === i);
        if (mine.length === 0) return;
        // Back as a client comes back: a new connection, the hunt resumed after the last update
        // seen, then every retry with its first command id and body.
        const socket = await connect(second, subjects[i]!);
        const lastSeen = Math.max(0, ...before.updates.filter((u) => u.hunt === hunt).map((u) => u.update));
        await socket.ok({ type: 'resume', hunt, after: lastSeen });
        await Promise.all(mine.map(async (guess) => answers.set(guess, await socket.request(guess.message, 20_000))));
      }),
    );

    const repeatOf = (guess: SentGuess) => ({ commandId: guess.commandId, ...outcomeOf(answers.get(guess)) });
    expect(sample.map(repeatOf), 'acknowledged guesses sent again').toEqual(
      sample.map((guess) => ({ commandId: guess.commandId, duplicate: true, update: outcomeOf(guess.reply).update })),
    );
    expect(unsettled.map(repeatOf), 'unanswered guesses sent again').toEqual(
      unsettled.map((guess) => {
        const stored = atKill.get(guess.commandId);
        return { commandId: guess.commandId, duplicate: stored !== undefined, update: stored ? updateOf(stored) : expect.any(Number) };
      }),
    );
    const storedUnsettled = unsettled.filter((guess) => atKill.has(guess.commandId)).length;
    const errorReplies = [...load.refused.values()].reduce((sum, n) => sum + n, 0);
    console.log(
      `sqlite ${synchronous} repeats: ${load.sent.length} sent, ${acknowledged.length} acknowledged, ${unsettled.length} unanswered at the kill` +
        `${errorReplies > 0 ? ` (${errorReplies} of them with an error reply)` : ''}, of which ${storedUnsettled} found stored; ` +
        `sent again: those ${unsettled.length} and ${sample.length} acknowledged, ${[...answers.values()].filter((r) => r.ok && r.result.duplicate === true).length} answered as duplicates`,
    );
    await disposeServer(second, { keepDataDir: true });

    const events = await storedEvents(file, `hunt:${hunt}`);
    const { lost, storedTwice } = compareWithLedger(events, load.sent.map((guess) => guess.commandId));
    expect(lost, 'guesses missing from the journal (every one was acknowledged, before the kill or after)').toEqual([]);
    expect(storedTwice, 'commands stored more than once').toEqual([]);
    const final = byCommandId(events);
    expect(resent.map((guess) => [guess.commandId, outcomeOf(answers.get(guess)).update]), 'the update each repeat answered vs the journal').toEqual(
      resent.map((guess) => [guess.commandId, updateOf(final.get(guess.commandId)!)]),
    );
    expect(events.map((e) => e.seqNr)).toEqual(events.map((_, i) => i + 1));
  });
});
