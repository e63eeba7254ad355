import { describe, expect, it } from 'vitest';
import type { HuntState } from '../../../actors/hunt/hunt-state.js';
import { COMMAND_WINDOW_MS, MAX_CLOCK_AHEAD_MS } from '../../../actors/runtime/command-window.js';
import type { CommandOutcome } from '../../../actors/runtime/entity-messages.js';
import { JournalUnavailableError } from '../../../src/errors.js';
import type { Journal } from '../../../src/journal/journal.js';
import { commands, nodesOnOneFile, readState, smallHunt, withJournal, type Node } from './harness.js';

/*
 * A command id is applied once for as long as a client may retry: the runtime finds a command's
 * first outcome in the journal's ledger, whatever came after it, across restarts, for the window
 * in command-window.ts. Real SQLite files throughout.
 */
describe('repeated commands, answered from the journal', () => {
  const { node, stop } = nodesOnOneFile();
  const restart = async (running: Node): Promise<Node> => {
    await stop(running);
    return node();
  };

  /** A running hunt with the given players joined. */
  async function runningHunt(n: Node, c: ReturnType<typeof commands>, players: readonly string[], definition = smallHunt()): Promise<void> {
    for (const command of [c.spawn(definition), ...players.map((p) => c.join(p)), c.start()]) expectOk(await n.host.execute('hunt', 'h1', command));
  }

  const points = async (n: Node, competitorId: string) => (await readState<HuntState>(n.host, 'hunt', 'h1')).state.competitors[competitorId]?.points;
  const eventsOf = async (n: Node) => (await n.journal.readEvents('hunt:h1', 0, 100_000)).length;

  it('a repeated correct guess gets its first event, marked duplicate, and scores once', async () => {
    const n = node();
    const c = commands();
    await runningHunt(n, c, ['ana', 'ben']);
    const solve = { ...c.answer('ana', 'anchor', 'anchor'), commandId: 'ana-solve' };
    const first = expectOk(await n.host.execute('hunt', 'h1', solve));
    expectOk(await n.host.execute('hunt', 'h1', c.answer('ben', 'anchor', 'rope')));
    const stored = await eventsOf(n);

    const repeat = expectOk(await n.host.execute('hunt', 'h1', { ...solve, at: solve.at + 30_000 }));
    expect(repeat).toEqual({ ok: true, event: first.event, duplicate: true, seqNr: first.seqNr });
    expect(await points(n, 'p:ana')).toBe(100);
    expect(await eventsOf(n)).toBe(stored);
  });

  it('a repeated wrong guess costs the penalty once and is not refused as too fast', async () => {
    const n = node();
    const c = commands();
    await runningHunt(n, c, ['ana'], smallHunt({ guessing: { minSecondsBetweenGuesses: 60, maxTravelSpeedKmh: 150 } }));
    const guess = { ...c.answer('ana', 'anchor', 'rope'), commandId: 'ana-guess' };
    const first = expectOk(await n.host.execute('hunt', 'h1', guess));
    expect(await n.host.execute('hunt', 'h1', guess)).toEqual({ ...first, duplicate: true });
    expect(await points(n, 'p:ana')).toBe(-5);
  });

  it('a repeat after 10,000 newer commands from the same issuer still gets its first outcome', { timeout: 120_000 }, async () => {
    const n = node();
    const c = commands();
    await runningHunt(n, c, []);
    const first = { ...c.announce('First'), commandId: 'note-0' };
    const original = expectOk(await n.host.execute<{ update: number }>('hunt', 'h1', first));
    const newer = Array.from({ length: 10_000 }, (_, i) => ({ ...c.announce(`Note ${i + 1}`), commandId: `note-${i + 1}` }));
    const outcomes = await Promise.all(newer.map((command) => n.host.execute('hunt', 'h1', command)));
    expect(outcomes.filter((o) => o.ok && !o.duplicate)).toHaveLength(10_000);

    const repeat = expectOk(await n.host.execute('hunt', 'h1', { ...first, at: Date.now() + 60_000 }));
    expect(repeat).toMatchObject({ duplicate: true, seqNr: original.seqNr, event: { message: 'First', update: original.event.update } });
    expect(await eventsOf(n)).toBe(original.seqNr + 10_000);
  });

  it('a refusal is kept: the repeat gets it again, even once the hunt would accept the command', async () => {
    const n = node();
    const c = commands();
    await runningHunt(n, c, ['ana'], smallHunt({ maxPlayers: 1 }));
    const join = { ...c.join('cy'), commandId: 'cy-join' };
    const refused = await n.host.execute('hunt', 'h1', join);
    expect(refused).toMatchObject({ ok: false, rejection: { code: 'hunt-full' } });
    expectOk(await n.host.execute('hunt', 'h1', c.leave('ana')));

    expect(await n.host.execute('hunt', 'h1', { ...join, at: join.at + 1000 })).toEqual(refused);
    // A new attempt is a new command id, and the freed place is there for it.
    expectOk(await n.host.execute('hunt', 'h1', { ...join, commandId: 'cy-join-2' }));
  });

  it('a too-fast refusal is not kept: the same command, sent after the wait, is judged', async () => {
    const n = node();
    const c = commands();
    await runningHunt(n, c, ['ana'], smallHunt({ guessing: { minSecondsBetweenGuesses: 2, maxTravelSpeedKmh: 150 } }));
    const firstGuess = c.answer('ana', 'anchor', 'rope');
    expectOk(await n.host.execute('hunt', 'h1', firstGuess));
    const second = { ...c.answer('ana', 'anchor', 'anchor'), commandId: 'ana-second' };
    expect(await n.host.execute('hunt', 'h1', { ...second, at: firstGuess.at + 500 })).toMatchObject({ ok: false, rejection: { code: 'too-fast' } });
    expect(await n.host.execute('hunt', 'h1', { ...second, at: firstGuess.at + 2500 })).toMatchObject({ ok: true, duplicate: false, event: { type: 'clue-solved' } });
  });

  it('an id used again for another kind of command is refused, whether its first outcome was an event or a refusal', async () => {
    const n = node();
    const c = commands();
    await runningHunt(n, c, ['ana']);
    expectOk(await n.host.execute('hunt', 'h1', { ...c.answer('ana', 'anchor', 'rope'), commandId: 'ana-1' }));
    expect(await n.host.execute('hunt', 'h1', { ...c.leave('ana'), commandId: 'ana-1' })).toMatchObject({
      ok: false,
      rejection: { code: 'command-id-reused' },
    });
    expect(await n.host.execute('hunt', 'h1', { ...c.answer('ana', 'nowhere', 'x'), commandId: 'ana-2' })).toMatchObject({ rejection: { code: 'unknown-clue' } });
    expect(await n.host.execute('hunt', 'h1', { ...c.leave('ana'), commandId: 'ana-2' })).toMatchObject({
      rejection: { code: 'command-id-reused' },
    });
  });

  it('the same id from two issuers is two commands', async () => {
    const n = node();
    const c = commands();
    await runningHunt(n, c, ['ana', 'ben']);
    const a = expectOk(await n.host.execute('hunt', 'h1', { ...c.answer('ana', 'anchor', 'anchor'), commandId: 'same' }));
    const b = expectOk(await n.host.execute('hunt', 'h1', { ...c.answer('ben', 'anchor', 'anchor'), commandId: 'same' }));
    expect(a.duplicate || b.duplicate).toBe(false);
    expect(b.event).toMatchObject({ type: 'clue-solved', playerId: 'ben' });
  });

  it('copies of one command in the same batch are applied once', async () => {
    const n = node();
    const c = commands();
    await runningHunt(n, c, ['ana']);
    const guess = { ...c.answer('ana', 'anchor', 'rope'), commandId: 'twice' };
    const outcomes = await Promise.all([guess, guess, guess].map((command) => n.host.execute('hunt', 'h1', command)));
    expect(outcomes.map((o) => o.ok && o.duplicate)).toEqual([false, true, true]);
    expect(await points(n, 'p:ana')).toBe(-5);
  });

  it('a repeat after a restart, and after a snapshot, gets its first outcome', async () => {
    let n = node({ snapshotEvery: 5 });
    const c = commands();
    await runningHunt(n, c, ['ana']);
    const guess = { ...c.answer('ana', 'anchor', 'rope'), commandId: 'before-restart' };
    const first = expectOk(await n.host.execute('hunt', 'h1', guess));
    for (let i = 0; i < 12; i++) expectOk(await n.host.execute('hunt', 'h1', c.announce(`Note ${i}`)));

    n = await restart(n);
    expect(await n.host.execute('hunt', 'h1', guess)).toEqual({ ...first, duplicate: true });
    expect(await points(n, 'p:ana')).toBe(-5);
  });

  it('a command issued before the window is refused with command-expired, and changes nothing', async () => {
    const n = node();
    const c = commands();
    await runningHunt(n, c, ['ana']);
    const stored = await eventsOf(n);
    const old = { ...c.answer('ana', 'anchor', 'rope'), issuedAt: Date.now() - COMMAND_WINDOW_MS - 60_000 };
    expect(await n.host.execute('hunt', 'h1', old)).toMatchObject({ ok: false, rejection: { code: 'command-expired' } });
    expect(await eventsOf(n)).toBe(stored);
    // Inside the window an unknown id is a new command.
    const recent = { ...c.answer('ana', 'anchor', 'rope'), issuedAt: Date.now() - COMMAND_WINDOW_MS + 60_000 };
    expect(await n.host.execute('hunt', 'h1', recent)).toMatchObject({ ok: true, duplicate: false });
  });

  it('a command stored inside the window is still answered after the window, from the ledger', async () => {
    const n = node();
    const c = commands();
    await runningHunt(n, c, ['ana']);
    const guess = { ...c.answer('ana', 'anchor', 'rope'), issuedAt: Date.now() - COMMAND_WINDOW_MS + 1000 };
    const first = expectOk(await n.host.execute('hunt', 'h1', guess));
    // Retried later, its issuedAt is past the window, but its key is kept for the retention.
    expect(await n.host.execute('hunt', 'h1', { ...guess, at: guess.at + 5 * 60_000 })).toEqual({ ...first, duplicate: true });
  });

  it('an issuedAt far ahead of the server clock is refused with invalid-input', async () => {
    const n = node();
    const c = commands();
    await runningHunt(n, c, ['ana']);
    const ahead = { ...c.answer('ana', 'anchor', 'anchor'), issuedAt: Date.now() + MAX_CLOCK_AHEAD_MS + 60_000 };
    expect(await n.host.execute('hunt', 'h1', ahead)).toMatchObject({ ok: false, rejection: { code: 'invalid-input', message: expect.stringMatching(/clock/) } });
    expect(await points(n, 'p:ana')).toBe(0);
  });

  it('when the ledger cannot be read, nothing is decided: every command fails retriably', async () => {
    let failing = false;
    const flakyLedger = (journal: Journal): Journal =>
      withJournal(journal, {
        findCommands: (id, keys) => (failing ? Promise.reject(new JournalUnavailableError('ledger down')) : journal.findCommands(id, keys)),
      });
    const n = node({}, flakyLedger);
    const c = commands();
    await runningHunt(n, c, ['ana']);
    const stored = await eventsOf(n);
    failing = true;
    expect(await n.host.execute('hunt', 'h1', c.answer('ana', 'anchor', 'anchor'))).toMatchObject({ ok: false, failure: { retriable: true } });
    failing = false;
    expect(await eventsOf(n)).toBe(stored);
    expect(await points(n, 'p:ana')).toBe(0);
  });

  it('a refusal that rests on an event of its batch is kept only once that event is stored; if it is lost, the refusal fails retriably', async () => {
    let failBensJoin = false;
    const failing = (journal: Journal): Journal =>
      withJournal(journal, {
        append: (id, expected, events) => {
          const bens = events.some((e) => e.type === 'player-joined' && (e.payload as { playerId?: string }).playerId === 'ben');
          if (!failBensJoin || !bens) return journal.append(id, expected, events);
          failBensJoin = false;
          return Promise.reject(new JournalUnavailableError('disk hiccup'));
        },
      });
    const n = node({}, failing);
    const c = commands();
    await runningHunt(n, c, ['ana'], smallHunt({ maxPlayers: 2 }));
    failBensJoin = true;
    // While an announcement is being stored, ben and cy queue up and go together as the next
    // batch: ben takes the last place, so cy is refused, but ben's join is never stored.
    const [, ben, cy] = await Promise.all([
      n.host.execute('hunt', 'h1', c.announce('Welcome')),
      n.host.execute('hunt', 'h1', c.join('ben')),
      n.host.execute('hunt', 'h1', { ...c.join('cy'), commandId: 'cy-join' }),
    ]);
    expect(ben).toMatchObject({ ok: false, failure: { retriable: true } });
    expect(cy).toMatchObject({ ok: false, failure: { retriable: true } });
    // The place is free after all: cy's retry joins.
    expect(await n.host.execute('hunt', 'h1', { ...c.join('cy'), commandId: 'cy-join' })).toMatchObject({ ok: true, duplicate: false });
  });

  it("a player's membership intents for two hunts under one client command id are both recorded", async () => {
    const n = node();
    const intent = (huntId: string) => ({ type: 'record-membership' as const, commandId: 'join-1:intent', at: Date.now(), huntId });
    expectOk(await n.host.execute('player', 'ana', intent('h1')));
    expect(await n.host.execute('player', 'ana', intent('h2'))).toMatchObject({ ok: true, duplicate: false });
    expect(await n.host.execute('player', 'ana', intent('h1'))).toMatchObject({ ok: true, duplicate: true });
  });
});

function expectOk<Event>(outcome: CommandOutcome<Event>): Extract<CommandOutcome<Event>, { ok: true }> {
  if (!outcome.ok) throw new Error(`expected the command to be applied, got ${JSON.stringify(outcome)}`);
  return outcome;
}
