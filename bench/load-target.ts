/**
 * A server the load runs drive (Cairn, the Colyseus room, the raw echo), seen through one narrow
 * port so that the same players, pacing and bookkeeping offer each of them the same load.
 */
import type { BenchHunt } from './bench-hunt.js';
import type { BenchServer } from './bench-server.js';
import type { ScriptRun } from './player-script.js';

/** One connected, joined player. */
export interface TargetConnection {
  /**
   * The player's next action, recorded in the run; settles once its reply (or failure) is in.
   * Latency counts from `startedAt` (performance.now(); default: now).
   */
  act(startedAt?: number): Promise<void>;
  close(): Promise<void>;
}

export interface TargetContext {
  readonly run: ScriptRun;
  readonly hunt: BenchHunt;
  /** Ids of the hunts the players join, ready once `start` resolves. */
  readonly huntIds: readonly string[];
  /** Commands per second a player offers at most (the server limits are set above it). */
  readonly ratePerPlayer: number;
  readonly cleanups: Set<() => void>;
  readonly log: (message: string) => void;
}

export interface LoadTarget {
  /** The name in the reports: `cairn`, `colyseus`, `echo`. */
  readonly name: string;
  /** Starts the server and makes the hunts; resolves when players may join. */
  start(): Promise<BenchServer>;
  /**
   * Connects player `index` and joins it to `hunt`; throws the reason on failure. `onDrop` hears
   * of the connection lost afterwards (also when the run closes it: the caller tells them apart).
   */
  open(index: number, hunt: string, onDrop: (reason: string) => void): Promise<TargetConnection>;
  /** Called as the measured window opens and closes; the rows are the target's own detail of that window. */
  beginWindow?(): Promise<void>;
  endWindow?(seconds: number): Promise<readonly DetailRow[]>;
  /** Removes what `start` left on disk; called once the server has stopped. */
  dispose?(): void;
}

export interface DetailRow {
  readonly item: string;
  readonly value: string | number;
}
