/**
 * The scripted player of the load benchmarks (players, sweep, open-loop, soak, cluster), and the
 * bookkeeping of its latencies and errors, so that every benchmark offers the same load.
 *
 * Against Cairn (bench/cairn-join.ts): one SDK client, one WebSocket per player; reconnect disabled so that a lost connection shows
 * instead of being papered over; maxRetries 0 so that a rate-limited or timed-out guess is counted
 * as an error instead of hidden in the latency. For the current clue of the linear hunt: 1-3 wrong
 * guesses, then the right one (an answer, a location ~10 m from the target, or a code); on 25% of
 * clues that have hints, a request for hint 0 after the first wrong guess. One action per tick;
 * ticks come every (0.5..1.5)/R s, at a random phase per player; a player waits for a reply before
 * its next action (a tick that finds the previous action unanswered is counted "late" and fires as
 * soon as the reply arrives). The hunt has enough rounds of clues that nobody finishes
 * (scriptRounds); a player who does finish keeps sending wrong guesses on the last clue (which the
 * server refuses with clue-already-solved).
 *
 * Latency: from the SDK call (submit()/hint()) to its promise settling with the server's reply,
 * for actions started in the steady phase; an open-loop driver passes the time the action was
 * due instead, so that time spent waiting to be sent counts too.
 *
 * The player talks to its hunt through a PlayerSession, so that the same script drives Cairn (the
 * SDK) and the other servers it is compared with.
 */
import { CairnRequestError, type CairnClient, type Guess } from '../src/client/index.js';
import { latencyRecorder } from './bench-kit.js';
import { buildBenchHunt, type BenchHunt, type ScriptClue } from './bench-hunt.js';

const HINT_CHANCE = 0.25;
export const REQUEST_TIMEOUT_MS = 10_000;

export const bump = (map: Map<string, number>, key: string, by = 1) => map.set(key, (map.get(key) ?? 0) + by);

/** The offered load: its tick interval, and the phase it is in (shared by all its connections). */
export interface LoadPhase {
  readonly intervalMs: number;
  /** Actions started now are measured (the steady phase). */
  measuring: boolean;
  /** No new actions (the drain). */
  stopped: boolean;
}

/** Paced actions of one connection. `act` returns once the action's reply (or failure) is in. */
export class Pacer {
  private inFlight = false;
  private pending = false;
  private timer: ReturnType<typeof setTimeout> | undefined;

  constructor(
    private readonly phase: LoadPhase,
    private readonly act: () => Promise<void>,
    private readonly onLate: () => void,
  ) {}

  start(): void {
    this.timer = setTimeout(() => this.tick(), Math.random() * this.phase.intervalMs);
  }

  stop(): void {
    clearTimeout(this.timer);
  }

  get busy(): boolean {
    return this.inFlight;
  }

  private tick(): void {
    if (this.phase.stopped) return;
    this.timer = setTimeout(() => this.tick(), this.phase.intervalMs * (0.5 + Math.random()));
    if (this.inFlight) {
      if (!this.pending) this.onLate();
      this.pending = true;
      return;
    }
    this.fire();
  }

  private fire(): void {
    this.inFlight = true;
    void this.act().finally(() => {
      this.inFlight = false;
      if (this.pending && !this.phase.stopped) {
        this.pending = false;
        this.fire();
      }
    });
  }
}

export interface LoadStats {
  /** Replies received while measuring (the achieved throughput). */
  repliesInWindow: number;
  /** Actions started while measuring. */
  issuedInWindow: number;
  late: number;
  errorsSteady: Map<string, number>;
  errorsTotal: Map<string, number>;
}
export const newStats = (): LoadStats => ({ repliesInWindow: 0, issuedInWindow: 0, late: 0, errorsSteady: new Map(), errorsTotal: new Map() });

/** What the players of one run record together. */
export class ScriptRun {
  readonly stats = newStats();
  readonly submitLatency = latencyRecorder();
  readonly hintLatency = latencyRecorder();
  /** Submits and hints together: every command. */
  readonly allLatency = latencyRecorder();
  readonly scriptSurprises = new Map<string, number>();
  readonly connectFailures = new Map<string, number>();
  readonly joinFailures = new Map<string, number>();
  finishedPlayers = 0;

  constructor(readonly phase: LoadPhase) {}
}

/** A Pacer for one connection of `run`, counting its late ticks in the run's stats. */
export const pacerFor = (run: ScriptRun, act: () => Promise<void>): Pacer =>
  new Pacer(run.phase, act, () => {
    if (run.phase.measuring) run.stats.late += 1;
  });

type Action = { kind: 'submit'; clue: ScriptClue; guess: ScriptClue['right']; expectCorrect: boolean } | { kind: 'hint'; clue: ScriptClue };

/** One player's hunt, as the script plays it; a refusal or a missing reply rejects (see errorCode). */
export interface PlayerSession {
  submit(clue: string, guess: Guess): Promise<{ correct: boolean }>;
  hint(clue: string, index: number): Promise<unknown>;
}

export const cairnSession = (client: CairnClient, hunt: string): PlayerSession => ({
  submit: (clue, guess) => client.submit(hunt, clue, guess),
  hint: (clue, index) => client.hint(hunt, clue, index),
});

/** A command that failed outside the Cairn SDK: `code` is the server's refusal code, or `client:...` when no reply came. */
export class CommandFailed extends Error {
  constructor(readonly code: string) {
    super(code);
  }
}

export class Player {
  private clueIndex = 0;
  private wrongPlanned = 0;
  private wrongDone = 0;
  private hintPlanned = false;
  finished = false;

  constructor(
    private readonly session: PlayerSession,
    private readonly clues: readonly ScriptClue[],
    private readonly run: ScriptRun,
  ) {
    this.planClue();
  }

  private get clue(): ScriptClue {
    return this.clues[Math.min(this.clueIndex, this.clues.length - 1)]!;
  }

  private planClue(): void {
    this.wrongPlanned = 1 + Math.floor(Math.random() * 3);
    this.wrongDone = 0;
    this.hintPlanned = this.clue.hints > 0 && Math.random() < HINT_CHANCE;
  }

  private nextAction(): Action {
    const clue = this.clue;
    const wrong = () => clue.wrong[this.wrongDone++ % clue.wrong.length]!;
    if (this.finished) return { kind: 'submit', clue, guess: wrong(), expectCorrect: false };
    if (this.hintPlanned && this.wrongDone >= 1) {
      this.hintPlanned = false;
      return { kind: 'hint', clue };
    }
    if (this.wrongDone < this.wrongPlanned) return { kind: 'submit', clue, guess: wrong(), expectCorrect: false };
    return { kind: 'submit', clue, guess: clue.right, expectCorrect: true };
  }

  private solved(): void {
    this.clueIndex += 1;
    if (this.clueIndex >= this.clues.length) {
      this.finished = true;
      this.run.finishedPlayers += 1;
    } else this.planClue();
  }

  /** The next action of the script; settles once its reply (or failure) is in. Latency counts from `t0` (performance.now()). */
  async play(t0 = performance.now()): Promise<void> {
    const action = this.nextAction();
    const { stats, phase } = this.run;
    const measured = phase.measuring;
    if (measured) stats.issuedInWindow += 1;
    const recorder = action.kind === 'hint' ? this.run.hintLatency : this.run.submitLatency;
    try {
      if (action.kind === 'hint') {
        await this.session.hint(action.clue.id, 0);
      } else {
        const result = await this.session.submit(action.clue.id, action.guess);
        if (action.expectCorrect) {
          if (result.correct) this.solved();
          else bump(this.run.scriptSurprises, 'right guess judged wrong');
        } else if (result.correct) bump(this.run.scriptSurprises, 'wrong guess judged right');
      }
      if (measured) {
        recorder.record(t0);
        this.run.allLatency.record(t0);
      }
      if (phase.measuring) stats.repliesInWindow += 1;
    } catch (error) {
      const code = errorCode(error);
      const fromServer = !code.startsWith('client:');
      if (fromServer) {
        if (measured) {
          recorder.record(t0);
          this.run.allLatency.record(t0);
        }
        if (phase.measuring) stats.repliesInWindow += 1;
      }
      // A timed-out right guess may have been applied: the retry then finds the clue solved.
      if (action.kind === 'submit' && action.expectCorrect && code === 'clue-already-solved') this.solved();
      bump(stats.errorsTotal, `${action.kind}: ${code}`);
      if (measured) bump(stats.errorsSteady, `${action.kind}: ${code}`);
    }
  }
}

/** The server's error code, or `client:...` for a failure that never got a reply from the server. */
export function errorCode(error: unknown): string {
  if (error instanceof CommandFailed) return error.code;
  if (error instanceof CairnRequestError) {
    if (error.code === 'timeout' && error.message.startsWith('no reply')) return `client:timeout (no reply in ${REQUEST_TIMEOUT_MS / 1000} s)`;
    if (error.code === 'closed' || error.code === 'disconnected') return `client:${error.code}`;
    return error.code;
  }
  return `client:exception ${error instanceof Error ? error.message : String(error)}`;
}

/**
 * Rounds of the example's 4 clues that nobody finishes: ~3.25 actions per clue (2 wrong on
 * average, a hint on a quarter of them, the right one), over ramp + steady + drain, with 50% to spare.
 */
export function scriptRounds(o: { players: number; rate: number; rampPerSecond: number; durationS: number }): number {
  const actionsExpected = o.rate * 1.5 * (o.players / o.rampPerSecond + o.durationS + 10);
  return Math.max(1, Math.ceil((actionsExpected * 1.5) / 3.25 / 4));
}

/** The benchmark hunt for a run: scriptRounds of clues, room for every player of a hunt, the example's penalty unless told. */
export function scriptHunt(o: { players: number; hunts: number; rate: number; rampPerSecond: number; durationS: number; wrongAnswerPenalty?: number }): BenchHunt {
  return buildBenchHunt({ rounds: scriptRounds(o), maxPlayers: Math.ceil(o.players / o.hunts) + 10, wrongAnswerPenalty: o.wrongAnswerPenalty ?? 5 });
}
