import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as hdr from 'hdr-histogram-js';

/** Latencies in microseconds, with the percentiles the reports quote. */
export function latencyRecorder() {
  const histogram = hdr.build({ lowestDiscernibleValue: 1, highestTrackableValue: 60_000_000, numberOfSignificantValueDigits: 3 });
  return {
    record(startedAt: number) {
      histogram.recordValue(Math.max(1, Math.round((performance.now() - startedAt) * 1000)));
    },
    summary() {
      const ms = (p: number) => (histogram.getValueAtPercentile(p) / 1000).toFixed(2);
      return { count: histogram.totalCount, p50: ms(50), p99: ms(99), p999: ms(99.9), max: (histogram.maxValue / 1000).toFixed(2) };
    },
    /** Forgets what was recorded (a new interval starts). */
    reset() {
      histogram.reset();
    },
  };
}

/** Runs `work(i)` for i in [0, total) with at most `concurrency` in flight. */
export async function runConcurrently(total: number, concurrency: number, work: (i: number) => Promise<void>): Promise<void> {
  let next = 0;
  const lane = async () => {
    while (next < total) await work(next++);
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, total) }, lane));
}

export function scratchDir(): { dir: string; remove: () => void } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cairn-bench-'));
  return { dir, remove: () => fs.rmSync(dir, { recursive: true, force: true }) };
}

export const median = (values: readonly number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
};

export function table(rows: readonly Record<string, string | number>[]): void {
  console.table(rows);
}

/** A logger that prefixes each line with the seconds since it was made, so phases can be lined up. */
export function elapsedLog(): (message: string) => void {
  const startedAt = performance.now();
  return (message) => console.log(`[${((performance.now() - startedAt) / 1000).toFixed(1).padStart(6)}s] ${message}`);
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
export const mib = (kb: number) => (kb / 1024).toFixed(1);
export const fixed = (n: number, digits = 1) => (Number.isFinite(n) ? n.toFixed(digits) : 'n/a');

/** A numeric command-line option, or `fallback` when absent; a bad value exits with 2 and says why. */
export function numberArg(name: string, given: string | undefined, fallback: number, integer: boolean, min: number): number {
  if (given === undefined) return fallback;
  const n = Number(given);
  if (!Number.isFinite(n) || n < min || (integer && !Number.isInteger(n))) {
    console.error(`--${name} must be ${integer ? 'a whole number' : 'a number'} of at least ${min}, not ${given}`);
    process.exit(2);
  }
  return n;
}

/** `a / b` with two decimals, or n/a when either is missing or b is 0. */
export const ratio = (a: number, b: number | undefined) => (b !== undefined && b > 0 && Number.isFinite(a) && Number.isFinite(b) ? (a / b).toFixed(2) : 'n/a');

/**
 * Rows as a Markdown table (numbers right-aligned), so that a report pastes into an issue as it
 * is; the columns are the keys of the first row.
 */
export function markdownTable(rows: readonly Record<string, string | number>[]): void {
  if (rows.length === 0) return;
  const keys = Object.keys(rows[0]!);
  const cells = rows.map((row) => keys.map((k) => String(row[k] ?? '')));
  const widths = keys.map((k, i) => Math.max(k.length, ...cells.map((c) => c[i]!.length)));
  const numeric = keys.map((_, i) => cells.every((c) => /^-?[\d.,]+$|^n\/a$/.test(c[i]!)));
  const line = (values: readonly string[]) => `| ${values.map((v, i) => (numeric[i] ? v.padStart(widths[i]!) : v.padEnd(widths[i]!))).join(' | ')} |`;
  console.log(line(keys));
  console.log(`|${widths.map((w, i) => (numeric[i] ? `${'-'.repeat(w + 1)}:` : '-'.repeat(w + 2))).join('|')}|`);
  for (const c of cells) console.log(line(c));
}

/**
 * Runs a benchmark's `main` and exits with its code. On SIGINT/SIGTERM or a throw, the synchronous
 * `cleanups` (children to kill, directories to remove) run first, so that nothing is left behind.
 */
export function runBench(main: () => Promise<number>, cleanups: Set<() => void>): void {
  const cleanUp = () => {
    for (const cleanup of cleanups) cleanup();
  };
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.on(signal, () => {
      console.error(`\n${signal}: killing the child processes and removing the temp dirs`);
      cleanUp();
      process.exit(130);
    });
  }
  main().then(
    (code) => {
      cleanUp();
      process.exit(code);
    },
    (error: unknown) => {
      console.error('benchmark failed:', error instanceof Error ? (error.stack ?? error.message) : error);
      cleanUp();
      process.exit(1);
    },
  );
}
