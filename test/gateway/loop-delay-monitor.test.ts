import { describe, expect, it } from 'vitest';
import { createLoopDelayMonitor } from '../../src/gateway/loop-delay-monitor.js';

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

function blockLoop(ms: number): void {
  const until = performance.now() + ms;
  while (performance.now() < until) {
    // a stalled event loop, as a long synchronous task makes it
  }
}

describe('loop delay monitor', () => {
  it('measures nothing before start() and after stop()', async () => {
    const monitor = createLoopDelayMonitor(10);
    blockLoop(50);
    await sleep(30);
    expect(monitor.takeSample()).toBe(0);
    monitor.start();
    monitor.stop();
    expect(monitor.takeSample()).toBe(0);
  });

  it('reports a loop kept busy as the mean lateness of its ticks, without the timer resolution, and starts afresh after each reading', async () => {
    const monitor = createLoopDelayMonitor(10);
    monitor.start();
    try {
      // Busy in 40 ms slices for 400 ms: every tick comes about 30 ms late.
      const until = performance.now() + 400;
      await new Promise<void>((resolve) => {
        const slice = () => {
          blockLoop(40);
          if (performance.now() < until) setImmediate(slice);
          else resolve();
        };
        slice();
      });
      await sleep(5);
      const busy = monitor.takeSample();
      expect(busy).toBeGreaterThanOrEqual(15);
      expect(busy).toBeLessThan(200);
      await sleep(200);
      expect(monitor.takeSample()).toBeLessThan(busy);
    } finally {
      monitor.stop();
    }
  });

  it('one stall among calm ticks (a garbage collection, a moment without a CPU) reads as far less than the stall', async () => {
    const monitor = createLoopDelayMonitor(10);
    monitor.start();
    try {
      await sleep(250);
      blockLoop(150);
      await sleep(250);
      expect(monitor.takeSample()).toBeLessThan(50);
    } finally {
      monitor.stop();
    }
  });
});
