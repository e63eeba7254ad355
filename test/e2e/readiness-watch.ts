/**
 * Watches a node's `/readyz` in the background, every 50 ms, and keeps each change of answer with
 * its time, so a test sees a 503 that came and went while it was busy (e.g. inside a slow DDL).
 */
export interface ReadinessWatch {
  /** Every change of status (0: no answer), the first one included. */
  readonly changes: readonly { readonly at: number; readonly status: number; readonly body: string }[];
  /** Resolves with the time of the first answer `status` at or after `since` (ms epoch); rejects after `timeoutMs`. */
  until(status: number, options: { since: number; timeoutMs: number }): Promise<number>;
  stop(): Promise<void>;
}

export function watchReadiness(httpUrl: string): ReadinessWatch {
  const changes: { at: number; status: number; body: string }[] = [];
  let running = true;
  const poll = async () => {
    while (running) {
      let status = 0;
      let body = '';
      try {
        const response = await fetch(`${httpUrl}/readyz`, { signal: AbortSignal.timeout(2000) });
        status = response.status;
        body = (await response.text()).trim();
      } catch (error) {
        body = String(error);
      }
      if (changes.at(-1)?.status !== status) changes.push({ at: Date.now(), status, body });
      await sleep(50);
    }
  };
  const polling = poll();
  return {
    changes,
    async until(status, { since, timeoutMs }) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        // The answer in force at `since` counts too: it may have changed before and held since.
        const inForce = changes.findLastIndex((change) => change.at <= since);
        const found = changes.slice(Math.max(0, inForce)).find((change) => change.status === status);
        if (found) return Math.max(found.at, since);
        if (Date.now() > deadline) {
          throw new Error(`${httpUrl}/readyz did not answer ${status} within ${timeoutMs} ms; answers: ${JSON.stringify(changes.slice(-5))}`);
        }
        await sleep(20);
      }
    },
    async stop() {
      running = false;
      await polling;
    },
  };
}

/** Polls `url` until it answers `status`; resolves with the ms it took, rejects after `timeoutMs`. */
export async function untilStatus(url: string, status: number, timeoutMs: number): Promise<number> {
  const started = Date.now();
  let last = 'no answer';
  while (Date.now() - started < timeoutMs) {
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(2000) });
      last = `${response.status} ${(await response.text()).trim()}`;
      if (response.status === status) return Date.now() - started;
    } catch (error) {
      last = String(error);
    }
    await sleep(50);
  }
  throw new Error(`${url} did not answer ${status} within ${timeoutMs} ms (last: ${last})`);
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
