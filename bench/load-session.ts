/**
 * The part every load run shares, whatever paces its commands: start a target's server, let it
 * settle, connect and join the players at a fixed rate (no commands yet), and read the memory the
 * joined players cost; at the end, close the players and stop the server.
 */
import { sleep } from './bench-kit.js';
import type { BenchHunt } from './bench-hunt.js';
import type { BenchServer } from './bench-server.js';
import { ramp } from './load-phases.js';
import type { LoadTarget, TargetConnection, TargetContext } from './load-target.js';
import { ScriptRun, bump, type LoadPhase } from './player-script.js';
import { cpuSeconds, statusKb } from './proc-kit.js';

export interface SessionOptions {
  players: number;
  hunts: number;
  /** Offered commands per second per player: paces a closed loop, sets the server's limits. */
  ratePerPlayer: number;
  rampPerSecond: number;
  hunt: BenchHunt;
  cleanups: Set<() => void>;
  log: (message: string) => void;
}

export interface LoadSession {
  readonly target: LoadTarget;
  readonly server: BenchServer;
  readonly run: ScriptRun;
  readonly phase: LoadPhase;
  readonly connections: TargetConnection[];
  /** Connections lost after joining, by close code or reason. */
  readonly drops: Map<string, number>;
  readonly ramped: Awaited<ReturnType<typeof ramp>>;
  /** Server VmRSS before the players came, and once they had all joined and nothing was played. */
  readonly idleKb: number;
  readonly joinedKb: number;
  /** Server CPU, % of one core, with everyone joined and nothing played (timers, heartbeats): the floor under CPU per command. */
  readonly joinedCpuPct: number;
}

/** Settling time before reading memory: lets the runtime finish the work the joins left behind. */
const SETTLE_MS = 2_000;

export async function openSession(make: (context: TargetContext) => LoadTarget, o: SessionOptions): Promise<LoadSession> {
  const phase: LoadPhase = { intervalMs: 1000 / o.ratePerPlayer, measuring: false, stopped: false };
  const run = new ScriptRun(phase);
  const huntIds = Array.from({ length: o.hunts }, (_, h) => `bench-${h + 1}`);
  const target = make({ run, hunt: o.hunt, huntIds, ratePerPlayer: o.ratePerPlayer, cleanups: o.cleanups, log: o.log });
  const server = await target.start().catch((error: unknown) => {
    target.dispose?.();
    throw error;
  });
  o.log(`${target.name}: server pid ${server.pid} ready, ${o.hunts} hunt(s)`);
  const connections: TargetConnection[] = [];
  const drops = new Map<string, number>();
  const session = { target, server, run, phase, connections, drops, closing: false };
  try {
    await sleep(SETTLE_MS);
    const idleKb = statusKb(server.pid, 'VmRSS') ?? 0;
    const ramped = await ramp({
      label: `${target.name} players`,
      total: o.players,
      perSecond: o.rampPerSecond,
      log: o.log,
      abort: () => server.died(),
      open: async (i) => {
        const onDrop = (reason: string) => {
          if (!session.closing) bump(drops, reason);
        };
        connections.push(await target.open(i, huntIds[i % o.hunts]!, onDrop));
      },
    });
    const cpu0 = cpuSeconds(server.pid) ?? Number.NaN;
    await sleep(SETTLE_MS);
    const joinedKb = statusKb(server.pid, 'VmRSS') ?? 0;
    const joinedCpuPct = (((cpuSeconds(server.pid) ?? Number.NaN) - cpu0) / (SETTLE_MS / 1000)) * 100;
    return Object.assign(session, { ramped, idleKb, joinedKb, joinedCpuPct });
  } catch (error) {
    await closeSession(session);
    throw error;
  }
}

/** A close that has not finished by then is left to the server's stop (a client may wait for an answer that never comes). */
const CLOSE_WAIT_MS = 5_000;

/** Closes the players (1,000 at a time) and stops the server; returns the problems (a death, an unclean stop). */
export async function closeSession(s: Pick<LoadSession, 'connections' | 'server' | 'target'> & { closing?: boolean }): Promise<string[]> {
  s.closing = true;
  for (let i = 0; i < s.connections.length; i += 1000) {
    const batch = s.connections.slice(i, i + 1000).map((c) => c.close().catch(() => undefined));
    await Promise.race([Promise.all(batch), sleep(CLOSE_WAIT_MS)]);
  }
  const problem = await s.server.shutdown(5_000);
  s.target.dispose?.();
  return problem ? [problem] : [];
}

/** Server memory per joined player, KiB: what the joins added to the idle server. */
export const perPlayerKb = (s: LoadSession) => (s.joinedKb - s.idleKb) / Math.max(1, s.ramped.ok);
