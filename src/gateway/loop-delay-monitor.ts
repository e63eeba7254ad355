import { monitorEventLoopDelay } from 'node:perf_hooks';

/** Where the overload guard reads how late the event loop runs. */
export interface LoopDelaySource {
  /**
   * How late the event loop ran since the previous call (or since it was started), in ms: the
   * mean lateness of its ticks; 0 when nothing was measured. Starts a new period.
   */
  takeSample(): number;
  /** Stops measuring; takeSample() answers 0 from then on. */
  stop(): void;
}

/**
 * Measures the event loop's delay with Node's built-in histogram: a native timer ticks every
 * `resolutionMs` and records how long each tick really took, so measuring costs no JavaScript
 * work per tick. The histogram records the whole interval; the resolution is taken off, leaving
 * the lateness.
 *
 * The mean, not a high percentile: a period has only about a hundred ticks, so its 99th percentile
 * is its slowest tick, and one garbage collection or one moment without a CPU would read as
 * overload. A loop that is saturated is late on every tick, and that moves the mean.
 *
 * Nothing is measured until start(): a server's own start-up (opening the journal, joining a
 * cluster) stalls the loop, and that must not count as overload once it serves.
 */
export function createLoopDelayMonitor(resolutionMs = 10): LoopDelaySource & { start(): void } {
  const histogram = monitorEventLoopDelay({ resolution: resolutionMs });
  let running = false;
  return {
    start() {
      histogram.reset();
      histogram.enable();
      running = true;
    },
    takeSample() {
      if (!running || histogram.count === 0) return 0;
      const meanMs = histogram.mean / 1e6;
      histogram.reset();
      return Math.max(0, meanMs - resolutionMs);
    },
    stop() {
      running = false;
      histogram.disable();
    },
  };
}
