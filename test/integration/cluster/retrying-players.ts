import { RawClient } from '../../e2e/raw-client.js';
import type { Prng } from '../../e2e/prng.js';
import { tokenFor } from '../../e2e/server-process.js';
import { sleep } from '../../e2e/sdk-client.js';

/**
 * Players for a fault-injection run: each sends guesses one at a time (mostly wrong, so a command
 * applied twice shows up as a second event with its command id) and, like a real client, retries
 * a command with the same command id and body after a timeout, a retriable error or a dropped
 * socket, on whichever node answers, until it gets a final outcome or its deadline passes. Every
 * attempt and outcome is written down for the check against the journal.
 */

/** The final outcome of a command, as the client saw it. */
export type Outcome =
  | { readonly kind: 'acknowledged'; readonly at: number; readonly update: number; readonly correct: boolean; readonly duplicate: boolean }
  | { readonly kind: 'refused'; readonly at: number; readonly code: string }
  /** Still unanswered when the run ended: it may or may not have been applied. */
  | { readonly kind: 'gave-up'; readonly at: number };

export interface SentCommand {
  readonly commandId: string;
  readonly hunt: string;
  readonly player: string;
  readonly clue: string;
  /** Whether the guess is the clue's answer. */
  readonly right: boolean;
  readonly firstSentAt: number;
  attempts: number;
  /** Why each attempt but the last failed: a retriable error code, `no-reply` or `disconnected`. */
  readonly failures: string[];
  outcome?: Outcome;
}

export interface PlayerLoadOptions {
  /** The hunts' clues are c0, c1, ... with answers a0, a1, ... (steadyHunt). */
  readonly hunts: readonly string[];
  readonly perHunt: number;
  /** The WebSocket URLs of the live nodes right now (a restarted node has a new port). */
  readonly urls: () => readonly string[];
  readonly prng: Prng;
  /** Share of guesses that are right (the rest are wrong). Default 0.1. */
  readonly rightShare?: number;
  /** Pause between one player's commands, ms. Default 20. */
  readonly paceMs?: number;
  /** How long an attempt waits for its reply before it is retried, ms. Default 8000. */
  readonly replyTimeoutMs?: number;
}

export interface PlayerLoad {
  readonly commands: readonly SentCommand[];
  /** When each hunt last had a command acknowledged (ms since the epoch; 0: never). */
  lastAckAt(hunt: string): number;
  /** When each of the hunt's acknowledgements arrived, in order. */
  acksOf(hunt: string): readonly number[];
  /** The first acknowledgement received at or after `since`, if any. */
  firstAckSince(since: number): number | undefined;
  /** Stops sending new commands; commands in flight retry until `deadline` (ms since the epoch), then give up. */
  stop(deadline: number): Promise<void>;
  close(): void;
}

/** Joins `perHunt` players to each hunt (on the nodes in turn) and starts them guessing. */
export async function startPlayers(options: PlayerLoadOptions): Promise<PlayerLoad> {
  const commands: SentCommand[] = [];
  const acks: number[] = [];
  const acksByHunt = new Map<string, number[]>(options.hunts.map((hunt) => [hunt, []]));
  const state = { running: true, deadline: Infinity };
  const players: Player[] = [];
  for (const hunt of options.hunts) {
    for (let p = 0; p < options.perHunt; p += 1) {
      const id = `${hunt}-p${p}`;
      const player = new Player(id, hunt, players.length, await tokenFor(id), options, state);
      await player.join();
      players.push(player);
    }
  }
  const record = (command: SentCommand) => {
    commands.push(command);
    return (outcome: Outcome) => {
      command.outcome = outcome;
      if (outcome.kind !== 'acknowledged') return;
      acks.push(outcome.at);
      acksByHunt.get(command.hunt)!.push(outcome.at);
    };
  };
  const loops = players.map((player) => player.play(record));
  return {
    commands,
    lastAckAt: (hunt) => acksByHunt.get(hunt)?.at(-1) ?? 0,
    acksOf: (hunt) => acksByHunt.get(hunt) ?? [],
    firstAckSince(since) {
      let i = acks.length;
      while (i > 0 && acks[i - 1]! >= since) i -= 1;
      return acks[i];
    },
    async stop(deadline) {
      state.running = false;
      state.deadline = deadline;
      await Promise.all(loops);
    },
    close: () => players.forEach((player) => player.close()),
  };
}

class Player {
  #socket: RawClient | undefined;
  #sent = 0;
  #clue = 0;

  constructor(
    readonly id: string,
    readonly hunt: string,
    readonly home: number,
    readonly token: string,
    readonly options: PlayerLoadOptions,
    readonly state: { running: boolean; deadline: number },
  ) {}

  /** Joins before the faults begin: no retries needed. */
  async join(): Promise<void> {
    const socket = await this.#connection();
    await socket.ok({ type: 'join', hunt: this.hunt, commandId: `${this.id}-join` }, 30_000);
  }

  async play(record: (command: SentCommand) => (outcome: Outcome) => void): Promise<void> {
    while (this.state.running) {
      const right = this.options.prng.chance(this.options.rightShare ?? 0.1);
      this.#sent += 1;
      const command: SentCommand = {
        commandId: `${this.id}-g${this.#sent}`,
        hunt: this.hunt,
        player: this.id,
        clue: `c${this.#clue}`,
        right,
        firstSentAt: Date.now(),
        attempts: 0,
        failures: [],
      };
      const outcome = await this.#settle(command);
      record(command)(outcome);
      // The clue is done once the right answer is in (or refused: then something else solved it).
      if (right && outcome.kind !== 'gave-up') this.#clue += 1;
      if (outcome.kind === 'gave-up') return;
      await sleep(this.options.paceMs ?? 20);
    }
  }

  close(): void {
    this.#socket?.terminate();
  }

  /** Sends `command` until it has a final outcome, or until the deadline. */
  async #settle(command: SentCommand): Promise<Outcome> {
    const guess = { kind: 'answer', text: command.right ? `a${this.#clue}` : `wrong ${this.#sent}` };
    const body = { type: 'submit', hunt: command.hunt, clue: command.clue, guess, commandId: command.commandId, issuedAt: command.firstSentAt };
    for (;;) {
      if (Date.now() > this.state.deadline) return { kind: 'gave-up', at: Date.now() };
      let socket: RawClient;
      try {
        socket = await this.#connection();
      } catch {
        await sleep(200 + this.options.prng.int(0, 300));
        continue;
      }
      command.attempts += 1;
      try {
        const reply = await socket.request(body, this.options.replyTimeoutMs ?? 8000);
        if (reply.ok) {
          const result = reply.result as { update: number; correct: boolean; duplicate: boolean };
          return { kind: 'acknowledged', at: Date.now(), update: result.update, correct: result.correct, duplicate: result.duplicate };
        }
        if (!reply.error.retriable) return { kind: 'refused', at: Date.now(), code: reply.error.code };
        command.failures.push(reply.error.code);
        await sleep(reply.error.retryAfterMs ?? 100 + this.options.prng.int(0, 300));
      } catch {
        command.failures.push(socket.isOpen ? 'no-reply' : 'disconnected');
        if (!socket.isOpen) this.#socket = undefined;
      }
    }
  }

  /** The open socket, or a new one to the first live node that welcomes us, from this player's own in turn. */
  async #connection(): Promise<RawClient> {
    if (this.#socket?.isOpen) return this.#socket;
    this.#socket?.terminate();
    this.#socket = undefined;
    const urls = this.options.urls();
    let failure: unknown = new Error('no live node');
    for (let i = 0; i < urls.length; i += 1) {
      try {
        this.#socket = await RawClient.connect(urls[(this.home + i) % urls.length]!, this.token);
        return this.#socket;
      } catch (error) {
        failure = error;
      }
    }
    throw failure;
  }
}
