import { expect } from 'vitest';
import type { PlayerView } from '../../../protocol/views.js';
import { CairnRequestError } from '../../../src/client/index.js';
import type { StoredEvent } from '../../../src/journal/journal.js';
import { createCassandraJournal } from '../../../src/journal/cassandra/cassandra-journal.js';
import { huntFile } from '../../e2e/hunts.js';
import { connectClient, sleep, type TestClient } from '../../e2e/sdk-client.js';
import type { ClusterNodeProcess, TestCluster } from './cluster-nodes.js';

/** Clues per hunt: more than any player solves in a test, so nobody runs out. */
export const CLUES = 400;

/** A free-order hunt of CLUES one-point clues; clue cK is solved by the answer aK. */
export const steadyHunt = (): string =>
  huntFile({
    title: 'Steady play',
    maxPlayers: 100,
    order: 'free',
    clues: Array.from({ length: CLUES }, (_, k) => ({ id: `c${k}`, points: 1, answer: `a${k}` })),
  });

/** A move the server acknowledged: the reply came back. */
export interface AckedMove {
  readonly commandId: string;
  readonly at: number;
}

export interface SteadyPlayer {
  readonly id: string;
  readonly hunt: string;
  readonly test: TestClient;
  readonly acked: AckedMove[];
  /** Codes of attempts that failed (each retried with the same command id). */
  readonly failures: string[];
  /** Each time the socket was lost: when, and when the hunt was resumed on the next one. */
  readonly offline: { readonly from: number; to?: number }[];
}

/**
 * Players that each solve clue after clue of their hunt, one move at a time, through SDK clients
 * that know every node (a lost socket reconnects to the next node and resumes). A move that fails
 * is retried with the same command id until it is acknowledged.
 */
export async function joinPlayers(cluster: TestCluster, hunts: readonly string[], perHunt: number): Promise<SteadyPlayer[]> {
  const urls = cluster.nodes.filter(cluster.isLive).map((node) => node.wsUrl);
  const players: SteadyPlayer[] = [];
  for (const [h, hunt] of hunts.entries()) {
    for (let p = 0; p < perHunt; p += 1) {
      const id = `${hunt}-p${p}`;
      // Each player starts on another node, so most are not on the node that hosts their hunt.
      const start = (h * perHunt + p) % urls.length;
      const test = await connectClient([...urls.slice(start), ...urls.slice(0, start)], id, 'player', {
        requestTimeoutMs: 4000,
        maxRetries: 0,
        reconnect: { initialDelayMs: 50, maxDelayMs: 500 },
      });
      await test.client.join(hunt);
      const player: SteadyPlayer = { id, hunt, test, acked: [], failures: [], offline: [] };
      test.client.on('disconnected', () => player.offline.push({ from: Date.now() }));
      test.client.on('resumed', (r) => {
        const last = player.offline.at(-1);
        if (r.hunt === hunt && last && last.to === undefined) last.to = Date.now();
      });
      players.push(player);
    }
  }
  return players;
}

/** Plays until `stop()`; resolves when every player's last move is settled. */
export function play(players: readonly SteadyPlayer[], paceMs = 100): { stop: () => Promise<void> } {
  let stopped = false;
  const loops = players.map(async (player) => {
    for (let k = 0; k < CLUES && !stopped; ) {
      const commandId = `${player.id}-m${k}`;
      try {
        await player.test.client.request({ type: 'submit', hunt: player.hunt, clue: `c${k}`, guess: { kind: 'answer', text: `a${k}` }, commandId });
        player.acked.push({ commandId, at: Date.now() });
        k += 1;
      } catch (error) {
        player.failures.push(error instanceof CairnRequestError ? error.code : String(error));
        // An unanswered move is retried with its command id: applied once whatever happened.
        await sleep(50);
        continue;
      }
      await sleep(paceMs);
    }
  });
  return {
    async stop() {
      stopped = true;
      await Promise.all(loops);
    },
  };
}

/** Every event of `entityId`, from the cluster's Cassandra keyspace. */
export async function journalEvents(cluster: TestCluster, contactPoints: readonly string[], entityId: string): Promise<StoredEvent[]> {
  const journal = await createCassandraJournal({ contactPoints: [...contactPoints], localDataCenter: 'datacenter1', keyspace: cluster.keyspace });
  try {
    const events: StoredEvent[] = [];
    for (;;) {
      const page = await journal.readEvents(entityId, events.length, 1000);
      events.push(...page);
      if (page.length < 1000) return events;
    }
  } finally {
    await journal.close();
  }
}

/**
 * Nothing acknowledged lost, nothing applied twice: every acknowledged move is in its hunt's
 * journal, no command id is there twice, and each player's own view (fetched afresh from a live
 * node) shows exactly the points the journal gives them. Returns the moves stored per hunt.
 */
export async function expectNoLossNoDuplicates(cluster: TestCluster, contactPoints: readonly string[], players: readonly SteadyPlayer[]): Promise<Map<string, number>> {
  const stored = new Map<string, number>();
  const live = cluster.nodes.filter(cluster.isLive);
  for (const hunt of new Set(players.map((p) => p.hunt))) {
    const events = (await journalEvents(cluster, contactPoints, `hunt:${hunt}`)).map((e) => e.payload as { type: string; commandId: string; playerId?: string; points?: number });
    const ids = events.map((e) => e.commandId);
    expect(new Set(ids).size, `command ids stored twice in ${hunt}`).toBe(ids.length);
    const solved = events.filter((e) => e.type === 'clue-solved');
    stored.set(hunt, solved.length);
    for (const [i, player] of players.filter((p) => p.hunt === hunt).entries()) {
      const seen = player.test.updatesOf(hunt).map((u) => u.update);
      expect(seen.every((update, j) => j === 0 || update > seen[j - 1]!), `${player.id}: pushes in increasing update order`).toBe(true);
      const mine = solved.filter((e) => e.playerId === player.id);
      const storedIds = new Set(mine.map((e) => e.commandId));
      const lost = player.acked.filter((move) => !storedIds.has(move.commandId));
      expect(lost, `${player.id}: acknowledged moves missing from the journal`).toEqual([]);
      const view = await freshView(live[i % live.length]!, player);
      expect(view.you.points, `${player.id}: points in the view vs the journal`).toBe(mine.reduce((sum, e) => sum + (e.points ?? 0), 0));
    }
  }
  return stored;
}

/** The player's whole view, as a new connection gets it (the nodes resync past CAIRN_MAX_RESUME_UPDATES). */
async function freshView(node: ClusterNodeProcess, player: SteadyPlayer): Promise<PlayerView> {
  const fresh = await connectClient(node.wsUrl, player.id, 'player', { reconnect: { enabled: false } });
  try {
    const resumed = await fresh.client.request({ type: 'resume', hunt: player.hunt, after: 0 });
    expect(resumed.resync).toBe(true);
    return resumed.view!;
  } finally {
    await fresh.close();
  }
}
