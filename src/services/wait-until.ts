import net from 'node:net';

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** True when something accepts a TCP connection on host:port within timeoutMs. Sends no bytes. */
export function isPortOpen(host: string, port: number, timeoutMs = 1000): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port });
    const done = (open: boolean): void => {
      socket.removeAllListeners();
      socket.destroy();
      resolve(open);
    };
    socket.setTimeout(timeoutMs);
    socket.once('connect', () => done(true));
    socket.once('timeout', () => done(false));
    socket.once('error', () => done(false));
  });
}

export interface WaitUntilOptions {
  timeoutMs: number;
  /** Pause between two checks. */
  intervalMs?: number;
  /** Called about every progressEveryMs with the time waited so far. */
  onProgress?: (elapsedMs: number) => void;
  progressEveryMs?: number;
  /** Checked before each try: a string ends the wait at once as a failure with that reason. */
  abortIf?: () => string | undefined;
}

export type WaitResult = { ok: true; elapsedMs: number } | { ok: false; elapsedMs: number; reason: string };

/** Polls check() until it answers true, the timeout passes or abortIf() gives a reason. */
export async function waitUntil(check: () => Promise<boolean>, options: WaitUntilOptions): Promise<WaitResult> {
  const started = Date.now();
  const intervalMs = options.intervalMs ?? 500;
  const progressEveryMs = options.progressEveryMs ?? 5000;
  let nextProgress = progressEveryMs;
  for (;;) {
    const elapsedMs = Date.now() - started;
    const abortReason = options.abortIf?.();
    if (abortReason !== undefined) return { ok: false, elapsedMs, reason: abortReason };
    if (await check()) return { ok: true, elapsedMs: Date.now() - started };
    const afterCheck = Date.now() - started;
    if (afterCheck >= options.timeoutMs) {
      return { ok: false, elapsedMs: afterCheck, reason: `not ready after ${Math.round(afterCheck / 1000)} s` };
    }
    if (options.onProgress && afterCheck >= nextProgress) {
      options.onProgress(afterCheck);
      while (nextProgress <= afterCheck) nextProgress += progressEveryMs;
    }
    await sleep(Math.min(intervalMs, Math.max(0, options.timeoutMs - afterCheck)));
  }
}
