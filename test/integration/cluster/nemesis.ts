import { ensureServices, killService } from '../../../src/services/services.js';
import type { Prng } from '../../e2e/prng.js';
import { sleep } from '../../e2e/sdk-client.js';
import type { ClusterNodeProcess, TestCluster } from './cluster-nodes.js';

/**
 * A Jepsen-style nemesis for a test cluster: one fault at a time, picked by a seeded PRNG, each
 * a kill -9 (of one Cairn node, of Kafka or of Cassandra) followed a few seconds later by a
 * restart, then a wait until the cluster serves every hunt again before the next fault.
 */

export type FaultKind = 'node' | 'kafka' | 'cassandra';

/**
 * About how long a fault of each kind takes, kill to recovery, on a loaded 2-core machine (a
 * Cassandra restart alone takes most of a minute): no fault beyond the first of each kind starts
 * unless it would end within the window.
 */
const TYPICAL_RECOVERY_MS: Record<FaultKind, number> = { node: 12_000, kafka: 25_000, cassandra: 65_000 };

/** One fault and how the cluster came back from it; times in ms since the epoch. */
export interface Fault {
  readonly kind: FaultKind;
  /** The node killed, or the service. */
  readonly target: string;
  readonly killedAt: number;
  /** When the restart began. */
  restartedAt?: number;
  /** When the node or service was up again. */
  backAt?: number;
  /** When every node answered /readyz 200 and every shard had one owner. */
  readyAt?: number;
  /** When every hunt had a command acknowledged after `backAt`. */
  servedAt?: number;
  /** The first acknowledgement after `backAt`. */
  firstAckAt?: number;
  /** What went wrong on the way back (a restart that failed, no recovery in time). */
  readonly problems: string[];
}

export interface NemesisOptions {
  readonly cluster: TestCluster;
  /**
   * The nodes serving now, one per slot: a restarted node takes its dead predecessor's slot
   * (this array is updated in place, so the load can follow it).
   */
  readonly nodes: ClusterNodeProcess[];
  /** The env the cluster's nodes were started with (a restarted node gets it again). */
  readonly nodeEnv: Record<string, string>;
  readonly prng: Prng;
  /**
   * How long the faults go on, ms from the start: each kind once whatever this says, then more
   * while one would be over within it (the one under way always finishes).
   */
  readonly windowMs: number;
  /** What the load saw: when a hunt last had an acknowledgement, and the first one since a time. */
  readonly load: { lastAckAt(hunt: string): number; firstAckSince(since: number): number | undefined };
  readonly hunts: readonly string[];
  /** How long a recovery may take before the nemesis gives up on the run, ms. Default 120000. */
  readonly recoveryTimeoutMs?: number;
  readonly log: (line: string) => void;
}

export interface Nemesis {
  readonly faults: readonly Fault[];
  /** Resolves when the window is over and the last fault has been recovered from (or given up on). */
  readonly done: Promise<void>;
  /** Begins no other fault and stops waiting for recovery; what it killed is restarted still. Resolves with `done`. */
  stop(): Promise<void>;
}

export function startNemesis(options: NemesisOptions): Nemesis {
  const { prng, log } = options;
  const nodes = options.nodes;
  const faults: Fault[] = [];
  const started = Date.now();
  let stopped = false;
  // Each kind once, in a random order, then random picks (nodes twice as often) while time is left.
  const firsts = shuffled(prng, ['node', 'kafka', 'cassandra'] as FaultKind[]);

  const run = async () => {
    await sleep(prng.int(3000, 6000));
    while (!stopped) {
      const first = firsts.shift();
      const kind = first ?? prng.pick<FaultKind>(['node', 'node', 'kafka', 'cassandra']);
      if (first === undefined && Date.now() - started + TYPICAL_RECOVERY_MS[kind] > options.windowMs) return;
      const fault = await injectFault(kind);
      const recovered = await recover(fault);
      const at = (t?: number) => (t === undefined ? '-' : `${t - fault.killedAt} ms`);
      log(`${fault.kind} ${fault.target}: back ${at(fault.backAt)}, ready ${at(fault.readyAt)}, every hunt served ${at(fault.servedAt)} after the kill`);
      if (!recovered) return;
      await sleep(prng.int(1000, 4000));
    }
  };

  /** Kills, waits `downMs`, restarts; the fault is in `faults` from the kill on. */
  const injectFault = async (kind: FaultKind): Promise<Fault> => {
    const downMs = prng.int(1000, 5000);
    if (kind === 'node') {
      const slot = prng.int(0, nodes.length - 1);
      const victim = nodes[slot]!;
      const fault: Fault = { kind, target: victim.nodeId, killedAt: Date.now(), problems: [] };
      faults.push(fault);
      log(`kill -9 ${victim.nodeId} for ${downMs} ms`);
      if (options.cluster.isLive(victim)) {
        const exited = new Promise((resolve) => victim.child.once('exit', resolve));
        victim.child.kill('SIGKILL');
        await exited;
      }
      await sleep(downMs);
      fault.restartedAt = Date.now();
      nodes[slot] = await again(fault, () => options.cluster.restartNode(victim, options.nodeEnv));
      fault.backAt = Date.now();
      return fault;
    }
    const fault: Fault = { kind, target: kind, killedAt: Date.now(), problems: [] };
    faults.push(fault);
    log(`kill -9 ${kind} for ${downMs} ms`);
    await killService(kind, { log });
    await sleep(downMs);
    fault.restartedAt = Date.now();
    await again(fault, () => ensureServices({ kafka: kind === 'kafka', cassandra: kind === 'cassandra', log, useEnvironment: false }));
    fault.backAt = Date.now();
    return fault;
  };

  /** Waits until every node is ready, the shards are settled and every hunt has been served since the restart. */
  const recover = async (fault: Fault): Promise<boolean> => {
    const back = fault.backAt!;
    const deadline = back + (options.recoveryTimeoutMs ?? 120_000);
    while (Date.now() < deadline && !stopped) {
      fault.firstAckAt ??= options.load.firstAckSince(back);
      if (fault.readyAt === undefined && (await everyNodeReady(options.cluster, nodes))) fault.readyAt = Date.now();
      if (fault.servedAt === undefined && options.hunts.every((hunt) => options.load.lastAckAt(hunt) >= back)) fault.servedAt = Date.now();
      if (fault.readyAt !== undefined && fault.servedAt !== undefined) return true;
      await sleep(100);
    }
    fault.problems.push(stopped ? 'stopped before it recovered' : `not recovered ${options.recoveryTimeoutMs ?? 120_000} ms after the restart`);
    return false;
  };

  const done = run();
  return {
    faults,
    done,
    stop() {
      stopped = true;
      return done;
    },
  };
}

/** Runs a restart, and again (up to three times in all) when it fails, noting each failure in the fault. */
async function again<T>(fault: Fault, restart: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await restart();
    } catch (error) {
      fault.problems.push(`restart ${attempt} failed: ${String(error).slice(0, 300)}`);
      if (attempt === 3) throw error;
    }
  }
}

function shuffled<T>(prng: Prng, items: readonly T[]): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i -= 1) {
    const j = prng.int(0, i);
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

/** Every node answers /readyz 200 and every shard has exactly one owner among them. */
async function everyNodeReady(cluster: TestCluster, nodes: readonly ClusterNodeProcess[]): Promise<boolean> {
  const answers = await Promise.all(
    nodes.map((node) =>
      fetch(`${node.httpUrl}/readyz`, { signal: AbortSignal.timeout(2000) }).then(
        (response) => response.status,
        () => 0,
      ),
    ),
  );
  if (answers.some((status) => status !== 200)) return false;
  const statuses = await cluster.statuses();
  const owned = [...statuses.values()].flatMap((status) => status.owned);
  return statuses.size === nodes.length && owned.length === cluster.partitions && new Set(owned).size === cluster.partitions;
}
