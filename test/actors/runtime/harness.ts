import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach } from 'vitest';
import { huntBehaviour } from '../../../actors/hunt/hunt-behaviour.js';
import { playerBehaviour } from '../../../actors/player/player-behaviour.js';
import { ShardHost, type ShardHostOptions } from '../../../actors/runtime/shard-host.js';
import type { HuntDefinition } from '../../../actors/definition/hunt-definition.js';
import type { Journal } from '../../../src/journal/journal.js';
import { createJournalPersistenceEngine } from '../../../src/journal/journal-persistence-engine.js';
import { createSqliteJournal } from '../../../src/journal/sqlite/sqlite-journal.js';

/** A temporary directory for one test's database files, removed by `cleanup`. */
export function tempDir(): { dir: string; cleanup: () => void } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cairn-actors-'));
  return { dir, cleanup: () => fs.rmSync(dir, { recursive: true, force: true }) };
}

export interface Node {
  readonly host: ShardHost;
  readonly journal: Journal;
  stop(): Promise<void>;
}

/**
 * Nodes on one SQLite file in a temporary directory made before each test and removed after it,
 * with every node still running stopped first. Call in a describe block.
 */
export function nodesOnOneFile() {
  let dir: { dir: string; cleanup: () => void } | undefined;
  let file = '';
  const running: Node[] = [];
  beforeEach(() => {
    dir = tempDir();
    file = path.join(dir.dir, 'cairn.db');
  });
  afterEach(async () => {
    await Promise.allSettled(running.splice(0).map((n) => n.stop()));
    dir?.cleanup();
  });
  const node = (...args: Parameters<typeof startNode> extends [string, ...infer Rest] ? Rest : never): Node => {
    const started = startNode(file, ...args);
    running.push(started);
    return started;
  };
  /** Stops `n` for good (as a process would exit); its file stays for the next node. */
  const stop = async (n: Node): Promise<void> => {
    running.splice(running.indexOf(n), 1);
    await n.stop();
  };
  return { node, stop };
}

/** `journal` with some of its methods replaced; the others are its own, bound to it. */
export function withJournal(journal: Journal, overrides: Partial<Journal>): Journal {
  return {
    append: journal.append.bind(journal),
    readEvents: journal.readEvents.bind(journal),
    readUpdates: journal.readUpdates.bind(journal),
    saveSnapshot: journal.saveSnapshot.bind(journal),
    loadSnapshot: journal.loadSnapshot.bind(journal),
    recordRefusals: journal.recordRefusals.bind(journal),
    findCommands: journal.findCommands.bind(journal),
    close: journal.close.bind(journal),
    ...overrides,
  };
}

/** A shard host over a real SQLite journal file, as one Cairn process would run it. */
export function startNode(
  file: string,
  options: Partial<ShardHostOptions> = {},
  wrapJournal: (journal: Journal) => Journal = (j) => j,
): Node {
  const journal = wrapJournal(createSqliteJournal({ path: file }));
  const host = new ShardHost({
    persistence: createJournalPersistenceEngine(journal),
    ledger: journal,
    behaviours: [huntBehaviour, playerBehaviour],
    ...options,
  });
  return {
    host,
    journal,
    async stop() {
      await host.stop();
      await journal.close();
    },
  };
}

export const smallHunt = (overrides: Partial<HuntDefinition> = {}): HuntDefinition => ({
  title: 'Harbour walk',
  description: 'Three stops along the harbour',
  maxPlayers: 10,
  order: 'linear',
  scoring: { wrongAnswerPenalty: 5 },
  guessing: { minSecondsBetweenGuesses: 0, maxTravelSpeedKmh: 150 },
  clues: [
    { id: 'anchor', title: 'Anchor', text: 'What holds a ship?', points: 100, hints: [{ text: 'Heavy', penalty: 10 }], solve: { kind: 'answer', accepted: ['anchor'] } },
    { id: 'bell', title: 'Bell', text: 'What rings at noon?', points: 50, hints: [], solve: { kind: 'answer', accepted: ['bell'] } },
    { id: 'crane', title: 'Crane', text: 'Code on the crane', points: 70, hints: [], solve: { kind: 'code', code: 'C-42' } },
  ],
  ...overrides,
});

/** Builds hunt commands with fresh command ids and an advancing clock. */
export function commands(start = Date.now()) {
  let n = 0;
  const next = () => ({ commandId: `c${++n}`, at: start + n });
  return {
    spawn: (definition: HuntDefinition = smallHunt()) => ({ ...next(), type: 'spawn' as const, issuer: 'designer-1', definition }),
    start: () => ({ ...next(), type: 'start' as const, issuer: 'designer-1' }),
    join: (playerId: string, team?: string) => ({ ...next(), type: 'join' as const, playerId, displayName: playerId.toUpperCase(), ...(team ? { team } : {}) }),
    leave: (playerId: string) => ({ ...next(), type: 'leave' as const, playerId }),
    announce: (message: string) => ({ ...next(), type: 'announce' as const, issuer: 'designer-1', message }),
    answer: (playerId: string, clueId: string, text: string) => ({ ...next(), type: 'submit' as const, playerId, clueId, guess: { kind: 'answer' as const, text } }),
  };
}

/** A copy of an entity's state and its sequence number, for assertions. */
export async function readState<State>(host: ShardHost, kind: string, entityId: string): Promise<{ state: State; seqNr: number }> {
  const reply = await host.read(kind, entityId, (state: State) => structuredClone(state));
  return { state: reply.view, seqNr: reply.seqNr };
}
