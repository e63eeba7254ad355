import { afterAll, beforeAll } from 'vitest';
import { connectClient } from '../../e2e/sdk-client.js';
import { idsOwnedBy, startCluster, type ClusterNodeProcess, type TestCluster } from './cluster-nodes.js';
import { joinPlayers, steadyHunt, type SteadyPlayer } from './steady-play.js';

/** Settings of the steady-play clusters: scripted guessing, resyncs past 5 missed updates, quick timeouts. */
const STEADY_ENV = { CAIRN_GUESSES_PER_SECOND: '1000', CAIRN_GUESS_BURST: '1000', CAIRN_MAX_RESUME_UPDATES: '5', CAIRN_COMMAND_TIMEOUT_MS: '3000' };

export const log = (line: string) => process.stderr.write(`[cluster] ${line}\n`);

export interface SteadyGame {
  readonly hunts: string[];
  readonly players: SteadyPlayer[];
}

/**
 * A three-node cluster for the suite (started before, disposed after), and games on it: hunts
 * placed on the nodes asked for, spawned and started by a designer on the third node, with
 * players spread over the nodes. Everything opened is closed after the suite.
 */
export function steadyCluster(extraEnv: Record<string, string> = {}) {
  const state: { cluster?: TestCluster; closers: (() => Promise<void>)[] } = { closers: [] };
  beforeAll(async () => {
    state.cluster = await startCluster(3, { env: { ...STEADY_ENV, ...extraEnv } });
    await state.cluster.settled();
  });
  afterAll(async () => {
    await Promise.allSettled(state.closers.map((close) => close()));
    await state.cluster?.dispose();
  });
  return {
    get cluster(): TestCluster {
      return state.cluster!;
    },
    /** Closes `close` after the suite. */
    closeLater(close: () => Promise<void>): void {
      state.closers.push(close);
    },
    async game(placement: readonly (readonly [node: ClusterNodeProcess, prefix: string, count: number])[], perHunt = 4): Promise<SteadyGame> {
      const cluster = state.cluster!;
      const hunts: string[] = [];
      for (const [node, prefix, count] of placement) hunts.push(...(await idsOwnedBy(cluster, node, prefix, count)));
      const designer = await connectClient(cluster.nodes[2]!.wsUrl, `designer-${hunts[0]}`, 'designer');
      state.closers.push(() => designer.close());
      for (const hunt of hunts) {
        await designer.client.spawn(hunt, steadyHunt());
        await designer.client.start(hunt);
      }
      const players = await joinPlayers(cluster, hunts, perHunt);
      for (const player of players) state.closers.push(() => player.test.close());
      return { hunts, players };
    },
  };
}
