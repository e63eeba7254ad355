import type { GuardedJournal } from './circuit-breaking-journal.js';

export interface JournalHealth {
  /** True while the breaker is closed and the last probe found the storage answering. */
  readonly healthy: boolean;
  /** Why it is not healthy (for logs and /readyz); undefined when it is. */
  readonly problem: string | undefined;
  /** Stops probing and waits for a probe in flight; the journal itself stays open. */
  stop(): Promise<void>;
}

export interface JournalHealthOptions {
  /** Pause between the end of one probe and the start of the next, ms. */
  readonly everyMs: number;
  /**
   * Failed probes in a row before the journal is reported unhealthy while its breaker is closed
   * (default 2): one slow request would otherwise take every node sharing the store out of its
   * load balancer at once. An open breaker is reported at once.
   */
  readonly failedProbesToReport?: number;
  /** Called when the reported probe outcome changes: for the log. Must not throw. */
  readonly onProbeChange?: (answering: boolean, problem: string | undefined) => void;
}

/**
 * Probes the journal's storage every `everyMs`, through its breaker: while the circuit is closed a
 * failed probe counts like any failed call (so a silent node still opens it), and once it is open
 * the probe is the half-open trial that closes it again (see withCircuitBreaker). So the journal
 * finds out that its storage or schema went away, and that it came back, with no traffic at all:
 * a node that readiness took out of its load balancer gets no traffic to find that out with.
 * One probe at a time; a slow one delays the next instead of piling up.
 */
export function watchJournalHealth(journal: GuardedJournal, options: JournalHealthOptions): JournalHealth {
  // The journal answered at start (it connected and found its schema): healthy until shown otherwise.
  let probeProblem: string | undefined;
  let failedInARow = 0;
  const failedToReport = options.failedProbesToReport ?? 2;
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;
  let inFlight: Promise<void> | undefined;

  const probeOnce = async (): Promise<void> => {
    const before = probeProblem;
    try {
      await journal.probe();
      failedInARow = 0;
      probeProblem = undefined;
    } catch (error) {
      failedInARow += 1;
      if (failedInARow >= failedToReport) probeProblem = error instanceof Error ? error.message : String(error);
    }
    if ((before === undefined) !== (probeProblem === undefined)) options.onProbeChange?.(probeProblem === undefined, probeProblem);
  };
  const schedule = (): void => {
    if (stopped) return;
    // A probe that throws (a callback's bug) must not end the probing: only probes close the breaker.
    timer = setTimeout(() => {
      inFlight = probeOnce().catch(() => undefined);
      void inFlight.then(schedule);
    }, options.everyMs);
    // A pending probe must not keep a stopping process alive.
    timer.unref();
  };
  schedule();

  // Fixed words, never the storage's own error text: /readyz is public, and that text names hosts,
  // files and keyspaces. The details are in the log (onProbeChange, the breaker's state changes).
  const problem = (): string | undefined => {
    if (journal.breakerState === 'closed') return probeProblem && 'journal probe failing (see the log)';
    return `journal circuit breaker ${journal.breakerState} (see the log)`;
  };
  return {
    get healthy() {
      return problem() === undefined;
    },
    get problem() {
      return problem();
    },
    async stop() {
      stopped = true;
      clearTimeout(timer);
      // The journal is closed next: a probe still running would fail against it, or stop its DDL half-way.
      await inFlight;
    },
  };
}
