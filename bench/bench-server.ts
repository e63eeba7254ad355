/**
 * A server process under load (Cairn, Colyseus or the echo baseline) as the load runs see it: a
 * started child whose SIGKILL sits in the run's interrupt cleanups until it exits, that knows
 * whether it died on its own, and whose stop says whether it stopped cleanly.
 */
import type { ChildProcess } from 'node:child_process';
import { startChild, type StartedChild } from './proc-kit.js';

export interface BenchServer extends StartedChild {
  /** Why the server is gone, once it exited without being asked to. */
  died(): string | undefined;
  /** SIGTERM, then SIGKILL after `graceMs`; a problem when it did not exit with 0. */
  shutdown(graceMs?: number): Promise<string | undefined>;
}

/** Registers `child`'s SIGKILL in `cleanups` until it exits, so that an interrupt leaves nothing behind. */
export function killOnInterrupt(child: ChildProcess, cleanups: Set<() => void>): void {
  const kill = () => child.kill('SIGKILL');
  cleanups.add(kill);
  child.once('exit', () => cleanups.delete(kill));
}

export async function startBenchServer(
  label: string,
  args: readonly string[],
  o: { cwd: string; env: NodeJS.ProcessEnv; isReady: (line: Record<string, unknown>) => boolean; cleanups: Set<() => void>; timeoutMs?: number },
): Promise<BenchServer> {
  const started = await startChild(args, {
    cwd: o.cwd,
    env: o.env,
    isReady: o.isReady,
    ...(o.timeoutMs !== undefined ? { timeoutMs: o.timeoutMs } : {}),
    onSpawn: (child) => killOnInterrupt(child, o.cleanups),
  });
  let stopping = false;
  let died: string | undefined;
  void started.exited.then((info) => {
    if (!stopping) died = `the ${label} server exited during the run (code ${info.code}, signal ${info.signal})\n${started.output().slice(-4000)}`;
  });
  return Object.assign(started, {
    died: () => died,
    async shutdown(graceMs?: number) {
      stopping = true;
      if (died) return died;
      const exit = await started.stop(graceMs);
      return exit.code === 0 ? undefined : `the ${label} server did not stop cleanly (code ${exit.code}, signal ${exit.signal})`;
    },
  });
}
