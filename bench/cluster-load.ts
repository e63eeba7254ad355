/**
 * One setup's load run for the cluster benchmark: the designer spawns and starts the hunts through
 * the first node, the scripted players connect round-robin over the setup's nodes, play through a
 * measured steady phase, and the figures of that phase are collected.
 */
import WebSocket from 'ws';
import type { CairnClient } from '../src/client/index.js';
import { sleep } from './bench-kit.js';
import type { BenchHunt } from './bench-hunt.js';
import { BENCH_SECRET } from './cairn-process.js';
import type { RunningSetup } from './cluster-setup.js';
import { serverMedians } from './server-histograms.js';
import { closeWindow, cpuTotal, drain, emptyWindow, openWindow, ramp, steady, type WindowFigures } from './load-phases.js';
import { joinAsPlayer, spawnHunts } from './cairn-join.js';
import { Player, ScriptRun, bump, cairnSession, pacerFor, type LoadPhase, type Pacer } from './player-script.js';
import { statusKb } from './proc-kit.js';

export interface LoadOptions {
  players: number;
  hunts: number;
  rate: number;
  rampPerSecond: number;
  durationS: number;
  hunt: BenchHunt;
  /** Kafka and Cassandra, whose CPU is measured beside the servers'. */
  servicePids: readonly number[];
  log: (message: string) => void;
}

export interface SetupFigures {
  /** Medians of the servers' own histograms, by what they time. */
  readonly serverMedians: Record<string, string>;
  name: string;
  describe: string;
  names: string;
  processes: number;
  offered: number;
  /** Offered by the players that did connect and join. */
  offeredConnected: number;
  achieved: number;
  latency: ReturnType<ScriptRun['allLatency']['summary']>;
  submitLatency: ReturnType<ScriptRun['submitLatency']['summary']>;
  connectFailed: number;
  connectFailures: Map<string, number>;
  errors: { total: number; timeouts: number; unavailable: number; other: number; byCode: Map<string, number> };
  late: number;
  unanswered: number;
  drops: Map<string, number>;
  window: WindowFigures;
  servicesCpuPct: number;
  idleRssKb: number;
  /** Each process's VmHWM (its peak resident memory), summed. */
  peakRssKb: number;
  warnings: Map<string, number>;
  /** A node that died or did not stop cleanly. */
  problems: string[];
}

const sum = (values: Iterable<number>) => [...values].reduce((a, b) => a + b, 0);

function classify(byCode: Map<string, number>): SetupFigures['errors'] {
  let timeouts = 0;
  let unavailable = 0;
  for (const [code, n] of byCode) {
    if (code.includes('timeout')) timeouts += n;
    else if (code.endsWith(': unavailable')) unavailable += n;
  }
  const total = sum(byCode.values());
  return { total, timeouts, unavailable, other: total - timeouts - unavailable, byCode };
}

export async function runLoad(setup: RunningSetup, o: LoadOptions): Promise<SetupFigures> {
  const { spec, nodes } = setup;
  const log = (message: string) => o.log(`${spec.name}: ${message}`);
  const pids = nodes.map((n) => n.pid);
  const urls = nodes.map((n) => n.wsUrl);
  const phase: LoadPhase = { intervalMs: 1000 / o.rate, measuring: false, stopped: false };
  const run = new ScriptRun(phase);
  const clients: CairnClient[] = [];
  const players: Pacer[] = [];
  const drops = new Map<string, number>();
  let closing = false;
  const busy = () => players.filter((p) => p.busy).length;
  const stopPlayers = async () => {
    phase.stopped = true;
    for (const p of players) p.stop();
    closing = true;
    for (let i = 0; i < clients.length; i += 1000) await Promise.all(clients.slice(i, i + 1000).map((c) => c.close()));
  };

  // On a failure part-way, the players stop too, so that they do not play on into the next setup.
  try {
    const huntIds = Array.from({ length: o.hunts }, (_, h) => `bench-${h + 1}`);
    await spawnHunts({ url: urls[0]!, secret: BENCH_SECRET, ids: huntIds, yaml: o.hunt.yaml, WebSocket });
    log(`designer spawned and started ${o.hunts} hunt(s) through node 1`);
    await sleep(1500);
    const idleRssKb = sum(pids.map((pid) => statusKb(pid, 'VmRSS') ?? 0));

    const ramped = await ramp({
      label: `${spec.name} players`,
      total: o.players,
      perSecond: o.rampPerSecond,
      log: o.log,
      abort: () => setup.died(),
      open: async (i) => {
        // Node by i, hunt by i / nodes: every hunt gets players on every node, so most of a
        // cluster's players talk to a node that does not host their hunt.
        const hunt = huntIds[Math.floor(i / urls.length) % o.hunts]!;
        const client = await joinAsPlayer({
          url: urls[i % urls.length]!,
          secret: BENCH_SECRET,
          index: i,
          hunt,
          run,
          WebSocket,
          onClient: (c) => clients.push(c),
        });
        // Watched from the join on: a socket lost before it is already a failed connection.
        client.on('disconnected', ({ code, reason }) => {
          if (!closing) bump(drops, `${code}${reason ? ` ${reason}` : ''}`);
        });
        const player = new Player(cairnSession(client, hunt), o.hunt.clues, run);
        const pacer = pacerFor(run, () => player.play());
        players.push(pacer);
        pacer.start();
      },
    });

    let window: WindowFigures | undefined;
    let servicesCpuPct = Number.NaN;
    if (!setup.died()) {
      const w = openWindow(pids);
      const services0 = cpuTotal(o.servicePids);
      await steady({ label: spec.name, phase, durationS: o.durationS, stats: run.stats, inFlight: busy, log: o.log });
      window = closeWindow(w);
      if (o.servicePids.length > 0) servicesCpuPct = ((cpuTotal(o.servicePids) - services0) / window.seconds) * 100;
    }
    const unanswered = await drain(phase, busy);
    const peakRssKb = sum(pids.map((pid) => statusKb(pid, 'VmHWM') ?? 0));
    log(`drained (${unanswered} actions still unanswered); closing ${clients.length} clients`);
    await stopPlayers();

    // Before the stop: the nodes' own histograms die with them.
    const medians = await serverMedians(nodes.map((node) => node.httpUrl));
    const died = setup.died();
    const unclean = await setup.stop();
    const warnings = new Map<string, number>();
    for (const node of nodes) for (const [k, n] of node.warnings()) bump(warnings, k, n);
    const seconds = window?.seconds ?? o.durationS;
    return {
      name: spec.name,
      describe: setup.describe,
      names: setup.names,
      processes: nodes.length,
      offered: o.players * o.rate,
      offeredConnected: players.length * o.rate,
      achieved: run.stats.repliesInWindow / seconds,
      latency: run.allLatency.summary(),
      submitLatency: run.submitLatency.summary(),
      connectFailed: ramped.failed,
      connectFailures: ramped.failures,
      errors: classify(run.stats.errorsSteady),
      late: run.stats.late,
      unanswered,
      drops,
      window: window ?? emptyWindow(seconds),
      servicesCpuPct,
      idleRssKb,
      peakRssKb,
      warnings,
      serverMedians: medians,
      // A node that died also shows as an unclean stop: say it once.
      problems: died ? [died] : unclean ? [unclean] : [],
    };
  } catch (error) {
    await stopPlayers();
    throw error;
  }
}
